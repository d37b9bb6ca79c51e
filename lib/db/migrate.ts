import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
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

/** Portable column types: each dialect stores dates, JSON and money the way it sorts and compares best. */
export function columnTypes(db: AnyKysely) {
  const mysql = isMysql(db);
  return {
    /** ISO-8601 UTC timestamp: DATETIME(3) on MySQL, sortable text on SQLite. */
    datetime: mysql ? ('datetime(3)' as const) : ('text' as const),
    /** Calendar date YYYY-MM-DD. */
    date: mysql ? ('date' as const) : ('text' as const),
    json: mysql ? ('json' as const) : ('text' as const),
    uuid: 'char(36)' as const,
    /** Short indexed strings (keys, emails, slugs). */
    key: 'varchar(255)' as const,
    text: 'text' as const,
  };
}
