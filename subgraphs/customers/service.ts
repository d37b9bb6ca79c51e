import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { enqueueEvents, type OutboxEvent } from '../../lib/outbox.js';
import type { RunInfo } from './catalog-client.js';
import {
  ensurePendingLearners,
  findEnrollmentsOfLearners,
  findPendingEnrollmentsByPendingUsers,
  insertEnrollments,
  insertFulfillments,
  insertLearnerProgress,
  insertLearners,
  insertPendingEnrollments,
  lockLearnersOfUsers,
  lockLmsUsers,
  reenroll,
  updateLearners,
} from './store.js';
import type {
  CustomersDatabase,
  EnrollmentFulfillmentRow,
  EnterpriseCourseEnrollmentRow,
  EnterpriseCustomerUserRow,
  LearnerProgressTable,
  LmsUserRow,
} from './tables.js';

type Trx = Transaction<CustomersDatabase>;

export const OUTBOX = 'customers_outbox';
/** Event types written to `customers_outbox`; payloads follow the openedx-events data classes (seed 003). */
export const EVENTS = {
  learnerLinked: 'org.openedx.enterprise.enterprise_customer_user.linked.v1',
  learnerUnlinked: 'org.openedx.enterprise.enterprise_customer_user.unlinked.v1',
  enrollmentCreated: 'org.openedx.enterprise.enterprise_course_enrollment.created.v1',
  enrollmentUnenrolled: 'org.openedx.enterprise.enterprise_course_enrollment.unenrolled.v1',
  fulfillmentCreated: 'org.openedx.enterprise.enterprise_fulfillment.created.v1',
  learnerCreditEnrollmentRevoked: 'org.openedx.enterprise.learner_credit_course_enrollment.revoked.v1',
  licensedEnrollmentRevoked: 'org.openedx.enterprise.licensed_enterprise_course_enrollment.revoked.v1',
  enrollmentNotification: 'org.openedx.enterprise.enterprise_course_enrollment.notification.requested.v1',
  consentChanged: 'org.openedx.enterprise.data_sharing_consent.changed.v1',
} as const;

