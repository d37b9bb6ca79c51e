import type { Kysely } from 'kysely';
import type { SubscriptionsDatabase } from '../tables.js';
import { chunks } from './shared.js';

type DB = Kysely<SubscriptionsDatabase>;

// ---------------------------------------------------------------------------------------------
// Outbox delivery

export interface PendingOutboxEvent {
  id: string;
  aggregateKey: string;
  attempts: number;
}

/** Undelivered events of one type that have not used up their attempts, oldest first. */
export async function findUndeliveredEvents(db: DB, eventType: string, maxAttempts: number, limit: number): Promise<PendingOutboxEvent[]> {
  return db
    .selectFrom('subscriptions_outbox')
    .select(['id', 'aggregateKey', 'attempts'])
    .where('deliveredAt', 'is', null)
    .where('eventType', '=', eventType)
    .where('attempts', '<', maxAttempts)
    .orderBy('created')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function markEventsDelivered(db: DB, ids: readonly string[], now: Date): Promise<void> {
  for (const chunk of chunks(ids)) await db.updateTable('subscriptions_outbox').set({ deliveredAt: now }).where('id', 'in', chunk).execute();
}

/** A failed delivery: one more attempt used, or all of them when retrying cannot help. */
export async function markEventsFailed(db: DB, ids: readonly string[], giveUp: { attempts: number } | null): Promise<void> {
  for (const chunk of chunks(ids)) {
    await db
      .updateTable('subscriptions_outbox')
      .set((eb) => ({ attempts: giveUp ? giveUp.attempts : eb('attempts', '+', 1) }))
      .where('id', 'in', chunk)
      .execute();
  }
}
