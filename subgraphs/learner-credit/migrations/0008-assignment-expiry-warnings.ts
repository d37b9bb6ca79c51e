import type { Kysely } from 'kysely';
import { columnTypes } from '../../../lib/db/migrate.js';

/**
 * The expiry warning pass (expiry.ts) remembers which allocation of an assignment it warned about:
 * one row per assignment, the allocation's `allocated_at`; a re-allocation (a later allocated_at)
 * is warned again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('assignment_expiry_warning')
    .addColumn('assignment_uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('allocated_at', t.datetime, (c) => c.notNull())
    .addColumn('expires_at', t.datetime, (c) => c.notNull())
    .addColumn('created', t.datetime, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('assignment_expiry_warning').execute();
}
