import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext, type GraphQLResponse } from '@apollo/server';
import { OperationTypeNode } from 'graphql';

/** How long a follower waits for the leader before computing the answer itself. */
const FOLLOWER_PATIENCE_MS = 30_000;
/**
 * How long a finished, cacheable response keeps answering identical requests: the response cache
 * writes its entry while the response is being sent, and requests arriving in between would
 * otherwise miss both. Never longer than the response's own cache lifetime.
 */
const CACHE_WRITE_GRACE_MS = 1_000;

function copyOf(response: GraphQLResponse): GraphQLResponse {
  const headers = new HeaderMap();
  for (const [name, value] of response.http.headers) headers.set(name, value);
  const body =
    response.body.kind === 'single'
      ? { kind: 'single' as const, singleResult: { ...response.body.singleResult } }
      : response.body;
  return { body, http: { status: response.http.status, headers } };
}

/**
 * Coalesces identical queries of one caller that are in flight at the same time: the first
 * (the leader) runs, the others wait for its response instead of each computing it again. It
 * stops a cache stampede: when a hot cache entry expires under load, one request refills it
 * instead of every waiting connection. The key is the caller's session (token and write
 * generation, as for the response cache), the query text, the operation name and the variables,
 * so a caller never receives another caller's response, and a response with errors is not shared
 * (the followers then run themselves). Mutations are never coalesced.
 */
export function coalesceIdenticalQueries<Context extends object>(
  sessionOf: (requestContext: GraphQLRequestContext<Context>) => Promise<string | null>,
): ApolloServerPlugin<Context> {
  const inFlight = new Map<string, Promise<GraphQLResponse | null>>();
  return {
    requestDidStart() {
      let lead: { key: string; settle: (response: GraphQLResponse | null) => void } | undefined;
      const finish = (response: GraphQLResponse | null, keepMs = 0) => {
        if (!lead) return;
        const { key } = lead;
        lead.settle(response);
        lead = undefined;
        if (keepMs > 0) setTimeout(() => inFlight.delete(key), keepMs).unref();
        else inFlight.delete(key);
      };
      return Promise.resolve({
        async responseForOperation(requestContext) {
          if (requestContext.operation.operation !== OperationTypeNode.QUERY) return null;
          const session = await sessionOf(requestContext);
          if (session === null) return null;
          const { query, operationName, variables } = requestContext.request;
          const key = createHash('sha256')
            .update(JSON.stringify([session, query, operationName ?? null, variables ?? {}]))
            .digest('hex');
          const pending = inFlight.get(key);
          if (pending) {
            let timer: NodeJS.Timeout | undefined;
            const patience = new Promise<null>((resolve) => {
              timer = setTimeout(() => {
                resolve(null);
              }, FOLLOWER_PATIENCE_MS);
            });
            const response = await Promise.race([pending, patience]);
            clearTimeout(timer);
            return response && copyOf(response);
          }
          let settle!: (response: GraphQLResponse | null) => void;
          inFlight.set(key, new Promise((resolve) => (settle = resolve)));
          lead = { key, settle };
          return null;
        },
        willSendResponse({ response, overallCachePolicy }) {
          if (!lead) return Promise.resolve();
          if (response.body.kind !== 'single' || response.body.singleResult.errors?.length) {
            finish(null);
            return Promise.resolve();
          }
          const cacheable = overallCachePolicy.policyIfCacheable();
          finish(copyOf(response), cacheable ? Math.min(CACHE_WRITE_GRACE_MS, cacheable.maxAge * 1000) : 0);
          return Promise.resolve();
        },
        didEncounterErrors() {
          finish(null);
          return Promise.resolve();
        },
      });
    },
  };
}
