import type { Kysely } from 'kysely';
import { collateColumns, inTableCollation, type ColumnCollations } from '../../../lib/db/migrate.js';

/**
 * Uuid and key columns compare byte by byte on MySQL/MariaDB (lib/db/migrate.ts KEY_COLLATION):
 * course and run keys are case-sensitive, and the membership scans and joins on them are 2-5x
 * cheaper than under `utf8mb4_unicode_ci`. Titles and names keep the table's collation (people
 * sort them). The keyset orders already have their indexes: contents (catalog_uuid, content_type,
 * content_key) is the primary key, catalogs (title, uuid) and (customer, title, uuid) exist.
 */
const COLUMNS: ColumnCollations = {
  enterprise_catalog: {
    keys: ['uuid', 'enterprise_customer_uuid', 'catalog_query_uuid'],
    text: ['title', 'query_title'],
  },
  course: { keys: ['uuid', 'key', 'advertised_course_run_uuid'], text: ['title'] },
  course_run: { keys: ['uuid', 'key', 'course_key', 'status'], text: ['title'] },
  program: { keys: ['uuid'], text: ['title', 'subtitle'] },
  catalog_content: { keys: ['catalog_uuid', 'content_type', 'content_key', 'parent_content_key'] },
  organization: { keys: ['uuid', 'key'], text: ['name'] },
  subject: { keys: ['uuid', 'slug'], text: ['name'] },
  course_owner: { keys: ['course_key', 'organization_uuid'] },
  course_subject: { keys: ['course_key', 'subject_uuid'] },
  program_course: { keys: ['program_uuid', 'course_key'] },
  program_authoring_organization: { keys: ['program_uuid', 'organization_uuid'] },
  catalog_outbox: { keys: ['id', 'event_type', 'aggregate_key'] },
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await collateColumns(db, COLUMNS);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await collateColumns(db, inTableCollation(COLUMNS));
}
