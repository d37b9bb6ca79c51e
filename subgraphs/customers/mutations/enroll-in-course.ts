import { badInput, conflict, forbidden, notFound } from '../../../lib/errors.js';
import { KeyedLock } from '../../../lib/keyed-lock.js';
import { runMutation } from '../../../lib/mutation.js';
import { uuidArg } from '../../../lib/validate.js';
import type { CustomersContext } from '../context.js';
import { pairKey, viewerLmsUserId } from '../loaders.js';
import { fetchRedeemablePolicies, fetchRunModes, findLicenseForRun, redeemWithPolicy, runCheckKey } from '../remote.js';
import { setEnrollmentMode } from '../store/enrollment-modes.js';
import { findEnrollmentsByIds, findEnrollmentsOfLearners, findLmsUsersByIds, lockLmsUsers } from '../store/index.js';
import type { EnterpriseCourseEnrollmentRow } from '../tables.js';
import { enrollLinkedLearners } from './enrollments.js';
import { enrollFulfilled } from './fulfillments.js';

/** The learner portal's enrollment source slug. */
const SOURCE = 'enterprise_learner_portal';
/** `course-v1:org+number+run`: the only key form a learner enrolls in. */
const RUN_KEY = /^course-v1:[^+\s]+\+[^+\s]+\+[^+\s]+$/;

/**
 * One self-enrollment at a time per (customer, learner, run) in this process: the subsidy is
 * chosen and charged across calls to other subgraphs, so a database lock cannot span it; two
 * parallel calls would otherwise both see "not enrolled" and redeem twice.
 */
const selfEnrollments = new KeyedLock();

export type SelfEnrollmentSubsidy = 'LICENSE' | 'ASSIGNMENT' | 'DIRECT_POLICY' | 'AUDIT' | 'EXISTING';

/**
 * The viewer enrolls itself in a run (the learner portal's enroll button), paid the way the portal
 * chooses: an ACTIVATED license whose plan's catalog contains the run; else an ALLOCATED
 * assignment (redeemed through its ASSIGNED policy); else a DIRECT policy that can redeem it; else
 * audit when the customer allows it and the run has an audit mode; else CONFLICT with the
 * policies' canRedeem reasons. An active enrollment is returned as it is, nothing charged.
 */
