import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import { fromJson, rowDecoder, toDate } from '../../lib/db/codec.js';
import { containsInsensitive } from '../../lib/db/search.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../lib/pagination.js';
import { AVAILABILITY_RANK, startingSoonLimit, type AvailabilityValue } from './rules.js';
import type {
  CatalogContentTable,
  CatalogDatabase,
  CatalogSeedRows,
  ContentTypeValue,
  CourseNode,
  CourseRunNode,
  EnterpriseCatalogRow,
  Metadata,
  OrganizationRow,
  ProgramNode,
  Related,
  SubjectRow,
} from './tables.js';

type DB = Kysely<CatalogDatabase>;

/** Spreads the `metadata` JSON document into the row (columns win), with empty lists for list fields it lacks. */
function withMetadata<T extends { metadata?: unknown }>(
  row: T,
  lists: readonly string[],
): Omit<T, 'metadata'> & Metadata {
  const { metadata, ...columns } = row;
  const parsed = (fromJson(metadata) ?? {}) as Metadata;
  const defaults = Object.fromEntries(lists.map((field) => [field, []]));
  return { ...defaults, ...parsed, ...columns };
}

// The column is nullable: a catalog stored without modes decodes to null, read as "no modes".
const decodeCatalogRow = rowDecoder<
  Omit<EnterpriseCatalogRow, 'enabledCourseModes'> & { enabledCourseModes: string[] | null }
>({
  booleans: ['includeExecEdCourses', 'publishAuditEnrollmentUrls'],
  dates: ['created', 'modified'],
  json: ['contentFilter', 'enabledCourseModes'],
});
export const decodeCatalog = (raw: unknown): EnterpriseCatalogRow => {
  const row = decodeCatalogRow(raw);
  return { ...row, enabledCourseModes: row.enabledCourseModes ?? [] };
};

const decodeCourseColumns = rowDecoder<Record<string, unknown>>({
  dates: ['created', 'modified'],
  json: ['entitlements'],
});
const decodeRunColumns = rowDecoder<Record<string, unknown>>({
  booleans: ['isMarketable', 'hidden'],
  dates: ['start', 'end', 'enrollmentStart', 'enrollmentEnd', 'created', 'modified'],
  json: ['seats'],
});
const decodeProgramColumns = rowDecoder<Record<string, unknown>>({
  booleans: ['hidden'],
  dates: ['created', 'modified'],
});

const COURSE_LISTS = ['urlSlugHistory', 'urlRedirects', 'watchers', 'skillNames'];
const RUN_LISTS = ['transcriptLanguages', 'instructors', 'staff'];
const PROGRAM_LISTS = [
  'curricula',
  'labels',
  'creditBackingOrganizations',
  'languages',
  'transcriptLanguages',
  'subjects',
  'staff',
  'applicableSeatTypes',
  'skillNames',
];

export const decodeCourse = (raw: unknown): CourseNode => {
  const row = withMetadata(decodeCourseColumns(raw), COURSE_LISTS);
  return {
    ...row,
    entitlements: (row.entitlements as CourseNode['entitlements'] | null) ?? [],
    kind: 'Course',
  } as CourseNode;
};
export const decodeRun = (raw: unknown): CourseRunNode => {
  const row = withMetadata(decodeRunColumns(raw), RUN_LISTS);
  return { ...row, seats: (row.seats as CourseRunNode['seats'] | null) ?? [], kind: 'CourseRun' } as CourseRunNode;
};
export const decodeProgram = (raw: unknown): ProgramNode =>
  ({ ...withMetadata(decodeProgramColumns(raw), PROGRAM_LISTS), kind: 'Program' }) as ProgramNode;
const decodeOrganization = (raw: unknown) =>
  withMetadata(raw as Record<string, unknown>, ['tags']) as Related<OrganizationRow>;
const decodeSubject = (raw: unknown) => withMetadata(raw as Record<string, unknown>, []) as Related<SubjectRow>;

export async function findCatalogsByUuids(db: DB, uuids: readonly string[]): Promise<EnterpriseCatalogRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('enterprise_catalog').selectAll().where('uuid', 'in', uuids).execute()).map(
    decodeCatalog,
  );
}

const CATALOG_ORDER: SortKey<EnterpriseCatalogRow>[] = [
  { column: 'title', direction: 'asc', type: 'string', value: (r) => r.title },
  { column: 'uuid', direction: 'asc', type: 'string', value: (r) => r.uuid },
];

