import { Migrator, sql, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { isMysql, type AnyKysely } from './database.js';
import { withoutStatementTimeout } from './statement-timeout.js';
import { logger } from '../observability/logger.js';

/** Migrations of one subgraph, keyed by name; names sort in the order they run. */
export type MigrationSet = Record<string, Migration>;

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: MigrationSet) {}
  getMigrations(): Promise<MigrationSet> {
    return Promise.resolve(this.migrations);
  }
}

/**
 * Runs one subgraph's migrations. Each subgraph keeps its own bookkeeping tables
 * (`kysely_migration_<name>`), so subgraphs can be deployed and migrated independently.
 */
export async function migrateSubgraph(db: AnyKysely, subgraph: string, migrations: MigrationSet): Promise<void> {
  // DB_STATEMENT_TIMEOUT_MS bounds requests, not schema changes (an index over a big table).
  if (isMysql(db)) return withoutStatementTimeout(db, (connection) => runMigrations(connection, subgraph, migrations));
  return runMigrations(db, subgraph, migrations);
}

async function runMigrations(db: AnyKysely, subgraph: string, migrations: MigrationSet): Promise<void> {
  const suffix = subgraph.replace(/-/g, '_');
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(migrations),
    migrationTableName: `kysely_migration_${suffix}`,
    migrationLockTableName: `kysely_migration_lock_${suffix}`,
  });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  for (const result of results ?? []) {
    if (result.status === 'Error')
      logger.error(
        { subgraph, migration: result.migrationName },
        `[migrate] ${subgraph}: ${result.migrationName} failed`,
      );
  }
  if (error)
    throw error instanceof Error
      ? error
      : new Error(`Migrating ${subgraph} failed: ${JSON.stringify(error)}`, { cause: error });
}

/**
 * MySQL/MariaDB collation of identifier columns (uuids, keys, emails, codes): compared and sorted
 * byte by byte, which is what keys mean (`course-v1:edX+A` and `course-v1:EDX+A` are two courses)
 * and 2-5x cheaper in index scans and joins than the server's `utf8mb4_*_ci` weights. utf8mb4 and
 * not `ascii`: course keys (opaque-keys accept Unicode letters) and emails may hold non-ASCII, an
 * ASCII column compared with such a literal fails with "Illegal mix of collations", and a join of
 * an ascii column with a utf8mb4 one (program.uuid = catalog_content.content_key) converts the
 * ascii side and cannot use its index. SQLite compares BINARY already.
 */
export const KEY_COLLATION = 'utf8mb4_bin';

/** Portable column types: each dialect stores dates, JSON and money the way it sorts and compares best. */
export function columnTypes(db: AnyKysely) {
  const mysql = isMysql(db);
  return {
    /** ISO-8601 UTC timestamp: DATETIME(3) on MySQL, sortable text on SQLite. */
    datetime: mysql ? ('datetime(3)' as const) : ('text' as const),
    /** Calendar date YYYY-MM-DD. */
    date: mysql ? ('date' as const) : ('text' as const),
    json: mysql ? ('json' as const) : ('text' as const),
    /** A uuid, compared byte by byte (KEY_COLLATION on MySQL). */
    uuid: mysql ? sql`char(36) character set utf8mb4 collate ${sql.raw(KEY_COLLATION)}` : ('char(36)' as const),
    /** Short indexed identifiers (keys, emails, slugs, codes), compared byte by byte (KEY_COLLATION on MySQL). */
    key: mysql ? sql`varchar(255) character set utf8mb4 collate ${sql.raw(KEY_COLLATION)}` : ('varchar(255)' as const),
    /** Short free text people read and sort (titles, names): the table's default collation. */
    label: 'varchar(255)' as const,
    text: 'text' as const,
  };
}

/** Per table: identifier columns to compare byte by byte, free-text columns to keep in the table's collation. */
export type ColumnCollations = Record<string, { keys?: readonly string[]; text?: readonly string[] }>;

interface ColumnDefinition {
  name: string;
  type: string;
  nullable: string;
  default: string | null;
}

/**
 * MySQL/MariaDB: gives the listed identifier columns KEY_COLLATION and the listed free-text columns
 * back the table's default collation, each column keeping its type, nullability and default (read
 * from information_schema), in one ALTER TABLE per table. Free-text columns are listed because
 * landed migrations created some of them with `columnTypes().key`, which is binary now: a fresh
 * database and a migrated one end up the same. No-op on SQLite (BINARY already). A listed column
 * that does not exist fails the migration: the list is the schema's.
 */
export async function collateColumns(db: AnyKysely, tables: ColumnCollations): Promise<void> {
  if (!isMysql(db)) return;
  for (const [table, { keys = [], text = [] }] of Object.entries(tables)) {
    const { rows: collations } = await sql<{ collation: string }>`
      select table_collation as collation from information_schema.tables
      where table_schema = database() and table_name = ${table}`.execute(db);
    const tableCollation = collations[0]?.collation;
    if (!tableCollation) throw new Error(`collateColumns: no table ${table}`);
    const wanted = [...keys, ...text];
    const { rows } = await sql<ColumnDefinition>`
      select column_name as name, column_type as type, is_nullable as nullable, column_default as ${sql.ref('default')}
      from information_schema.columns
      where table_schema = database() and table_name = ${table} and column_name in (${sql.join(wanted)})`.execute(db);
    const found = new Map(rows.map((row) => [row.name, row]));
    const changes = wanted.map((column) => {
      const definition = found.get(column);
      if (!definition) throw new Error(`collateColumns: no column ${table}.${column}`);
      const collation = keys.includes(column) ? KEY_COLLATION : tableCollation;
      const charset = collation.split('_')[0] ?? 'utf8mb4';
      return sql`modify ${sql.ref(column)} ${sql.raw(definition.type)} character set ${sql.raw(charset)} collate ${sql.raw(collation)}${sql.raw(columnTail(definition))}`;
    });
    await sql`alter table ${sql.table(table)} ${sql.join(changes)}`.execute(db);
  }
}

/** ` not null` and ` default ...` as information_schema describes them (MariaDB quotes string defaults, MySQL does not). */
function columnTail(column: ColumnDefinition): string {
  let tail = column.nullable === 'NO' ? ' not null' : ' null';
  const value = column.default;
  if (value !== null && value !== 'NULL')
    tail += ` default ${value.startsWith("'") ? value : `'${value.replace(/'/g, "''")}'`}`;
  return tail;
}

/** The same columns, all back in their table's collation (the `down` of a collateColumns migration). */
export function inTableCollation(columns: ColumnCollations): ColumnCollations {
  return Object.fromEntries(
    Object.entries(columns).map(([table, { keys = [], text = [] }]) => [table, { text: [...keys, ...text] }]),
  );
}
