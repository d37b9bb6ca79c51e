import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type {
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  KyselyPlugin,
  LogEvent,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryCompiler,
  QueryId,
  QueryResult,
  RootOperationNode,
  TransactionSettings,
  UnknownRow,
} from 'kysely';
import { registerPool, sqlDuration, sqlRequestStatements, sqlStatements, type PoolStats } from './metrics.js';
import { tracingEnabled } from './tracing.js';

/**
 * Database observability through Kysely, so SQLite and MySQL are measured the same way:
 * - `statementObserver` is Kysely's `log` option (lib/db/database.ts): every statement's duration
 *   and outcome as metrics, and a CLIENT span per statement with `db.system` when tracing is on.
 * - `SqlAttribution` (a plugin on each subgraph's handle) tags each query with its subgraph.
 * - `MeteredDialect` counts pool connections in use and callers waiting for one.
 */

const subgraphOfQuery = new WeakMap<QueryId, { subgraph: string; request: boolean }>();

/**
 * Tags every query compiled through this handle with `subgraph` (read back by the observer);
 * `request`: the handle GraphQL requests use, whose statements eg_sql_request_statements_total
 * counts apart from background work.
 */
export class SqlAttribution implements KyselyPlugin {
  private readonly tag: { subgraph: string; request: boolean };
  constructor(subgraph: string, options: { request?: boolean } = {}) {
    this.tag = { subgraph, request: options.request ?? false };
  }
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    subgraphOfQuery.set(args.queryId, this.tag);
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

const tracer = trace.getTracer('enterprise-graph.sql');

/** Kysely's `log` callback: runs in the caller's async context right after each statement. */
export function statementObserver(system: 'mysql' | 'sqlite'): (event: LogEvent) => void {
  return (event) => {
    const tag = subgraphOfQuery.get(event.query.queryId);
    const subgraph = tag?.subgraph ?? 'none';
    const seconds = event.queryDurationMillis / 1000;
    sqlStatements.inc({ subgraph, outcome: event.level === 'error' ? 'error' : 'ok' });
    if (tag?.request) sqlRequestStatements.inc({ subgraph });
    sqlDuration.observe({ subgraph }, seconds);
    if (!tracingEnabled()) return;
    const operation = event.query.sql.trimStart().split(/\s/, 1)[0]?.toUpperCase() ?? 'SQL';
    // The span is recorded once the statement is over: Kysely reports its duration, so the start
    // is back-dated; its parent is whatever span is active for the caller (the GraphQL request).
    const end = Date.now();
    const span = tracer.startSpan(`${operation} ${system}`, {
      kind: SpanKind.CLIENT,
      startTime: end - event.queryDurationMillis,
      attributes: {
        'db.system': system,
        'db.system.name': system,
        'db.operation.name': operation,
        'db.query.text': event.query.sql,
        'db.statement': event.query.sql,
        'enterprise_graph.subgraph': subgraph,
      },
    });
    if (event.level === 'error') {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: event.error instanceof Error ? event.error.message : 'statement failed',
      });
    }
    span.end(end);
  };
}

/** Counts acquisitions of the wrapped dialect's connections (a pool on MySQL, one connection on SQLite). */
export class MeteredDialect implements Dialect {
  private readonly stats: PoolStats;
  constructor(
    private readonly inner: Dialect,
    pool: string,
    size: number,
  ) {
    this.stats = { pool, size, inUse: 0, waiting: 0 };
  }
  createDriver(): Driver {
    return new MeteredDriver(this.inner.createDriver(), this.stats);
  }
  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return this.inner.createAdapter();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
}

class MeteredDriver implements Driver {
  private unregister: (() => void) | undefined;
  constructor(
    private readonly inner: Driver,
    private readonly stats: PoolStats,
  ) {}
  async init(): Promise<void> {
    await this.inner.init();
    this.unregister = registerPool(this.stats);
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    this.stats.waiting += 1;
    try {
      const connection = await this.inner.acquireConnection();
      this.stats.inUse += 1;
      return connection;
    } finally {
      this.stats.waiting -= 1;
    }
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.inner.beginTransaction(connection, settings);
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.inner.commitTransaction(connection);
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.inner.rollbackTransaction(connection);
  }
  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.inner.savepoint) throw new Error('this dialect has no savepoints');
    await this.inner.savepoint(connection, name, compile);
  }
  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    if (!this.inner.rollbackToSavepoint) throw new Error('this dialect has no savepoints');
    await this.inner.rollbackToSavepoint(connection, name, compile);
  }
  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    if (!this.inner.releaseSavepoint) throw new Error('this dialect has no savepoints');
    await this.inner.releaseSavepoint(connection, name, compile);
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.stats.inUse -= 1;
    await this.inner.releaseConnection(connection);
  }
  async destroy(): Promise<void> {
    this.unregister?.();
    await this.inner.destroy();
  }
}
