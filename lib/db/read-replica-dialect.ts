import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';

/**
 * Sends plain reads to a replica (`DATABASE_READ_URL`) and everything else to the primary.
 * A read goes to the primary when it runs inside a transaction (it must see the transaction's
 * own writes and its locks) or locks rows (`FOR UPDATE`), so check-then-write stays correct.
 */
export class ReadReplicaDialect implements Dialect {
  constructor(
    private readonly primary: Dialect,
    private readonly replica: Dialect,
  ) {}

  createDriver(): Driver {
    return new ReadReplicaDriver(this.primary.createDriver(), this.replica.createDriver());
  }
  createQueryCompiler(): QueryCompiler {
    return this.primary.createQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return this.primary.createAdapter();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return this.primary.createIntrospector(db);
  }
}

function isPlainRead(query: CompiledQuery): boolean {
  if (query.query.kind !== 'SelectQueryNode') return false;
  return !/\bfor\s+(update|share)\b|\block\s+in\s+share\s+mode\b/i.test(query.sql);
}

class RoutingConnection implements DatabaseConnection {
  inTransaction = false;
  primaryConnection: DatabaseConnection | undefined;

  constructor(private readonly driver: ReadReplicaDriver) {}

  async primaryConn(): Promise<DatabaseConnection> {
    this.primaryConnection ??= await this.driver.primary.acquireConnection();
    return this.primaryConnection;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.inTransaction && !this.primaryConnection && isPlainRead(query)) {
      const replica = await this.driver.replica.acquireConnection();
      try {
        return await replica.executeQuery<R>(query);
      } finally {
        await this.driver.replica.releaseConnection(replica);
      }
    }
    return (await this.primaryConn()).executeQuery<R>(query);
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    yield* (await this.primaryConn()).streamQuery<R>(query, chunkSize);
  }
}

/** Kysely hands back the connection acquireConnection made: always a RoutingConnection. */
function asRouting(connection: DatabaseConnection): RoutingConnection {
  if (!(connection instanceof RoutingConnection)) throw new Error('Not a connection of the read-replica driver');
  return connection;
}

class ReadReplicaDriver implements Driver {
  constructor(
    readonly primary: Driver,
    readonly replica: Driver,
  ) {}

  async init(): Promise<void> {
    await this.primary.init();
    await this.replica.init();
  }
  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new RoutingConnection(this));
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const routing = asRouting(connection);
    await this.primary.beginTransaction(await routing.primaryConn(), settings);
    routing.inTransaction = true;
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const routing = asRouting(connection);
    await this.primary.commitTransaction(await routing.primaryConn());
    routing.inTransaction = false;
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const routing = asRouting(connection);
    await this.primary.rollbackTransaction(await routing.primaryConn());
    routing.inTransaction = false;
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const routing = asRouting(connection);
    if (routing.primaryConnection) await this.primary.releaseConnection(routing.primaryConnection);
    routing.primaryConnection = undefined;
  }
  async destroy(): Promise<void> {
    await this.primary.destroy();
    await this.replica.destroy();
  }
}