/** Catalogs of some customers (undefined: all customers), by title. */
export function listCatalogs(
  db: DB,
  customerUuids: readonly string[] | undefined,
  page: PageArgs,
): Promise<Connection<EnterpriseCatalogRow>> {
  let query = db.selectFrom('enterprise_catalog');
  if (customerUuids) query = query.where('enterpriseCustomerUuid', 'in', customerUuids.length ? customerUuids : ['']);
  return paginate(query.selectAll(), page, CATALOG_ORDER, decodeCatalog, () => countRows(query));
}

/**
 * Latest `modified` of the content each catalog lists (one grouped statement for many catalogs);
 * catalogs listing nothing are absent.
 */
export async function findContentModifiedByCatalogUuids(
  db: DB,
  catalogUuids: readonly string[],
): Promise<{ catalogUuid: string; modified: Date | null }[]> {
  if (!catalogUuids.length) return [];
  const rows = await db
    .selectFrom('catalog_content as cc')
    .leftJoin('course as c', (join) => join.onRef('c.key', '=', 'cc.contentKey').on('cc.contentType', '=', 'course'))
    .leftJoin('course_run as r', (join) =>
      join.onRef('r.key', '=', 'cc.contentKey').on('cc.contentType', '=', 'courserun'),
    )
    .leftJoin('program as p', (join) => join.onRef('p.uuid', '=', 'cc.contentKey').on('cc.contentType', '=', 'program'))
    .where('cc.catalogUuid', 'in', catalogUuids)
    .groupBy('cc.catalogUuid')
    .select((eb) => [
      'cc.catalogUuid',
      eb.fn.max(eb.fn.coalesce('c.modified', 'r.modified', 'p.modified')).as('modified'),
    ])
    .execute();
  return rows.map((row) => ({ catalogUuid: row.catalogUuid, modified: toDate(row.modified) }));
}

export async function findCoursesByKeys(db: DB, keys: readonly string[]): Promise<CourseNode[]> {
  if (!keys.length) return [];
  return (await db.selectFrom('course').selectAll().where('key', 'in', keys).execute()).map(decodeCourse);
}

export async function findCoursesByUuids(db: DB, uuids: readonly string[]): Promise<CourseNode[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('course').selectAll().where('uuid', 'in', uuids).execute()).map(decodeCourse);
}

export async function findRunsByKeys(db: DB, keys: readonly string[]): Promise<CourseRunNode[]> {
  if (!keys.length) return [];
  return (await db.selectFrom('course_run').selectAll().where('key', 'in', keys).execute()).map(decodeRun);
}

/** Runs of many courses in one statement, oldest start first within a course. */
export async function findRunsByCourseKeys(db: DB, courseKeys: readonly string[]): Promise<CourseRunNode[]> {
  if (!courseKeys.length) return [];
  const rows = await db
    .selectFrom('course_run')
    .selectAll()
    .where('courseKey', 'in', courseKeys)
    .orderBy('courseKey')
    .orderBy('start')
    .orderBy('key')
    .execute();
  return rows.map(decodeRun);
}

export async function findProgramsByUuids(db: DB, uuids: readonly string[]): Promise<ProgramNode[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('program').selectAll().where('uuid', 'in', uuids).execute()).map(decodeProgram);
}

/** Owners of many courses, in owner order, each tagged with its course key. */
export async function findOwnersByCourseKeys(
  db: DB,
  courseKeys: readonly string[],
): Promise<Related<OrganizationRow>[]> {
  if (!courseKeys.length) return [];
  const rows = await db
    .selectFrom('course_owner as link')
    .innerJoin('organization as o', 'o.uuid', 'link.organizationUuid')
    .selectAll('o')
    .select('link.courseKey as ownerKey')
    .where('link.courseKey', 'in', courseKeys)
    .orderBy('link.courseKey')
    .orderBy('link.position')
    .execute();
  return rows.map(decodeOrganization);
}

export async function findSubjectsByCourseKeys(db: DB, courseKeys: readonly string[]): Promise<Related<SubjectRow>[]> {
  if (!courseKeys.length) return [];
  const rows = await db
    .selectFrom('course_subject as link')
    .innerJoin('subject as s', 's.uuid', 'link.subjectUuid')
    .selectAll('s')
    .select('link.courseKey as ownerKey')
    .where('link.courseKey', 'in', courseKeys)
    .orderBy('link.courseKey')
    .orderBy('link.position')
    .execute();
  return rows.map(decodeSubject);
}

