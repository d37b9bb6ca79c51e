import { sql } from 'kysely';
import { toDate } from '../../../lib/db/codec.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../../lib/pagination.js';
import type {
  CourseNode,
  CourseRunNode,
  EnterpriseCatalogRow,
  OrganizationRow,
  ProgramNode,
  Related,
  SubjectRow,
} from '../tables.js';
import {
  type DB,
  decodeCatalog,
  decodeCourse,
  decodeRun,
  decodeProgram,
  decodeOrganization,
  decodeSubject,
} from './decode.js';

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
