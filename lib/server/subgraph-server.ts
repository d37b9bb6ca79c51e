import express, { type Express } from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { defaultFieldResolver, OperationTypeNode, type GraphQLSchema } from 'graphql';
import { sql, type Kysely } from 'kysely';
import { authenticate } from '../auth/token.js';
import { exposeErrorDetails, nodeEnv, settings } from '../config.js';
import { StatementCounter, type AnyKysely } from '../db/database.js';
import { forbidden, formatErrorOf } from '../errors.js';
import type { Viewer } from '../auth/viewer.js';
import { observabilityPlugin, observe } from '../observability/http.js';
import { SqlAttribution } from '../observability/db.js';
import { registerOutbox } from '../observability/metrics.js';
import { scalarResolvers } from '../scalars.js';
import type { RequestContext } from './context.js';
import { mountGraphQL } from './graphql-endpoint.js';
import type { SubgraphDefinition } from './subgraph.js';

export interface SubgraphApp<DB = unknown, Loaders = unknown> {
  app: Express;
  server: ApolloServer<RequestContext<DB, Loaders>>;
  /** Statements this subgraph has executed (tests and the benchmark read deltas). */
  statements: StatementCounter;
  db: Kysely<DB>;
  /** Stops claiming background work and waits for the current run (the first step of a shutdown). */
  stopBackground(): Promise<void>;
  stop(): Promise<void>;
}

/** Landing page and introspection for humans, except in production, where the API exposes neither. */
export function landingPagePlugins(): ApolloServerPlugin[] {
  return nodeEnv() === 'production'
    ? [ApolloServerPluginLandingPageDisabled()]
    : [ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })];
}

/**
 * Builds (but does not listen) one subgraph: an @apollo/subgraph schema behind Express with
 * `/graphql` (authenticated) and `/health` (open). The database handle is the shared root
 * narrowed to the subgraph's tables and wrapped in its own statement counter.
 */
/**
 * A malformed scalar variable (a bad `Date`, say) makes Apollo Server answer HTTP 400, which the
 * gateway turns into INTERNAL_SERVER_ERROR. Answering 200 lets its BAD_USER_INPUT reach clients.
 */
function variableErrorsAsOk<Context extends object>(): ApolloServerPlugin<Context> {
  return {
    requestDidStart() {
      return Promise.resolve({
        willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (
            response.http.status === 400 &&
            errors?.length &&
            errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT')
          )
            response.http.status = 200;
          return Promise.resolve();
        },
      });
    },
  };
}

/**
 * Cache policy of a subgraph's responses, sent to the gateway as a Cache-Control header (the
 * gateway's Redis response cache honours it). `hinted`: Apollo's defaults, only @cacheControl
 * hints make a response cacheable. `private`: a query response without hints is cacheable for
 * CACHE_PRIVATE_MAX_AGE seconds and always PRIVATE (tenant data is never shared between callers);
 * mutations are never cacheable.
 */
function cachePlugins<Context extends object>(policy: 'hinted' | 'private'): ApolloServerPlugin<Context>[] {
  if (policy === 'hinted') return [];
  return [
    ApolloServerPluginCacheControl({ defaultMaxAge: settings.privateCacheMaxAge() }),
    {
      requestDidStart() {
        return Promise.resolve({
          executionDidStart({ operation, overallCachePolicy }) {
            overallCachePolicy.restrict({
              scope: 'PRIVATE',
              ...(operation.operation === OperationTypeNode.QUERY ? {} : { maxAge: 0 }),
            });
            return Promise.resolve();
          },
        });
      },
    },
  ];
}

/**
 * `_service { sdl }` is the whole subgraph schema, including what introspection hides. In
 * production only operators and service identities (composition tooling, other services) may
 * read it; the gateway never asks, it runs from the committed supergraph.
 */
function guardServiceSdl(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()._service;
  if (!field) return;
  const resolve = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args, context: { viewer?: Viewer }, info) => {
    const viewer = context.viewer;
    if (!viewer || !(viewer.isOperator || viewer.service))
      throw forbidden('Only operators and services may read the subgraph schema');
    return resolve(source, args, context, info);
  };
}

export async function createSubgraphApp<DB, Loaders>(
  definition: SubgraphDefinition<DB, Loaders>,
  root: AnyKysely,
  extraPlugins: ApolloServerPlugin<RequestContext<DB, Loaders>>[] = [],
): Promise<SubgraphApp<DB, Loaders>> {
  const statements = new StatementCounter();
  const db = root
    .withPlugin(statements)
    .withPlugin(new SqlAttribution(definition.name, { request: true })) as unknown as Kysely<DB>;
  const schema = buildSubgraphSchema({
    typeDefs: definition.typeDefs,
    resolvers: { ...scalarResolvers, ...definition.resolvers },
  });
  if (nodeEnv() === 'production') guardServiceSdl(schema);
  const server = new ApolloServer<RequestContext<DB, Loaders>>({
    schema,
    introspection: nodeEnv() !== 'production',
    includeStacktraceInErrorResponses: exposeErrorDetails(),
    formatError: formatErrorOf(definition.name),
    // The piece drains on SIGTERM itself (lib/server/shutdown.ts); Apollo's own handler would fail requests in flight.
    stopOnTerminationSignals: false,
    // No Apollo Studio here: inline tracing would only add per-field timing overhead.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      variableErrorsAsOk(),
      ...cachePlugins<RequestContext<DB, Loaders>>(definition.cachePolicy),
      ...landingPagePlugins(),
      ...extraPlugins,
      observabilityPlugin<RequestContext<DB, Loaders>>(definition.name),
    ],
  });
  await server.start();
  // Background work (job runners, outbox relays) uses the database without the request statement
  // counter: its polls would otherwise add statements to what tests and the bench measure per request.
  const backgroundDb = root.withPlugin(new SqlAttribution(definition.name)) as Kysely<DB>;
  const stopBackgroundWork = definition.startBackgroundWork?.(backgroundDb);
  let backgroundStopped: Promise<void> | undefined;
  const stopBackground = () => (backgroundStopped ??= stopBackgroundWork?.() ?? Promise.resolve());
  registerOutbox(definition.name, root, `${definition.name.replace(/-/g, '_')}_outbox`, {
    deliveries: definition.outboxDeliveries === true,
  });

  const app = express();
  app.disable('x-powered-by');
  observe(app, definition.name);
  app.get('/health', async (_req, res) => {
    try {
      await sql`select 1`.execute(root);
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
  mountGraphQL(app, {
    server,
    context: async (req) => {
      const authorization = req.headers.authorization ?? '';
      const viewer = await authenticate(authorization);
      return { viewer, authorization, db, loaders: definition.createLoaders(db, viewer, authorization) };
    },
  });

  return {
    app,
    server,
    statements,
    db,
    stopBackground,
    async stop() {
      await stopBackground();
      await server.stop();
    },
  };
}
