import { sql, type SqlBool } from 'kysely';
import { containsInsensitive } from '../../../lib/db/search.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../../lib/pagination.js';
import { AVAILABILITY_RANK, type AvailabilityValue } from '../rules.js';
import type { CatalogContentTable, ContentTypeValue } from '../tables.js';
import { activeRunRank, hasActiveRun, runAvailabilityRank, runIsActive } from './activity.js';
import { CONTENT_TYPES, findStoredContentCounts } from './aggregates.js';
import { type DB } from './decode.js';

export interface ContentFilter {
  contentTypes?: readonly ContentTypeValue[];
  availability?: readonly AvailabilityValue[];
  search?: string;
}

const CONTENT_ORDER: SortKey<Pick<CatalogContentTable, 'contentType' | 'contentKey'>>[] = [
  { column: 'cc.contentType', direction: 'asc', type: 'string', value: (r) => r.contentType },
  { column: 'cc.contentKey', direction: 'asc', type: 'string', value: (r) => r.contentKey },
];

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
 * statement: without a search or availability filter, the stored per-type counts (one indexed
 * read); otherwise counted exactly, one statement per 100 catalogs. Each content type of each catalog is its own UNION ALL branch
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
  // Filters the stored per-type counts answer (store/aggregates.ts): none, or content types only.
  if (!ranks && !search) return findStoredContentCounts(db, catalogUuids, CONTENT_TYPES.filter(wanted));
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
