import type { Kysely } from 'kysely';
import { loadTypeDefs, type SubgraphDefinition } from '../../lib/server/subgraph.js';
import { seedDemoData } from './demo/index.js';
import { createLoaders, type CatalogLoaders } from './loaders.js';
import { migrations } from './migrations/index.js';
import { resolvers } from './resolvers.js';
import { startContentRefresh } from './refresh.js';
import { checkAggregates, countCatalogs, repairAggregates } from './store/index.js';
import type { CatalogDatabase } from './tables.js';

/** Catalogs, courses, course runs and programs. */
export const catalogSubgraph: SubgraphDefinition<CatalogDatabase, CatalogLoaders> = {
  name: 'catalog',
  typeDefs: loadTypeDefs('catalog'),
  resolvers,
  migrations,
  cachePolicy: 'hinted',
  createLoaders: (db, _viewer, authorization) => createLoaders(db, authorization),
  seedDemoData,
  isEmpty: async (db: Kysely<CatalogDatabase>) => (await countCatalogs(db)) === 0,
  // The stored content activity, refreshed as run dates pass (refresh.ts).
  startBackgroundWork: (db) => startContentRefresh(db),
  aggregates: { check: checkAggregates, repair: repairAggregates },
};
