import { CompiledQuery, sql, type DatabaseConnection, type Kysely } from 'kysely';

/**
 * Bounds on how long the database may hold a request: a server-side statement timeout per
 * connection, a connect timeout and a bounded wait queue for the mysql2 pool, and SQLite's busy
 * timeout. Without them one runaway query keeps a pool connection forever, and with the server
 * down every request queues behind connects that never finish.
 */

export type MysqlFlavour = 'mariadb' | 'mysql';

/** The session variable that bounds a statement's run time, and its value for `timeoutMs`. */
export function statementTimeoutSetting(flavour: MysqlFlavour, timeoutMs: number): string {
  // MariaDB: max_statement_time, in seconds (fractions allowed), every statement kind.
  // MySQL: max_execution_time, in milliseconds, read-only SELECTs only.
  return flavour === 'mariadb'
    ? `max_statement_time = ${(timeoutMs / 1000).toFixed(3)}`
    : `max_execution_time = ${Math.round(timeoutMs)}`;
}

export function flavourOf(version: string): MysqlFlavour {
  return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
}

/**
 * Runs on every new mysql2 connection (Kysely's `onCreateConnection`): the server is asked what
 * it is, since a pool may be pointed at MariaDB or MySQL and each spells the timeout differently.
 * `timeoutMs` 0 leaves the server's default (no limit).
 */
export async function applyStatementTimeout(connection: DatabaseConnection, timeoutMs: number): Promise<MysqlFlavour> {
  const result = await connection.executeQuery<{ version: string }>(CompiledQuery.raw('SELECT VERSION() AS version'));
  const flavour = flavourOf(result.rows[0]?.version ?? '');
  if (timeoutMs > 0)
    await connection.executeQuery(CompiledQuery.raw(`SET SESSION ${statementTimeoutSetting(flavour, timeoutMs)}`));
  return flavour;
}

/** mysql2 pool options: fail fast when the server is down instead of queueing without bound. */
export function mysqlPoolLimits(options: { connectTimeoutMs: number; queueLimit: number }) {
  return { connectTimeout: options.connectTimeoutMs, queueLimit: options.queueLimit };
}

/**
 * Runs `fn` on one connection whose statement timeout is lifted: migrations (an index built over
 * a large table) legitimately take longer than any request should. The connection's own limit is
 * read first and restored before it goes back to the pool.
 */
export async function withoutStatementTimeout<DB, T>(db: Kysely<DB>, fn: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    const version = await sql<{ version: string }>`SELECT VERSION() AS version`.execute(connection);
    const variable =
      flavourOf(version.rows[0]?.version ?? '') === 'mariadb' ? 'max_statement_time' : 'max_execution_time';
    const current = await sql<{ value: number | string }>`SELECT ${sql.raw(`@@SESSION.${variable}`)} AS value`.execute(
      connection,
    );
    const previous = Number(current.rows[0]?.value ?? 0);
    await sql.raw(`SET SESSION ${variable} = 0`).execute(connection);
    try {
      return await fn(connection);
    } finally {
      await sql
        .raw(`SET SESSION ${variable} = ${Number.isFinite(previous) ? previous : 0}`)
        .execute(connection)
        .catch(() => undefined);
    }
  });
}
