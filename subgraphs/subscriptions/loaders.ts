import type { Kysely } from 'kysely';
import { rowLoader } from '../../lib/loaders.js';
import { findPlansByUuids } from './store.js';
import type { SubscriptionsDatabase } from './tables.js';

/** Per-request loaders of the subscriptions subgraph. */
export function createLoaders(db: Kysely<SubscriptionsDatabase>) {
  return {
    plan: rowLoader((uuids: readonly string[]) => findPlansByUuids(db, uuids), (r) => r.uuid, (k) => k.toLowerCase()),
  };
}

export type SubscriptionsLoaders = ReturnType<typeof createLoaders>;
