import cluster from 'node:cluster';
import type { Fetcher } from '@apollo/utils.fetcher';
import { sql, type Kysely } from 'kysely';
import client from 'prom-client';
import { settings } from '../config.js';

/**
 * Prometheus metrics of a piece, served at `GET /metrics` (lib/observability/http.ts).
 * The README's "Operating it" section lists the same names; keep both in step.
 * Every metric created here lives in the default registry, with prom-client's default Node process
 * metrics (CPU, memory, event-loop lag, GC, handles).
 */
export const registry = client.register;
client.collectDefaultMetrics({ register: registry });
// A GATEWAY_WORKERS worker answers its primary's METRICS_PORT scrapes (prom-client's cluster protocol).
if (cluster.isWorker) new client.AggregatorRegistry();

/** Seconds; GraphQL operations range from a cached 1 ms to multi-second reports. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SQL_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

export const graphqlRequestDuration = new client.Histogram({
  name: 'eg_graphql_request_duration_seconds',
  help: "GraphQL operations answered, by piece, operation name and type, outcome (success, partial: data with errors, error: no data), and the caller's apollographql-client-name / -version",
  labelNames: ['piece', 'operation_name', 'operation_type', 'outcome', 'client_name', 'client_version'] as const,
  buckets: REQUEST_BUCKETS,
});

export const httpInFlight = new client.Gauge({
  name: 'eg_http_requests_in_flight',
  help: 'HTTP requests received and not yet answered (what a graceful shutdown waits for)',
});

export const graphqlErrors = new client.Counter({
  name: 'eg_graphql_errors_total',
  help: 'Errors sent to callers, by piece and extensions.code',
  labelNames: ['piece', 'code'] as const,
});

export const subgraphFetchDuration = new client.Histogram({
  name: 'eg_subgraph_fetch_duration_seconds',
  help: "Gateway to subgraph fetches until the subgraph's response headers, by subgraph and outcome (HTTP status class or network_error)",
  labelNames: ['subgraph', 'outcome'] as const,
  buckets: REQUEST_BUCKETS,
});

export const sqlStatements = new client.Counter({
  name: 'eg_sql_statements_total',
  help: 'SQL statements executed, by subgraph (none: migrations, health checks) and outcome',
  labelNames: ['subgraph', 'outcome'] as const,
});

export const sqlRequestStatements = new client.Counter({
  name: 'eg_sql_request_statements_total',
  help: 'SQL statements run for GraphQL requests, by subgraph (the subset of eg_sql_statements_total without background work, outbox gauges and health checks): what the benchmark divides by requests',
  labelNames: ['subgraph'] as const,
});

export const sqlDuration = new client.Histogram({
  name: 'eg_sql_statement_duration_seconds',
  help: 'SQL statement durations (including the wait for a pooled connection), by subgraph',
  labelNames: ['subgraph'] as const,
  buckets: SQL_BUCKETS,
});

export const persistedQueryRefusals = new client.Counter({
  name: 'eg_persisted_query_refusals_total',
  help: "Operations the gateway's safelist refused before running them (PERSISTED_QUERIES_SAFELIST), by code and the caller's apollographql-client-name / -version",
  labelNames: ['code', 'client_name', 'client_version'] as const,
});

export const responseCacheRequests = new client.Counter({
  name: 'eg_response_cache_requests_total',
  help: 'Gateway queries looked up in the Redis response cache, by result (hit, miss)',
  labelNames: ['result'] as const,
});

/** Connection counters of one pool, kept by lib/observability/db.ts around acquire and release. */
export interface PoolStats {
  readonly pool: string;
  readonly size: number;
  inUse: number;
  waiting: number;
}

const pools = new Set<PoolStats>();

export function registerPool(stats: PoolStats): () => void {
  pools.add(stats);
  return () => pools.delete(stats);
}

new client.Gauge({
  name: 'eg_db_pool_connections',
  help: 'Database pool connections by state: in_use (held by a statement or transaction), idle (free slots of the pool), waiting (callers queued for one)',
  labelNames: ['pool', 'state'] as const,
  collect() {
    this.reset();
    for (const stats of pools) {
      this.set({ pool: stats.pool, state: 'in_use' }, stats.inUse);
      this.set({ pool: stats.pool, state: 'idle' }, Math.max(0, stats.size - stats.inUse));
      this.set({ pool: stats.pool, state: 'waiting' }, stats.waiting);
    }
  },
});

/** Outbox tables measured at scrape time, by subgraph (lib/outbox.ts creates them). */
const outboxes = new Map<string, { db: Kysely<unknown>; table: string }>();

/** Outboxes whose events also leave the graph through delivery channels (`<table>_delivery`). */
const deliveryTables = new Set<string>();

