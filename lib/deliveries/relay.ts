import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { startPoller } from '../background.js';
import type { AnyKysely } from '../db/database.js';
import { isRefusal } from '../errors.js';
import { deliveryTableOf, type DeliveryChannelName, type OutboxDeliveryTable, type OutboxTable } from '../outbox.js';
import { failedAttempt, relaySettings, subscribeOutboxWakeups, type RelaySettings } from '../outbox-relay.js';
import { logger } from '../observability/logger.js';
import { deliveryOutcomes } from '../observability/metrics.js';

/** One outbox row as a channel sees it. */
export interface DeliveryEvent {
  /** The outbox row's id: the event's stable id on every channel (the bus message's `id`). */
  id: string;
  eventType: string;
  aggregateKey: string;
  payload: unknown;
  /** When the change was committed (the outbox row's `created`). */
  created: Date;
  attempts: number;
}

/** What a channel did with one event. */
export type DeliveryOutcome = 'DELIVERED' | 'SKIPPED';

/**
 * A way out of the graph (the event bus, email). `deliver` sends one event; a rejection is
 * retried after the backoff (or FAILED at once for a refusal: lib/errors.ts `isRefusal`).
 */
export interface DeliveryChannel {
  readonly name: DeliveryChannelName;
  /** Event types this channel knows how to send (checked against the outbox's channel table at start). */
  readonly eventTypes: readonly string[];
  deliver(event: DeliveryEvent): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

/**
 * The two tables the relay reads, under fixed names: the subgraph's real table names (`<name>_outbox`,
 * `<name>_outbox_delivery`) are cast to them where a query names a table.
 */
interface DeliveryDatabase {
  delivery: OutboxDeliveryTable;
  outbox: OutboxTable;
}

/**
 * The relay of one channel over one outbox's `<table>_delivery` rows: the same claim, lease,
 * backoff and FAILED state as the graph's own relay (lib/outbox-relay.ts), per channel, plus
 * order: a row is not sent while an earlier row of its aggregate key on this channel is still
 * pending (waiting for a retry or claimed by another relay), so each key's events go out in
 * commit order. A crash between a send and its mark sends the row again after the lease: the bus
 * producer drops an id it already published, so a stream never holds an id twice.
 */
export class DeliveryRelay {
  readonly owner = randomUUID();
  private readonly db: Kysely<DeliveryDatabase>;
  private readonly table: 'delivery';

  constructor(
    db: AnyKysely,
    private readonly outboxTable: string,
    private readonly channel: DeliveryChannel,
    private readonly settings: RelaySettings = relaySettings(),
    private readonly service: string = outboxTable.replace(/_outbox$/, '').replace(/_/g, '-'),
  ) {
    this.db = db as Kysely<DeliveryDatabase>;
    this.table = deliveryTableOf(outboxTable) as 'delivery';
  }

  /** One pass: claim, send in seq order, mark. Returns the number of rows claimed. */
  async runOnce(now = new Date()): Promise<number> {
    const claimed = await this.claim(now);
    if (claimed.length === 0) return 0;
    const held = new Map<string, Date>();
    for (const row of claimed) {
      // An earlier row of this key failed in this pass: keep the order, wait for its retry.
      const after = held.get(row.aggregateKey);
      if (after) {
        await this.release(row.seq, after);
        continue;
      }
      const event: DeliveryEvent = {
        id: row.outboxId,
        eventType: row.eventType,
        aggregateKey: row.aggregateKey,
        payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload,
        created: new Date(row.outboxCreated),
        attempts: row.attempts,
      };
      let outcome: DeliveryOutcome;
      try {
        outcome = await this.channel.deliver(event);
      } catch (error) {
        const next = await this.fail(row, error, isRefusal(error));
        if (next) held.set(row.aggregateKey, next);
        continue;
      }
      await this.settle(row.seq, outcome);
    }
    return claimed.length;
  }

