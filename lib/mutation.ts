import DataLoader from 'dataloader';
import type { Kysely, Transaction } from 'kysely';
import { wakeOutboxRelays } from './outbox-relay.js';

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
 * After a commit it wakes the outbox relays (lib/outbox-relay.ts).
 */
export async function runMutation<DB, T>(
  ctx: { db: Kysely<DB>; loaders: object },
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  try {
    const result = await ctx.db.transaction().execute(work);
    // Committed: the relays of this process look for the events it may have written now, not at the next poll.
    wakeOutboxRelays();
    return result;
  } finally {
    clearLoaders(ctx.loaders);
  }
}
