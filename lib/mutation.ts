import DataLoader from 'dataloader';
import type { Kysely, Transaction } from 'kysely';

/**
 * Clears every DataLoader in a request's loader set (nested groups such as `remote` included).
 * A loader caches what it read for the whole request; after a write, a payload or a later field
 * of the same operation must read the rows as they are now, not as they were.
 */
export function clearLoaders(loaders: object): void {
  const values: unknown[] = Object.values(loaders);
  for (const value of values) {
    if (value instanceof DataLoader) value.clearAll();
    else if (value !== null && typeof value === 'object') clearLoaders(value);
  }
}

/**
 * Runs a mutation's database transaction and then clears the request's loaders, committed or not:
 * every write of every subgraph goes through here, so nothing read after it (the payload's fields,
 * the next mutation field of the operation) comes from a loader filled before the write.
 */
export async function runMutation<DB, T>(
  ctx: { db: Kysely<DB>; loaders: object },
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  try {
    return await ctx.db.transaction().execute(work);
  } finally {
    clearLoaders(ctx.loaders);
  }
}
