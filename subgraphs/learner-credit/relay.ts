import type { Kysely } from 'kysely';
import { emailChannel } from '../../lib/deliveries/email.js';
import { eventBusChannel } from '../../lib/deliveries/event-bus.js';
import { startDeliveries } from '../../lib/deliveries/relay.js';
import {
  byGroup,
  eachEvent,
  OutboxRelay,
  payloadField,
  payloadInt,
  payloadString,
  startOutboxRelay,
  type EventRoute,
} from '../../lib/outbox-relay.js';
import { isRefusal, notFound } from '../../lib/errors.js';
import { BUS_ROUTES } from './bus.js';
import { emailRoutes } from './emails.js';
import { CHANNELS, EVENTS, OUTBOX } from './events.js';
import { enrollmentRunOf, enrollWithTransaction, revokeTransactionFulfillments } from './remote.js';
import { failRefusedRedemption } from './mutations/index.js';
import { findPoliciesByUuids, findReversalsByTransactionUuids, findTransactionsByUuids } from './store/index.js';
import type { LearnerCreditDatabase } from './tables.js';

type DB = Kysely<LearnerCreditDatabase>;

/**
 * Where each event kind of `learner_credit_outbox` goes (README, "The outbox relay"). Consumers
 * call the customers subgraph's API with a service token; every delivery is idempotent.
 * External kinds are published to the event bus by the deliveries issue (15).
 */
export function relayRoutes(db: DB): Record<(typeof EVENTS)[keyof typeof EVENTS], EventRoute> {
  return {
    // A committed redemption enrolls the learner, paid by the transaction (redeem of a DIRECT
    // policy and of an accepted assignment alike: both write this event).
    [EVENTS.enrollmentRequested]: {
      consumer: 'customers.enrollWithFulfillment',
      deliver: eachEvent(async (event, authorization) => {
        const transactionUuid = payloadString(event.payload, 'learner_credit_course_enrollment', 'transaction_id');
        // Reversed before this delivery (a retry after an outage, say): enrolling now would
        // outlive the reversal, whose own delivery found nothing to revoke.
        if ((await findReversalsByTransactionUuids(db, [transactionUuid])).length) return;
        const [tx] = await findTransactionsByUuids(db, [transactionUuid]);
        if (tx?.state === 'FAILED') return;
        try {
          const contentKey = payloadString(event.payload, 'course_key');
          const courseRunKey = await enrollmentRunOf(contentKey, authorization);
          if (!courseRunKey) throw notFound(`${contentKey} has no advertised course run to enroll in`);
          await enrollWithTransaction(
            {
              enterpriseCustomerUuid: payloadString(event.payload, 'enterprise_customer_uuid'),
              lmsUserId: payloadInt(event.payload, 'lms_user_id'),
              courseRunKey,
              transactionUuid,
            },
            authorization,
          );
        } catch (error) {
          // Refused for good: the learner keeps no charge for an enrollment that cannot happen.
          // The row is still FAILED with the reason, for the operator (npm run outbox:failed).
          if (isRefusal(error)) await failRefusedRedemption(db, transactionUuid);
          throw error;
        }
      }),
    },
    // A reversal revokes the transaction's fulfillment and ends the enrollment.
    [EVENTS.transactionReversed]: {
      consumer: 'customers.revokeFulfillments',
      deliver: async (events, authorization) => {
        const policies = new Map(
          (
            await findPoliciesByUuids(db, [
              ...new Set(
                events.map((e) => String(payloadField(e.payload, 'ledger_transaction', 'subsidy_access_policy_uuid'))),
              ),
            ])
          ).map((p) => [p.uuid, p.enterpriseCustomerUuid]),
        );
        return byGroup(
          (event) => {
            const customer = policies.get(
              payloadString(event.payload, 'ledger_transaction', 'subsidy_access_policy_uuid'),
            );
            if (!customer) throw notFound('the reversed transaction has no policy');
            return customer;
          },
          async (customer, group, auth) => {
            await revokeTransactionFulfillments(
              customer,
              group.map((e) => payloadString(e.payload, 'ledger_transaction', 'uuid')),
              auth,
            );
          },
        )(events, authorization);
      },
    },
    [EVENTS.transactionCreated]: { external: 'event bus (bus.ts)' },
    [EVENTS.transactionCommitted]: { external: 'event bus (bus.ts)' },
    [EVENTS.transactionFailed]: { external: 'event bus (bus.ts)' },
    [EVENTS.subsidyRedeemed]: { external: 'event bus: subsidy.redeemed' },
    [EVENTS.assignmentAllocated]: { external: 'assignment email' },
    [EVENTS.assignmentReminded]: { external: 'reminder email' },
    [EVENTS.assignmentCancelled]: { external: 'cancellation email' },
    [EVENTS.assignmentExpired]: { external: 'expiration email' },
    [EVENTS.assignmentExpiring]: { external: 'expiring-soon email' },
  };
}

export function createRelay(db: DB): OutboxRelay {
  return new OutboxRelay(db, OUTBOX, relayRoutes(db));
}

/**
 * The graph's own consumers (the outbox relay) and the channels out of the graph: the Open edX
 * event bus and email (lib/deliveries), each with its own delivery state per event.
 */
export function startRelay(db: DB): () => Promise<void> {
  const stoppers = [
    startOutboxRelay(createRelay(db)),
    startDeliveries(db, OUTBOX, CHANNELS, [
      eventBusChannel('learner-credit', BUS_ROUTES),
      emailChannel('learner-credit', emailRoutes(db)),
    ]),
  ];
  return async () => {
    await Promise.all(stoppers.map((stop) => stop()));
  };
}
