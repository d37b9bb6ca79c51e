import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloGateway, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { parse } from 'graphql';
import { authenticate } from '../lib/auth/token.js';
import type { Viewer } from '../lib/auth/viewer.js';
import {
  exposeErrorDetails,
  nodeEnv,
  settings,
  SUBGRAPH_NAMES,
  subgraphUrl,
  type SubgraphName,
} from '../lib/config.js';
import { formatError } from '../lib/errors.js';
import { demandControlPlugin } from './demand-control.js';
import { OutageAwareDataSource } from './outage.js';
import { persistedQueriesOption, safelistMiddleware, trustedDocumentsFromSettings } from './persisted-queries.js';
import { armorConfig, maxTokensRule, PARSE_TOKEN_FACTOR } from './query-limits.js';
import { observabilityPlugin, observe } from '../lib/observability/http.js';
import { timedFetcher } from '../lib/observability/metrics.js';
import { createRedisCaches } from './redis-cache.js';
import { createSubgraphFetcher } from './subgraph-fetcher.js';
import { corsMiddleware } from '../lib/server/cors.js';
import { mountGraphQL } from '../lib/server/graphql-endpoint.js';
import { landingPagePlugins } from '../lib/server/subgraph-server.js';
import { PROJECT_ROOT } from '../lib/server/subgraph.js';

export interface GatewayContext {
  viewer: Viewer;
  authorization: string;
}

export const SUPERGRAPH_PATH = path.join(PROJECT_ROOT, 'schema', 'supergraph.graphql');

/** Forwards the caller's Authorization header: subgraphs verify it again (defense in depth). */
class AuthenticatedDataSource extends OutageAwareDataSource<GatewayContext> {
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
 * `npm run compose`), token verification before any planning, demand control and shape limits,
 * CORS for browser front-ends (lib/server/cors.ts), CSRF prevention, and masked errors outside
 * development.
 */
export async function createGatewayApp(options: GatewayOptions = {}): Promise<GatewayApp> {
  // First: a bad CORS_ORIGINS or persisted-query setting (a missing or malformed manifest) fails
  // the build before anything is started.
  const cors = corsMiddleware();
  const trusted = trustedDocumentsFromSettings();
  const urls = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, options.serviceUrls?.[name] ?? subgraphUrl(name)]),
  ) as Record<SubgraphName, string>;
  // The supergraph may name a subgraph this build does not know: that one keeps its composed URL.
  const urlByName = new Map<string, string>(Object.entries(urls));
  const http = createSubgraphFetcher({
    connectionsPerSubgraph: settings.subgraphConnections(),
    timeoutMs: settings.subgraphTimeoutMs(),
  });
  const supergraphSdl = options.supergraphSdl ?? fs.readFileSync(SUPERGRAPH_PATH, 'utf8');
  // @apollo/gateway otherwise reports usage metrics to Apollo and probes cloud metadata endpoints
  // (AWS, GCP, Azure, Alibaba) from its constructor: a gateway here calls nothing but its subgraphs.
  // An operator who wants Apollo's data collection sets APOLLO_TELEMETRY_DISABLED=false.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new AuthenticatedDataSource({
        url: urlByName.get(name) ?? url,
        fetcher: timedFetcher(name, http.fetcher),
        serviceName: name,
      }),
    experimental_approximateQueryPlanStoreMiB: settings.queryPlanCacheMib(),
  });
  const redisUrl = options.redisUrl === undefined ? settings.redisUrl() : options.redisUrl;
  const redis = redisUrl ? createRedisCaches(redisUrl) : undefined;
  // Shape limits answer 400 GRAPHQL_VALIDATION_FAILED naming the limit; cost is demand control's.
  const limits = {
    maxDepth: settings.maxQueryDepth(),
    maxAliases: settings.maxAliases(),
    maxTokens: settings.maxTokens(),
    maxDirectives: settings.maxDirectives(),
  };
  const armor = new ApolloArmor({
    ...armorConfig(limits),
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
    validationRules: [...protection.validationRules, maxTokensRule(limits.maxTokens)],
    parseOptions: { maxLexicalTokens: limits.maxTokens * PARSE_TOKEN_FACTOR },
    formatError,
    // APQ: shared through Redis when configured, else the server's in-memory LRU; with
    // PERSISTED_QUERIES_MANIFEST the manifest's ids first, read-only (gateway/persisted-queries.ts).
    ...(persistedQueriesOption(trusted, redis?.apq) ?? {}),
    // graphql-armor ships CommonJS typings of the same plugin interface.
    plugins: [
      ...(protection.plugins as unknown as ApolloServerPlugin<GatewayContext>[]),
      demandControlPlugin<GatewayContext>({
        supergraph: parse(supergraphSdl),
        maxCost: settings.maxQueryCost(),
        exposeEstimate: nodeEnv() !== 'production',
      }),
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
          const response = await fetch(urls[name].replace(/\/graphql$/, '/health'), {
            signal: AbortSignal.timeout(2000),
          });
          return [name, response.ok ? 'ok' : 'unavailable'] as const;
        } catch {
          return [name, 'unreachable'] as const;
        }
      }),
    );
    const ok = checks.every(([, status]) => status === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', subgraphs: Object.fromEntries(checks) });
  });
  mountGraphQL(app, {
    server,
    // Browsers' preflights are answered here, before Apollo's CSRF prevention sees them.
    before: [cors],
    // PERSISTED_QUERIES_SAFELIST: operations not in the manifest are refused before Apollo parses them.
    ...(trusted?.safelist ? { afterBody: [safelistMiddleware(trusted)] } : {}),
    context: async (req) => {
      const authorization = req.headers.authorization ?? '';
      return { viewer: await authenticate(authorization), authorization };
    },
  });
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