/** Measures `table` at every scrape; returns an unregister function (the subgraph's stop). */
export function registerOutbox(
  subgraph: string,
  db: Kysely<unknown>,
  table: string,
  options: { deliveries?: boolean } = {},
): () => void {
  const entry = { db, table };
  if (options.deliveries) deliveryTables.add(table);
  outboxes.set(subgraph, entry);
  return () => {
    if (outboxes.get(subgraph) === entry) outboxes.delete(subgraph);
  };
}

interface OutboxRow {
  backlog: number | string | null;
  failed: number | string | null;
  oldest: Date | string | number | null;
}

interface OutboxMeasure {
  backlog: number;
  failed: number;
  oldestAgeSeconds: number;
}

/**
 * One statement per outbox over the relay's `(status, next_attempt_at, created)` index: PENDING rows
 * are the backlog (DELIVERED and EXTERNAL ones are done), FAILED ones wait for an operator.
 */
async function measureOutbox(db: Kysely<unknown>, table: string): Promise<OutboxMeasure> {
  const result = await sql<OutboxRow>`
    select sum(case when status = 'PENDING' then 1 else 0 end) as backlog,
           sum(case when status = 'FAILED' then 1 else 0 end) as failed,
           min(case when status = 'PENDING' then created end) as oldest
    from ${sql.table(table)} where status in ('PENDING', 'FAILED')`.execute(db);
  const row = result.rows[0];
  const oldest = row?.oldest == null ? null : new Date(row.oldest);
  const age = oldest && !Number.isNaN(oldest.getTime()) ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0;
  return { backlog: Number(row?.backlog ?? 0), failed: Number(row?.failed ?? 0), oldestAgeSeconds: age };
}

interface DeliveryRow {
  channel: string;
  backlog: number | string | null;
  failed: number | string | null;
  oldest: Date | string | number | null;
}

/** Per channel of an outbox's deliveries (`<table>_delivery`, lib/deliveries): the same three figures. */
async function measureDeliveries(db: Kysely<unknown>, table: string): Promise<Map<string, OutboxMeasure>> {
  const result = await sql<DeliveryRow>`
    select channel,
           sum(case when status = 'PENDING' then 1 else 0 end) as backlog,
           sum(case when status = 'FAILED' then 1 else 0 end) as failed,
           min(case when status = 'PENDING' then created end) as oldest
    from ${sql.table(`${table}_delivery`)} where status in ('PENDING', 'FAILED') group by channel`.execute(db);
  const measures = new Map<string, OutboxMeasure>();
  for (const row of result.rows) {
    const oldest = row.oldest == null ? null : new Date(row.oldest);
    const age = oldest && !Number.isNaN(oldest.getTime()) ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0;
    measures.set(row.channel, {
      backlog: Number(row.backlog ?? 0),
      failed: Number(row.failed ?? 0),
      oldestAgeSeconds: age,
    });
  }
  return measures;
}

type OutboxMeasures = Map<string, OutboxMeasure & { channels?: Map<string, OutboxMeasure> }>;
let lastMeasure: { at: number; measures: Promise<OutboxMeasures> } | undefined;

/** Both outbox gauges of one scrape share one measurement (prom-client collects them in parallel). */
function measureOutboxes(): Promise<OutboxMeasures> {
  if (lastMeasure && Date.now() - lastMeasure.at < 500) return lastMeasure.measures;
  const measures = (async () => {
    const result: OutboxMeasures = new Map();
    await Promise.all(
      [...outboxes].map(async ([subgraph, { db, table }]) => {
        try {
          result.set(subgraph, await measureOutbox(db, table));
        } catch {
          // The database is down: /health says so; the scrape still answers without these series.
          return;
        }
        if (!deliveryTables.has(table)) return;
        try {
          const measure = result.get(subgraph);
          if (measure) measure.channels = await measureDeliveries(db, table);
        } catch {
          // Not migrated yet: the outbox series still answer.
        }
      }),
    );
    return result;
  })();
  lastMeasure = { at: Date.now(), measures };
  return measures;
}

new client.Gauge({
  name: 'eg_outbox_backlog',
  help: 'Outbox events waiting for delivery (status PENDING), by subgraph (measured at scrape time)',
  labelNames: ['subgraph'] as const,
  async collect() {
    this.reset();
    for (const [subgraph, m] of await measureOutboxes()) this.set({ subgraph }, m.backlog);
  },
});

new client.Gauge({
  name: 'eg_outbox_failed',
  help: 'Outbox events that ran out of attempts or were refused (status FAILED), by subgraph',
  labelNames: ['subgraph'] as const,
  async collect() {
    this.reset();
    for (const [subgraph, m] of await measureOutboxes()) this.set({ subgraph }, m.failed);
  },
});

new client.Gauge({
  name: 'eg_outbox_oldest_age_seconds',
  help: 'Age of the oldest undelivered outbox event, by subgraph (0 when none)',
  labelNames: ['subgraph'] as const,
  async collect() {
    this.reset();
    for (const [subgraph, m] of await measureOutboxes()) this.set({ subgraph }, m.oldestAgeSeconds);
  },
});