  /** Passes until one claims less than a full batch. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n < this.settings.batchSize) return total;
    }
  }

  private async claim(now: Date) {
    const token = `${this.owner.slice(0, 40)}:${randomUUID().slice(0, 8)}`;
    const until = new Date(now.getTime() + this.settings.leaseMs);
    const candidates = await this.db
      .selectFrom(this.table)
      .select(['seq', 'aggregateKey'])
      .where('channel', '=', this.channel.name)
      .where('status', '=', 'PENDING')
      .where((eb) => eb.or([eb('nextAttemptAt', 'is', null), eb('nextAttemptAt', '<=', now)]))
      .where((eb) => eb.or([eb('claimedUntil', 'is', null), eb('claimedUntil', '<', now)]))
      .orderBy('seq')
      .limit(this.settings.batchSize)
      .execute();
    if (candidates.length === 0) return [];
    // Keys with an earlier row that is waiting for a retry or held by another relay: their later rows wait.
    const blocked = await this.db
      .selectFrom(this.table)
      .select(['aggregateKey', (eb) => eb.fn.min('seq').as('first')])
      .where('channel', '=', this.channel.name)
      .where('status', '=', 'PENDING')
      .where('aggregateKey', 'in', [...new Set(candidates.map((c) => c.aggregateKey))])
      .where((eb) => eb.or([eb('nextAttemptAt', '>', now), eb('claimedUntil', '>=', now)]))
      .groupBy('aggregateKey')
      .execute();
    const firstBlocked = new Map(blocked.map((b) => [b.aggregateKey, b.first]));
    const free = candidates
      .filter((c) => {
        const first = firstBlocked.get(c.aggregateKey);
        return first === undefined || c.seq < first;
      })
      .map((c) => c.seq);
    if (free.length === 0) return [];
    await this.db
      .updateTable(this.table)
      .set({ claimedBy: token, claimedUntil: until })
      .where('seq', 'in', free)
      .where('status', '=', 'PENDING')
      .where((eb) => eb.or([eb('claimedUntil', 'is', null), eb('claimedUntil', '<', now)]))
      .execute();
    const rows = await this.db
      .selectFrom(`${this.table} as d` as 'delivery as d')
      .innerJoin(`${this.outboxTable} as o` as 'outbox as o', 'o.id', 'd.outboxId')
      .select([
        'd.seq',
        'd.outboxId',
        'd.eventType',
        'd.aggregateKey',
        'd.attempts',
        'o.payload',
        'o.created as outboxCreated',
      ])
      .where('d.claimedBy', '=', token)
      .orderBy('d.seq')
      .execute();
    return rows;
  }

  private async settle(seq: number, status: DeliveryOutcome): Promise<void> {
    deliveryOutcomes.inc({ subgraph: this.service, channel: this.channel.name, outcome: status.toLowerCase() });
    await this.db
      .updateTable(this.table)
      .set({ status, deliveredAt: new Date(), claimedBy: null, claimedUntil: null, lastError: null })
      .where('seq', '=', seq)
      .execute();
  }

  /** Gives a claimed row back untouched (its attempt did not happen), to be tried after `at`. */
  private async release(seq: number, at: Date): Promise<void> {
    await this.db
      .updateTable(this.table)
      .set({ claimedBy: null, claimedUntil: null, nextAttemptAt: at })
      .where('seq', '=', seq)
      .execute();
  }

  /** One more failed attempt; returns the retry time, or null when the row is now FAILED. */
  private async fail(
    row: { seq: number; outboxId: string; eventType: string; attempts: number },
    error: unknown,
    final: boolean,
  ): Promise<Date | null> {
    const attempt = failedAttempt(row.attempts, error, final, this.settings);
    deliveryOutcomes.inc({
      subgraph: this.service,
      channel: this.channel.name,
      outcome: attempt.failed ? 'failed' : 'retried',
    });
    logger.warn(
      {
        subgraph: this.service,
        channel: this.channel.name,
        eventType: row.eventType,
        id: row.outboxId,
        attempts: attempt.set.attempts,
      },
      `[${this.service}] ${this.channel.name}: ${row.eventType} ${row.outboxId} failed (attempt ${attempt.set.attempts})${attempt.outcome}: ${attempt.message}`,
    );
    await this.db.updateTable(this.table).set(attempt.set).where('seq', '=', row.seq).execute();
    // A FAILED row no longer holds its key: later events of the key go on.
    return attempt.next;
  }
}

/**
 * Runs one relay per channel over an outbox's deliveries, on the poll and after every committed
 * mutation; checks that each channel can send every event type the outbox routes to it. Returns a
 * stopper that waits for the passes in flight and closes the channels.
 */
export function startDeliveries(
  db: AnyKysely,
  outboxTable: string,
  routed: Readonly<Record<string, readonly DeliveryChannelName[]>>,
  channels: readonly DeliveryChannel[],
  settings: RelaySettings = relaySettings(),
): () => Promise<void> {
  assertRoutes(routed, channels);
  const stoppers = channels.map((channel) => {
    const relay = new DeliveryRelay(db, outboxTable, channel, settings);
    return startPoller({
      name: `${outboxTable} ${channel.name} deliveries`,
      work: () => relay.drain(),
      pollMs: settings.pollMs,
      wake: subscribeOutboxWakeups(),
    });
  });
  return async () => {
    await Promise.all(stoppers.map((stop) => stop()));
    await Promise.all(channels.map((c) => c.close()));
  };
}

/** Every event type routed to a channel has a sender there (a missing one would FAIL every such row). */
export function assertRoutes(
  routed: Readonly<Record<string, readonly DeliveryChannelName[]>>,
  channels: readonly DeliveryChannel[],
): void {
  for (const [eventType, names] of Object.entries(routed)) {
    for (const name of names) {
      const channel = channels.find((c) => c.name === name);
      if (!channel?.eventTypes.includes(eventType))
        throw new Error(`${eventType} is routed to ${name} but no ${name} sender handles it`);
    }
  }
}
