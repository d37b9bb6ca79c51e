import type { Kysely } from 'kysely';
import { badInput } from '../../lib/errors.js';
import type { BusRoute } from '../../lib/deliveries/event-bus.js';
import type { DeliveryEvent } from '../../lib/deliveries/relay.js';
import { TOPICS } from '../../lib/deliveries/topics.js';
import { payloadField, payloadInt } from '../../lib/outbox-relay.js';
import { EVENTS } from './events.js';
import { findEnrollmentsByIds, findLearnerProgressRow, findLearnersByIds } from './store/index.js';
import type { CustomersDatabase } from './tables.js';

type DB = Kysely<CustomersDatabase>;

/**
 * How the customers subgraph's events go on the Open edX event bus (README, "Events and email").
 * An enterprise enrollment is also the LMS enrollment in this graph, so its creation, change and
 * unenrollment go out as edx-platform's `org.openedx.learning.course.*` events
 * (CourseEnrollmentData); a learner credit fulfillment's revocation as openedx-events'
 * `learner_credit_course_enrollment.revoked.v1`. What the outbox payload does not carry (the
 * learner's username, the course title and dates) is read from the learner link and the
 * learner-progress row, which do not change after the enrollment.
 */
export function busRoutes(db: DB): Record<string, BusRoute> {
  const enrollment = (type: string): BusRoute => ({
    topic: TOPICS.courseEnrollments,
    type,
    data: async (event) => ({ enrollment: await courseEnrollmentData(db, event) }),
  });
  return {
    [EVENTS.enrollmentCreated]: enrollment('org.openedx.learning.course.enrollment.created.v1'),
    [EVENTS.enrollmentChanged]: enrollment('org.openedx.learning.course.enrollment.changed.v1'),
    [EVENTS.enrollmentUnenrolled]: enrollment('org.openedx.learning.course.unenrollment.completed.v1'),
    [EVENTS.learnerCreditEnrollmentRevoked]: {
      topic: TOPICS.learnerCreditEnrollments,
      data: async (event) => ({ learner_credit_course_enrollment: await learnerCreditEnrollment(db, event) }),
    },
  };
}

/** The enterprise enrollment part of a payload (`enrollmentEvent` in events.ts). */
function enrollmentPart(payload: unknown): Record<string, unknown> {
  const value = payloadField(payload, 'enterprise_course_enrollment') ?? payload;
  if (value === null || typeof value !== 'object') throw badInput('event payload has no enrollment');
  return value as Record<string, unknown>;
}

async function facts(db: DB, enrollmentId: number) {
  const [row] = await findEnrollmentsByIds(db, [enrollmentId]);
  if (!row) throw badInput(`enrollment ${enrollmentId} does not exist`);
  const [learner] = await findLearnersByIds(db, [row.enterpriseCustomerUserId]);
  if (!learner) throw badInput(`learner ${row.enterpriseCustomerUserId} does not exist`);
  const progress = await findLearnerProgressRow(db, enrollmentId, new Date());
  return { row, learner, progress };
}

/** edx-platform's CourseEnrollmentData of an enrollment event, as the enrollment was when the event was written. */
async function courseEnrollmentData(db: DB, event: DeliveryEvent) {
  const part = enrollmentPart(event.payload);
  const { row, learner, progress } = await facts(db, payloadInt(part, 'id'));
  const user = {
    id: learner.lmsUserId,
    is_active: true,
    pii: { username: learner.username, email: learner.email, name: learner.username },
  };
  return {
    user,
    course: {
      course_key: row.courseRunKey,
      display_name: progress?.courseTitle ?? row.courseRunKey,
      start: progress?.courseStart?.toISOString() ?? null,
      end: progress?.courseEnd?.toISOString() ?? null,
    },
    mode: typeof part.mode === 'string' ? part.mode : row.mode,
    is_active: typeof part.is_active === 'boolean' ? part.is_active : row.isActive,
    creation_date: row.created.toISOString(),
    created_by: null,
  };
}

/** openedx-events' LearnerCreditEnterpriseCourseEnrollment of a revocation (strings where upstream has none: ''). */
async function learnerCreditEnrollment(db: DB, event: DeliveryEvent) {
  const p = event.payload as Record<string, unknown>;
  const part = enrollmentPart(p);
  const { row, learner } = await facts(db, payloadInt(part, 'id'));
  return {
    uuid: String(p.uuid),
    created: String(p.created),
    modified: String(p.modified),
    fulfillment_type: String(p.fulfillment_type),
    enterprise_course_entitlement_uuid:
      typeof p.enterprise_course_entitlement_uuid === 'string' ? p.enterprise_course_entitlement_uuid : '',
    enterprise_course_enrollment: {
      id: row.id,
      created: row.created.toISOString(),
      modified: typeof part.modified === 'string' ? part.modified : row.modified.toISOString(),
      enterprise_customer_user: {
        id: learner.id,
        created: learner.created.toISOString(),
        modified: learner.modified.toISOString(),
        enterprise_customer_uuid: learner.enterpriseCustomerUuid,
        user_id: learner.lmsUserId,
        active: learner.active,
        linked: learner.linked,
        is_relinkable: learner.isRelinkable,
        invite_key: learner.inviteKeyUuid ?? '',
        should_inactivate_other_customers: true,
      },
      course_id: row.courseRunKey,
      saved_for_later: part.saved_for_later === true,
      source_slug: typeof part.source_slug === 'string' ? part.source_slug : row.source,
      unenrolled: part.unenrolled === true,
      unenrolled_at: typeof part.unenrolled_at === 'string' ? part.unenrolled_at : '',
    },
    is_revoked: p.is_revoked === true,
    transaction_id: typeof p.transaction_id === 'string' ? p.transaction_id : '',
  };
}
