import { sql } from 'kysely';
import { differences, type AggregateDifference } from '../../../lib/aggregates.js';
import { toBoolean, toDate } from '../../../lib/db/codec.js';
import { forUpdate } from '../../../lib/db/locking.js';
import { startingSoonLimit } from '../rules.js';
import type { ContentTypeValue } from '../tables.js';
import { activeRunRank, hasActiveRun, runAvailabilityRank, runIsActive } from './activity.js';
import { type DB } from './decode.js';

// ---------------------------------------------------------------------------------------------
// Stored catalog aggregates (migration 0005):
// - catalog_content.active / availability_rank: what `contents` decides by the clock (an active
//   course, run or visible program, store/activity.ts), computed at the last refresh;
// - catalog_content_count.active_items: the active memberships per (catalog, content type).
// Activity changes with the clock: a refresh (refreshCrossedContent, the catalog subgraph's
// poller) recomputes the memberships of every run whose start, end, enrollment start or end, or
// start minus the starting-soon window passed since the last refresh, and the content loaders
// recompute what they write. Between a boundary and the next refresh the stored counts lag by at
// most one poll interval; listing pages and filtered counts always decide by the clock.

export const CONTENT_TYPES: readonly ContentTypeValue[] = ['course', 'courserun', 'program'];
const CHUNK = 500;
/** Catalogs per statement of a full refresh or check (each lists up to a few thousand items). */
const CATALOGS_PER_STATEMENT = 5;

/** Stored active items per catalog over `types` (one statement; catalogs with none are absent). */
export async function findStoredContentCounts(
  db: DB,
  catalogUuids: readonly string[],
  types: readonly ContentTypeValue[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (!catalogUuids.length || !types.length) return counts;
  const rows = await db
    .selectFrom('catalog_content_count')
    .select(['catalogUuid', (eb) => eb.fn.sum<number | string>('activeItems').as('n')])
    .where('catalogUuid', 'in', catalogUuids)
    .where('contentType', 'in', types)
    .groupBy('catalogUuid')
    .execute();
  for (const row of rows) counts.set(row.catalogUuid, Number(row.n));
  return counts;
}

/** What `active` is for the membership row `catalog_content` now (a correlated expression). */
function activeNow(now: Date) {
  const key = sql.ref('catalog_content.contentKey');
  const type = sql.ref('catalog_content.contentType');
  return sql<boolean>`case
    when ${type} = 'course' then (exists (select 1 from ${sql.table('course')} as c where ${sql.ref('c.key')} = ${key}) and ${hasActiveRun('catalog_content.contentKey', now)})
    when ${type} = 'courserun' then exists (select 1 from ${sql.table('course_run')} as r where ${sql.ref('r.key')} = ${key} and ${runIsActive('r', now)})
    when ${type} = 'program' then exists (select 1 from ${sql.table('program')} as p where ${sql.ref('p.uuid')} = ${key} and ${sql.ref('p.hidden')} = ${false})
    else ${false} end`;
}

/** The availability rank `active` implies for the membership row `catalog_content` now (null: none). */
function rankNow(now: Date) {
  const key = sql.ref('catalog_content.contentKey');
  const type = sql.ref('catalog_content.contentType');
  return sql<number | null>`case
    when ${type} = 'course' then ${activeRunRank('catalog_content.contentKey', now)}
    when ${type} = 'courserun' then (select ${runAvailabilityRank('r', now)} from ${sql.table('course_run')} as r where ${sql.ref('r.key')} = ${key} and ${runIsActive('r', now)})
    else null end`;
}

/** Memberships a set of changed runs and courses reaches: the runs listed as such, their courses listed. */
export interface ContentScope {
  runKeys: readonly string[];
  courseKeys: readonly string[];
}

function chunked<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Catalogs with at least one membership. */
async function findListingCatalogs(db: DB): Promise<string[]> {
  const rows = await db.selectFrom('catalog_content').select('catalogUuid').distinct().orderBy('catalogUuid').execute();
  return rows.map((r) => r.catalogUuid);
}

/**
 * Recomputes the flags of the memberships `scope` reaches ('all': every membership) as of `now`,
 * then the per-type counts of every catalog they belong to. Call it in the transaction that
 * changed the runs or courses.
 */
export async function refreshContentFlags(db: DB, scope: ContentScope | 'all', now: Date): Promise<void> {
  if (scope === 'all') {
    // A few catalogs per statement: one UPDATE of every membership at bench scale 1 (~700,000
    // rows) outlasts DB_STATEMENT_TIMEOUT_MS.
    await db.deleteFrom('catalog_content_count').execute();
    for (const chunk of chunked(await findListingCatalogs(db), CATALOGS_PER_STATEMENT)) {
      await db
        .updateTable('catalog_content')
        .set({ active: activeNow(now), availabilityRank: rankNow(now) })
        .where('catalogUuid', 'in', chunk)
        .execute();
      await recountCatalogs(db, chunk);
    }
    return;
  }
  const catalogs = new Set<string>();
  const parts: { type: ContentTypeValue; keys: string[] }[] = [
    ...chunked(scope.runKeys).map((keys) => ({ type: 'courserun' as const, keys })),
    ...chunked(scope.courseKeys).map((keys) => ({ type: 'course' as const, keys })),
  ];
  for (const { type, keys } of parts) {
    const reached = (await db
      .selectFrom('catalog_content')
      .select('catalogUuid')
      .distinct()
      .where('contentType', '=', type)
      .where('contentKey', 'in', keys)
      .execute()) as { catalogUuid: string }[];
    if (!reached.length) continue;
    for (const row of reached) catalogs.add(row.catalogUuid);
    await db
      .updateTable('catalog_content')
      .set({ active: activeNow(now), availabilityRank: rankNow(now) })
      .where('contentType', '=', type)
      .where('contentKey', 'in', keys)
      .execute();
  }
  await recountCatalogs(db, [...catalogs].sort());
}

/** Rewrites the per-type counts of some catalogs from their membership flags. */
async function recountCatalogs(db: DB, catalogUuids: readonly string[]): Promise<void> {
  for (const chunk of chunked(catalogUuids)) {
    await db.deleteFrom('catalog_content_count').where('catalogUuid', 'in', chunk).execute();
    await db
      .insertInto('catalog_content_count')
      .columns(['catalogUuid', 'contentType', 'activeItems'])
      .expression(
        db
          .selectFrom('catalog_content')
          .select(['catalogUuid', 'contentType', (eb) => eb.fn.countAll<number>().as('activeItems')])
          .where('catalogUuid', 'in', chunk)
          .where('active', '=', true)
          .groupBy(['catalogUuid', 'contentType']),
      )
      .execute();
  }
}

/** Runs one of whose activity or availability boundaries lies in (`since`, `now`]. */
async function findRunsCrossedBetween(db: DB, since: Date, now: Date): Promise<{ key: string; courseKey: string }[]> {
  return db
    .selectFrom('course_run')
    .select(['key', 'courseKey'])
    .where((eb) =>
      eb.or([
        ...(['end', 'enrollmentStart', 'enrollmentEnd', 'start'] as const).map((column) =>
          eb.and([eb(column, '>', since), eb(column, '<=', now)]),
        ),
        // Starting soon: the start comes within the window.
        eb.and([eb('start', '>', startingSoonLimit(since)), eb('start', '<=', startingSoonLimit(now))]),
      ]),
    )
    .execute();
}

/**
 * The scheduled refresh at date boundaries: under the refresh row's lock (one refresher at a
 * time, whatever the number of catalog processes), recomputes the memberships of the runs whose
 * dates crossed since the last refresh, and records `now`. A database never refreshed is
 * recomputed in full. Returns how many runs had crossed.
 */
export async function refreshCrossedContent(db: DB, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const state = await forUpdate(
      trx,
      trx.selectFrom('catalog_content_refresh').select('refreshedAt').where('id', '=', 1),
    ).executeTakeFirst();
    const since = state ? toDate(state.refreshedAt) : null;
    if (since && since >= now) return 0;
    let crossed = 0;
    if (!since) await refreshContentFlags(trx, 'all', now);
    else {
      const runs = await findRunsCrossedBetween(trx, since, now);
      crossed = runs.length;
      if (crossed)
        await refreshContentFlags(
          trx,
          { runKeys: runs.map((r) => r.key), courseKeys: [...new Set(runs.map((r) => r.courseKey))] },
          now,
        );
    }
    if (state) await trx.updateTable('catalog_content_refresh').set({ refreshedAt: now }).where('id', '=', 1).execute();
    else await trx.insertInto('catalog_content_refresh').values({ id: 1, refreshedAt: now }).execute();
    return crossed;
  });
}

