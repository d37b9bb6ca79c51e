import type { Kysely } from 'kysely';
import { columnTypes } from '../../../lib/db/migrate.js';
import { createOutboxTable } from '../../../lib/outbox.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('subsidy_access_policy')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('policy_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('display_name', t.key)
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('catalog_uuid', t.uuid, (c) => c.notNull())
    .addColumn('spend_limit_cents', 'bigint')
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('subsidy_access_policy_customer_name')
    .on('subsidy_access_policy')
    .columns(['enterprise_customer_uuid', 'display_name', 'uuid'])
    .execute();
  await createOutboxTable(db, 'learner_credit_outbox');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('learner_credit_outbox').execute();
  await db.schema.dropTable('subsidy_access_policy').execute();
}
