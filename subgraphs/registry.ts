import type { SubgraphName } from '../lib/config.js';
import type { SubgraphDefinition } from '../lib/server/subgraph.js';
import { catalogSubgraph } from './catalog/index.js';
import { customersSubgraph } from './customers/index.js';
import { learnerCreditSubgraph } from './learner-credit/index.js';
import { subscriptionsSubgraph } from './subscriptions/index.js';

/** The four subgraphs by name: scripts, the composer and the tests iterate over this. */
export const SUBGRAPHS: Record<SubgraphName, SubgraphDefinition<never>> = {
  customers: customersSubgraph as unknown as SubgraphDefinition<never>,
  catalog: catalogSubgraph as unknown as SubgraphDefinition<never>,
  'learner-credit': learnerCreditSubgraph as unknown as SubgraphDefinition<never>,
  subscriptions: subscriptionsSubgraph as unknown as SubgraphDefinition<never>,
};
