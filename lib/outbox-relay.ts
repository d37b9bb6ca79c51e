import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { sql, type Kysely } from 'kysely';
import { mintServiceToken } from './auth/token.js';
import { startPoller } from './background.js';
import { intFromEnv } from './config.js';
import { columnTypes } from './db/migrate.js';
import type { AnyKysely } from './db/database.js';
import { badInput, isRefusal } from './errors.js';
import type { OutboxTable } from './outbox.js';
import { logger } from './observability/logger.js';

/**
 * The one relay of every subgraph's `<name>_outbox`: side effects on other subgraphs happen only
 * after the change that caused them committed. A pass:
 *
 * 1. claims a batch: PENDING rows whose retry time has come and whose lease is free or expired get
 *    this pass's claim token and a lease (`claimed_until`). The claim is one conditional UPDATE, so
 *    two relays (two processes, or a restart while an old lease is still running) never claim the
 *    same row while its lease holds; the relay's own SELECT then reads back what it won. Both
 *    statements run outside any transaction and see only committed rows: a rolled-back change
 *    left no row, so nothing is ever delivered for it.
 * 2. delivers each event type's rows to its consumer (a function calling the owner subgraph's API
 *    with a service token) or, for kinds published outside the graph, marks them
 *    EXTERNAL at once, so nothing piles up.
 * 3. marks what was delivered DELIVERED; a failure records `last_error`, counts the attempt and
 *    schedules the next one after an exponential backoff, or, after `maxAttempts` or at once for
 *    a refusal (bad input, not found: retrying cannot help), moves the row to FAILED.
 *
 * Delivery is at least once (a crash between the consumer's answer and the mark leaves the row
 * claimed; once the lease expires it is claimed again), so every consumer is idempotent.
 */

export interface RelayEvent {
  id: string;
  eventType: string;
  aggregateKey: string;
  payload: unknown;
  attempts: number;
}

/**
 * Delivers a batch of events of one type. Resolves to the failures by event id (an event not in
 * the map was delivered); a rejection fails the whole batch.
 */
export type DeliverBatch = (
  events: readonly RelayEvent[],
  authorization: string,
) => Promise<ReadonlyMap<string, unknown> | undefined>;

/** What happens to one event kind: a consumer inside the graph, or published outside it. */
export type EventRoute = { consumer: string; deliver: DeliverBatch } | { external: string };

export interface RelaySettings {
  /** Rows claimed per pass. */
  batchSize: number;
  /** How long a claim holds before another relay may take the row again. */
  leaseMs: number;
  /** Deliveries tried before the row is FAILED. */
  maxAttempts: number;
  /** First retry delay; each later one doubles, up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  pollMs: number;
}

export function relaySettings(): RelaySettings {
  return {
    batchSize: intFromEnv('OUTBOX_RELAY_BATCH', 100),
    leaseMs: intFromEnv('OUTBOX_RELAY_LEASE_MS', 60_000),
    maxAttempts: intFromEnv('OUTBOX_RELAY_MAX_ATTEMPTS', 5),
    backoffMs: intFromEnv('OUTBOX_RELAY_BACKOFF_MS', 1000),
    maxBackoffMs: intFromEnv('OUTBOX_RELAY_MAX_BACKOFF_MS', 300_000),
    pollMs: intFromEnv('OUTBOX_RELAY_POLL_MS', 2000),
  };
}

/** Delay before the retry that follows `attempts` failed deliveries. */
export function backoffDelay(attempts: number, settings: Pick<RelaySettings, 'backoffMs' | 'maxBackoffMs'>): number {
  return Math.min(settings.maxBackoffMs, settings.backoffMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * What one more failed delivery attempt leaves on a row (the outbox's or a channel delivery's):
 * retried after the backoff, or FAILED when `final` (a refusal) or out of attempts.
 */
export function failedAttempt(attemptsBefore: number, error: unknown, final: boolean, settings: RelaySettings) {
  const message = error instanceof Error ? error.message : String(error);
  const attempts = attemptsBefore + 1;
  const failed = final || attempts >= settings.maxAttempts;
  const next = failed ? null : new Date(Date.now() + backoffDelay(attempts, settings));
  return {
    message,
    failed,
    next,
    /** `, retry at <time>` or `, FAILED`, for the log line. */
    outcome: next ? `, retry at ${next.toISOString()}` : ', FAILED',
    set: {
      attempts,
      status: failed ? ('FAILED' as const) : ('PENDING' as const),
      nextAttemptAt: next,
      lastError: message.slice(0, 2000),
      claimedBy: null,
      claimedUntil: null,
    },
  };
}

/** Adds the relay's columns to an outbox table created by `createOutboxTable` (a new migration of each subgraph). */
export async function addRelayColumns(db: AnyKysely, table: string): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .alterTable(table)
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('PENDING'))
    .execute();
  await db.schema.alterTable(table).addColumn('next_attempt_at', t.datetime).execute();
  await db.schema.alterTable(table).addColumn('claimed_until', t.datetime).execute();
  await db.schema.alterTable(table).addColumn('claimed_by', 'varchar(64)').execute();
  await db.schema.alterTable(table).addColumn('last_error', t.text).execute();
  // Rows delivered by the earlier subscriptions relay keep their state.
  await sql`update ${sql.table(table)} set status = 'DELIVERED' where delivered_at is not null`.execute(db);
  await db.schema.createIndex(`${table}_relay`).on(table).columns(['status', 'next_attempt_at', 'created']).execute();
}

export async function dropRelayColumns(db: AnyKysely, table: string): Promise<void> {
  await db.schema.dropIndex(`${table}_relay`).on(table).execute();
  for (const column of ['last_error', 'claimed_by', 'claimed_until', 'next_attempt_at', 'status']) {
    await db.schema.alterTable(table).dropColumn(column).execute();
  }
}

/** After-commit wake-ups: runMutation emits one, so a new event does not wait for the next poll. */
const wakeups = new EventEmitter();
wakeups.setMaxListeners(0);

export function wakeOutboxRelays(): void {
  wakeups.emit('written');
}

/** The after-commit wake-up, for other relays of the outbox (lib/deliveries/relay.ts). */
export function subscribeOutboxWakeups(): { emitter: EventEmitter; event: string } {
  return { emitter: wakeups, event: 'written' };
}

/** Any subgraph's outbox table, typed for the relay (it never knows the subgraph's own database type). */
type RelayDatabase = Record<string, OutboxTable>;

/** One relay over one `<name>_outbox` table with its routing table (every event type it may hold). */
export class OutboxRelay {
  readonly owner = `relay-${randomUUID()}`;
  private readonly db: Kysely<RelayDatabase>;

