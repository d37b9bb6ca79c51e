import { randomUUID } from 'node:crypto';
import { notFound } from '../../../lib/errors.js';
import { runMutation } from '../../../lib/mutation.js';
import type { OutboxEvent } from '../../../lib/outbox.js';
import { uuidArg } from '../../../lib/validate.js';
import type { CustomersContext } from '../context.js';
import { enrollmentEvent, EVENTS, fulfillmentPayload, writeEvents } from '../events.js';
import { fetchRunModes, runCheckKey } from '../remote.js';
import { findLicensedRunKeys, moveToAudit } from '../store/enrollment-modes.js';
import {
  type FulfillmentType,
  fulfillmentSpecArg,
  fulfillmentTypeValue,
  nonEmptyRunKey,
  planFulfilledEnrollment,
  revocationArg,
} from '../rules/index.js';
import {
  findEnrollmentsByIds,
  findEnrollmentsOfLearners,
  findFulfillmentOfEnrollment,
  findLearnersByCustomersAndUsers,
  findLearnersByIds,
  findLmsUsersByIds,
  lockLiveFulfillments,
  lockLmsUsers,
  markUnenrolled,
  replaceFulfillment,
} from '../store/index.js';
import type { EnrollmentFulfillmentRow, EnterpriseCourseEnrollmentRow } from '../tables.js';
import { enrollLinkedLearners } from './enrollments.js';

export interface EnrollWithFulfillmentInput {
  enterpriseCustomerUuid: string;
  lmsUserId: number;
  courseRunKey: string;
  fulfillmentType: FulfillmentType;
  licenseUuid?: string | null;
  transactionUuid?: string | null;
  source?: string | null;
}

/**
 * A linked learner enrolled in a run, paid by one fulfillment (the learner-credit relay's delivery
 * of a redemption; a self-enrollment). planFulfilledEnrollment decides; the learner's LMS user row
 * is locked first, as every enrollment writer does, so a repeat racing its original waits and
 * then sees the enrollment as a repeat.
 */
export async function enrollWithFulfillment(
  ctx: CustomersContext,
  input: EnrollWithFulfillmentInput,
): Promise<{ enrollment: EnterpriseCourseEnrollmentRow; created: boolean }> {
  ctx.viewer.assertOperator();
  return enrollFulfilled(ctx, input);
}

/**
 * enrollWithFulfillment without the operator check: a self-enrollment (enroll-in-course.ts) calls
 * it after its own checks, so that the relay's later delivery of the same redemption is a repeat.
 */
export async function enrollFulfilled(
  ctx: CustomersContext,
  input: EnrollWithFulfillmentInput,
): Promise<{ enrollment: EnterpriseCourseEnrollmentRow; created: boolean }> {
  const customerUuid = uuidArg(input.enterpriseCustomerUuid, 'enterpriseCustomerUuid');
  const spec = fulfillmentSpecArg(input);
  const runKey = nonEmptyRunKey(input.courseRunKey);
  const check = await ctx.loaders.runCheck.load(runCheckKey(customerUuid, runKey));
  if (!check.run) throw notFound(`Course run ${runKey} does not exist`);
  const run = check.run;
  const now = new Date();
  return runMutation(ctx, async (trx) => {
    await lockLmsUsers(trx, [input.lmsUserId]);
    const [user] = await findLmsUsersByIds(trx, [input.lmsUserId]);
    const link = (await findLearnersByCustomersAndUsers(trx, [customerUuid], [input.lmsUserId]))[0];
    if (!user || !link?.linked)
      throw notFound(`LMS user ${input.lmsUserId} is not a linked learner of customer ${customerUuid}`);
    const [existing] = await findEnrollmentsOfLearners(trx, [link.id], [run.key]);
    const current = existing ? await findFulfillmentOfEnrollment(trx, existing.id) : undefined;
    const step = planFulfilledEnrollment(existing, current, spec);
    if (existing && (step === 'repeat' || step === 'keep')) return { enrollment: existing, created: false };
    const outcomes = await enrollLinkedLearners(trx, {
      customerUuid,
      learners: [{ learnerId: link.id, user }],
      runs: [run],
      source: input.source?.trim() || 'enrollment_task',
      notify: false,
      fulfillmentFor: () => spec,
      now,
    });
    const enrollmentId = outcomes.get(link.id)?.[0]?.enrollmentId;
    if (enrollmentId === undefined)
      throw new Error(`enrollLinkedLearners reported no enrollment for learner ${link.id}`);
    if (existing && step !== 'create') {
      // A new enrollment got its fulfillment from enrollLinkedLearners; an existing one gets it here.
      const fulfillment: EnrollmentFulfillmentRow = {
        uuid: current?.uuid ?? randomUUID(),
        enterpriseCourseEnrollmentId: enrollmentId,
        fulfillmentType: fulfillmentTypeValue(spec.fulfillmentType),
        licenseUuid: spec.licenseUuid,
        transactionUuid: spec.transactionUuid,
        isRevoked: false,
        created: current?.created ?? now,
        modified: now,
      };
      await replaceFulfillment(trx, fulfillment);
      const base = enrollmentEvent(
        { ...existing, unenrolled: false, unenrolledAt: null, modified: now },
        customerUuid,
        user.id,
      );
      await writeEvents(trx, [
        {
          eventType: EVENTS.fulfillmentCreated,
          aggregateKey: base.aggregateKey,
          payload: fulfillmentPayload(fulfillment, base.payload),
        },
      ]);
    }
    const [enrollment] = await findEnrollmentsByIds(trx, [enrollmentId]);
    if (!enrollment) throw new Error(`enrollment ${enrollmentId} vanished inside its transaction`);
    return { enrollment, created: true };
  });
}

