/**
 * Every environment setting the graph reads, with its default. The README lists the same table;
 * nothing else in the code reads `process.env` directly.
 */
export type PieceName = 'gateway' | SubgraphName;
export type SubgraphName = 'customers' | 'catalog' | 'learner-credit' | 'subscriptions';

export const SUBGRAPH_NAMES: readonly SubgraphName[] = ['customers', 'catalog', 'learner-credit', 'subscriptions'];

/** Development-only secret: `npm start` and the tests use it when JWT_SECRET is unset. */
export const DEV_JWT_SECRET = 'enterprise-graph-dev-secret-change-me';

const DEFAULT_PORTS: Record<PieceName, number> = {
  gateway: 4000,
  customers: 4001,
  catalog: 4002,
  'learner-credit': 4003,
  subscriptions: 4004,
};

const PORT_ENV: Record<PieceName, string> = {
  gateway: 'PORT',
  customers: 'CUSTOMERS_PORT',
  catalog: 'CATALOG_PORT',
  'learner-credit': 'LEARNER_CREDIT_PORT',
  subscriptions: 'SUBSCRIPTIONS_PORT',
};

const URL_ENV: Record<SubgraphName, string> = {
  customers: 'CUSTOMERS_URL',
  catalog: 'CATALOG_URL',
  'learner-credit': 'LEARNER_CREDIT_URL',
  subscriptions: 'SUBSCRIPTIONS_URL',
};

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

export function portOf(piece: PieceName): number {
  return intFromEnv(PORT_ENV[piece], DEFAULT_PORTS[piece]);
}

/** Where the gateway (and service-to-service calls) reach a subgraph's `/graphql`. */
export function subgraphUrl(name: SubgraphName): string {
  return process.env[URL_ENV[name]] || `http://127.0.0.1:${portOf(name)}/graphql`;
}

export type Environment = 'development' | 'production' | 'test';

export function nodeEnv(): Environment {
  const env = process.env.NODE_ENV;
  return env === 'production' || env === 'test' ? env : 'development';
}

export const settings = {
  databaseUrl: () => process.env.DATABASE_URL || 'sqlite:.data/enterprise.sqlite',
  databaseReadUrl: () => process.env.DATABASE_READ_URL || undefined,
  databasePoolSize: () => intFromEnv('DATABASE_POOL_SIZE', 10),
  jwtSecret: () => process.env.JWT_SECRET || DEV_JWT_SECRET,
  jwtJwksUrl: () => process.env.JWT_JWKS_URL || undefined,
  lmsUrl: () => (process.env.LMS_URL || 'https://courses.edx.org').replace(/\/+$/, ''),
  learnerPortalUrl: () => (process.env.LEARNER_PORTAL_URL || 'https://enterprise.edx.org').replace(/\/+$/, ''),
  maxQueryDepth: () => intFromEnv('GRAPHQL_MAX_DEPTH', 15),
  maxQueryCost: () => intFromEnv('GRAPHQL_MAX_COST', 50000),
  maxAliases: () => intFromEnv('GRAPHQL_MAX_ALIASES', 30),
  redisUrl: () => process.env.REDIS_URL || undefined,
  /** Processes `npm run start:gateway` runs on the gateway's port (node:cluster). */
  gatewayWorkers: () => Math.max(1, intFromEnv('GATEWAY_WORKERS', 1)),
  /** Keep-alive sockets the gateway holds open to each subgraph. */
  subgraphConnections: () => intFromEnv('SUBGRAPH_CONNECTIONS', 32),
  /** Memory for cached query plans; our operations fit in a few MiB. */
  queryPlanCacheMib: () => intFromEnv('QUERY_PLAN_CACHE_MIB', 30),
  /** Seconds a caller's own tenant-data responses (customers, learner credit, subscriptions) may be cached. */
  privateCacheMaxAge: () => intFromEnv('CACHE_PRIVATE_MAX_AGE', 10),
  logLevel: () => process.env.LOG_LEVEL || 'info',
  /** Observability (lib/observability): drain time on SIGTERM, a separate /metrics port, OTLP traces. */
  shutdownGraceMs: () => intFromEnv('SHUTDOWN_GRACE_MS', 10_000),
  metricsPort: () => (process.env.METRICS_PORT ? intFromEnv('METRICS_PORT', 0) : undefined),
  otlpEndpoint: () => process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  otelServiceName: () => process.env.OTEL_SERVICE_NAME || undefined,
  otlpProtocol: () => process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || process.env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf',
  /** How often the subscriptions subgraph's job runner looks for queued bulk enrollment jobs. */
  subscriptionsJobPollMs: () => intFromEnv('SUBSCRIPTIONS_JOB_POLL_MS', 2000),
};

/** Stack traces and raw error messages only when explicitly developing. */
export function exposeErrorDetails(): boolean {
  return process.env.NODE_ENV === 'development';
}