export async function findAuthoringOrganizationsByProgramUuids(
  db: DB,
  programUuids: readonly string[],
): Promise<Related<OrganizationRow>[]> {
  if (!programUuids.length) return [];
  const rows = await db
    .selectFrom('program_authoring_organization as link')
    .innerJoin('organization as o', 'o.uuid', 'link.organizationUuid')
    .selectAll('o')
    .select('link.programUuid as ownerKey')
    .where('link.programUuid', 'in', programUuids)
    .orderBy('link.programUuid')
    .orderBy('link.position')
    .execute();
  return rows.map(decodeOrganization);
}

/** Programs that include each course, by title. */
export async function findProgramsByCourseKeys(db: DB, courseKeys: readonly string[]): Promise<Related<ProgramNode>[]> {
  if (!courseKeys.length) return [];
  const rows = await db
    .selectFrom('program_course as link')
    .innerJoin('program as p', 'p.uuid', 'link.programUuid')
    .selectAll('p')
    .select('link.courseKey as ownerKey')
    .where('link.courseKey', 'in', courseKeys)
    .orderBy('link.courseKey')
    .orderBy('p.title')
    .orderBy('p.uuid')
    .execute();
  return rows.map((row) => ({ ...decodeProgram(row), ownerKey: row.ownerKey }));
}

/** Courses of each program, in program order. */
export async function findCoursesByProgramUuids(
  db: DB,
  programUuids: readonly string[],
): Promise<Related<CourseNode>[]> {
  if (!programUuids.length) return [];
  const rows = await db
    .selectFrom('program_course as link')
    .innerJoin('course as c', 'c.key', 'link.courseKey')
    .selectAll('c')
    .select('link.programUuid as ownerKey')
    .where('link.programUuid', 'in', programUuids)
    .orderBy('link.programUuid')
    .orderBy('link.position')
    .execute();
  return rows.map((row) => ({ ...decodeCourse(row), ownerKey: row.ownerKey }));
}

/**
 * Which of `keys` are in which of `catalogUuids` under the membership rules (a course is in when it or one of its runs is listed, a run when it or its course is listed),
 * in ONE statement (each branch an indexed lookup):
 * - listed as is (course, run or program): primary key (catalog_uuid, content_type, content_key)
 *   via the (content_key, catalog_uuid) index;
 * - a course whose run is listed: (catalog_uuid, parent_content_key);
 * - a run whose course is listed: course_run.key (unique), then the primary key.
 */
export async function findMemberKeys(
  db: DB,
  catalogUuids: readonly string[],
  keys: readonly string[],
): Promise<{ catalogUuid: string; contentKey: string }[]> {
  if (!catalogUuids.length || !keys.length) return [];
  const listed = db
    .selectFrom('catalog_content as cc')
    .select(['cc.catalogUuid as catalogUuid', 'cc.contentKey as contentKey'])
    .where('cc.catalogUuid', 'in', catalogUuids)
    .where('cc.contentKey', 'in', keys);
  const courseOfListedRun = db
    .selectFrom('catalog_content as cc')
    .select(['cc.catalogUuid as catalogUuid', sql<string>`${sql.ref('cc.parentContentKey')}`.as('contentKey')])
    .where('cc.catalogUuid', 'in', catalogUuids)
    .where('cc.contentType', '=', 'courserun')
    .where('cc.parentContentKey', 'in', keys);
  const runOfListedCourse = db
    .selectFrom('course_run as r')
    .innerJoin('catalog_content as cc', (join) =>
      join.onRef('cc.contentKey', '=', 'r.courseKey').on('cc.contentType', '=', 'course'),
    )
    .select(['cc.catalogUuid as catalogUuid', 'r.key as contentKey'])
    .where('cc.catalogUuid', 'in', catalogUuids)
    .where('r.key', 'in', keys);
  return listed.union(courseOfListedRun).union(runOfListedCourse).execute();
}

export interface ContentFilter {
  contentTypes?: readonly ContentTypeValue[];
  availability?: readonly AvailabilityValue[];
  search?: string;
}