/**
 * Revokes the customer's live fulfillments naming these licenses (license-manager's revocation,
 * edx-enterprise `license_revoke`) or transactions (a ledger reversal) and ends their enrollments
 * as unenroll does, with the same events; a licensed enrollment whose run has an audit mode (the
 * catalog's courseModes, asked before the transaction) stays, moved to audit (upstream behaviour).
 */
export async function revokeFulfillments(
  ctx: CustomersContext,
  input: {
    enterpriseCustomerUuid: string;
    licenseUuids?: readonly string[] | null;
    transactionUuids?: readonly string[] | null;
  },
): Promise<EnterpriseCourseEnrollmentRow[]> {
  ctx.viewer.assertOperator();
  const customerUuid = uuidArg(input.enterpriseCustomerUuid, 'enterpriseCustomerUuid');
  const refs = revocationArg(input);
  const now = new Date();
  const auditRuns = await licensedRunsWithAudit(ctx, customerUuid, refs.licenseUuids);
  return runMutation(ctx, async (trx) => {
    const fulfillments = await lockLiveFulfillments(trx, customerUuid, refs);
    if (fulfillments.length === 0) return [];
    const enrollments = await findEnrollmentsByIds(
      trx,
      fulfillments.map((f) => f.enterpriseCourseEnrollmentId),
    );
    const learners = new Map(
      (
        await findLearnersByIds(
          trx,
          enrollments.map((e) => e.enterpriseCustomerUserId),
        )
      ).map((l) => [l.id, l]),
    );
    const byId = new Map(enrollments.map((e) => [e.id, e]));
    const events: OutboxEvent[] = [];
    const revoked: EnterpriseCourseEnrollmentRow[] = [];
    for (const fulfillment of fulfillments) {
      const enrollment = byId.get(fulfillment.enterpriseCourseEnrollmentId);
      if (!enrollment) continue; // the join above found it: cannot happen inside this transaction
      const toAudit =
        fulfillment.fulfillmentType === 'license' && !enrollment.unenrolled && auditRuns.has(enrollment.courseRunKey);
      if (toAudit) await moveToAudit(trx, enrollment.id, now);
      else await markUnenrolled(trx, enrollment.id, now);
      const updated: EnterpriseCourseEnrollmentRow = toAudit
        ? { ...enrollment, mode: 'audit', modified: now }
        : {
            ...enrollment,
            savedForLater: true,
            unenrolled: true,
            unenrolledAt: enrollment.unenrolledAt ?? now,
            isActive: false,
            modified: now,
          };
      const base = enrollmentEvent(
        updated,
        customerUuid,
        learners.get(enrollment.enterpriseCustomerUserId)?.lmsUserId ?? 0,
      );
      if (!enrollment.unenrolled && !toAudit) events.push({ ...base, eventType: EVENTS.enrollmentUnenrolled });
      if (toAudit) events.push({ ...base, eventType: EVENTS.enrollmentChanged });
      events.push({
        eventType:
          fulfillment.fulfillmentType === 'learner_credit'
            ? EVENTS.learnerCreditEnrollmentRevoked
            : EVENTS.licensedEnrollmentRevoked,
        aggregateKey: base.aggregateKey,
        payload: fulfillmentPayload({ ...fulfillment, isRevoked: true, modified: now }, base.payload),
      });
      revoked.push(updated);
    }
    await writeEvents(trx, events);
    return revoked;
  });
}

/**
 * The runs of the customer's licensed enrollments (of these licenses) that have an audit mode:
 * read before the revocation's transaction, since the modes come from the catalog subgraph.
 */
async function licensedRunsWithAudit(
  ctx: CustomersContext,
  customerUuid: string,
  licenseUuids: readonly string[],
): Promise<Set<string>> {
  if (licenseUuids.length === 0) return new Set();
  const runKeys = await findLicensedRunKeys(ctx.db, customerUuid, licenseUuids);
  const modes = await fetchRunModes(runKeys, ctx.authorization);
  return new Set(runKeys.filter((key) => modes.get(key)?.includes('audit')));
}
