import type { Kysely, Transaction } from 'kysely';
import { enqueueEvents, type OutboxEvent } from '../../lib/outbox.js';
import type { RunInfo } from './catalog-client.js';
import {
  ensurePendingLearner,
  findEnrollmentsOfLearner,
  findPendingEnrollmentKeys,
  insertEnrollment,
  insertLearner,
  insertLearnerProgress,
  insertPendingEnrollments,
  lockLearnersOfUsers,
  reenroll,
  updateLearners,
} from './store.js';
import type { CustomersDatabase, EnterpriseCourseEnrollmentRow, EnterpriseCustomerRow, LmsUserRow } from './tables.js';

type Trx = Transaction<CustomersDatabase>;

export const OUTBOX = 'customers_outbox';
export const EVENTS = {
  learnerLinked: 'org.openedx.enterprise.enterprise_customer_user.linked.v1',
  enrollmentCreated: 'org.openedx.enterprise.enterprise_course_enrollment.created.v1',
  enrollmentNotification: 'org.openedx.enterprise.enterprise_course_enrollment.notification.requested.v1',
} as const;

/** Side effects go to the outbox in the caller's transaction (DOMAIN section 0). */
export function writeEvents(trx: Trx, events: readonly OutboxEvent[]): Promise<void> {
  return enqueueEvents(trx as unknown as Kysely<unknown>, OUTBOX, events);
}

export type LinkOutcome = 'linked' | 'alreadyLinked' | 'notRelinkable';

/**
 * edx-enterprise `link_user` for an existing LMS user, inside the caller's transaction. A new or
 * re-linked learner becomes the user's one active link: every other linked link of the user is
 * deactivated (the one-active rule). Links are locked first so concurrent links of one user
 * serialize.
 */
export async function linkUser(
  trx: Trx,
  customerUuid: string,
  user: LmsUserRow,
  now: Date,
  options: { inviteKeyUuid?: string } = {},
): Promise<{ learnerId: number | null; outcome: LinkOutcome }> {
  const links = await lockLearnersOfUsers(trx, [user.id]);
  const link = links.find((l) => l.enterpriseCustomerUuid === customerUuid);
  if (link?.linked) return { learnerId: link.id, outcome: 'alreadyLinked' };
  if (link && !link.isRelinkable) return { learnerId: link.id, outcome: 'notRelinkable' };
  let learnerId: number;
  if (link) {
    learnerId = link.id;
    await updateLearners(trx, [link.id], { linked: true, active: true, ...(options.inviteKeyUuid ? { inviteKeyUuid: options.inviteKeyUuid } : {}) }, now);
  } else {
    learnerId = await insertLearner(trx, { enterpriseCustomerUuid: customerUuid, lmsUserId: user.id, inviteKeyUuid: options.inviteKeyUuid ?? null, now });
  }
  const others = links.filter((l) => l.id !== learnerId && l.linked && l.active).map((l) => l.id);
  await updateLearners(trx, others, { active: false }, now);
  await writeEvents(trx, [
    {
      eventType: EVENTS.learnerLinked,
      aggregateKey: `${customerUuid}:${user.id}`,
      payload: {
        id: learnerId,
        created: (link?.created ?? now).toISOString(),
        modified: now.toISOString(),
        enterprise_customer_uuid: customerUuid,
        user_id: user.id,
        active: true,
        linked: true,
        is_relinkable: true,
        should_inactivate_other_customers: true,
        invite_key: options.inviteKeyUuid ?? link?.inviteKeyUuid ?? null,
      },
    },
  ]);
  return { learnerId, outcome: 'linked' };
}

export interface EnrollmentOutcome {
  courseRunKey: string;
  /** `enrolled`, `already enrolled` or `re-enrolled`. */
  reason: string;
}

/**
 * Enrolls one linked learner in runs (edx-enterprise `ECU.enroll` + get-or-create of the ECE):
 * idempotent per (learner, run); a new enrollment gets its learner-progress row and its
 * `created` event in the same transaction.
 */
