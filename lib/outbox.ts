import { randomUUID } from 'node:crypto';
import type { Generated, Kysely } from 'kysely';
import { columnTypes } from './db/migrate.js';
import { isMysql, type AnyKysely } from './db/database.js';

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

/**
 * The channels that carry events outside the graph (lib/deliveries): the Open edX event bus and
 * email. Each outbox row gets one `<table>_delivery` row per channel of its event type, written
 * with it, so each channel delivers each row once and keeps its own state.
 */
export type DeliveryChannelName = 'bus' | 'email';
export const DELIVERY_CHANNELS: readonly DeliveryChannelName[] = ['bus', 'email'];

/** Which channels carry each event type of one outbox (events.ts of each subgraph). */
export type ChannelsByEventType = Readonly<Record<string, readonly DeliveryChannelName[]>>;

/**
 * One delivery of one outbox row on one channel (`<name>_outbox_delivery`). `seq` is the order
 * of writing: rows of one aggregate key are written under the lock that serializes their changes,
 * so per key it is commit order, the order a channel delivers them in.
 * PENDING: to deliver. DELIVERED: sent. SKIPPED: the channel is not configured (no
 * EVENT_BUS_REDIS_URL, no SMTP_URL) or has nothing to send for it. FAILED: out of attempts or
 * refused; `last_error` says why, `npm run outbox:failed -- --retry` sends it again.
 */
export interface OutboxDeliveryTable {
  seq: Generated<number>;
  outboxId: string;
  channel: DeliveryChannelName;
  eventType: string;
  aggregateKey: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  claimedUntil: Date | null;
  claimedBy: string | null;
  lastError: string | null;
  created: Date;
  deliveredAt: Date | null;
}

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'SKIPPED' | 'FAILED';

export function deliveryTableOf(outboxTable: string): string {
  return `${outboxTable}_delivery`;
}

/** The delivery table of `outboxTable` (a migration of each subgraph with an outbox). */
export async function createDeliveryTable(db: AnyKysely, outboxTable: string): Promise<void> {
  const t = columnTypes(db);
  const table = deliveryTableOf(outboxTable);
  await db.schema
    .createTable(table)
    .addColumn('seq', isMysql(db) ? 'bigint' : 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('outbox_id', t.uuid, (c) => c.notNull())
    .addColumn('channel', 'varchar(16)', (c) => c.notNull())
    .addColumn('event_type', t.key, (c) => c.notNull())
    .addColumn('aggregate_key', t.key, (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('PENDING'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', t.datetime)
    .addColumn('claimed_until', t.datetime)
    .addColumn('claimed_by', 'varchar(64)')
    .addColumn('last_error', t.text)
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('delivered_at', t.datetime)
    .execute();
  // One delivery per row per channel, whatever a relay restart does.
  await db.schema.createIndex(`${table}_once`).on(table).columns(['outbox_id', 'channel']).unique().execute();
  // The claim (PENDING by channel in seq order) and the per-key order check.
  await db.schema.createIndex(`${table}_claim`).on(table).columns(['channel', 'status', 'seq']).execute();
  await db.schema.createIndex(`${table}_key`).on(table).columns(['channel', 'aggregate_key', 'seq']).execute();
}

export async function dropDeliveryTable(db: AnyKysely, outboxTable: string): Promise<void> {
  await db.schema.dropTable(deliveryTableOf(outboxTable)).execute();
}

/** The delivery rows of freshly written outbox rows. */
export function deliveryRows(
  rows: readonly OutboxTable[],
  channels: ChannelsByEventType,
): Omit<OutboxDeliveryTable, 'seq'>[] {
  return rows.flatMap((row) =>
    (channels[row.eventType] ?? []).map((channel) => ({
      outboxId: row.id,
      channel,
      eventType: row.eventType,
      aggregateKey: row.aggregateKey,
      status: 'PENDING' as const,
      attempts: 0,
      nextAttemptAt: null,
      claimedUntil: null,
      claimedBy: null,
      lastError: null,
      created: row.created,
      deliveredAt: null,
    })),
  );
}

/**
 * Writes events into `table`, and their deliveries into `<table>_delivery` for the channels that
 * carry them; call it with the transaction that makes the change.
 */
export async function enqueueEvents<Table extends string>(
  trx: OutboxInserter<Table>,
  table: Table,
  events: readonly OutboxEvent[],
  channels: ChannelsByEventType = {},
): Promise<void> {
  if (events.length === 0) return;
  const rows = outboxRows(events);
  await trx.insertInto(table).values(rows).execute();
  const deliveries = deliveryRows(rows, channels);
  if (deliveries.length === 0) return;
  // The delivery table's row type differs from the outbox's; the inserter is the same transaction.
  const inserter = trx as unknown as Kysely<Record<string, Omit<OutboxDeliveryTable, 'seq'>>>;
  await inserter.insertInto(deliveryTableOf(table)).values(deliveries).execute();
}
