import type { SubgraphName } from '../lib/config.js';
import type { RegisteredSubgraph } from '../lib/server/subgraph.js';
import { catalogSubgraph } from './catalog/index.js';
import { customersSubgraph } from './customers/index.js';
import { learnerCreditSubgraph } from './learner-credit/index.js';
import { subscriptionsSubgraph } from './subscriptions/index.js';

/** The four subgraphs by name: scripts, the composer and the tests iterate over this. */
export const SUBGRAPHS: Record<SubgraphName, RegisteredSubgraph> = {
  customers: customersSubgraph,
  catalog: catalogSubgraph,
  'learner-credit': learnerCreditSubgraph,
  subscriptions: subscriptionsSubgraph,
};
