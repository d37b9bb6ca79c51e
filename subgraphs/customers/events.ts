import type { Transaction } from 'kysely';
import { enqueueEvents, type DeliveryChannelName, type OutboxEvent } from '../../lib/outbox.js';
import type { CustomersDatabase, EnrollmentFulfillmentRow, EnterpriseCourseEnrollmentRow } from './tables.js';

/** This subgraph's outbox table (created by migration 0001). */
export const OUTBOX = 'customers_outbox';
/** Event types written to `customers_outbox`; payloads follow the openedx-events data classes. */
export const EVENTS = {
  learnerLinked: 'org.openedx.enterprise.enterprise_customer_user.linked.v1',
  learnerUnlinked: 'org.openedx.enterprise.enterprise_customer_user.unlinked.v1',
  /** A user switched its active customer (setActiveEnterpriseCustomer). */
  learnerActivated: 'org.openedx.enterprise.enterprise_customer_user.activated.v1',
  /** Portal settings, flags or branding of a customer changed (updateEnterpriseCustomer): one per changed field. */
  customerUpdated: 'org.openedx.enterprise.enterprise_customer.updated.v1',
  enrollmentCreated: 'org.openedx.enterprise.enterprise_course_enrollment.created.v1',
  enrollmentUnenrolled: 'org.openedx.enterprise.enterprise_course_enrollment.unenrolled.v1',
  /** The enrollment's mode or activity changed without an unenrollment (a revoked license's move to audit). */
  enrollmentChanged: 'org.openedx.enterprise.enterprise_course_enrollment.changed.v1',
  fulfillmentCreated: 'org.openedx.enterprise.enterprise_fulfillment.created.v1',
  learnerCreditEnrollmentRevoked: 'org.openedx.enterprise.learner_credit_course_enrollment.revoked.v1',
  licensedEnrollmentRevoked: 'org.openedx.enterprise.licensed_enterprise_course_enrollment.revoked.v1',
  enrollmentNotification: 'org.openedx.enterprise.enterprise_course_enrollment.notification.requested.v1',
  consentChanged: 'org.openedx.enterprise.data_sharing_consent.changed.v1',
} as const;

export type EventType = (typeof EVENTS)[keyof typeof EVENTS];

/**
 * Which channels outside the graph carry each event (README, "Events and email"): enrollments go
 * on the Open edX event bus as the LMS's own course enrollment events and the learner credit
 * revocation as openedx-events' (bus.ts); enrollment notifications go by email (emails.ts).
 */
export const CHANNELS: Record<EventType, readonly DeliveryChannelName[]> = {
  [EVENTS.learnerLinked]: [],
  [EVENTS.learnerUnlinked]: [],
  [EVENTS.learnerActivated]: [],
  [EVENTS.customerUpdated]: [],
  [EVENTS.enrollmentCreated]: ['bus'],
  [EVENTS.enrollmentUnenrolled]: ['bus'],
  [EVENTS.enrollmentChanged]: ['bus'],
  [EVENTS.fulfillmentCreated]: [],
  [EVENTS.learnerCreditEnrollmentRevoked]: ['bus'],
  [EVENTS.licensedEnrollmentRevoked]: [],
  [EVENTS.enrollmentNotification]: ['email'],
  [EVENTS.consentChanged]: [],
};

/** Side effects are written in the caller's transaction: a rolled-back change announces nothing. */
export function writeEvents(trx: Transaction<CustomersDatabase>, events: readonly OutboxEvent[]): Promise<void> {
  return enqueueEvents(trx, OUTBOX, events, CHANNELS);
}

/** openedx-events `EnterpriseCustomerUser`. */
export function learnerPayload(link: {
  id: number;
  created: Date;
  modified: Date;
  enterpriseCustomerUuid: string;
  lmsUserId: number;
  active: boolean;
  linked: boolean;
  isRelinkable: boolean;
  inviteKeyUuid: string | null;
}) {
  return {
    id: link.id,
    created: link.created.toISOString(),
    modified: link.modified.toISOString(),
    enterprise_customer_uuid: link.enterpriseCustomerUuid,
    user_id: link.lmsUserId,
    active: link.active,
    linked: link.linked,
    is_relinkable: link.isRelinkable,
    should_inactivate_other_customers: true,
    invite_key: link.inviteKeyUuid,
  };
}

/** openedx-events `EnterpriseCourseEnrollment`. */
export function enrollmentEvent(
  enrollment: EnterpriseCourseEnrollmentRow,
  customerUuid: string,
  userId: number,
): OutboxEvent {
  return {
    eventType: EVENTS.enrollmentCreated,
    aggregateKey: `${customerUuid}:${userId}`,
    payload: {
      id: enrollment.id,
      created: enrollment.created.toISOString(),
      modified: enrollment.modified.toISOString(),
      enterprise_customer_user: {
        id: enrollment.enterpriseCustomerUserId,
        enterprise_customer_uuid: customerUuid,
        user_id: userId,
      },
      course_id: enrollment.courseRunKey,
      saved_for_later: enrollment.savedForLater,
      source_slug: enrollment.source,
      unenrolled: enrollment.unenrolled,
      unenrolled_at: enrollment.unenrolledAt?.toISOString() ?? null,
      // The LMS enrollment's side (course.enrollment events on the bus: bus.ts).
      mode: enrollment.mode,
      is_active: enrollment.isActive,
    },
  };
}

/** openedx-events `LicensedEnterpriseCourseEnrollment` / `LearnerCreditEnterpriseCourseEnrollment`. */
export function fulfillmentPayload(fulfillment: EnrollmentFulfillmentRow, enrollment: unknown) {
  return {
    uuid: fulfillment.uuid,
    created: fulfillment.created.toISOString(),
    modified: fulfillment.modified.toISOString(),
    fulfillment_type: fulfillment.fulfillmentType,
    is_revoked: fulfillment.isRevoked,
    enterprise_course_entitlement_uuid: null,
    enterprise_course_enrollment: enrollment,
    ...(fulfillment.licenseUuid ? { license_uuid: fulfillment.licenseUuid } : {}),
    ...(fulfillment.transactionUuid ? { transaction_id: fulfillment.transactionUuid } : {}),
  };
}
