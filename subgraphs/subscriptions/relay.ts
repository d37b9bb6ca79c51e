import type { Kysely } from 'kysely';
import { emailChannel } from '../../lib/deliveries/email.js';
import { eventBusChannel } from '../../lib/deliveries/event-bus.js';
import { startDeliveries } from '../../lib/deliveries/relay.js';
import { byGroup, OutboxRelay, payloadString, startOutboxRelay, type EventRoute } from '../../lib/outbox-relay.js';
import { emailRoutes } from './emails.js';
import { CHANNELS, EventType, OUTBOX_TABLE } from './events.js';
import { linkLearners, revokeLicenseFulfillments } from './remote.js';
import type { SubscriptionsDatabase } from './tables.js';

type DB = Kysely<SubscriptionsDatabase>;

/**
 * Where each event kind of `subscriptions_outbox` goes (README, "The outbox relay"). Consumers
 * call the customers subgraph's API with a service token, one call per customer per batch; both
 * are idempotent (linking, revoking). External kinds are left for the deliveries issue (15).
 */
export const RELAY_ROUTES: Record<(typeof EventType)[keyof typeof EventType], EventRoute> = {
  // license-manager's post-assignment `pending-enterprise-learner` call: existing LMS users are
  // linked, unknown emails become pending learners. aggregateKey is `<customer uuid>:<email>`.
  [EventType.LEARNER_LINK_REQUESTED]: {
    consumer: 'customers.linkLearners',
    deliver: byGroup(
      (event) => payloadString(event.payload, 'enterprise_customer_uuid'),
      async (customer, events, authorization) => {
        await linkLearners(
          customer,
          [...new Set(events.map((e) => payloadString(e.payload, 'user_email')))],
          authorization,
        );
      },
    ),
  },
  // edx-enterprise `license_revoke`: the revoked license's enrollments are revoked and end.
  [EventType.LICENSED_ENROLLMENTS_REVOKED]: {
    consumer: 'customers.revokeFulfillments',
    deliver: byGroup(
      (event) => payloadString(event.payload, 'enterprise_customer_uuid'),
      async (customer, events, authorization) => {
        await revokeLicenseFulfillments(
          customer,
          [...new Set(events.map((e) => payloadString(e.payload, 'license_uuid')))],
          authorization,
        );
      },
    ),
  },
  [EventType.LICENSE_ASSIGNED]: { external: 'event bus' },
  [EventType.ASSIGNMENT_EMAIL_REQUESTED]: { external: 'license assignment email' },
  [EventType.REMINDER_EMAIL_REQUESTED]: { external: 'license reminder email' },
  [EventType.LICENSE_ACTIVATED]: { external: 'post-activation email / event bus' },
  [EventType.LICENSE_REVOKED]: { external: 'event bus' },
};

export function createRelay(db: DB): OutboxRelay {
  return new OutboxRelay(db, OUTBOX_TABLE, RELAY_ROUTES);
}

/**
 * The graph's own consumers (the outbox relay) and the channels out of the graph: the Open edX
 * event bus and email (lib/deliveries), each with its own delivery state per event.
 */
export function startRelay(db: DB): () => Promise<void> {
  const stoppers = [
    startOutboxRelay(createRelay(db)),
    startDeliveries(db, OUTBOX_TABLE, CHANNELS, [
      eventBusChannel('subscriptions', {}),
      emailChannel('subscriptions', emailRoutes(db)),
    ]),
  ];
  return async () => {
    await Promise.all(stoppers.map((stop) => stop()));
  };
}
