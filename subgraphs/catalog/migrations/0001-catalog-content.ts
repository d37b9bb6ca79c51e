import type { Kysely } from 'kysely';
import { columnTypes } from '../../../lib/db/migrate.js';
import { createOutboxTable } from '../../../lib/outbox.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('enterprise_catalog')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('title', t.key, (c) => c.notNull())
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('enterprise_catalog_customer_title')
    .on('enterprise_catalog')
    .columns(['enterprise_customer_uuid', 'title', 'uuid'])
    .execute();
  await db.schema
    .createIndex('enterprise_catalog_title_uuid')
    .on('enterprise_catalog')
    .columns(['title', 'uuid'])
    .execute();

  await db.schema
    .createTable('course')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('key', t.key, (c) => c.notNull().unique())
    .addColumn('title', t.key)
    .addColumn('short_description', t.text)
    .addColumn('marketing_url', t.text)
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('course_run')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('key', t.key, (c) => c.notNull().unique())
    .addColumn('course_key', t.key, (c) => c.notNull())
    .addColumn('title', t.key)
    .addColumn('short_description', t.text)
    .addColumn('marketing_url', t.text)
    .addColumn('start', t.datetime)
    .addColumn('end', t.datetime)
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('course_run_course_start')
    .on('course_run')
    .columns(['course_key', 'start', 'key'])
    .execute();

  await db.schema
    .createTable('program')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('title', t.key)
    .addColumn('subtitle', t.key)
    .addColumn('short_description', t.text)
    .addColumn('marketing_url', t.text)
    .addColumn('hidden', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();

  // Membership: the primary key is also the keyset order of `contents` and the lookup index.
  await db.schema
    .createTable('catalog_content')
    .addColumn('catalog_uuid', t.uuid, (c) => c.notNull())
    .addColumn('content_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('content_key', t.key, (c) => c.notNull())
    .addPrimaryKeyConstraint('catalog_content_pk', ['catalog_uuid', 'content_type', 'content_key'])
    .execute();
  await db.schema
    .createIndex('catalog_content_key')
    .on('catalog_content')
    .columns(['content_key', 'catalog_uuid'])
    .execute();

  await createOutboxTable(db, 'catalog_outbox');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['catalog_outbox', 'catalog_content', 'program', 'course_run', 'course', 'enterprise_catalog']) {
    await db.schema.dropTable(table).execute();
  }
}