  constructor(
    db: AnyKysely,
    readonly table: string,
    private readonly routes: Readonly<Record<string, EventRoute>>,
    private readonly settings: RelaySettings = relaySettings(),
    private readonly service: string = table.replace(/_outbox$/, '').replace(/_/g, '-'),
  ) {
    // The relay only touches its outbox table, whatever schema the subgraph's database has.
    this.db = db as Kysely<RelayDatabase>;
  }

  /** One pass: claim, deliver, mark. Returns the number of rows claimed (each ends settled or rescheduled). */
  async runOnce(now = new Date()): Promise<number> {
    const claimed = await this.claim(now);
    if (claimed.length === 0) return 0;
    const byType = new Map<string, RelayEvent[]>();
    for (const row of claimed) {
      const list = byType.get(row.eventType) ?? [];
      list.push({
        id: row.id,
        eventType: row.eventType,
        aggregateKey: row.aggregateKey,
        attempts: row.attempts,
        payload: decodePayload(row.payload),
      });
      byType.set(row.eventType, list);
    }
    let authorization: string | null = null;
    for (const [eventType, events] of byType) {
      const route = this.routes[eventType];
      if (!route) {
        await this.fail(events, new Error(`no consumer registered for ${eventType}`), true);
      } else if ('external' in route) {
        await this.settle(
          events.map((e) => e.id),
          'EXTERNAL',
        );
      } else {
        authorization ??= `JWT ${await mintServiceToken(this.service)}`;
        logger.info(
          `[${this.service}] outbox: delivering ${events.length} ${eventType} event(s) to ${route.consumer}, acting as service "${this.service}"`,
        );
        let failures: ReadonlyMap<string, unknown>;
        try {
          failures = (await route.deliver(events, authorization)) ?? new Map<string, unknown>();
        } catch (error) {
          failures = new Map(events.map((e) => [e.id, error]));
        }
        await this.settle(
          events.filter((e) => !failures.has(e.id)).map((e) => e.id),
          'DELIVERED',
        );
        for (const event of events) {
          if (failures.has(event.id))
            await this.fail([event], failures.get(event.id), isRefusal(failures.get(event.id)));
        }
      }
    }
    return claimed.length;
  }

