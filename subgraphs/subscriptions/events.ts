import type { Kysely } from 'kysely';
import { enqueueEvents, type DeliveryChannelName, type OutboxEvent } from '../../lib/outbox.js';
import type { LicenseRow, LicenseStatus, SubscriptionPlanRow, SubscriptionsDatabase } from './tables.js';

/** The outbox of this subgraph (written in the transaction of the change). */
export const OUTBOX_TABLE = 'subscriptions_outbox';

/** Writes events with the transaction that makes the change they announce. */
export function enqueue(trx: Kysely<SubscriptionsDatabase>, events: readonly OutboxEvent[]): Promise<void> {
  return enqueueEvents(trx, OUTBOX_TABLE, events, CHANNELS);
}

export const EventType = {
  LICENSE_ASSIGNED: 'org.openedx.enterprise.subscription_license.assigned.v1',
  /** edx-enterprise `pending-enterprise-learner`: link the user now, or as a pending learner. */
  LEARNER_LINK_REQUESTED: 'org.openedx.enterprise.learner_link.requested.v1',
  ASSIGNMENT_EMAIL_REQUESTED: 'org.openedx.enterprise.subscription_license.assignment_email.requested.v1',
  /** remindLicenses: the assignment email again, as a reminder. */
  REMINDER_EMAIL_REQUESTED: 'org.openedx.enterprise.subscription_license.reminder_email.requested.v1',
  LICENSE_ACTIVATED: 'org.openedx.enterprise.subscription_license.activated.v1',
  LICENSE_REVOKED: 'org.openedx.enterprise.subscription_license.revoked.v1',
  /** edx-enterprise `license_revoke`: the license's enrollments move to audit or are unenrolled. */
  LICENSED_ENROLLMENTS_REVOKED: 'org.openedx.enterprise.licensed_enterprise_course_enrollment.revoked.v1',
} as const;

export type SubscriptionsEventType = (typeof EventType)[keyof typeof EventType];

/**
 * Which channels outside the graph carry each event (README, "Events and email"): license emails
 * (emails.ts). openedx-events defines no license events, so none goes on the event bus.
 */
export const CHANNELS: Record<SubscriptionsEventType, readonly DeliveryChannelName[]> = {
  [EventType.LICENSE_ASSIGNED]: [],
  [EventType.LEARNER_LINK_REQUESTED]: [],
  [EventType.ASSIGNMENT_EMAIL_REQUESTED]: ['email'],
  [EventType.REMINDER_EMAIL_REQUESTED]: ['email'],
  [EventType.LICENSE_ACTIVATED]: [],
  [EventType.LICENSE_REVOKED]: ['email'],
  [EventType.LICENSED_ENROLLMENTS_REVOKED]: [],
};

/** Events of one assignment: the assignment, the learner link and (when asked) the email. */
export function assignmentEvents(
  plan: SubscriptionPlanRow,
  license: LicenseRow,
  options: { notify: boolean; greeting: string | null; closing: string | null },
): OutboxEvent[] {
  const base = {
    license_uuid: license.uuid,
    subscription_plan_uuid: plan.uuid,
    enterprise_customer_uuid: plan.enterpriseCustomerUuid,
    user_email: license.userEmail,
  };
  const events: OutboxEvent[] = [
    {
      eventType: EventType.LICENSE_ASSIGNED,
      aggregateKey: license.uuid,
      payload: { ...base, status: 'assigned', assigned_date: license.assignedDate },
    },
    {
      eventType: EventType.LEARNER_LINK_REQUESTED,
      aggregateKey: `${plan.enterpriseCustomerUuid}:${license.userEmail}`,
      payload: {
        enterprise_customer_uuid: plan.enterpriseCustomerUuid,
        user_email: license.userEmail,
        source: 'subscription_license_assignment',
        license_uuid: license.uuid,
      },
    },
  ];
  if (options.notify) {
    events.push({
      eventType: EventType.ASSIGNMENT_EMAIL_REQUESTED,
      aggregateKey: license.uuid,
      // The relay builds {LEARNER_PORTAL}/{customer slug}/licenses/{activation_key}/activate.
      payload: { ...base, activation_key: license.activationKey, greeting: options.greeting, closing: options.closing },
    });
  }
  return events;
}

/** The reminder email of one ASSIGNED license (remindLicenses). */
export function reminderEvent(
  plan: SubscriptionPlanRow,
  license: LicenseRow,
  options: { greeting: string | null; closing: string | null },
): OutboxEvent {
  return {
    eventType: EventType.REMINDER_EMAIL_REQUESTED,
    aggregateKey: license.uuid,
    payload: {
      license_uuid: license.uuid,
      subscription_plan_uuid: plan.uuid,
      enterprise_customer_uuid: plan.enterpriseCustomerUuid,
      user_email: license.userEmail,
      activation_key: license.activationKey,
      greeting: options.greeting,
      closing: options.closing,
    },
  };
}

/** The activation (license-manager sends the post-activation email from it unless disabled). */
export function activationEvents(plan: SubscriptionPlanRow, license: LicenseRow): OutboxEvent[] {
  return [
    {
      eventType: EventType.LICENSE_ACTIVATED,
      aggregateKey: license.uuid,
      payload: {
        license_uuid: license.uuid,
        subscription_plan_uuid: plan.uuid,
        enterprise_customer_uuid: plan.enterpriseCustomerUuid,
        user_email: license.userEmail,
        lms_user_id: license.lmsUserId,
        activation_date: license.activationDate,
      },
    },
  ];
}

/**
 * Events of one revocation. An ACTIVATED license may have paid for enrollments: the second event
 * asks edx-enterprise to revoke those fulfillments, shaped like openedx-events'
 * LicensedEnterpriseCourseEnrollment (fulfillment_type "license", is_revoked, license_uuid).
 */
export function revocationEvents(
  plan: SubscriptionPlanRow,
  license: LicenseRow,
  originalStatus: LicenseStatus,
  now: Date,
): OutboxEvent[] {
  const events: OutboxEvent[] = [
    {
      eventType: EventType.LICENSE_REVOKED,
      aggregateKey: license.uuid,
      payload: {
        license_uuid: license.uuid,
        subscription_plan_uuid: plan.uuid,
        enterprise_customer_uuid: plan.enterpriseCustomerUuid,
        user_email: license.userEmail,
        lms_user_id: license.lmsUserId,
        original_status: originalStatus.toLowerCase(),
        revoked_date: now,
      },
    },
  ];
  if (originalStatus === 'ACTIVATED') {
    events.push({
      eventType: EventType.LICENSED_ENROLLMENTS_REVOKED,
      aggregateKey: license.uuid,
      payload: {
        fulfillment_type: 'license',
        is_revoked: true,
        license_uuid: license.uuid,
        enterprise_course_entitlement_uuid: null,
        enterprise_course_enrollment: null,
        modified: now,
        // Which learner and customer the fulfillments belong to (license_revoke's arguments).
        lms_user_id: license.lmsUserId,
        user_email: license.userEmail,
        enterprise_customer_uuid: plan.enterpriseCustomerUuid,
      },
    });
  }
  return events;
}
