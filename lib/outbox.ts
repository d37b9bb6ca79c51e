import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { columnTypes } from './db/migrate.js';
import type { AnyKysely } from './db/database.js';

/**
 * Transactional outbox (DOMAIN section 0): side effects are rows written in the same transaction
 * as the change they announce, and delivered after commit. A rolled-back change leaves no row.
 */
export interface OutboxEvent {
  /** openedx-events type, e.g. `org.openedx.enterprise.learner_credit_course_enrollment.revoked.v1`. */
  eventType: string;
  /** Key that orders events about one object (a policy uuid, a license uuid, ...). */
  aggregateKey: string;
  payload: unknown;
}

export interface OutboxTable {
  id: string;
  event_type: string;
  aggregate_key: string;
  payload: string;
  created: Date;
  delivered_at: Date | null;
  attempts: number;
}

export async function createOutboxTable(db: AnyKysely, table: string): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable(table)
    .addColumn('id', t.uuid, (c) => c.primaryKey())
    .addColumn('event_type', t.key, (c) => c.notNull())
    .addColumn('aggregate_key', t.key, (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('delivered_at', t.datetime)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex(`${table}_undelivered`).on(table).columns(['delivered_at', 'created']).execute();
}

/** Writes events into `table`; call it with the transaction that makes the change. */
export async function enqueueEvents(trx: Kysely<unknown>, table: string, events: readonly OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  const now = new Date();
  await (trx as AnyKysely)
    .insertInto(table)
    .values(
      events.map((event) => ({
        id: randomUUID(),
        event_type: event.eventType,
        aggregate_key: event.aggregateKey,
        payload: JSON.stringify(event.payload),
        created: now,
        delivered_at: null,
        attempts: 0,
      })),
    )
    .execute();
}