new client.Gauge({
  name: 'eg_outbox_delivery_backlog',
  help: 'Deliveries of outbox events waiting on a channel outside the graph (bus, email; status PENDING), by subgraph and channel',
  labelNames: ['subgraph', 'channel'] as const,
  async collect() {
    this.reset();
    for (const [subgraph, m] of await measureOutboxes())
      for (const [channel, c] of m.channels ?? []) this.set({ subgraph, channel }, c.backlog);
  },
});

new client.Gauge({
  name: 'eg_outbox_delivery_failed',
  help: 'Deliveries that ran out of attempts or were refused (status FAILED; npm run outbox:failed), by subgraph and channel',
  labelNames: ['subgraph', 'channel'] as const,
  async collect() {
    this.reset();
    for (const [subgraph, m] of await measureOutboxes())
      for (const [channel, c] of m.channels ?? []) this.set({ subgraph, channel }, c.failed);
  },
});

new client.Gauge({
  name: 'eg_outbox_delivery_oldest_age_seconds',
  help: 'Age of the oldest pending delivery, by subgraph and channel (0 when none)',
  labelNames: ['subgraph', 'channel'] as const,
  async collect() {
    this.reset();
    for (const [subgraph, m] of await measureOutboxes())
      for (const [channel, c] of m.channels ?? []) this.set({ subgraph, channel }, c.oldestAgeSeconds);
  },
});

/** Deliveries by outcome: delivered, skipped (channel not configured), retried, failed. */
export const deliveryOutcomes = new client.Counter({
  name: 'eg_outbox_deliveries_total',
  help: 'Delivery attempts of outbox events on channels outside the graph, by subgraph, channel and outcome',
  labelNames: ['subgraph', 'channel', 'outcome'] as const,
});

/** Wraps the gateway's fetcher to time each subgraph fetch. */
export function timedFetcher(subgraph: string, fetcher: Fetcher): Fetcher {
  return async (...args: Parameters<Fetcher>) => {
    const end = subgraphFetchDuration.startTimer({ subgraph });
    try {
      const response = await fetcher(...args);
      end({ outcome: `${Math.floor(response.status / 100)}xx` });
      return response;
    } catch (error) {
      end({ outcome: 'network_error' });
      throw error;
    }
  };
}

/**
 * Operation names come from callers: past this many distinct names per piece, new ones are
 * counted as `other` so a client cannot blow up the series count.
 */
const MAX_OPERATION_NAMES = 500;
const seenNames = new Map<string, Set<string>>();

export function operationNameLabel(piece: string, name: string | null | undefined): string {
  if (!name) return 'anonymous';
  const seen = seenNames.get(piece) ?? new Set<string>();
  seenNames.set(piece, seen);
  if (seen.has(name)) return name;
  if (seen.size >= MAX_OPERATION_NAMES) return 'other';
  seen.add(name);
  return name;
}

/** What a client may call itself in a label: short, no spaces or quotes. */
const CLIENT_LABEL = /^[\w.@/:+-]{1,64}$/;
/** Distinct client names, and versions of all clients together, that get their own label; later ones are `other`. */
const MAX_CLIENT_NAMES = 20;
const MAX_CLIENT_VERSIONS = 50;
const seenClientNames = new Set<string>();
const seenClientVersions = new Set<string>();

function boundedLabel(
  value: string | null | undefined,
  seen: Set<string>,
  max: number,
  listed?: readonly string[],
): string {
  if (!value) return 'unknown';
  if (!CLIENT_LABEL.test(value)) return 'other';
  if (listed) return listed.includes(value) ? value : 'other';
  if (seen.has(value)) return value;
  if (seen.size >= max) return 'other';
  seen.add(value);
  return value;
}

/**
 * The `apollographql-client-name` / `-version` headers as metric labels, with a bounded number of
 * series: `unknown` when absent, `other` past the first 20 names / 50 versions (or, with
 * GRAPHQL_CLIENT_NAMES, for every name not listed and versions of unlisted names) or for values
 * that are not a short token.
 */
export function clientLabels(
  name: string | null | undefined,
  version: string | null | undefined,
): { client_name: string; client_version: string } {
  const listed = settings.graphqlClientNames();
  const clientName = boundedLabel(name, seenClientNames, MAX_CLIENT_NAMES, listed);
  const clientVersion =
    clientName === 'other' && listed ? 'other' : boundedLabel(version, seenClientVersions, MAX_CLIENT_VERSIONS);
  return { client_name: clientName, client_version: clientVersion };
}

/** The Prometheus text exposition of every metric of this process. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  const body = await registry.metrics();
  return { contentType: registry.contentType, body };
}
