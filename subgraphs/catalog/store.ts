import type { Kysely } from 'kysely';
import { rowDecoder } from '../../lib/db/codec.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../lib/pagination.js';
import type {
  CatalogContentTable,
  CatalogDatabase,
  CourseNode,
  CourseRunNode,
  EnterpriseCatalogRow,
  ProgramNode,
} from './tables.js';

type DB = Kysely<CatalogDatabase>;

const decodeCatalog = rowDecoder<EnterpriseCatalogRow>({ dates: ['created', 'modified'] });
const decodeCourseRow = rowDecoder<Omit<CourseNode, 'kind'>>({ dates: ['created', 'modified'] });
const decodeRunRow = rowDecoder<Omit<CourseRunNode, 'kind'>>({ dates: ['start', 'end', 'created', 'modified'] });
const decodeProgramRow = rowDecoder<Omit<ProgramNode, 'kind'>>({ booleans: ['hidden'], dates: ['created', 'modified'] });

export const decodeCourse = (raw: unknown): CourseNode => ({ ...decodeCourseRow(raw), kind: 'Course' });
export const decodeRun = (raw: unknown): CourseRunNode => ({ ...decodeRunRow(raw), kind: 'CourseRun' });
export const decodeProgram = (raw: unknown): ProgramNode => ({ ...decodeProgramRow(raw), kind: 'Program' });

export async function findCatalogsByUuids(db: DB, uuids: readonly string[]): Promise<EnterpriseCatalogRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('enterprise_catalog').selectAll().where('uuid', 'in', uuids).execute()).map(decodeCatalog);
}

const CATALOG_ORDER: SortKey<EnterpriseCatalogRow>[] = [
  { column: 'title', direction: 'asc', value: (r) => r.title },
  { column: 'uuid', direction: 'asc', value: (r) => r.uuid },
];

/** Catalogs of some customers (undefined: all customers), by title. */
export function listCatalogs(db: DB, customerUuids: readonly string[] | undefined, page: PageArgs): Promise<Connection<EnterpriseCatalogRow>> {
  let query = db.selectFrom('enterprise_catalog');
  if (customerUuids) query = query.where('enterpriseCustomerUuid', 'in', customerUuids.length ? customerUuids : ['']);
  return paginate(query.selectAll(), page, CATALOG_ORDER, decodeCatalog, () => countRows(query));
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

const CONTENT_ORDER: SortKey<CatalogContentTable>[] = [
  { column: 'contentType', direction: 'asc', value: (r) => r.contentType },
  { column: 'contentKey', direction: 'asc', value: (r) => r.contentKey },
];

/** One page of a catalog's membership rows, in the stable (type, key) order. */
export function listCatalogContent(db: DB, catalogUuid: string, page: PageArgs): Promise<Connection<CatalogContentTable>> {
  const query = db.selectFrom('catalog_content').where('catalogUuid', '=', catalogUuid);
  return paginate(query.selectAll(), page, CONTENT_ORDER, (row) => row as CatalogContentTable, () => countRows(query));
}

export async function countCatalogs(db: DB): Promise<number> {
  return countRows(db.selectFrom('enterprise_catalog'));
}
