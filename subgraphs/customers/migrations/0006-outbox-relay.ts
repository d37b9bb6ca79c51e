import type { Kysely } from 'kysely';
import { addRelayColumns, dropRelayColumns } from '../../../lib/outbox-relay.js';

/** The shared outbox relay's state of each row: status, retry time, lease and last error (lib/outbox-relay.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addRelayColumns(db, 'customers_outbox');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropRelayColumns(db, 'customers_outbox');
}