export async function enrollInCourse(
  ctx: CustomersContext,
  input: { enterpriseCustomerUuid: string; courseRunKey: string },
): Promise<{ enrollment: EnterpriseCourseEnrollmentRow; subsidy: SelfEnrollmentSubsidy }> {
  const customerUuid = uuidArg(input.enterpriseCustomerUuid, 'enterpriseCustomerUuid');
  const runKey = input.courseRunKey.trim();
  if (!RUN_KEY.test(runKey) || runKey.length > 255)
    throw badInput('courseRunKey must be a course run key (course-v1:org+number+run)', { argument: 'courseRunKey' });
  const customer = await ctx.loaders.customer.load(customerUuid);
  if (!customer) throw notFound(`Enterprise customer ${customerUuid} does not exist`);
  const lmsUserId = await viewerLmsUserId(ctx);
  const link = lmsUserId == null ? null : await ctx.loaders.learnerByUser.load(pairKey(customerUuid, lmsUserId));
  if (lmsUserId == null || !link?.linked) throw forbidden('Only a linked learner of the customer enrolls itself');
  const learnerId = link.id;

  return selfEnrollments.run(`${customerUuid}:${lmsUserId}:${runKey}`, async () => {
    const check = await ctx.loaders.runCheck.load(runCheckKey(customerUuid, runKey));
    if (!check.run) throw notFound(`Course run ${runKey} does not exist`);
    const run = check.run;
    const [existing] = await findEnrollmentsOfLearners(ctx.db, [learnerId], [run.key]);
    if (existing && !existing.unenrolled) return { enrollment: existing, subsidy: 'EXISTING' };

    // DOMAIN section 2: consent is required before enrollment when the customer enables and
    // enforces it at enrollment (and its catalogs offer the course); refused before any charge.
    if (
      customer.enableDataSharingConsent &&
      customer.enforceDataSharingConsent === 'at_enrollment' &&
      check.inCustomerCatalog
    ) {
      const consents = await ctx.loaders.consents.load(pairKey(customerUuid, lmsUserId));
      if (!consents.some((c) => c.courseKey === run.courseKey && c.granted === true))
        throw conflict(
          `Data sharing consent for ${run.courseKey} is required before enrolling (setDataSharingConsent)`,
          {
            reason: 'DATA_SHARING_CONSENT_REQUIRED',
            courseKey: run.courseKey,
          },
        );
    }

    const enrollPaid = async (spec: { licenseUuid?: string; transactionUuid?: string }) =>
      (
        await enrollFulfilled(ctx, {
          enterpriseCustomerUuid: customerUuid,
          lmsUserId,
          courseRunKey: run.key,
          fulfillmentType: spec.licenseUuid ? 'LICENSE' : 'LEARNER_CREDIT',
          licenseUuid: spec.licenseUuid ?? null,
          transactionUuid: spec.transactionUuid ?? null,
          source: SOURCE,
        })
      ).enrollment;

    const licenseUuid = await findLicenseForRun(customerUuid, run.key, ctx.authorization);
    if (licenseUuid) return { enrollment: await enrollPaid({ licenseUuid }), subsidy: 'LICENSE' };

    const policies = await fetchRedeemablePolicies(customerUuid, lmsUserId, run.key, ctx.authorization);
    // Redeemed with the run key: the relay's later delivery enrolls in the same run (a repeat).
    for (const [accessMethod, subsidy] of [
      ['ASSIGNED', 'ASSIGNMENT'],
      ['DIRECT', 'DIRECT_POLICY'],
    ] as const) {
      const policy = policies.find((p) => p.accessMethod === accessMethod && p.canRedeem.canRedeem);
      if (policy) {
        const transactionUuid = await redeemWithPolicy(policy.uuid, lmsUserId, run.key, ctx.authorization);
        return { enrollment: await enrollPaid({ transactionUuid }), subsidy };
      }
    }

    const modes = customer.enableAuditEnrollment
      ? await fetchRunModes([run.key], ctx.authorization)
      : new Map<string, string[]>();
    if (check.inCustomerCatalog && modes.get(run.key)?.includes('audit')) {
      const enrollment = await runMutation(ctx, async (trx) => {
        await lockLmsUsers(trx, [lmsUserId]);
        const [user] = await findLmsUsersByIds(trx, [lmsUserId]);
        if (!user) throw notFound(`LMS user ${lmsUserId} does not exist`);
        const outcomes = await enrollLinkedLearners(trx, {
          customerUuid,
          learners: [{ learnerId, user }],
          runs: [run],
          source: SOURCE,
          notify: false,
          now: new Date(),
        });
        const id = outcomes.get(learnerId)?.[0]?.enrollmentId;
        if (id === undefined) throw new Error(`enrollLinkedLearners reported no enrollment for learner ${learnerId}`);
        await setEnrollmentMode(trx, id, 'audit', new Date());
        const [row] = await findEnrollmentsByIds(trx, [id]);
        if (!row) throw new Error(`enrollment ${id} vanished inside its transaction`);
        return row;
      });
      return { enrollment, subsidy: 'AUDIT' };
    }

    const reasons = policies.flatMap((p) =>
      p.canRedeem.reasons.map((r) => ({ policyUuid: p.uuid, code: r.code, message: r.message })),
    );
    const summary = [...new Set(reasons.map((r) => r.code))].join(', ') || 'no subsidy access policy';
    throw conflict(`No license, assignment, policy or audit mode covers ${run.key} (${summary})`, { reasons });
  });
}
