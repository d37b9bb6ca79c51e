import type { Kysely } from 'kysely';

/**
 * Stored aggregates (README "Stored aggregates"): sums and counts kept in rows next to the data
 * they summarize, updated in the same transaction as every write that changes them, so reads cost
 * one row per tenant instead of a scan. Each subgraph's store recomputes them from the rows
 * (`checkAggregates`) and rewrites them (`repairAggregates`); `npm run db:check-aggregates` and
 * the tests drive both.
 */

/** One stored value that differs from what the rows say. */
export interface AggregateDifference {
  /** Which aggregate, as `table.column` of the stored value. */
  aggregate: string;
  /** The row it is stored on (uuid, or `uuid/part` for per-type counts). */
  key: string;
  stored: number;
  actual: number;
}

/** A subgraph's stored aggregates: how to recompute and compare them, and how to rewrite them. */
export interface StoredAggregates<DB> {
  check(db: Kysely<DB>): Promise<AggregateDifference[]>;
  repair(db: Kysely<DB>): Promise<void>;
}

/** The rows whose stored and recomputed values differ (values compared as numbers: MySQL sums are decimals). */
export function differences(
  aggregate: string,
  rows: readonly { key: string; stored: unknown; actual: unknown }[],
): AggregateDifference[] {
  return rows.flatMap((row) => {
    const stored = Number(row.stored ?? 0);
    const actual = Number(row.actual ?? 0);
    return stored === actual ? [] : [{ aggregate, key: row.key, stored, actual }];
  });
}

/** A difference as one line of the check's report. */
export function describeDifference(subgraph: string, d: AggregateDifference): string {
  return `${subgraph}: ${d.aggregate} [${d.key}] stored ${d.stored}, actual ${d.actual}`;
}
