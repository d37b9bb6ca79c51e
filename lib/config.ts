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

export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** `true` / `false` (or `1` / `0`); unset or empty: the fallback; anything else is refused. */
export function boolFromEnv(name: string, fallback: boolean): boolean {
  const raw = (process.env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got "${process.env[name]}"`);
}

/** A comma-separated variable as a list; unset or empty: undefined. */
function listFromEnv(name: string): string[] | undefined {
  const items = (process.env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
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
  /** When set, a token's `iss` must equal it (edX JWTs carry the LMS's issuer). */
  jwtIssuer: () => process.env.JWT_ISSUER || undefined,
  /** When set (comma-separated), a token's `aud` must contain one of them; `npm run token` uses the first. */
  jwtAudience: () => listFromEnv('JWT_AUDIENCE'),
  /** Browser origins allowed to call the gateway; unset: the defaults of lib/server/cors.ts. */
  corsOrigins: () => {
    const origins = listFromEnv('CORS_ORIGINS');
    for (const origin of origins ?? []) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      // An origin is scheme://host[:port], exactly as browsers send it: no path, no wildcard.
      if (parsed?.origin !== origin)
        throw new Error(`CORS_ORIGINS: "${origin}" is not an origin like https://admin.example.com`);
    }
    return origins;
  },
  lmsUrl: () => (process.env.LMS_URL || 'https://courses.edx.org').replace(/\/+$/, ''),
  learnerPortalUrl: () => (process.env.LEARNER_PORTAL_URL || 'https://enterprise.edx.org').replace(/\/+$/, ''),
  // Gateway query limits (gateway/demand-control.ts, gateway/query-limits.ts; README "Query limits").
  maxQueryDepth: () => intFromEnv('GRAPHQL_MAX_DEPTH', 15),
  /** Largest estimated cost (Apollo's cost spec) an operation may have. */
  maxQueryCost: () => intFromEnv('GRAPHQL_MAX_COST', 100_000),
  maxAliases: () => intFromEnv('GRAPHQL_MAX_ALIASES', 30),
  maxTokens: () => intFromEnv('GRAPHQL_MAX_TOKENS', 10_000),
  maxDirectives: () => intFromEnv('GRAPHQL_MAX_DIRECTIVES', 50),
  redisUrl: () => process.env.REDIS_URL || undefined,
  // Trusted documents (gateway/persisted-queries.ts; README "Trusted documents").
  /** The apollo-persisted-query-manifest file the gateway serves operation ids from. */
  persistedQueriesManifest: () => process.env.PERSISTED_QUERIES_MANIFEST || undefined,
  /** Refuse every operation that is not in the manifest. */
  persistedQueriesSafelist: () => boolFromEnv('PERSISTED_QUERIES_SAFELIST', false),
  /** With the safelist on, operators (Viewer.isOperator) may still send free-form operations. */
  persistedQueriesAllowOperators: () => boolFromEnv('PERSISTED_QUERIES_ALLOW_OPERATORS', false),
  /** Client names (apollographql-client-name) that get their own metric label; unset: the first ones seen. */
  graphqlClientNames: () => listFromEnv('GRAPHQL_CLIENT_NAMES'),
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
  otlpEndpoint: () =>
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  otelServiceName: () => process.env.OTEL_SERVICE_NAME || undefined,
  otlpProtocol: () =>
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || process.env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf',
  /** How often the subscriptions subgraph's job runner looks for queued bulk enrollment jobs. */
  subscriptionsJobPollMs: () => intFromEnv('SUBSCRIPTIONS_JOB_POLL_MS', 2000),
  /** How often the catalog subgraph refreshes the stored content activity for dates that passed (store/aggregates.ts). */
  catalogRefreshPollMs: () => intFromEnv('CATALOG_REFRESH_POLL_MS', 60_000),
  // Resilience: every wait on another process is bounded, so an outage fails fast.
  /** Longest wait for a subgraph's answer, gateway -> subgraph and subgraph -> subgraph (0: none). */
  subgraphTimeoutMs: () => intFromEnv('SUBGRAPH_TIMEOUT_MS', 5000),
  /** Server-side limit on one SQL statement (MariaDB max_statement_time, MySQL max_execution_time), SQLite busy timeout. */
  dbStatementTimeoutMs: () => intFromEnv('DB_STATEMENT_TIMEOUT_MS', 10000),
  /** Longest wait for a new MySQL connection. */
  dbConnectTimeoutMs: () => intFromEnv('DB_CONNECT_TIMEOUT_MS', 2000),
  /** Requests that may wait for a pool connection before new ones fail at once (0: unbounded). */
  dbPoolQueueLimit: () => intFromEnv('DATABASE_POOL_QUEUE_LIMIT', 1000),
};

/** Stack traces and raw error messages only when explicitly developing. */
export function exposeErrorDetails(): boolean {
  return process.env.NODE_ENV === 'development';
}

/** Shortest HS256 secret production accepts (RFC 7518: a key at least as long as the hash). */
export const MIN_JWT_SECRET_BYTES = 32;

/**
 * What is wrong with the token-signing set-up for this environment, as one line; null when fine.
 * Production needs its own JWT_SECRET of at least 32 bytes, unless tokens are checked against
 * JWT_JWKS_URL; elsewhere the public development default is allowed.
 */
export function jwtSecretProblem(): string | null {
  if (nodeEnv() !== 'production' || settings.jwtJwksUrl()) return null;
  const secret = process.env.JWT_SECRET;
  const fix = `set JWT_SECRET to a random secret of at least ${MIN_JWT_SECRET_BYTES} bytes (or JWT_JWKS_URL)`;
  if (!secret) return `JWT_SECRET is unset in production: ${fix}`;
  if (secret === DEV_JWT_SECRET) return `JWT_SECRET is the public development default in production: ${fix}`;
  if (Buffer.byteLength(secret, 'utf8') < MIN_JWT_SECRET_BYTES) {
    return `JWT_SECRET is shorter than ${MIN_JWT_SECRET_BYTES} bytes in production: ${fix}`;
  }
  return null;
}

/**
 * Start-up check of every piece (scripts/start.ts, scripts/start-piece.ts): exits non-zero with
 * one line when production would run with a guessable secret; says so when development uses the
 * default.
 */
export function checkJwtSecretOrExit(piece: string): void {
  const problem = jwtSecretProblem();
  if (problem) {
    console.error(`[${piece}] refusing to start: ${problem}`);
    process.exit(1);
  }
  if (!process.env.JWT_SECRET && !settings.jwtJwksUrl()) {
    console.log(
      `[${piece}] JWT_SECRET is unset: signing and checking tokens with the public development default (never in production)`,
    );
  }
}