/** Side effects go to the outbox in the caller's transaction (DOMAIN section 0). */
export function writeEvents(trx: Trx, events: readonly OutboxEvent[]): Promise<void> {
  return enqueueEvents(trx, OUTBOX, events);
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

export type LinkOutcome = 'linked' | 'activated' | 'alreadyLinked' | 'notRelinkable';

export interface LinkResult {
  learnerId: number | null;
  outcome: LinkOutcome;
}

/**
 * edx-enterprise `link_user` for existing LMS users, inside the caller's transaction. A new or
 * re-linked learner becomes its user's one active link: every other linked link of the user is
 * deactivated (the one-active rule). `activate` also makes an already linked but inactive link
 * the active one (invite keys, registration). The users' rows, then their links, are locked
 * first, so concurrent links of one user serialize. A fixed number of statements for any number
 * of users.
 */
export async function linkUsers(
  trx: Trx,
  customerUuid: string,
  users: readonly LmsUserRow[],
  now: Date,
  options: { inviteKeyUuid?: string; activate?: boolean } = {},
): Promise<Map<number, LinkResult>> {
  const ids = users.map((u) => u.id);
  await lockLmsUsers(trx, ids);
  const links = await lockLearnersOfUsers(trx, ids);
  const results = new Map<number, LinkResult>();
  const relink: EnterpriseCustomerUserRow[] = [];
  const create: number[] = [];
  for (const user of users) {
    const link = links.find((l) => l.lmsUserId === user.id && l.enterpriseCustomerUuid === customerUuid);
    if (link?.linked && (link.active || !options.activate)) results.set(user.id, { learnerId: link.id, outcome: 'alreadyLinked' });
    else if (link && !link.linked && !link.isRelinkable) results.set(user.id, { learnerId: link.id, outcome: 'notRelinkable' });
    else if (link) relink.push(link);
    else create.push(user.id);
  }
  await updateLearners(trx, relink.map((l) => l.id), { linked: true, active: true, ...(options.inviteKeyUuid ? { inviteKeyUuid: options.inviteKeyUuid } : {}) }, now);
  const created = await insertLearners(trx, customerUuid, create, now, options.inviteKeyUuid ?? null);
  for (const link of relink) results.set(link.lmsUserId, { learnerId: link.id, outcome: link.linked ? 'activated' : 'linked' });
  for (const [userId, learnerId] of created) results.set(userId, { learnerId, outcome: 'linked' });

  const changed = new Set([...relink.map((l) => l.lmsUserId), ...created.keys()]);
  const others = links.filter((l) => changed.has(l.lmsUserId) && l.enterpriseCustomerUuid !== customerUuid && l.linked && l.active).map((l) => l.id);
  await updateLearners(trx, others, { active: false }, now);
  const previous = new Map(relink.map((l) => [l.lmsUserId, l]));
  await writeEvents(
    trx,
    [...changed].map((userId) => ({
      eventType: EVENTS.learnerLinked,
      aggregateKey: `${customerUuid}:${userId}`,
      payload: learnerPayload({
        id: results.get(userId)!.learnerId!,
        created: previous.get(userId)?.created ?? now,
        modified: now,
        enterpriseCustomerUuid: customerUuid,
        lmsUserId: userId,
        active: true,
        linked: true,
        isRelinkable: true,
        inviteKeyUuid: options.inviteKeyUuid ?? previous.get(userId)?.inviteKeyUuid ?? null,
      }),
    })),
  );
  return results;
}

/** `linkUsers` for one user. */
export async function linkUser(
  trx: Trx,
  customerUuid: string,
  user: LmsUserRow,
  now: Date,
  options: { inviteKeyUuid?: string; activate?: boolean } = {},
): Promise<LinkResult> {
  return (await linkUsers(trx, customerUuid, [user], now, options)).get(user.id)!;
}

/** What pays for an enrollment, as mutations receive it (GraphQL enum values). */
export interface FulfillmentSpec {
  fulfillmentType: 'LICENSE' | 'LEARNER_CREDIT' | 'COUPON_CODE';
  licenseUuid: string | null;
  transactionUuid: string | null;
}

export interface EnrollmentOutcome {
  courseRunKey: string;
  enrollmentId: number;
  /** `enrolled`, `already enrolled` or `re-enrolled`. */
  reason: string;
}

/**
 * Enrolls linked learners of one customer in runs (edx-enterprise `ECU.enroll` + get-or-create
 * of the ECE): idempotent per (learner, run); new enrollments get their fulfillment, their
 * learner-progress row and their events in the caller's transaction. A fixed number of
 * statements for any number of learners and runs. Returns the outcomes by learner id.
 */
export async function enrollLinkedLearners(
  trx: Trx,
  args: {
    customerUuid: string;
    learners: readonly { learnerId: number; user: LmsUserRow }[];
    runs: readonly RunInfo[];
    source: string;
    notify: boolean;
    fulfillmentFor?: (user: LmsUserRow, runKey: string) => FulfillmentSpec | undefined;
    now: Date;
  },
): Promise<Map<number, EnrollmentOutcome[]>> {
  const { customerUuid, learners, runs, source, now } = args;
  const existing = new Map(
    (await findEnrollmentsOfLearners(trx, learners.map((l) => l.learnerId), runs.map((r) => r.key))).map((e) => [`${e.enterpriseCustomerUserId}:${e.courseRunKey}`, e]),
  );
  const outcomes = new Map<number, EnrollmentOutcome[]>(learners.map((l) => [l.learnerId, []]));
  const toReenroll: number[] = [];
  const toCreate: { learnerId: number; courseRunKey: string; source: string }[] = [];
  for (const { learnerId } of learners) {
    for (const run of runs) {
      const current = existing.get(`${learnerId}:${run.key}`);
      if (!current) toCreate.push({ learnerId, courseRunKey: run.key, source });
      else {
        if (current.unenrolled) toReenroll.push(current.id);
        outcomes.get(learnerId)!.push({ courseRunKey: run.key, enrollmentId: current.id, reason: current.unenrolled ? 're-enrolled' : 'already enrolled' });
      }
    }
  }
  await reenroll(trx, toReenroll, now);
  const created = await insertEnrollments(trx, customerUuid, toCreate, now);
  const byLearner = new Map(learners.map((l) => [l.learnerId, l.user]));
  const runByKey = new Map(runs.map((r) => [r.key, r]));
  const progress: LearnerProgressTable[] = [];
  const fulfillments: EnrollmentFulfillmentRow[] = [];
  const events: OutboxEvent[] = [];
  for (const enrollment of created) {
    const user = byLearner.get(enrollment.enterpriseCustomerUserId)!;
    const run = runByKey.get(enrollment.courseRunKey)!;
    progress.push(progressRow({ customerUuid, learnerId: enrollment.enterpriseCustomerUserId, user, run, enrollment, now }));
    const event = enrollmentEvent(enrollment, customerUuid, user.id);
    events.push(event);
    const spec = args.fulfillmentFor?.(user, run.key);
    if (spec) {
      const fulfillment: EnrollmentFulfillmentRow = {
        uuid: randomUUID(),
        enterpriseCourseEnrollmentId: enrollment.id,
        fulfillmentType: spec.fulfillmentType.toLowerCase(),
        licenseUuid: spec.licenseUuid,
        transactionUuid: spec.transactionUuid,
        isRevoked: false,
        created: now,
        modified: now,
      };
      fulfillments.push(fulfillment);
      events.push({ eventType: EVENTS.fulfillmentCreated, aggregateKey: event.aggregateKey, payload: fulfillmentPayload(fulfillment, event.payload) });
    }
    if (args.notify) {
      events.push({
        eventType: EVENTS.enrollmentNotification,
        aggregateKey: event.aggregateKey,
        payload: { enterprise_customer_uuid: customerUuid, user_id: user.id, email: user.email, course_run_key: run.key },
      });
    }
    outcomes.get(enrollment.enterpriseCustomerUserId)!.push({ courseRunKey: run.key, enrollmentId: enrollment.id, reason: 'enrolled' });
  }
  await insertLearnerProgress(trx, progress);
  await insertFulfillments(trx, fulfillments);
  await writeEvents(trx, events);
  return outcomes;
}

/**
 * Records pending enrollments of emails with no LMS account yet (get-or-create of the pending
 * learners, then the missing (learner, run) pairs): a fixed number of statements for any number of
 * emails. Applied when the user appears (registerLmsUser).
 */
export async function enrollPendingLearners(
  trx: Trx,
  args: { customerUuid: string; emails: readonly string[]; runs: readonly RunInfo[]; source: string; licenseFor?: (email: string, runKey: string) => string | null; now: Date },
): Promise<void> {
  const pending = await ensurePendingLearners(trx, args.customerUuid, args.emails, args.now);
  const known = new Set((await findPendingEnrollmentsByPendingUsers(trx, pending.map((p) => p.id))).map((e) => `${e.pendingUserId}:${e.courseRunKey}`));
  await insertPendingEnrollments(
    trx,
    pending.flatMap((p) =>
      args.runs
        .filter((run) => !known.has(`${p.id}:${run.key}`))
        .map((run) => ({
          pendingUserId: p.id,
          courseRunKey: run.key,
          source: args.source,
          licenseUuid: args.licenseFor?.(p.userEmail, run.key) ?? null,
          courseKey: run.courseKey,
          courseTitle: run.title ?? run.courseTitle,
          courseStart: run.start,
          courseEnd: run.end,
          created: args.now,
        })),
    ),
  );
}

/** openedx-events `EnterpriseCourseEnrollment` (seed 003). */
export function enrollmentEvent(enrollment: EnterpriseCourseEnrollmentRow, customerUuid: string, userId: number): OutboxEvent {
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
      unenrolled_at: enrollment.unenrolledAt?.toISOString() ?? null,
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

const DAY = 24 * 3600 * 1000;

/** The learner-summary row of a new enrollment (what the reporting ETL would write). */
function progressRow(args: { customerUuid: string; learnerId: number; user: LmsUserRow; run: RunInfo; enrollment: EnterpriseCourseEnrollmentRow; now: Date }): LearnerProgressTable {
  const { user, run, enrollment, now } = args;
  // Refund window: 14 days after enrollment or course start, whichever is later (seed 001).
  const refundBase = run.start && run.start > now ? run.start : now;
  return {
    enterpriseEnrollmentId: enrollment.id,
    enrollmentId: enrollment.id,
    enterpriseCustomerUuid: args.customerUuid,
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
    coursePacingType: run.pacingType ?? null,
    courseStart: run.start,
    courseEnd: run.end,
    courseDuration: run.weeksToComplete ?? (run.start && run.end ? Math.max(1, Math.round((run.end.getTime() - run.start.getTime()) / (7 * DAY))) : null),
    courseMinEffort: run.minEffort ?? null,
    courseMaxEffort: run.maxEffort ?? null,
    coursePrimaryProgram: null,
    coursePrimarySubject: null,
    courseListPriceCents: run.priceCents ?? null,
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
    // Enrolling is the learner's first activity in the course.
    lastActivityDate: now,
    enrollmentDate: now,
    unenrollmentDate: null,
    unenrollmentEndWithinDate: new Date(refundBase.getTime() + 14 * DAY),
    created: now,
  };
}