// ---------------------------------------------------------------------------------------------
// Recompute from the rows: the check and the repair

/** The stored flags of some catalogs' memberships next to what the clock decides at `now`. */
function membershipFlags(db: DB, catalogUuids: readonly string[], now: Date) {
  return db
    .selectFrom('catalog_content')
    .select([
      'catalogUuid',
      'contentType',
      'contentKey',
      'active',
      'availabilityRank',
      activeNow(now).as('actualActive'),
      rankNow(now).as('actualRank'),
    ])
    .where('catalogUuid', 'in', catalogUuids)
    .execute();
}

/** Every membership flag and per-type count that differs from what the clock decides now. */
export async function checkAggregates(db: DB): Promise<AggregateDifference[]> {
  const now = new Date();
  const rows: Awaited<ReturnType<typeof membershipFlags>> = [];
  for (const chunk of chunked(await findListingCatalogs(db), CATALOGS_PER_STATEMENT))
    rows.push(...(await membershipFlags(db, chunk, now)));
  const stored = await db.selectFrom('catalog_content_count').selectAll().execute();
  const expected = new Map<string, number>();
  for (const row of rows) {
    if (!toBoolean(row.actualActive)) continue;
    const key = `${row.catalogUuid}/${row.contentType}`;
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  const storedCounts = new Map(stored.map((r) => [`${r.catalogUuid}/${r.contentType}`, r.activeItems]));
  const keyOf = (r: (typeof rows)[number]) => `${r.catalogUuid}/${r.contentType}/${r.contentKey}`;
  return [
    ...differences(
      'catalog_content.active',
      rows.map((r) => ({
        key: keyOf(r),
        stored: toBoolean(r.active) ? 1 : 0,
        actual: toBoolean(r.actualActive) ? 1 : 0,
      })),
    ),
    ...differences(
      'catalog_content.availability_rank',
      rows.map((r) => ({ key: keyOf(r), stored: r.availabilityRank ?? 0, actual: r.actualRank ?? 0 })),
    ),
    ...differences(
      'catalog_content_count.active_items',
      [...new Set([...expected.keys(), ...storedCounts.keys()])].map((key) => ({
        key,
        stored: storedCounts.get(key) ?? 0,
        actual: expected.get(key) ?? 0,
      })),
    ),
  ];
}

/** Recomputes every membership flag and per-type count from the rows, as of now. */
export async function repairAggregates(db: DB): Promise<void> {
  await refreshContentFlags(db, 'all', new Date());
}