export async function enrollLinkedLearner(
  trx: Trx,
  args: {
    customer: EnterpriseCustomerRow;
    learnerId: number;
    user: LmsUserRow;
    runs: readonly RunInfo[];
    source: string;
    notify: boolean;
    now: Date;
  },
): Promise<EnrollmentOutcome[]> {
  const { customer, learnerId, user, runs, source, now } = args;
  const existing = new Map((await findEnrollmentsOfLearner(trx, learnerId, runs.map((r) => r.key))).map((e) => [e.courseRunKey, e]));
  const outcomes: EnrollmentOutcome[] = [];
  const events: OutboxEvent[] = [];
  for (const run of runs) {
    const current = existing.get(run.key);
    if (current) {
      if (current.unenrolled) {
        await reenroll(trx, current.id, now);
        outcomes.push({ courseRunKey: run.key, reason: 're-enrolled' });
      } else {
        outcomes.push({ courseRunKey: run.key, reason: 'already enrolled' });
      }
      continue;
    }
    const enrollment = await insertEnrollment(trx, { learnerId, customerUuid: customer.uuid, courseRunKey: run.key, source, now });
    await insertLearnerProgress(trx, progressRow({ customer, learnerId, user, run, enrollment, now }));
    events.push(enrollmentEvent(enrollment, customer.uuid, user.id));
    if (args.notify) {
      events.push({
        eventType: EVENTS.enrollmentNotification,
        aggregateKey: `${customer.uuid}:${user.id}`,
        payload: { enterprise_customer_uuid: customer.uuid, user_id: user.id, email: user.email, course_run_key: run.key },
      });
    }
    outcomes.push({ courseRunKey: run.key, reason: 'enrolled' });
  }
  await writeEvents(trx, events);
  return outcomes;
}

/** Records pending enrollments of an email with no LMS account yet; applied when the user appears. */
export async function enrollPendingLearner(
  trx: Trx,
  args: { customerUuid: string; email: string; runs: readonly RunInfo[]; source: string; now: Date },
): Promise<void> {
  const pending = await ensurePendingLearner(trx, args.customerUuid, args.email, args.now);
  const known = await findPendingEnrollmentKeys(trx, pending.id);
  await insertPendingEnrollments(
    trx,
    args.runs
      .filter((run) => !known.has(run.key))
      .map((run) => ({
        pendingUserId: pending.id,
        courseRunKey: run.key,
        source: args.source,
        licenseUuid: null,
        courseKey: run.courseKey,
        courseTitle: run.title ?? run.courseTitle,
        courseStart: run.start,
        courseEnd: run.end,
        created: args.now,
      })),
  );
}

/** openedx-events `EnterpriseCourseEnrollment` (seed 003). */
function enrollmentEvent(enrollment: EnterpriseCourseEnrollmentRow, customerUuid: string, userId: number): OutboxEvent {
  return {
    eventType: EVENTS.enrollmentCreated,
    aggregateKey: `${customerUuid}:${userId}`,
    payload: {
      id: enrollment.id,
      created: enrollment.created.toISOString(),
      modified: enrollment.modified.toISOString(),
      enterprise_customer_user: { id: enrollment.enterpriseCustomerUserId, enterprise_customer_uuid: customerUuid, user_id: userId },
      course_id: enrollment.courseRunKey,
      saved_for_later: enrollment.savedForLater,
      source_slug: enrollment.source,
      unenrolled: enrollment.unenrolled,
      unenrolled_at: null,
    },
  };
}

const DAY = 24 * 3600 * 1000;

/** The learner-summary row of a new enrollment (what the reporting ETL would write). */
function progressRow(args: {
  customer: EnterpriseCustomerRow;
  learnerId: number;
  user: LmsUserRow;
  run: RunInfo;
  enrollment: EnterpriseCourseEnrollmentRow;
  now: Date;
}) {
  const { customer, user, run, enrollment, now } = args;
  const start = run.start;
  // Refund window: 14 days after enrollment or course start, whichever is later (seed 001).
  const refundBase = start && start > now ? start : now;
  return {
    enterpriseEnrollmentId: enrollment.id,
    enrollmentId: enrollment.id,
    enterpriseCustomerUuid: customer.uuid,
    enterpriseCustomerUserId: args.learnerId,
    enterpriseUserId: user.id,
    enterpriseSsoUid: null,
    userEmail: user.email,
    userUsername: user.username,
    userCountry: user.country,
    userAccountCreationDate: user.dateJoined,
    userCurrentEnrollmentMode: 'verified',
    courseKey: run.courseKey,
    courserunKey: run.key,
    courseTitle: run.title ?? run.courseTitle,
    coursePacingType: null,
    courseStart: run.start,
    courseEnd: run.end,
    courseDuration: run.start && run.end ? Math.max(1, Math.round((run.end.getTime() - run.start.getTime()) / (7 * DAY))) : null,
    courseMinEffort: null,
    courseMaxEffort: null,
    coursePrimaryProgram: null,
    coursePrimarySubject: null,
    courseListPriceCents: null,
    amountLearnerPaidCents: 0,
    paidBy: 'enterprise',
    seatDeliveryMethod: null,
    contractId: null,
    couponCode: null,
    couponName: null,
    offerName: null,
    offerType: null,
    isRefunded: false,
    hasPassed: false,
    passedDate: null,
    currentGrade: 0,
    letterGrade: null,
    lastActivityDate: now,
    enrollmentDate: now,
    unenrollmentDate: null,
    unenrollmentEndWithinDate: new Date(refundBase.getTime() + 14 * DAY),
    created: now,
  };
}
