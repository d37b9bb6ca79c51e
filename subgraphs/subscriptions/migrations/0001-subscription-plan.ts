import type { Kysely } from 'kysely';
import { columnTypes } from '../../../lib/db/migrate.js';
import { createOutboxTable } from '../../../lib/outbox.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('subscription_plan')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('title', t.key, (c) => c.notNull())
    .addColumn('start_date', t.datetime, (c) => c.notNull())
    .addColumn('expiration_date', t.datetime, (c) => c.notNull())
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('enterprise_catalog_uuid', t.uuid, (c) => c.notNull())
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('subscription_plan_customer_start')
    .on('subscription_plan')
    .columns(['enterprise_customer_uuid', 'start_date', 'uuid'])
    .execute();
  await createOutboxTable(db, 'subscriptions_outbox');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('subscriptions_outbox').execute();
  await db.schema.dropTable('subscription_plan').execute();
}