/** SQL twin of rules.ts `isActiveRun` for the run aliased `alias`. */
function runIsActive(alias: string, now: Date): Expression<SqlBool> {
  const ref = (column: string) => sql.ref(`${alias}.${column}`);
  return sql<SqlBool>`((${ref('end')} is null or ${ref('end')} > ${now}) and (${ref('isMarketable')} = ${true} or ((${ref('enrollmentStart')} is null or ${ref('enrollmentStart')} <= ${now}) and (${ref('enrollmentEnd')} is null or ${ref('enrollmentEnd')} > ${now}))))`;
}

/** SQL twin of rules.ts availability ranks for a run that is not archived. */
function runAvailabilityRank(alias: string, now: Date): Expression<number> {
  const start = sql.ref(`${alias}.start`);
  return sql<number>`case when ${start} is not null and ${start} <= ${now} then ${AVAILABILITY_RANK.CURRENT} when ${start} is not null and ${start} <= ${startingSoonLimit(now)} then ${AVAILABILITY_RANK.STARTING_SOON} else ${AVAILABILITY_RANK.UPCOMING} end`;
}

const CONTENT_ORDER: SortKey<Pick<CatalogContentTable, 'contentType' | 'contentKey'>>[] = [
  { column: 'cc.contentType', direction: 'asc', type: 'string', value: (r) => r.contentType },
  { column: 'cc.contentKey', direction: 'asc', type: 'string', value: (r) => r.contentKey },
];

/** SQL twin of rules.ts: the best availability rank of a course's active runs (null: none active). */
function activeRunRank(courseKeyRef: string, now: Date): Expression<number | null> {
  return sql<
    number | null
  >`(select min(${runAvailabilityRank('ar', now)}) from ${sql.table('course_run')} as ar where ${sql.ref('ar.courseKey')} = ${sql.ref(courseKeyRef)} and ${runIsActive('ar', now)})`;
}

/** SQL twin of rules.ts: the course has at least one active run. */
function hasActiveRun(courseKeyRef: string, now: Date): Expression<SqlBool> {
  return sql<SqlBool>`exists (select 1 from ${sql.table('course_run')} as ar where ${sql.ref('ar.courseKey')} = ${sql.ref(courseKeyRef)} and ${runIsActive('ar', now)})`;
}

/**
 * One page of a catalog's ACTIVE content: courses with an active run, active
 * runs, programs not hidden; filtered by type, derived availability and a title/key search; in
 * the stable (type, key) keyset order of the membership primary key. `totalCount` comes from
 * `count` (the catalog loaders batch it: see countCatalogContent).
 */
export function listCatalogContent(
  db: DB,
  catalogUuid: string,
  filter: ContentFilter,
  page: PageArgs,
  now: Date,
  count: () => Promise<number>,
): Promise<Connection<Pick<CatalogContentTable, 'contentType' | 'contentKey'>>> {
  let query = db
    .selectFrom('catalog_content as cc')
    .leftJoin('course as c', (join) => join.onRef('c.key', '=', 'cc.contentKey').on('cc.contentType', '=', 'course'))
    .leftJoin('course_run as r', (join) =>
      join.onRef('r.key', '=', 'cc.contentKey').on('cc.contentType', '=', 'courserun'),
    )
    .leftJoin('program as p', (join) => join.onRef('p.uuid', '=', 'cc.contentKey').on('cc.contentType', '=', 'program'))
    .where('cc.catalogUuid', '=', catalogUuid)
    .where((eb) =>
      eb.or([
        eb.and([eb('cc.contentType', '=', 'course'), eb('c.key', 'is not', null), hasActiveRun('cc.contentKey', now)]),
        eb.and([eb('cc.contentType', '=', 'courserun'), eb('r.key', 'is not', null), runIsActive('r', now)]),
        eb.and([eb('cc.contentType', '=', 'program'), eb('p.uuid', 'is not', null), eb('p.hidden', '=', false)]),
      ]),
    );
  if (filter.contentTypes?.length) query = query.where('cc.contentType', 'in', filter.contentTypes);
  // Empty filter lists restrict nothing, like an absent filter.
  if (filter.availability?.length) {
    // Programs have no dates: an availability filter leaves only courses and runs.
    const rankList = filter.availability.map((a) => AVAILABILITY_RANK[a]);
    query = query.where((eb) =>
      eb.or([
        eb.and([
          eb('cc.contentType', '=', 'course'),
          sql<SqlBool>`${activeRunRank('cc.contentKey', now)} in (${sql.join(rankList)})`,
        ]),
        eb.and([
          eb('cc.contentType', '=', 'courserun'),
          sql<SqlBool>`${runAvailabilityRank('r', now)} in (${sql.join(rankList)})`,
        ]),
      ]),
    );
  }
  const search = filter.search?.trim();
  if (search) {
    query = query.where((eb) =>
      eb.or([
        containsInsensitive('cc.contentKey', search),
        containsInsensitive('c.title', search),
        containsInsensitive('r.title', search),
        containsInsensitive('p.title', search),
      ]),
    );
  }
  return paginate(query.select(['cc.contentType', 'cc.contentKey']), page, CONTENT_ORDER, (row) => row, count);
}

