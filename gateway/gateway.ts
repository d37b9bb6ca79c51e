import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { authenticate } from '../lib/auth/token.js';
import type { Viewer } from '../lib/auth/viewer.js';
import { exposeErrorDetails, nodeEnv, settings, SUBGRAPH_NAMES, subgraphUrl, type SubgraphName } from '../lib/config.js';
import { formatError } from '../lib/errors.js';
import { observabilityPlugin, observe } from '../lib/observability/http.js';
import { timedFetcher } from '../lib/observability/metrics.js';
import { createRedisCaches } from './redis-cache.js';
import { createSubgraphFetcher } from './subgraph-fetcher.js';
import { landingPagePlugins } from '../lib/server/subgraph-server.js';
import { PROJECT_ROOT } from '../lib/server/subgraph.js';

export interface GatewayContext {
  viewer: Viewer;
  authorization: string;
}

export const SUPERGRAPH_PATH = path.join(PROJECT_ROOT, 'schema', 'supergraph.graphql');

/** Forwards the caller's Authorization header: subgraphs verify it again (defense in depth). */
class AuthenticatedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const authorization = (context as Partial<GatewayContext>).authorization;
    if (authorization) request.http?.headers.set('authorization', authorization);
  }
}

export interface GatewayOptions {
  /** Subgraph URLs by name; defaults come from `<NAME>_URL` / ports (lib/config.ts). */
  serviceUrls?: Partial<Record<SubgraphName, string>>;
  supergraphSdl?: string;
  /** Redis for the response cache and APQ; defaults to REDIS_URL, `null` turns caching off. */
  redisUrl?: string | null;
}

export interface GatewayApp {
  app: Express;
  server: ApolloServer<GatewayContext>;
  stop(): Promise<void>;
}

/**
 * Builds (but does not listen) the public gateway: a static supergraph (composed by
 * `npm run compose`), token verification before any planning, depth/cost/alias limits,
 * CSRF prevention, and masked errors outside development.
 */
export async function createGatewayApp(options: GatewayOptions = {}): Promise<GatewayApp> {
  const urls = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, options.serviceUrls?.[name] ?? subgraphUrl(name)]),
  ) as Record<SubgraphName, string>;
  const http = createSubgraphFetcher({ connectionsPerSubgraph: settings.subgraphConnections() });
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl ?? fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name, url }) =>
      new AuthenticatedDataSource({ url: urls[name as SubgraphName] ?? url, fetcher: timedFetcher(name, http.fetcher) }),
    experimental_approximateQueryPlanStoreMiB: settings.queryPlanCacheMib(),
  });
  const redisUrl = options.redisUrl === undefined ? settings.redisUrl() : options.redisUrl;
  const redis = redisUrl ? createRedisCaches(redisUrl) : undefined;
  const armor = new ApolloArmor({
    maxDepth: { n: settings.maxQueryDepth(), ignoreIntrospection: true },
    costLimit: { maxCost: settings.maxQueryCost(), ignoreIntrospection: true },
    maxAliases: { n: settings.maxAliases() },
    maxDirectives: { n: 50 },
    maxTokens: { n: 10_000 },
    blockFieldSuggestion: { enabled: nodeEnv() === 'production' },
  });
  const protection = armor.protect();
  const server = new ApolloServer<GatewayContext>({
    gateway,
    csrfPrevention: true,
    // The piece drains on SIGTERM itself (lib/server/shutdown.ts); Apollo's own handler would fail requests in flight.
    stopOnTerminationSignals: false,
    introspection: nodeEnv() !== 'production',
    includeStacktraceInErrorResponses: exposeErrorDetails(),
    allowBatchedHttpRequests: false,
    validationRules: protection.validationRules,
    formatError,
    // APQ: shared through Redis when configured, else the server's in-memory LRU.
    ...(redis ? { persistedQueries: { cache: redis.apq } } : {}),
    // graphql-armor ships CommonJS typings of the same plugin interface.
    plugins: [
      ...(protection.plugins as unknown as ApolloServerPlugin<GatewayContext>[]),
      ...landingPagePlugins(),
      ...(redis ? [redis.responseCachePlugin, ...redis.plugins] : []),
      observabilityPlugin<GatewayContext>('gateway'),
    ],
  });
  await server.start();

  const app = express();
  app.disable('x-powered-by');
  observe(app, 'gateway');
  app.get('/health', async (_req, res) => {
    const checks = await Promise.all(
      SUBGRAPH_NAMES.map(async (name) => {
        try {
          const response = await fetch(urls[name].replace(/\/graphql$/, '/health'), { signal: AbortSignal.timeout(2000) });
          return [name, response.ok ? 'ok' : 'unavailable'] as const;
        } catch {
          return [name, 'unreachable'] as const;
        }
      }),
    );
    const ok = checks.every(([, status]) => status === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', subgraphs: Object.fromEntries(checks) });
  });
  app.use(
    '/graphql',
    express.json({ limit: '2mb' }),
    expressMiddleware(server, {
      context: async ({ req }) => {
        const authorization = req.headers.authorization ?? '';
        return { viewer: await authenticate(authorization), authorization };
      },
    }),
  );
  return {
    app,
    server,
    async stop() {
      await server.stop();
      await http.close();
      await redis?.close();
    },
  };
}
