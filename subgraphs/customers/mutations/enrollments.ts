import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { conflict, notFound } from '../../../lib/errors.js';
import { logger } from '../../../lib/observability/logger.js';
import { runMutation } from '../../../lib/mutation.js';
import type { OutboxEvent } from '../../../lib/outbox.js';
import { isEmail } from '../../../lib/validate.js';
import { fetchReferenceOwners, type RunCheck, runCheckKey, type RunInfo } from '../remote.js';
import type { CustomersContext } from '../context.js';
import { enrollmentEvent, EVENTS, fulfillmentPayload, writeEvents } from '../events.js';
import {
  bulkEnrollmentRequest,
  checkFulfillmentReferences,
  checkProgressInput,
  fulfillmentReferences,
  type EnrollLearnersInput,
  type EnrollLearnersResult,
  enrollmentIdArg,
  type EnrollmentOutcome,
  type FulfillmentLookup,
  type FulfillmentSpec,
  fulfillmentTypeValue,
  type LearnerProgressInput,
  mergeResults,
  planBulkEnrollment,
  planEnrollments,
  present,
  progressChanges,
  progressRow,
} from '../rules/index.js';
import {
  ensurePendingLearners,
  findEnrollmentsOfLearners,
  findFulfillmentOfEnrollment,
  findLearnerProgressRow,
  findLearnersByIds,
  findLmsUsersByEmails,
  findPendingEnrollmentsByPendingUsers,
  insertEnrollments,
  insertFulfillments,
  insertLearnerProgress,
  insertPendingEnrollments,
  lockEnrollment,
  lockLearnerProgress,
  markUnenrolled,
  reenroll,
  updateLearnerProgress,
  updateSavedForLater,
} from '../store/index.js';
import type {
  CustomersDatabase,
  EnrollmentFulfillmentRow,
  EnterpriseCourseEnrollmentRow,
  LearnerProgressRow,
  LearnerProgressTable,
  LmsUserRow,
} from '../tables.js';
import { customerForAdmin } from '../loaders.js';
import { linkUsers } from './learners.js';

type Trx = Transaction<CustomersDatabase>;

/**
 * Enrolls linked learners of one customer in runs (edx-enterprise `ECU.enroll`; planEnrollments
 * decides): new enrollments get their fulfillment, their learner-progress row and their events in
 * the caller's transaction. A fixed number of statements for any number of learners and runs.
 * Returns the outcomes by learner id.
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
  const learnerIds = learners.map((l) => l.learnerId);
  const existing = await findEnrollmentsOfLearners(
    trx,
    learnerIds,
    runs.map((r) => r.key),
  );
  const plan = planEnrollments(learnerIds, runs, existing, source);
  await reenroll(trx, plan.reenroll, now);
  const created = await insertEnrollments(trx, customerUuid, plan.create, now);
  const byLearner = new Map(learners.map((l) => [l.learnerId, l.user]));
  const runByKey = new Map(runs.map((r) => [r.key, r]));
  const progress: LearnerProgressTable[] = [];
  const fulfillments: EnrollmentFulfillmentRow[] = [];
  const events: OutboxEvent[] = [];
  for (const enrollment of created) {
    const user = present(
      byLearner.get(enrollment.enterpriseCustomerUserId),
      `user of learner ${enrollment.enterpriseCustomerUserId}`,
    );
    const run = present(runByKey.get(enrollment.courseRunKey), `run ${enrollment.courseRunKey}`);
    progress.push(
      progressRow({ customerUuid, learnerId: enrollment.enterpriseCustomerUserId, user, run, enrollment, now }),
    );
    const event = enrollmentEvent(enrollment, customerUuid, user.id);
    events.push(event);
    const spec = args.fulfillmentFor?.(user, run.key);
    if (spec) {
      const fulfillment: EnrollmentFulfillmentRow = {
        uuid: randomUUID(),
        enterpriseCourseEnrollmentId: enrollment.id,
        fulfillmentType: fulfillmentTypeValue(spec.fulfillmentType),
        licenseUuid: spec.licenseUuid,
        transactionUuid: spec.transactionUuid,
        isRevoked: false,
        created: now,
        modified: now,
      };
      fulfillments.push(fulfillment);
      events.push({
        eventType: EVENTS.fulfillmentCreated,
        aggregateKey: event.aggregateKey,
        payload: fulfillmentPayload(fulfillment, event.payload),
      });
    }
    if (args.notify) {
      events.push({
        eventType: EVENTS.enrollmentNotification,
        aggregateKey: event.aggregateKey,
        payload: {
          enterprise_customer_uuid: customerUuid,
          user_id: user.id,
          email: user.email,
          course_run_key: run.key,
        },
      });
    }
    present(
      plan.outcomes.get(enrollment.enterpriseCustomerUserId),
      `outcomes of learner ${enrollment.enterpriseCustomerUserId}`,
    ).push({ courseRunKey: run.key, enrollmentId: enrollment.id, reason: 'enrolled' });
  }
  await insertLearnerProgress(trx, progress);
  await insertFulfillments(trx, fulfillments);
  await writeEvents(trx, events);
  return plan.outcomes;
}

/**
 * Records pending enrollments of emails with no LMS account yet (get-or-create of the pending
 * learners, then the missing (learner, run) pairs): a fixed number of statements for any number of
 * emails. Applied when the user appears (registerLmsUser).
 */
