import type { Kysely } from 'kysely';
import { loadTypeDefs, type SubgraphDefinition } from '../../lib/server/subgraph.js';
import { seedDemoData } from './demo/index.js';
import { createLoaders, type CustomersLoaders } from './loaders.js';
import { migrations } from './migrations/index.js';
import { startRelay } from './relay.js';
import { resolvers } from './resolvers.js';
import { checkAggregates, countCustomers, repairAggregates } from './store/index.js';
import type { CustomersDatabase } from './tables.js';

/** Customers, learners, enrollments, consent and learner progress. */
export const customersSubgraph: SubgraphDefinition<CustomersDatabase, CustomersLoaders> = {
  name: 'customers',
  typeDefs: loadTypeDefs('customers'),
  resolvers,
  migrations,
  cachePolicy: 'private',
  createLoaders: (db, _viewer, authorization) => createLoaders(db, authorization),
  seedDemoData,
  isEmpty: async (db: Kysely<CustomersDatabase>) => (await countCustomers(db)) === 0,
  // The outbox relay (lib/outbox-relay.ts) on its poll and after every committed mutation.
  outboxDeliveries: true,
  startBackgroundWork: (db) => startRelay(db),
  aggregates: { check: checkAggregates, repair: repairAggregates },
};
