import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import { startPoller } from '../../lib/background.js';
import { logger } from '../../lib/observability/logger.js';
import { mintServiceToken } from '../../lib/auth/token.js';
import { settings } from '../../lib/config.js';
import { isRefusal } from '../../lib/errors.js';
import { EventType } from './events.js';
import { linkLearners } from './remote.js';
import { findUndeliveredEvents, markEventsDelivered, markEventsFailed } from './store/index.js';
import type { SubscriptionsDatabase } from './tables.js';

type DB = Kysely<SubscriptionsDatabase>;

const SERVICE = 'subscriptions';
/** Events read per pass; linkLearners takes at most 1000 emails per call. */
const BATCH = 1000;
/** Deliveries tried per event before it is left for an operator to look at. */
export const MAX_DELIVERY_ATTEMPTS = 5;

/** Assignments wake the relay of this process right after they commit. */
const eventsWritten = new EventEmitter();
eventsWritten.setMaxListeners(0);

export function wakeOutboxRelays(): void {
  eventsWritten.emit('written');
}

/**
 * Delivers the outbox's learner-link requests (license-manager's post-assignment
 * `pending-enterprise-learner` call) through the customers subgraph's linkLearners: existing LMS
 * users are linked, unknown emails become pending learners. Delivery is at least once (linking is
 * idempotent). The other events of this outbox wait for the event-bus relay.
 */
export async function relayLearnerLinks(db: DB): Promise<number> {
  const events = await findUndeliveredEvents(db, EventType.LEARNER_LINK_REQUESTED, MAX_DELIVERY_ATTEMPTS, BATCH);
  if (!events.length) return 0;
  const authorization = `JWT ${await mintServiceToken(SERVICE)}`;
  logger.info({ piece: 'subscriptions', events: events.length }, `[subscriptions] outbox: delivering ${events.length} learner-link request(s), acting as service "${SERVICE}"`);
  // aggregateKey is `<customer uuid>:<email>` (events.ts).
  const byCustomer = new Map<string, { ids: string[]; emails: Set<string> }>();
  for (const event of events) {
    const separator = event.aggregateKey.indexOf(':');
    const customer = event.aggregateKey.slice(0, separator);
    const group = byCustomer.get(customer) ?? { ids: [], emails: new Set<string>() };
    group.ids.push(event.id);
    group.emails.add(event.aggregateKey.slice(separator + 1));
    byCustomer.set(customer, group);
  }
  let delivered = 0;
  for (const [enterpriseCustomerUuid, group] of byCustomer) {
    try {
      await linkLearners(enterpriseCustomerUuid, [...group.emails], authorization);
      await markEventsDelivered(db, group.ids, new Date());
      delivered += group.ids.length;
    } catch (error) {
      // A refusal (unknown customer, bad email) will not change on retry; an outage may.
      const final = isRefusal(error);
      logger.error({ piece: 'subscriptions', err: error }, `[subscriptions] outbox: linking learners of ${enterpriseCustomerUuid} failed${final ? '' : ', will retry'}: ${(error as Error).message}`);
      await markEventsFailed(db, group.ids, final ? { attempts: MAX_DELIVERY_ATTEMPTS } : null);
    }
  }
  return delivered;
}

/** Runs relayLearnerLinks on a poll and whenever this process writes events; returns a stopper. */
export function startOutboxRelay(db: DB, pollMs = settings.subscriptionsJobPollMs()): () => Promise<void> {
  return startPoller({ name: 'subscriptions outbox relay', work: () => relayLearnerLinks(db), pollMs, wake: { emitter: eventsWritten, event: 'written' } });
}
