import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { groupLoader, MAX_BATCH_SIZE, rowLoader } from '../../lib/loaders.js';
import { isUuid } from '../../lib/validate.js';
import {
  findAuthoringOrganizationsByProgramUuids,
  findCatalogsByUuids,
  countCatalogContent,
  findContentModifiedByCatalogUuids,
  findCoursesByKeys,
  findCoursesByProgramUuids,
  findCoursesByUuids,
  findMemberKeys,
  findOwnersByCourseKeys,
  findProgramsByCourseKeys,
  findProgramsByUuids,
  findRunsByCourseKeys,
  findRunsByKeys,
  findSubjectsByCourseKeys,
} from './store/index.js';
import type { ContentFilter } from './store/index.js';
import { createCustomerLoader, customerFactsCache } from './remote.js';
import type { CatalogDatabase } from './tables.js';

const lower = (key: string) => key.toLowerCase();

/** Program uuids compare case-insensitively; course and run keys exactly. */
export const normalizeContentKey = (key: string): string => {
  const trimmed = key.trim();
  return isUuid(trimmed) ? trimmed.toLowerCase() : trimmed;
};

/** `catalog uuid` + `content key` as one loader key (a newline is in neither). */
export const membershipKey = (catalogUuid: string, contentKey: string) =>
  `${catalogUuid.toLowerCase()}\n${normalizeContentKey(contentKey)}`;

/** Membership of (catalog, key) pairs: every pair of a tick in one statement. */
function membershipLoader(db: Kysely<CatalogDatabase>) {
  return new DataLoader<string, boolean>(
    async (pairs) => {
      const split = pairs.map((pair) => pair.split('\n') as [string, string]);
      const members = await findMemberKeys(
        db,
        [...new Set(split.map(([c]) => c))],
        [...new Set(split.map(([, k]) => k))],
      );
      const found = new Set(members.map((m) => membershipKey(m.catalogUuid, m.contentKey)));
      return pairs.map((pair) => found.has(pair));
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );
}

/** `catalog uuid` + the filter as JSON: one loader key per (catalog, filter) count. */
export const contentCountKey = (catalogUuid: string, filter: ContentFilter) =>
  `${catalogUuid.toLowerCase()}\n${JSON.stringify(filter)}`;

/**
 * `contents.totalCount` of many catalogs (an admin page lists a count per catalog): one grouped
 * statement per distinct filter in a tick, instead of one count per catalog.
 */
function contentCountLoader(db: Kysely<CatalogDatabase>) {
  return new DataLoader<string, number>(
    async (keys) => {
      const byFilter = new Map<string, string[]>();
      for (const key of keys) {
        const [catalogUuid, filter] = key.split('\n') as [string, string];
        byFilter.set(filter, [...(byFilter.get(filter) ?? []), catalogUuid]);
      }
      const now = new Date();
      const counts = new Map<string, number>();
      await Promise.all(
        [...byFilter].map(async ([filter, catalogUuids]) => {
          const found = await countCatalogContent(db, catalogUuids, JSON.parse(filter) as ContentFilter, now);
          for (const [catalogUuid, n] of found) counts.set(`${catalogUuid.toLowerCase()}\n${filter}`, n);
        }),
      );
      return keys.map((key) => counts.get(key) ?? 0);
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );
}

/** Per-request loaders of the catalog subgraph: one statement per entity type per tick. */
export function createLoaders(db: Kysely<CatalogDatabase>, authorization = '') {
  return {
    catalog: rowLoader(
      (uuids: readonly string[]) => findCatalogsByUuids(db, uuids),
      (r) => r.uuid,
      lower,
    ),
    contentModified: rowLoader(
      (uuids: readonly string[]) => findContentModifiedByCatalogUuids(db, uuids),
      (r) => r.catalogUuid,
      lower,
    ),
    course: rowLoader(
      (keys: readonly string[]) => findCoursesByKeys(db, keys),
      (r) => r.key,
    ),
    courseByUuid: rowLoader(
      (uuids: readonly string[]) => findCoursesByUuids(db, uuids),
      (r) => r.uuid,
      lower,
    ),
    courseRun: rowLoader(
      (keys: readonly string[]) => findRunsByKeys(db, keys),
      (r) => r.key,
    ),
    runsOfCourse: groupLoader(
      (keys: readonly string[]) => findRunsByCourseKeys(db, keys),
      (r) => r.courseKey,
    ),
    program: rowLoader(
      (uuids: readonly string[]) => findProgramsByUuids(db, uuids),
      (r) => r.uuid,
      lower,
    ),
    ownersOfCourse: groupLoader(
      (keys: readonly string[]) => findOwnersByCourseKeys(db, keys),
      (r) => r.ownerKey,
    ),
    subjectsOfCourse: groupLoader(
      (keys: readonly string[]) => findSubjectsByCourseKeys(db, keys),
      (r) => r.ownerKey,
    ),
    programsOfCourse: groupLoader(
      (keys: readonly string[]) => findProgramsByCourseKeys(db, keys),
      (r) => r.ownerKey,
    ),
    coursesOfProgram: groupLoader(
      (uuids: readonly string[]) => findCoursesByProgramUuids(db, uuids),
      (r) => r.ownerKey,
    ),
    authorsOfProgram: groupLoader(
      (uuids: readonly string[]) => findAuthoringOrganizationsByProgramUuids(db, uuids),
      (r) => r.ownerKey,
    ),
    membership: membershipLoader(db),
    contentCount: contentCountLoader(db),
    customer: createCustomerLoader(authorization, customerFactsCache(db)),
  };
}

export type CatalogLoaders = ReturnType<typeof createLoaders>;
