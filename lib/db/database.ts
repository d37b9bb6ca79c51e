import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { createPool } from 'mysql2';
import {
  CamelCasePlugin,
  CompiledQuery,
  Kysely,
  MysqlAdapter,
  MysqlDialect,
  SqliteDialect,
  type Dialect,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { settings } from '../config.js';
import { ReadReplicaDialect } from './read-replica-dialect.js';
import { applyStatementTimeout, mysqlPoolLimits } from './statement-timeout.js';
import { MeteredDialect, statementObserver } from '../observability/db.js';
import { SqliteValuesPlugin } from './sqlite-values-plugin.js';

export type DialectName = 'mysql' | 'sqlite';

/** A parsed `DATABASE_URL`: `mysql://user:pass@host:port/db`, `sqlite:<path>` or `sqlite::memory:`. */
export type DatabaseLocation =
  { dialect: 'mysql'; url: string; database: string; serverUrl: string } | { dialect: 'sqlite'; file: string };

export function parseDatabaseUrl(url: string): DatabaseLocation {
  if (url.startsWith('mysql://')) {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (!database) throw new Error('DATABASE_URL for MySQL must name a database: mysql://user:pass@host:3306/db');
    if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`Invalid MySQL database name "${database}"`);
    const server = new URL(url);
    server.pathname = '/';
    return { dialect: 'mysql', url, database, serverUrl: server.toString() };
  }
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', file: url.slice('sqlite:'.length) || ':memory:' };
  throw new Error(`Unsupported DATABASE_URL "${url}": use mysql://... or sqlite:<path>`);
}

/** Counts executed statements; tests and the benchmark use it to prove batching. */
export class StatementCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count += 1;
    return Promise.resolve(args.result);
  }
}

/** The untyped root handle; each subgraph's server narrows it to its own tables (lib/server/subgraph-server.ts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the root handle spans every subgraph's tables
export type AnyKysely = Kysely<any>;

export interface Database {
  readonly dialect: DialectName;
  readonly db: AnyKysely;
  destroy(): Promise<void>;
}

export interface OpenOptions {
  poolSize?: number;
  /** `DATABASE_READ_URL`: a MySQL replica for plain reads outside transactions. */
  readUrl?: string;
  /** Server-side limit per statement (DB_STATEMENT_TIMEOUT_MS by default); 0: none (bulk loads). */
  statementTimeoutMs?: number;
}

/** Opens the store named by a URL. The MySQL database must exist (see `ensureDatabase`). */
export function openDatabase(url: string, options: OpenOptions = {}): Database {
  const location = parseDatabaseUrl(url);
  let dialect: Dialect;
  const timeoutMs = options.statementTimeoutMs ?? settings.dbStatementTimeoutMs();
  if (location.dialect === 'mysql') {
    dialect = mysqlDialect(location.url, options.poolSize ?? 10, timeoutMs);
    if (options.readUrl) {
      const replica = parseDatabaseUrl(options.readUrl);
      if (replica.dialect !== 'mysql') throw new Error('DATABASE_READ_URL must be a mysql:// URL like DATABASE_URL');
      dialect = new ReadReplicaDialect(dialect, mysqlDialect(replica.url, options.poolSize ?? 10, timeoutMs));
    }
  } else {
    if (location.file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(location.file)), { recursive: true });
    const sqlite = new SQLite(location.file);
    sqlite.pragma('journal_mode = WAL');
    // Waiting on another writer's lock is bounded like a MySQL statement (SQLITE_BUSY after it).
    sqlite.pragma(`busy_timeout = ${timeoutMs || 10000}`);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    dialect = new SqliteDialect({ database: sqlite });
  }
  // Columns are snake_case in SQL and camelCase in TypeScript (rows map straight onto GraphQL fields).
  // Nested objects (parsed JSON columns on MySQL) keep their own keys: only column names are mapped.
  const plugins = [
    new CamelCasePlugin({ maintainNestedObjectKeys: true }),
    ...(location.dialect === 'sqlite' ? [new SqliteValuesPlugin()] : []),
  ];
  // Metrics and traces of every statement and of the pool (lib/observability/db.ts).
  const metered = new MeteredDialect(dialect, 'primary', location.dialect === 'mysql' ? (options.poolSize ?? 10) : 1);
  const db = new Kysely<unknown>({ dialect: metered, plugins, log: statementObserver(location.dialect) }) as AnyKysely;
  return { dialect: location.dialect, db, destroy: () => db.destroy() };
}

function mysqlDialect(url: string, poolSize: number, statementTimeoutMs: number): Dialect {
  return new MysqlDialect({
    pool: createPool({
      uri: url,
      connectionLimit: poolSize,
      ...mysqlPoolLimits({ connectTimeoutMs: settings.dbConnectTimeoutMs(), queueLimit: settings.dbPoolQueueLimit() }),
      timezone: 'Z',
      dateStrings: ['DATE'],
      decimalNumbers: true,
      supportBigNumbers: true,
      charset: 'utf8mb4',
      enableKeepAlive: true,
      // BOOLEAN columns are TINYINT(1): hand them back as JS booleans.
      typeCast(field, next) {
        if (field.type === 'TINY' && field.length === 1) {
          const value = field.string();
          return value === null ? null : value === '1';
        }
        return next();
      },
    }),
    onCreateConnection: async (connection) => {
      await connection.executeQuery(CompiledQuery.raw("SET time_zone = '+00:00'"));
      await applyStatementTimeout(connection, statementTimeoutMs);
    },
  });
}

/** Creates the MySQL database named in the URL when it is missing; SQLite files create themselves. */
export async function ensureDatabase(url: string): Promise<void> {
  const location = parseDatabaseUrl(url);
  if (location.dialect !== 'mysql') return;
  await withServerConnection(location.serverUrl, (db) =>
    db.executeQuery(
      CompiledQuery.raw(
        `CREATE DATABASE IF NOT EXISTS \`${location.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      ),
    ),
  );
}

/** Drops a database (tests only). */
export async function dropDatabase(url: string): Promise<void> {
  const location = parseDatabaseUrl(url);
  if (location.dialect === 'mysql') {
    await withServerConnection(location.serverUrl, (db) =>
      db.executeQuery(CompiledQuery.raw(`DROP DATABASE IF EXISTS \`${location.database}\``)),
    );
  } else if (location.file !== ':memory:') {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(location.file + suffix, { force: true });
  }
}

async function withServerConnection<T>(serverUrl: string, fn: (db: AnyKysely) => Promise<T>): Promise<T> {
  const db = new Kysely<unknown>({
    dialect: new MysqlDialect({ pool: createPool({ uri: serverUrl, connectionLimit: 1 }) }),
  }) as AnyKysely;
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

export function isMysql(db: Kysely<unknown> | AnyKysely): boolean {
  return db.getExecutor().adapter instanceof MysqlAdapter;
}
