import type { Kysely } from 'kysely';
import { columnTypes } from '../../../lib/db/migrate.js';

/**
 * Full content metadata. Columns exist for what SQL filters, orders, joins or prices on
 * (dates, flags, seats, entitlements); the remaining REST fields live in one `metadata` JSON
 * document per row (the way enterprise-catalog keeps discovery's `json_metadata`).
 * Relations that must be batched both ways (owners, subjects, program courses, authoring
 * organizations) are join tables indexed from each side.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  // JSON documents are TEXT, not JSON: MariaDB/mysql2 hand JSON columns back parsed, and Kysely's
  // CamelCasePlugin then renames the keys inside them, which would corrupt free-form REST values
  // (`additional_metadata`, `urls_detailed`, `content_filter`). The store parses the text itself.
  const json = t.text;
  // SQLite accepts one ADD COLUMN per ALTER TABLE statement.
  const add = async (
    table: string,
    column: string,
    type: Parameters<ReturnType<Kysely<unknown>['schema']['alterTable']>['addColumn']>[1],
    notNullDefault?: boolean | number,
  ) => {
    await db.schema
      .alterTable(table)
      .addColumn(column, type, (c) => (notNullDefault === undefined ? c : c.notNull().defaultTo(notNullDefault)))
      .execute();
  };

  await add('enterprise_catalog', 'catalog_query_uuid', t.uuid);
  await add('enterprise_catalog', 'query_title', t.key);
  await add('enterprise_catalog', 'content_filter', json);
  await add('enterprise_catalog', 'include_exec_ed_courses', 'boolean');
  await add('enterprise_catalog', 'enabled_course_modes', json);
  await add('enterprise_catalog', 'publish_audit_enrollment_urls', 'boolean', false);

  await add('course', 'advertised_course_run_uuid', t.uuid);
  await add('course', 'entitlements', json);
  await add('course', 'metadata', json);

  await add('course_run', 'enrollment_start', t.datetime);
  await add('course_run', 'enrollment_end', t.datetime);
  await add('course_run', 'status', 'varchar(32)');
  await add('course_run', 'is_marketable', 'boolean', false);
  await add('course_run', 'hidden', 'boolean', false);
  await add('course_run', 'seats', json);
  await add('course_run', 'metadata', json);

  await add('program', 'metadata', json);

  // A run listed in a catalog remembers its course: "is course K in catalog C" is then one indexed
  // lookup on (catalog_uuid, parent_content_key) besides the primary key.
  await add('catalog_content', 'parent_content_key', t.key);
  await db.schema
    .createIndex('catalog_content_parent')
    .on('catalog_content')
    .columns(['catalog_uuid', 'parent_content_key'])
    .execute();

  await db.schema
    .createTable('organization')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('key', t.key, (c) => c.notNull())
    .addColumn('name', t.key)
    .addColumn('metadata', json)
    .execute();
  await db.schema
    .createTable('subject')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('slug', t.key, (c) => c.notNull())
    .addColumn('name', t.key)
    .addColumn('metadata', json)
    .execute();

  await db.schema
    .createTable('course_owner')
    .addColumn('course_key', t.key, (c) => c.notNull())
    .addColumn('organization_uuid', t.uuid, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('course_owner_pk', ['course_key', 'organization_uuid'])
    .execute();
  await db.schema
    .createTable('course_subject')
    .addColumn('course_key', t.key, (c) => c.notNull())
    .addColumn('subject_uuid', t.uuid, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('course_subject_pk', ['course_key', 'subject_uuid'])
    .execute();
  await db.schema
    .createTable('program_course')
    .addColumn('program_uuid', t.uuid, (c) => c.notNull())
    .addColumn('course_key', t.key, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('program_course_pk', ['program_uuid', 'course_key'])
    .execute();
  await db.schema
    .createIndex('program_course_course')
    .on('program_course')
    .columns(['course_key', 'program_uuid'])
    .execute();
  await db.schema
    .createTable('program_authoring_organization')
    .addColumn('program_uuid', t.uuid, (c) => c.notNull())
    .addColumn('organization_uuid', t.uuid, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('program_authoring_organization_pk', ['program_uuid', 'organization_uuid'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'program_authoring_organization',
    'program_course',
    'course_subject',
    'course_owner',
    'subject',
    'organization',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex('catalog_content_parent').on('catalog_content').execute();
  const columns: [string, string][] = [
    ['catalog_content', 'parent_content_key'],
    ['program', 'metadata'],
    ...['metadata', 'seats', 'hidden', 'is_marketable', 'status', 'enrollment_end', 'enrollment_start'].map(
      (c): [string, string] => ['course_run', c],
    ),
    ...['metadata', 'entitlements', 'advertised_course_run_uuid'].map((c): [string, string] => ['course', c]),
    ...[
      'publish_audit_enrollment_urls',
      'enabled_course_modes',
      'include_exec_ed_courses',
      'content_filter',
      'query_title',
      'catalog_query_uuid',
    ].map((c): [string, string] => ['enterprise_catalog', c]),
  ];
  for (const [table, column] of columns) await db.schema.alterTable(table).dropColumn(column).execute();
}
