import type { Kysely } from 'kysely';
import { loadTypeDefs, type SubgraphDefinition } from '../../lib/server/subgraph.js';
import { seedDemoData } from './demo/index.js';
import { startExpiryWarnings } from './expiry.js';
import { createLoaders, type LearnerCreditLoaders } from './loaders.js';
import { migrations } from './migrations/index.js';
import { startRelay } from './relay.js';
import { resolvers } from './resolvers.js';
import { checkAggregates, countSubsidies, repairAggregates } from './store/index.js';
import type { LearnerCreditDatabase } from './tables.js';

/** Subsidies, ledger, access policies, assignments and redemption. */
export const learnerCreditSubgraph: SubgraphDefinition<LearnerCreditDatabase, LearnerCreditLoaders> = {
  name: 'learner-credit',
  typeDefs: loadTypeDefs('learner-credit'),
  resolvers,
  migrations,
  cachePolicy: 'private',
  createLoaders: (db, _viewer, authorization) => createLoaders(db, authorization),
  seedDemoData,
  isEmpty: async (db: Kysely<LearnerCreditDatabase>) => (await countSubsidies(db)) === 0,
  // The outbox relay (lib/outbox-relay.ts) on its poll and after every committed mutation, and
  // the assignment expiry warnings (expiry.ts) on theirs; stopped together on shutdown.
  outboxDeliveries: true,
  startBackgroundWork: (db) => {
    const stoppers = [startRelay(db), startExpiryWarnings(db)];
    return async () => {
      await Promise.all(stoppers.map((stop) => stop()));
    };
  },
  aggregates: { check: checkAggregates, repair: repairAggregates },
};
