import DataLoader from 'dataloader';
import { callSubgraphBatch } from '../../lib/subgraph-client.js';
import { CatalogCustomersDocument } from './__generated__/customers-operations.js';
import type { CustomerInfo } from './tables.js';

/**
 * Every call the catalog subgraph makes to another subgraph, through its public GraphQL API (the
 * catalog never reads another subgraph's tables), with the caller's token. The operations live in
 * remote.<callee>.graphql, typed against the callee's SDL.
 */

/**
 * Customers of the catalogs a request touches, from the customers subgraph: one call per tick,
 * one alias per customer.
 */
export function createCustomerLoader(authorization: string) {
  return new DataLoader<string, CustomerInfo | null>(
    async (uuids) => {
      const found = await callSubgraphBatch(
        'customers',
        CatalogCustomersDocument,
        uuids,
        (uuid) => ({ uuid }),
        authorization,
      );
      return found.map(({ data }) => data.enterpriseCustomer);
    },
    { maxBatchSize: 25, cacheKeyFn: (key) => key.toLowerCase() },
  );
}
