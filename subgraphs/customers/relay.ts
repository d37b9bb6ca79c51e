import type { Kysely } from 'kysely';
import { OutboxRelay, startOutboxRelay, type EventRoute } from '../../lib/outbox-relay.js';
import { EVENTS, OUTBOX } from './events.js';
import type { CustomersDatabase } from './tables.js';

type DB = Kysely<CustomersDatabase>;

/**
 * Where each event kind of `customers_outbox` goes (README, "The outbox relay"): the customers
 * subgraph owns enrollments and learners, so nothing inside the graph consumes its events; all of
 * them are for the LMS, the event bus and email, which deliver them outside the graph.
 */
export const RELAY_ROUTES: Record<(typeof EVENTS)[keyof typeof EVENTS], EventRoute> = {
  [EVENTS.learnerLinked]: { external: 'event bus (issue 15)' },
  [EVENTS.learnerUnlinked]: { external: 'event bus (issue 15)' },
  [EVENTS.learnerActivated]: { external: 'event bus: the active customer changed (issue 15)' },
  [EVENTS.customerUpdated]: { external: 'event bus: portal settings changed (issue 15)' },
  [EVENTS.enrollmentCreated]: { external: 'LMS enrollment / event bus (issue 15)' },
  [EVENTS.enrollmentUnenrolled]: { external: 'LMS unenrollment / event bus (issue 15)' },
  [EVENTS.fulfillmentCreated]: { external: 'event bus (issue 15)' },
  [EVENTS.learnerCreditEnrollmentRevoked]: {
    external: 'event bus: learner_credit_course_enrollment.revoked (issue 15)',
  },
  [EVENTS.licensedEnrollmentRevoked]: { external: 'event bus (issue 15)' },
  [EVENTS.enrollmentNotification]: { external: 'enrollment email (issue 15)' },
  [EVENTS.consentChanged]: { external: 'event bus (issue 15)' },
};

export function createRelay(db: DB): OutboxRelay {
  return new OutboxRelay(db, OUTBOX, RELAY_ROUTES);
}

export function startRelay(db: DB): () => Promise<void> {
  return startOutboxRelay(createRelay(db));
}
