import type { Transaction } from 'kysely';
import { enqueueEvents, type DeliveryChannelName, type OutboxEvent } from '../../lib/outbox.js';
import type { AssignmentRow, LearnerCreditDatabase, LedgerReversalRow, LedgerTransactionRow } from './tables.js';

/** This subgraph's outbox table (created by migration 0001). */
export const OUTBOX = 'learner_credit_outbox';

/** Events go to the outbox in the transaction that makes the change (delivered after commit). */
export function writeEvents(trx: Transaction<LearnerCreditDatabase>, events: readonly OutboxEvent[]): Promise<void> {
  return enqueueEvents(trx, OUTBOX, events, CHANNELS);
}

/** openedx-events types of the events this subgraph emits. */
export const EVENTS = {
  transactionCreated: 'org.openedx.enterprise.subsidy_ledger_transaction.created.v1',
  transactionCommitted: 'org.openedx.enterprise.subsidy_ledger_transaction.committed.v1',
  transactionReversed: 'org.openedx.enterprise.subsidy_ledger_transaction.reversed.v1',
  /** A committed transaction whose enrollment the LMS refused: its quantity returns to the ledger. */
  transactionFailed: 'org.openedx.enterprise.subsidy_ledger_transaction.failed.v1',
  subsidyRedeemed: 'org.openedx.enterprise.subsidy.redeemed.v1',
  enrollmentRequested: 'org.openedx.enterprise.learner_credit_course_enrollment.requested.v1',
  assignmentAllocated: 'org.openedx.enterprise.learner_content_assignment.allocated.v1',
  assignmentReminded: 'org.openedx.enterprise.learner_content_assignment.reminded.v1',
  assignmentCancelled: 'org.openedx.enterprise.learner_content_assignment.cancelled.v1',
  assignmentExpired: 'org.openedx.enterprise.learner_content_assignment.expired.v1',
  /** An ALLOCATED assignment is a few days from its earliest possible expiration (the expiry warning pass, expiry.ts). */
  assignmentExpiring: 'org.openedx.enterprise.learner_content_assignment.expiring.v1',
} as const;

export type EventType = (typeof EVENTS)[keyof typeof EVENTS];

/**
 * Which channels outside the graph carry each event (README, "Events and email"): the ledger's
 * lifecycle goes on the Open edX event bus (bus.ts), assignment notices go by email (emails.ts).
 * The rest is for the graph's own consumers (relay.ts).
 */
export const CHANNELS: Record<EventType, readonly DeliveryChannelName[]> = {
  [EVENTS.transactionCreated]: ['bus'],
  [EVENTS.transactionCommitted]: ['bus'],
  [EVENTS.transactionReversed]: ['bus'],
  [EVENTS.transactionFailed]: ['bus'],
  [EVENTS.subsidyRedeemed]: [],
  [EVENTS.enrollmentRequested]: [],
  [EVENTS.assignmentAllocated]: ['email'],
  [EVENTS.assignmentReminded]: ['email'],
  [EVENTS.assignmentCancelled]: ['email'],
  [EVENTS.assignmentExpired]: [],
  [EVENTS.assignmentExpiring]: ['email'],
};

/** openedx-events `LedgerTransaction` (with its reversal). */
export function transactionEventPayload(tx: LedgerTransactionRow, reversal: LedgerReversalRow | null) {
  return {
    ledger_transaction: {
      uuid: tx.uuid,
      created: tx.created.toISOString(),
      modified: tx.modified.toISOString(),
      idempotency_key: tx.idempotencyKey,
      quantity: tx.quantity,
      state: tx.state.toLowerCase(),
      ledger_uuid: tx.ledgerUuid,
      subsidy_access_policy_uuid: tx.subsidyAccessPolicyUuid,
      lms_user_id: tx.lmsUserId,
      content_key: tx.contentKey,
      parent_content_key: tx.parentContentKey,
      fulfillment_identifier: tx.fulfillmentIdentifier,
      reversal: reversal
        ? {
            uuid: reversal.uuid,
            created: reversal.created.toISOString(),
            modified: reversal.modified.toISOString(),
            idempotency_key: reversal.idempotencyKey,
            quantity: reversal.quantity,
            state: reversal.state.toLowerCase(),
          }
        : null,
    },
  };
}

/** The events of a redemption: the committed transaction, the subsidy redemption and the enrollment request. */
export function redemptionEvents(
  tx: LedgerTransactionRow,
  policy: { uuid: string; enterpriseCustomerUuid: string },
): OutboxEvent[] {
  const at = tx.created.toISOString();
  // openedx-ledger announces the transaction when it is created, then when it is committed; both
  // happen in this one database transaction, in that order.
  const created = transactionEventPayload(tx, null);
  return [
    {
      eventType: EVENTS.transactionCreated,
      aggregateKey: tx.uuid,
      payload: { ledger_transaction: { ...created.ledger_transaction, state: 'created' } },
    },
    { eventType: EVENTS.transactionCommitted, aggregateKey: tx.uuid, payload: transactionEventPayload(tx, null) },
    {
      eventType: EVENTS.subsidyRedeemed,
      aggregateKey: policy.uuid,
      payload: {
        redemption: { subsidy_identifier: policy.uuid, content_key: tx.contentKey, lms_user_id: tx.lmsUserId },
      },
    },
    {
      eventType: EVENTS.enrollmentRequested,
      aggregateKey: tx.uuid,
      payload: {
        enterprise_customer_uuid: policy.enterpriseCustomerUuid,
        lms_user_id: tx.lmsUserId,
        course_key: tx.contentKey,
        learner_credit_course_enrollment: {
          uuid: tx.fulfillmentIdentifier,
          created: at,
          modified: at,
          fulfillment_type: 'learner_credit',
          is_revoked: false,
          transaction_id: tx.uuid,
        },
      },
    },
  ];
}

/** openedx-events `LearnerContentAssignment`. */
export function assignmentEvent(
  eventType: string,
  row: Pick<
    AssignmentRow,
    'uuid' | 'assignmentConfigurationUuid' | 'learnerEmail' | 'lmsUserId' | 'contentKey' | 'contentQuantity'
  >,
  customerUuid: string,
): OutboxEvent {
  return {
    eventType,
    aggregateKey: row.uuid,
    payload: {
      assignment: {
        uuid: row.uuid,
        assignment_configuration: row.assignmentConfigurationUuid,
        enterprise_customer_uuid: customerUuid,
        learner_email: row.learnerEmail,
        lms_user_id: row.lmsUserId,
        content_key: row.contentKey,
        content_quantity: row.contentQuantity,
      },
    },
  };
}
