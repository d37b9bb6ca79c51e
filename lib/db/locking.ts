import type { SelectQueryBuilder } from 'kysely';
import { isMysql, type AnyKysely } from './database.js';

/**
 * Adds `FOR UPDATE` on MySQL. SQLite has no row locks; there every write transaction is
 * serialized by the single connection Kysely's SQLite driver guards with a mutex, which gives
 * the same guarantee: the check and the write see no concurrent change.
 */
export function forUpdate<DB, TB extends keyof DB, O>(
  db: AnyKysely,
  query: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return isMysql(db) ? query.forUpdate() : query;
}
