import { randomUUID } from 'node:crypto';
import { columnTypes } from './db/migrate.js';
import type { AnyKysely } from './db/database.js';

/**
 * Transactional outbox: side effects are rows written in the same transaction as the change they
 * announce, and delivered after commit. A rolled-back change leaves no row.
 */
export interface OutboxEvent {
  /** openedx-events type, e.g. `org.openedx.enterprise.learner_credit_course_enrollment.revoked.v1`. */
  eventType: string;
  /** Key that orders events about one object (a policy uuid, a license uuid, ...). */
  aggregateKey: string;
  payload: unknown;
}

/**
 * Every subgraph's `<name>_outbox` table as Kysely's CamelCasePlugin presents it (the columns are
 * snake_case in SQL: event_type, aggregate_key, delivered_at).
 */
export interface OutboxTable {
  id: string;
  eventType: string;
  aggregateKey: string;
  /** JSON text. */
  payload: string;
  created: Date;
  deliveredAt: Date | null;
  attempts: number;
  /** The relay's state of the row (lib/outbox-relay.ts; columns added by each subgraph's relay migration). */
  status: OutboxStatus;
  /** Earliest time of the next delivery attempt after a failure (exponential backoff). */
  nextAttemptAt: Date | null;
  /** The lease of the relay pass that claimed the row; an expired lease may be claimed again. */
  claimedUntil: Date | null;
  claimedBy: string | null;
  /** The last delivery failure's message. */
  lastError: string | null;
}

/**
 * PENDING: waiting for (another) delivery. DELIVERED: its consumer inside the graph took it.
 * EXTERNAL: a kind published outside the graph (the event bus), nothing to do here.
 * FAILED: given up after the attempts or a refusal; `last_error` says why.
 */
export type OutboxStatus = 'PENDING' | 'DELIVERED' | 'EXTERNAL' | 'FAILED';

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

/**
 * What the writer needs of a Kysely instance or transaction: an insert into `table` that takes
 * outbox rows. Function-typed properties (not methods) are checked strictly, so a database whose
 * `table` is not an `OutboxTable` does not compile.
 */
export interface OutboxInserter<Table extends string> {
  insertInto: (table: Table) => { values: (rows: readonly OutboxTable[]) => { execute: () => Promise<unknown> } };
}

/** The rows of `events`, as the outbox stores them. */
export function outboxRows(events: readonly OutboxEvent[], now = new Date()): OutboxTable[] {
  return events.map((event) => ({
    id: randomUUID(),
    eventType: event.eventType,
    aggregateKey: event.aggregateKey,
    payload: JSON.stringify(event.payload),
    created: now,
    deliveredAt: null,
    attempts: 0,
    status: 'PENDING',
    nextAttemptAt: null,
    claimedUntil: null,
    claimedBy: null,
    lastError: null,
  }));
}

/** Writes events into `table`; call it with the transaction that makes the change. */
export async function enqueueEvents<Table extends string>(
  trx: OutboxInserter<Table>,
  table: Table,
  events: readonly OutboxEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await trx.insertInto(table).values(outboxRows(events)).execute();
}
