import type { Kysely } from 'kysely';
import { emailChannel } from '../../lib/deliveries/email.js';
import { eventBusChannel } from '../../lib/deliveries/event-bus.js';
import { startDeliveries } from '../../lib/deliveries/relay.js';
import { OutboxRelay, payloadString, startOutboxRelay, type EventRoute } from '../../lib/outbox-relay.js';
import { customerFactsChanged } from './remote.js';
import { busRoutes } from './bus.js';
import { emailRoutes } from './emails.js';
import { CHANNELS, EVENTS, OUTBOX } from './events.js';
import type { CustomersDatabase } from './tables.js';

type DB = Kysely<CustomersDatabase>;

/**
 * Where each event kind of `customers_outbox` goes (README, "The outbox relay"): the customers
 * subgraph owns enrollments and learners, so inside the graph only the catalog's cache of customer
 * facts consumes one; the rest leave the graph on the event bus and by email (`CHANNELS`).
 */
export const RELAY_ROUTES: Record<(typeof EVENTS)[keyof typeof EVENTS], EventRoute> = {
  [EVENTS.learnerLinked]: { external: 'event bus ' },
  [EVENTS.learnerUnlinked]: { external: 'event bus ' },
  [EVENTS.learnerActivated]: { external: 'event bus: the active customer changed ' },
  // The catalog keeps a customer's slug, name and portal flag for its URLs: it forgets them now.
  [EVENTS.customerUpdated]: {
    consumer: 'catalog.customerFactsChanged',
    deliver: async (events, authorization) => {
      await customerFactsChanged(
        [...new Set(events.map((e) => payloadString(e.payload, 'enterprise_customer_uuid')))],
        authorization,
      );
      return undefined;
    },
  },
  [EVENTS.enrollmentCreated]: { external: 'LMS enrollment / event bus ' },
  [EVENTS.enrollmentUnenrolled]: { external: 'LMS unenrollment / event bus ' },
  [EVENTS.enrollmentChanged]: { external: 'event bus' },
  [EVENTS.fulfillmentCreated]: { external: 'event bus ' },
  [EVENTS.learnerCreditEnrollmentRevoked]: {
    external: 'event bus: learner_credit_course_enrollment.revoked ',
  },
  [EVENTS.licensedEnrollmentRevoked]: { external: 'event bus ' },
  [EVENTS.enrollmentNotification]: { external: 'enrollment email ' },
  [EVENTS.consentChanged]: { external: 'event bus ' },
};

export function createRelay(db: DB): OutboxRelay {
  return new OutboxRelay(db, OUTBOX, RELAY_ROUTES);
}

/**
 * The graph's own consumers (the outbox relay) and the channels out of the graph: the Open edX
 * event bus and email (lib/deliveries), each with its own delivery state per event.
 */
export function startRelay(db: DB): () => Promise<void> {
  const stoppers = [
    startOutboxRelay(createRelay(db)),
    startDeliveries(db, OUTBOX, CHANNELS, [
      eventBusChannel('customers', busRoutes(db)),
      emailChannel('customers', emailRoutes(db)),
    ]),
  ];
  return async () => {
    await Promise.all(stoppers.map((stop) => stop()));
  };
}
