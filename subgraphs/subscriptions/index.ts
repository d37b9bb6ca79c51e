import type { Kysely } from 'kysely';
import { loadTypeDefs, type SubgraphDefinition } from '../../lib/server/subgraph.js';
import { seedDemoData } from './demo/index.js';
import { startBulkEnrollmentRunner } from './jobs.js';
import { createLoaders, type SubscriptionsLoaders } from './loaders.js';
import { migrations } from './migrations/index.js';
import { startRelay } from './relay.js';
import { resolvers } from './resolvers.js';
import { checkAggregates, countPlans, repairAggregates } from './store/index.js';
import type { SubscriptionsDatabase } from './tables.js';

/** Subscription plans, licenses and bulk license enrollment. */
export const subscriptionsSubgraph: SubgraphDefinition<SubscriptionsDatabase, SubscriptionsLoaders> = {
  name: 'subscriptions',
  typeDefs: loadTypeDefs('subscriptions'),
  resolvers,
  migrations,
  cachePolicy: 'private',
  createLoaders: (db) => createLoaders(db),
  seedDemoData,
  isEmpty: async (db: Kysely<SubscriptionsDatabase>) => (await countPlans(db)) === 0,
  // Bulk license enrollment jobs (persisted, resumed after a restart) and the outbox relay.
  outboxDeliveries: true,
  startBackgroundWork: (db) => {
    const stoppers = [startBulkEnrollmentRunner(db), startRelay(db)];
    return async () => {
      await Promise.all(stoppers.map((stop) => stop()));
    };
  },
  aggregates: { check: checkAggregates, repair: repairAggregates },
};
