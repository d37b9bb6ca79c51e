import type { Kysely } from 'kysely';
import { rowLoader } from '../../lib/loaders.js';
import { findPoliciesByUuids } from './store.js';
import type { LearnerCreditDatabase } from './tables.js';

/** Per-request loaders of the learner-credit subgraph. */
export function createLoaders(db: Kysely<LearnerCreditDatabase>) {
  return {
    policy: rowLoader((uuids: readonly string[]) => findPoliciesByUuids(db, uuids), (r) => r.uuid, (k) => k.toLowerCase()),
  };
}

export type LearnerCreditLoaders = ReturnType<typeof createLoaders>;
