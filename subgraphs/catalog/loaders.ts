import type { Kysely } from 'kysely';
import { groupLoader, rowLoader } from '../../lib/loaders.js';
import {
  findCatalogsByUuids,
  findCoursesByKeys,
  findCoursesByUuids,
  findProgramsByUuids,
  findRunsByCourseKeys,
  findRunsByKeys,
} from './store.js';
import type { CatalogDatabase } from './tables.js';

const lower = (key: string) => key.toLowerCase();

/** Per-request loaders of the catalog subgraph: one statement per entity type per tick. */
export function createLoaders(db: Kysely<CatalogDatabase>) {
  return {
    catalog: rowLoader((uuids: readonly string[]) => findCatalogsByUuids(db, uuids), (r) => r.uuid, lower),
    course: rowLoader((keys: readonly string[]) => findCoursesByKeys(db, keys), (r) => r.key),
    courseByUuid: rowLoader((uuids: readonly string[]) => findCoursesByUuids(db, uuids), (r) => r.uuid, lower),
    courseRun: rowLoader((keys: readonly string[]) => findRunsByKeys(db, keys), (r) => r.key),
    runsOfCourse: groupLoader((keys: readonly string[]) => findRunsByCourseKeys(db, keys), (r) => r.courseKey),
    program: rowLoader((uuids: readonly string[]) => findProgramsByUuids(db, uuids), (r) => r.uuid, lower),
  };
}

export type CatalogLoaders = ReturnType<typeof createLoaders>;
