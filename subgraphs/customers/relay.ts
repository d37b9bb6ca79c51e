import type { Kysely } from 'kysely';
import { emailChannel } from '../../lib/deliveries/email.js';
import { eventBusChannel } from '../../lib/deliveries/event-bus.js';
import { startDeliveries } from '../../lib/deliveries/relay.js';
import { OutboxRelay, startOutboxRelay, type EventRoute } from '../../lib/outbox-relay.js';
import { busRoutes } from './bus.js';
import { emailRoutes } from './emails.js';
import { CHANNELS, EVENTS, OUTBOX } from './events.js';
import type { CustomersDatabase } from './tables.js';

type DB = Kysely<CustomersDatabase>;

/**
 * Where each event kind of `customers_outbox` goes (README, "The outbox relay"): the customers
 * subgraph owns enrollments and learners, so nothing inside the graph consumes its events; all of
 * them are for the LMS, the event bus and email, which deliver them outside the graph.
 */
export const RELAY_ROUTES: Record<(typeof EVENTS)[keyof typeof EVENTS], EventRoute> = {
  [EVENTS.learnerLinked]: { external: 'event bus ' },
  [EVENTS.learnerUnlinked]: { external: 'event bus ' },
  [EVENTS.learnerActivated]: { external: 'event bus: the active customer changed ' },
  [EVENTS.customerUpdated]: { external: 'event bus: portal settings changed ' },
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
