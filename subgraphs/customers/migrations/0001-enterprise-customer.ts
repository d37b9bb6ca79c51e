import type { Kysely } from 'kysely';
import { columnTypes } from '../../../lib/db/migrate.js';
import { createOutboxTable } from '../../../lib/outbox.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('enterprise_customer')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('name', t.key, (c) => c.notNull())
    .addColumn('slug', t.key, (c) => c.notNull().unique())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('country', 'varchar(2)')
    .addColumn('contact_email', t.key)
    .addColumn('enable_learner_portal', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  // Keyset order of `enterpriseCustomers` (name, uuid).
  await db.schema
    .createIndex('enterprise_customer_name_uuid')
    .on('enterprise_customer')
    .columns(['name', 'uuid'])
    .execute();
  await createOutboxTable(db, 'customers_outbox');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('customers_outbox').execute();
  await db.schema.dropTable('enterprise_customer').execute();
}