async function enrollPendingLearners(
  trx: Trx,
  args: {
    customerUuid: string;
    emails: readonly string[];
    runs: readonly RunInfo[];
    source: string;
    licenseFor?: (email: string, runKey: string) => string | null;
    now: Date;
  },
): Promise<void> {
  const pending = await ensurePendingLearners(trx, args.customerUuid, args.emails, args.now);
  const known = new Set(
    (
      await findPendingEnrollmentsByPendingUsers(
        trx,
        pending.map((p) => p.id),
      )
    ).map((e) => `${e.pendingUserId}:${e.courseRunKey}`),
  );
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

// ---------------------------------------------------------------------------------------------
// Bulk enrollment

/** Who enrolled, as edx-enterprise enrollment sources name it. */
function enrollmentSource(ctx: CustomersContext): string {
  return ctx.viewer.service ? 'enrollment_task' : 'customer_admin';
}

/**
 * One chunk of a bulk enrollment inside its transaction: emails without an account become pending
 * enrollments, the others are linked and enrolled. Its results count only once it commits.
 */
async function enrollChunk(
  trx: Trx,
  chunk: readonly string[],
  args: {
    customerUuid: string;
    users: ReadonlyMap<string, LmsUserRow>;
    runs: readonly RunInfo[];
    source: string;
    notify: boolean;
    fulfillmentFor: FulfillmentLookup;
    now: Date;
  },
): Promise<EnrollLearnersResult> {
  const { customerUuid, users, runs, source, now } = args;
  const part: EnrollLearnersResult = { successes: [], pending: [], failures: [] };
  const unknown = chunk.filter((email) => !users.has(email));
  await enrollPendingLearners(trx, {
    customerUuid,
    emails: unknown,
    runs,
    source,
    licenseFor: (email, runKey) => args.fulfillmentFor(email, runKey)?.licenseUuid ?? null,
    now,
  });
  const reason = 'no LMS account yet: enrolled when the learner registers';
  for (const email of unknown) part.pending.push(...runs.map((run) => ({ email, courseRunKey: run.key, reason })));
  const known = chunk.flatMap((email) => users.get(email) ?? []);
  const links = await linkUsers(trx, customerUuid, known, now);
  const learners: { learnerId: number; user: LmsUserRow }[] = [];
  for (const user of known) {
    const link = present(links.get(user.id), `link result of user ${user.id}`);
    if (link.outcome === 'notRelinkable') {
      part.failures.push(
        ...runs.map((run) => ({
          email: user.email,
          courseRunKey: run.key,
          reason: 'learner was unlinked and cannot be relinked',
        })),
      );
    } else learners.push({ learnerId: link.learnerId, user });
  }
  const outcomes = await enrollLinkedLearners(trx, {
    customerUuid,
    learners,
    runs,
    source,
    notify: args.notify,
    fulfillmentFor: (user, runKey) => args.fulfillmentFor(user.email, runKey),
    now,
  });
  for (const { learnerId, user } of learners) {
    part.successes.push(
      ...present(outcomes.get(learnerId), `enrollment outcomes of learner ${learnerId}`).map((o) => ({
        email: user.email,
        courseRunKey: o.courseRunKey,
        reason: o.reason,
      })),
    );
  }
  return part;
}

/**
 * Bulk enrollment: best-effort. Input shape and limits are validated up front (BAD_USER_INPUT,
 * nothing written); planBulkEnrollment then puts the pairs that cannot succeed in `failures` and
 * the others in chunks. A learner's link, enrollments, progress rows and outbox events commit
 * together; one learner's failure never undoes another's enrollment.
 */
export async function enrollLearners(ctx: CustomersContext, input: EnrollLearnersInput): Promise<EnrollLearnersResult> {
  const { emails, runKeys, fulfillmentFor } = bulkEnrollmentRequest(input);
  const customer = await customerForAdmin(ctx, input.enterpriseCustomerUuid);
  // Referenced licenses and transactions are checked with their owners before anything is written.
  const refs = fulfillmentReferences(input.fulfillments);
  checkFulfillmentReferences(customer.uuid, refs, await fetchReferenceOwners(refs.licenseUuids, refs.transactionUuids));
  const checks = (await ctx.loaders.runCheck.loadMany(runKeys.map((k) => runCheckKey(customer.uuid, k)))).map(
    (check: RunCheck | Error) => {
      if (check instanceof Error) throw check;
      return check;
    },
  );
  const users = new Map((await findLmsUsersByEmails(ctx.db, emails.filter(isEmail))).map((u) => [u.email, u]));
  const plan = planBulkEnrollment(
    emails,
    runKeys,
    checks,
    new Map([...users].map(([email, user]) => [email, user.id])),
  );
  const result: EnrollLearnersResult = { successes: [], pending: [], failures: plan.failures };
  const args = {
    customerUuid: customer.uuid,
    users,
    runs: plan.runs,
    source: enrollmentSource(ctx),
    notify: input.notify === true,
    fulfillmentFor,
    now: new Date(),
  };

  // One transaction per chunk (few commits for large calls). If a chunk fails, its learners are
  // retried one transaction each, so one bad learner fails only its own pairs.
  for (const chunk of plan.chunks) {
    try {
      mergeResults(result, await runMutation(ctx, (trx) => enrollChunk(trx, chunk, args)));
    } catch {
      for (const email of chunk) {
        try {
          mergeResults(result, await runMutation(ctx, (trx) => enrollChunk(trx, [email], args)));
        } catch (error) {
          logger.error({ piece: 'customers', err: error }, '[customers] enrollLearners failed for one learner');
          for (const run of plan.runs) result.failures.push({ email, courseRunKey: run.key, reason: 'internal error' });
        }
      }
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// One enrollment: unenroll, saved for later, learner progress

/** Locks an enrollment the viewer may change: its learner itself, the customer's admins, operators. */
async function lockOwnEnrollment(ctx: CustomersContext, trx: Trx, id: number) {
  const enrollment = await lockEnrollment(trx, id);
  if (!enrollment) throw notFound(`Enrollment ${id} does not exist`);
  const [learner] = await findLearnersByIds(trx, [enrollment.enterpriseCustomerUserId]);
  const self = learner != null && ctx.viewer.isSelf({ lmsUserId: learner.lmsUserId, email: learner.email });
  if (!self) ctx.viewer.assertAdminOf(enrollment.enterpriseCustomerUuid);
  return { enrollment, lmsUserId: learner?.lmsUserId ?? 0 };
}

export async function unenroll(
  ctx: CustomersContext,
  input: { enrollmentId: string },
): Promise<EnterpriseCourseEnrollmentRow> {
  const id = enrollmentIdArg(input.enrollmentId);
  const now = new Date();
  return runMutation(ctx, async (trx) => {
    const { enrollment, lmsUserId } = await lockOwnEnrollment(ctx, trx, id);
    if (enrollment.unenrolled) return enrollment;
    const fulfillment = await findFulfillmentOfEnrollment(trx, id);
    await markUnenrolled(trx, id, now);
    const updated = {
      ...enrollment,
      savedForLater: true,
      unenrolled: true,
      unenrolledAt: now,
      isActive: false,
      modified: now,
    };
    const base = enrollmentEvent(updated, enrollment.enterpriseCustomerUuid, lmsUserId);
    const events: OutboxEvent[] = [{ ...base, eventType: EVENTS.enrollmentUnenrolled }];
    if (fulfillment && !fulfillment.isRevoked) {
      events.push({
        eventType:
          fulfillment.fulfillmentType === 'learner_credit'
            ? EVENTS.learnerCreditEnrollmentRevoked
            : EVENTS.licensedEnrollmentRevoked,
        aggregateKey: base.aggregateKey,
        payload: fulfillmentPayload({ ...fulfillment, isRevoked: true, modified: now }, base.payload),
      });
    }
    await writeEvents(trx, events);
    return updated;
  });
}

export async function setSavedForLater(
  ctx: CustomersContext,
  input: { enrollmentId: string; savedForLater: boolean },
): Promise<EnterpriseCourseEnrollmentRow> {
  const id = enrollmentIdArg(input.enrollmentId);
  const now = new Date();
  return runMutation(ctx, async (trx) => {
    const { enrollment } = await lockOwnEnrollment(ctx, trx, id);
    if (enrollment.savedForLater === input.savedForLater) return enrollment;
    await updateSavedForLater(trx, id, input.savedForLater, now);
    return { ...enrollment, savedForLater: input.savedForLater, modified: now };
  });
}

/** The reporting pipeline's update of a learner-summary row (operators only). */
export async function recordLearnerProgress(
  ctx: CustomersContext,
  input: LearnerProgressInput,
): Promise<LearnerProgressRow> {
  ctx.viewer.assertOperator();
  const id = enrollmentIdArg(input.enrollmentId);
  const now = new Date();
  const today = now.toISOString().slice(0, 10);
  const { letterGrade } = checkProgressInput(input, today);
  return runMutation(ctx, async (trx) => {
    const current = await lockLearnerProgress(trx, id);
    if (!current) throw notFound(`No learner progress for enrollment ${id}`);
    if (current.hasPassed && input.hasPassed === false) throw conflict('A passed enrollment cannot be marked unpassed');
    await updateLearnerProgress(trx, id, progressChanges(input, letterGrade, current.hasPassed, today), now);
    return present(await findLearnerProgressRow(trx, id, now), `learner progress of enrollment ${id}`);
  });
}
