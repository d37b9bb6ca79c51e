import type { CatalogSeedRows } from '../tables.js';
import { refreshContentFlags } from './aggregates.js';
import { type DB } from './decode.js';

// ---------------------------------------------------------------------------------------------
// Demo data

const CHUNK = 200;

async function insertMissingRows<T>(
  existing: Set<string>,
  rows: readonly T[],
  keyOf: (row: T) => string,
  insert: (rows: T[]) => Promise<unknown>,
) {
  const missing = rows.filter((row) => !existing.has(keyOf(row)));
  for (let i = 0; i < missing.length; i += CHUNK) await insert(missing.slice(i, i + CHUNK));
}

/**
 * Inserts the rows that are not there yet, in one transaction (the demo data: idempotent, bulk
 * inserts of CHUNK rows). Rows are matched on their primary or natural key.
 */
export async function insertMissingContent(db: DB, rows: CatalogSeedRows): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const ids = async (table: 'enterprise_catalog' | 'program' | 'organization' | 'subject') =>
      new Set((await trx.selectFrom(table).select('uuid').execute()).map((r) => r.uuid));
    // Courses and runs are matched on their natural key (unique too): a database seeded by an older
    // version keeps its rows instead of failing on the key.
    const keys = async (table: 'course' | 'course_run') =>
      new Set((await trx.selectFrom(table).select('key').execute()).map((r) => r.key));
    await insertMissingRows(
      await ids('enterprise_catalog'),
      rows.catalogs,
      (r) => r.uuid,
      (rows) => trx.insertInto('enterprise_catalog').values(rows).execute(),
    );
    await insertMissingRows(
      await ids('organization'),
      rows.organizations,
      (r) => r.uuid,
      (rows) => trx.insertInto('organization').values(rows).execute(),
    );
    await insertMissingRows(
      await ids('subject'),
      rows.subjects,
      (r) => r.uuid,
      (rows) => trx.insertInto('subject').values(rows).execute(),
    );
    await insertMissingRows(
      await keys('course'),
      rows.courses,
      (r) => r.key,
      (rows) => trx.insertInto('course').values(rows).execute(),
    );
    await insertMissingRows(
      await keys('course_run'),
      rows.runs,
      (r) => r.key,
      (rows) => trx.insertInto('course_run').values(rows).execute(),
    );
    await insertMissingRows(
      await ids('program'),
      rows.programs,
      (r) => r.uuid,
      (rows) => trx.insertInto('program').values(rows).execute(),
    );

    const pairs = async (
      table: 'course_owner' | 'course_subject' | 'program_course' | 'program_authoring_organization',
      a: string,
      b: string,
    ) =>
      new Set(
        ((await trx.selectFrom(table).selectAll().execute()) as Record<string, unknown>[]).map(
          (r) => `${String(r[a])}|${String(r[b])}`,
        ),
      );
    await insertMissingRows(
      await pairs('course_owner', 'courseKey', 'organizationUuid'),
      rows.owners,
      (r) => `${r.courseKey}|${r.organizationUuid}`,
      (rows) => trx.insertInto('course_owner').values(rows).execute(),
    );
    await insertMissingRows(
      await pairs('course_subject', 'courseKey', 'subjectUuid'),
      rows.courseSubjects,
      (r) => `${r.courseKey}|${r.subjectUuid}`,
      (rows) => trx.insertInto('course_subject').values(rows).execute(),
    );
    await insertMissingRows(
      await pairs('program_course', 'programUuid', 'courseKey'),
      rows.programCourses,
      (r) => `${r.programUuid}|${r.courseKey}`,
      (rows) => trx.insertInto('program_course').values(rows).execute(),
    );
    await insertMissingRows(
      await pairs('program_authoring_organization', 'programUuid', 'organizationUuid'),
      rows.programAuthors,
      (r) => `${r.programUuid}|${r.organizationUuid}`,
      (rows) => trx.insertInto('program_authoring_organization').values(rows).execute(),
    );

    const members = new Set(
      (await trx.selectFrom('catalog_content').selectAll().execute()).map(
        (r) => `${r.catalogUuid}|${r.contentType}|${r.contentKey}`,
      ),
    );
    await insertMissingRows(
      members,
      rows.membership,
      (r) => `${r.catalogUuid}|${r.contentType}|${r.contentKey}`,
      (rows) => trx.insertInto('catalog_content').values(rows).execute(),
    );
    // Courses, runs and memberships changed: their stored flags and counts follow, as of now.
    await refreshContentFlags(trx, 'all', new Date());
  });
}
