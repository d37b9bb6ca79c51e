import type { Kysely } from 'kysely';
import { createDeliveryTable, dropDeliveryTable } from '../../../lib/outbox.js';

/**
 * One row per outbox event per channel outside the graph (event bus, email: lib/deliveries), each
 * with its own state, so each channel sends each event once. Events written before this migration
 * have no deliveries: they were announced inside the graph only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createDeliveryTable(db, 'customers_outbox');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropDeliveryTable(db, 'customers_outbox');
}
