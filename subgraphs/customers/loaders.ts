import type { Kysely } from 'kysely';
import { rowLoader } from '../../lib/loaders.js';
import { findCustomersByUuids } from './store.js';
import type { CustomersDatabase } from './tables.js';

/** Per-request loaders of the customers subgraph. */
export function createLoaders(db: Kysely<CustomersDatabase>) {
  return {
    customer: rowLoader((uuids: readonly string[]) => findCustomersByUuids(db, uuids), (row) => row.uuid, (k) => k.toLowerCase()),
  };
}

export type CustomersLoaders = ReturnType<typeof createLoaders>;
