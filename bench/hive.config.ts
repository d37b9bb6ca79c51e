import { defineConfig } from '@graphql-hive/gateway';

/**
 * The peer gateway of `npm run bench`: Hive Gateway serving the same supergraph. It forwards the
 * caller's Authorization header like ours does, so both do the same work per request.
 */
export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? '' }),
  },
  logging: 'error',
});
