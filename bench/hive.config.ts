import { defineConfig } from '@graphql-hive/gateway';

/**
 * The peer gateway of `npm run bench`: Hive Gateway serving the same supergraph. It forwards the
 * caller's Authorization header like ours does, so both do the same work per request.
 *
 * Its HTTP executor deduplicates identical in-flight subgraph requests by default. The load
 * generator sends one body with one token on every connection, so at 10+ connections Hive answered
 * most requests from another request's subgraph response (SQL/request fell from ~30 to ~4), which
 * real traffic (a token per user) never allows. Off, both gateways do the same subgraph work.
 */
export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? '' }),
  },
  transportEntries: {
    '*.http': { options: { deduplicateInflightRequests: false } },
  },
  logging: 'error',
});