/**
 * How many items listCatalogContent would list in each of `catalogUuids` under one filter, in ONE
 * statement (per 100 catalogs). Each content type of each catalog is its own UNION ALL branch
 * joined only to its own table (courses checked by an indexed EXISTS on their runs), which
 * MariaDB runs several times faster than the page query's three outer joins and OR (bench scale 1:
 * 4,400 items in about 15 instead of 50 ms).
 */
export async function countCatalogContent(
  db: DB,
  catalogUuids: readonly string[],
  filter: ContentFilter,
  now: Date,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const wanted = (type: ContentTypeValue) => !filter.contentTypes?.length || filter.contentTypes.includes(type);
  const ranks = filter.availability?.length ? filter.availability.map((a) => AVAILABILITY_RANK[a]) : undefined;
  const search = filter.search?.trim();
  // One branch per catalog and type, each selecting its catalog by equality: with an IN list of
  // catalogs MariaDB chose to scan every course and probe the catalogs (4x slower).
  const base = (catalogUuid: string, type: ContentTypeValue) =>
    db
      .selectFrom('catalog_content as cc')
      .where('cc.catalogUuid', '=', catalogUuid)
      .where('cc.contentType', '=', type)
      .select((eb) => [sql<string>`${catalogUuid}`.as('catalogUuid'), eb.fn.countAll<number | string>().as('n')]);
  // The branches join different tables; their rows (catalogUuid, n) are what the union reads.
  type Branch = ReturnType<typeof base>;
  const branchesOf = (catalogUuid: string): Branch[] => {
    const branches: Branch[] = [];
    if (wanted('course')) {
      let courses = base(catalogUuid, 'course')
        .innerJoin('course as c', 'c.key', 'cc.contentKey')
        .where(
          ranks
            ? sql<SqlBool>`${activeRunRank('cc.contentKey', now)} in (${sql.join(ranks)})`
            : hasActiveRun('cc.contentKey', now),
        );
      if (search)
        courses = courses.where((eb) =>
          eb.or([containsInsensitive('cc.contentKey', search), containsInsensitive('c.title', search)]),
        );
      branches.push(courses);
    }
    if (wanted('courserun')) {
      let runs = base(catalogUuid, 'courserun')
        .innerJoin('course_run as r', 'r.key', 'cc.contentKey')
        .where(runIsActive('r', now));
      if (ranks) runs = runs.where(sql<SqlBool>`${runAvailabilityRank('r', now)} in (${sql.join(ranks)})`);
      if (search)
        runs = runs.where((eb) =>
          eb.or([containsInsensitive('cc.contentKey', search), containsInsensitive('r.title', search)]),
        );
      branches.push(runs);
    }
    if (wanted('program') && !ranks) {
      let programs = base(catalogUuid, 'program')
        .innerJoin('program as p', 'p.uuid', 'cc.contentKey')
        .where('p.hidden', '=', false);
      if (search)
        programs = programs.where((eb) =>
          eb.or([containsInsensitive('cc.contentKey', search), containsInsensitive('p.title', search)]),
        );
      branches.push(programs);
    }
    return branches;
  };
  // SQLite allows at most 500 SELECTs in one compound statement: 100 catalogs (300 branches) each.
  for (let i = 0; i < catalogUuids.length; i += 100) {
    const [first, ...rest] = catalogUuids.slice(i, i + 100).flatMap(branchesOf);
    if (!first) break;
    const rows = await rest.reduce((union, branch) => union.unionAll(branch), first).execute();
    for (const row of rows) counts.set(row.catalogUuid, (counts.get(row.catalogUuid) ?? 0) + Number(row.n));
  }
  return counts;
}

export async function countCatalogs(db: DB): Promise<number> {
  return countRows(db.selectFrom('enterprise_catalog'));
}

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
  });
}
