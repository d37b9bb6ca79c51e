import { createGatewayApp, type GatewayApp } from '../../gateway/gateway.js';
import { listen, type Listening } from '../../lib/server/http.js';
import type { TestStack } from './stack.js';

/** What a browser sends before a cross-origin POST with a JSON body and a token. */
export function preflight(url: string, origin: string): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,apollographql-client-name',
    },
  });
}

/** The real request that follows an accepted preflight. */
export function crossOriginPost(stack: TestStack, url: string, origin: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', authorization: `JWT ${stack.tokens.operator}` },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
}

/** Boots a second gateway over the stack's subgraphs with CORS_ORIGINS set while it is built. */
export async function gatewayWithOrigins(
  stack: TestStack,
  origins: string,
): Promise<{ gateway: GatewayApp; http: Listening; url: string }> {
  process.env.CORS_ORIGINS = origins;
  try {
    const serviceUrls = Object.fromEntries(
      Object.entries(stack.subgraphs).map(([name, s]) => [name, `${s.http.url}/graphql`]),
    );
    const gateway = await createGatewayApp({ serviceUrls, redisUrl: null });
    const http = await listen(gateway.app, 0);
    return { gateway, http, url: `${http.url}/graphql` };
  } finally {
    delete process.env.CORS_ORIGINS;
  }
}
