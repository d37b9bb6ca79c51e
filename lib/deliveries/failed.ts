import type { Kysely } from 'kysely';
import type { AnyKysely } from '../db/database.js';
import { deliveryTableOf, type OutboxDeliveryTable, type OutboxTable } from '../outbox.js';

/** A delivery that gave up (status FAILED), in the graph (`channel: 'graph'`) or on a channel out of it. */
export interface FailedDelivery {
  subgraph: string;
  channel: 'graph' | 'bus' | 'email';
  /** The outbox row's id (the event's id). */
  id: string;
  eventType: string;
  aggregateKey: string;
  attempts: number;
  lastError: string | null;
  created: Date;
}

interface Tables {
  outbox: OutboxTable;
  delivery: OutboxDeliveryTable;
}

/**
 * The outboxes an operator looks at: each subgraph's `<name>_outbox` (its graph consumers) and
 * its `<name>_outbox_delivery` (bus, email) when it has one.
 */
export interface OutboxLocation {
  subgraph: string;
  table: string;
  deliveries: boolean;
}

/** Every FAILED row, oldest first. */
export async function listFailedDeliveries(
  db: AnyKysely,
  outboxes: readonly OutboxLocation[],
): Promise<FailedDelivery[]> {
  const k = db as unknown as Kysely<Tables>;
  const failed: FailedDelivery[] = [];
  for (const { subgraph, table, deliveries } of outboxes) {
    const graph = await k
      .selectFrom(table as 'outbox')
      .select(['id', 'eventType', 'aggregateKey', 'attempts', 'lastError', 'created'])
      .where('status', '=', 'FAILED')
      .orderBy('created')
      .execute();
    failed.push(...graph.map((r) => ({ subgraph, channel: 'graph' as const, ...r, created: new Date(r.created) })));
    if (!deliveries) continue;
    const rows = await k
      .selectFrom(deliveryTableOf(table) as 'delivery')
      .select(['outboxId', 'channel', 'eventType', 'aggregateKey', 'attempts', 'lastError', 'created'])
      .where('status', '=', 'FAILED')
      .orderBy('seq')
      .execute();
    failed.push(...rows.map(({ outboxId, ...r }) => ({ subgraph, id: outboxId, ...r, created: new Date(r.created) })));
  }
  return failed.sort((a, b) => a.created.getTime() - b.created.getTime());
}

/**
 * Sends FAILED rows again: back to PENDING with a fresh attempt count, due now (the relays pick
 * them up on their next poll). Only FAILED rows change; returns how many did.
 */
export async function retryFailedDeliveries(
  db: AnyKysely,
  outboxes: readonly OutboxLocation[],
  which: { ids?: readonly string[]; channel?: FailedDelivery['channel'] } = {},
): Promise<number> {
  const k = db as unknown as Kysely<Tables>;
  let changed = 0;
  const reset = { status: 'PENDING' as const, attempts: 0, nextAttemptAt: null, claimedBy: null, claimedUntil: null };
  for (const { table, deliveries } of outboxes) {
    if (!which.channel || which.channel === 'graph') {
      let update = k
        .updateTable(table as 'outbox')
        .set(reset)
        .where('status', '=', 'FAILED');
      if (which.ids) update = update.where('id', 'in', [...which.ids]);
      const [result] = await update.execute();
      changed += Number(result?.numUpdatedRows ?? 0);
    }
    if (!deliveries || which.channel === 'graph') continue;
    let update = k
      .updateTable(deliveryTableOf(table) as 'delivery')
      .set(reset)
      .where('status', '=', 'FAILED');
    if (which.channel) update = update.where('channel', '=', which.channel);
    if (which.ids) update = update.where('outboxId', 'in', [...which.ids]);
    const [result] = await update.execute();
    changed += Number(result?.numUpdatedRows ?? 0);
  }
  return changed;
}
