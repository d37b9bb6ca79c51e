import type { SubgraphName } from '../lib/config.js';
import type { SubgraphDefinition } from '../lib/server/subgraph.js';
import { catalogSubgraph } from './catalog/index.js';
import { customersSubgraph } from './customers/index.js';
import { learnerCreditSubgraph } from './learner-credit/index.js';
import { subscriptionsSubgraph } from './subscriptions/index.js';

/** The four subgraphs by name: scripts, the composer and the tests iterate over this. */
export const SUBGRAPHS: Record<SubgraphName, SubgraphDefinition<never, unknown>> = {
  customers: customersSubgraph as unknown as SubgraphDefinition<never, unknown>,
  catalog: catalogSubgraph as unknown as SubgraphDefinition<never, unknown>,
  'learner-credit': learnerCreditSubgraph as unknown as SubgraphDefinition<never, unknown>,
  subscriptions: subscriptionsSubgraph as unknown as SubgraphDefinition<never, unknown>,
};