  /** Runs passes until a pass claims less than a full batch (a wake-up or a poll drains the backlog). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n < this.settings.batchSize) return total;
    }
  }

  /** Claims up to batchSize rows for this pass; these statements run outside any transaction and see only committed rows. */
  private async claim(now: Date): Promise<OutboxTable[]> {
    const token = `${this.owner.slice(0, 40)}:${randomUUID().slice(0, 8)}`;
    const until = new Date(now.getTime() + this.settings.leaseMs);
    const candidates = await this.db
      .selectFrom(this.table)
      .select('id')
      .where('status', '=', 'PENDING')
      .where((eb) => eb.or([eb('nextAttemptAt', 'is', null), eb('nextAttemptAt', '<=', now)]))
      .where((eb) => eb.or([eb('claimedUntil', 'is', null), eb('claimedUntil', '<', now)]))
      .orderBy('created')
      .orderBy('id')
      .limit(this.settings.batchSize)
      .execute();
    if (candidates.length === 0) return [];
    // The lease conditions again: a row another relay claimed since the SELECT is not taken twice.
    await this.db
      .updateTable(this.table)
      .set({ claimedBy: token, claimedUntil: until })
      .where(
        'id',
        'in',
        candidates.map((r) => r.id),
      )
      .where('status', '=', 'PENDING')
      .where((eb) => eb.or([eb('claimedUntil', 'is', null), eb('claimedUntil', '<', now)]))
      .execute();
    return this.db
      .selectFrom(this.table)
      .selectAll()
      .where('claimedBy', '=', token)
      .orderBy('created')
      .orderBy('id')
      .execute();
  }

  private async settle(ids: readonly string[], status: 'DELIVERED' | 'EXTERNAL'): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable(this.table)
      .set({
        status,
        deliveredAt: status === 'DELIVERED' ? new Date() : null,
        claimedBy: null,
        claimedUntil: null,
        lastError: null,
      })
      .where('id', 'in', [...ids])
      .execute();
  }

  /** One more failed attempt: retried after the backoff, or FAILED when `final` or out of attempts. */
  private async fail(events: readonly RelayEvent[], error: unknown, final: boolean): Promise<void> {
    for (const event of events) {
      const attempt = failedAttempt(event.attempts, error, final, this.settings);
      logger.warn(
        `[${this.service}] outbox: ${event.eventType} ${event.id} failed (attempt ${attempt.set.attempts})${attempt.outcome}: ${attempt.message}`,
      );
      await this.db.updateTable(this.table).set(attempt.set).where('id', '=', event.id).execute();
    }
  }
}

/** The payload column: JSON text on SQLite, possibly already parsed by mysql2 for a JSON column. */
function decodePayload(payload: unknown): unknown {
  return typeof payload === 'string' ? (JSON.parse(payload) as unknown) : payload;
}

/** Runs a relay on its poll and after every committed mutation of this process; returns a stopper. */
export function startOutboxRelay(relay: OutboxRelay, pollMs = relaySettings().pollMs): () => Promise<void> {
  return startPoller({
    name: `${relay.table} relay`,
    work: () => relay.drain(),
    pollMs,
    wake: { emitter: wakeups, event: 'written' },
  });
}

/** A DeliverBatch that delivers each event on its own (the failures map names the ones that failed). */
export function eachEvent(deliver: (event: RelayEvent, authorization: string) => Promise<void>): DeliverBatch {
  return async (events, authorization) => {
    const failures = new Map<string, unknown>();
    for (const event of events) {
      try {
        await deliver(event, authorization);
      } catch (error) {
        failures.set(event.id, error);
      }
    }
    return failures;
  };
}

/** A field of an event payload (`payloadField(p, 'ledger_transaction', 'uuid')`); undefined when absent. */
export function payloadField(payload: unknown, ...path: string[]): unknown {
  let value = payload;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A string field a consumer needs; a payload without it is a refusal (FAILED at once: a retry cannot fix it). */
export function payloadString(payload: unknown, ...path: string[]): string {
  const value = payloadField(payload, ...path);
  if (typeof value !== 'string' || value === '') throw badInput(`event payload has no ${path.join('.')}`);
  return value;
}

export function payloadInt(payload: unknown, ...path: string[]): number {
  const value = payloadField(payload, ...path);
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw badInput(`event payload has no integer ${path.join('.')}`);
  return value;
}

/**
 * A DeliverBatch that groups events by a key (a customer) and delivers each group in one call;
 * a failed call fails the events of its group only.
 */
export function byGroup(
  keyOf: (event: RelayEvent) => string,
  deliver: (key: string, events: readonly RelayEvent[], authorization: string) => Promise<void>,
): DeliverBatch {
  return async (events, authorization) => {
    const failures = new Map<string, unknown>();
    const groups = new Map<string, RelayEvent[]>();
    for (const event of events) {
      let key: string;
      try {
        key = keyOf(event);
      } catch (error) {
        failures.set(event.id, error);
        continue;
      }
      groups.set(key, [...(groups.get(key) ?? []), event]);
    }
    for (const [key, group] of groups) {
      try {
        await deliver(key, group, authorization);
      } catch (error) {
        for (const event of group) failures.set(event.id, error);
      }
    }
    return failures;
  };
}
