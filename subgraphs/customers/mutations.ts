import { badInput, notFound } from '../../lib/errors.js';
import { isEmail, listSize, LIMITS, normalizeEmail, uuidArg } from '../../lib/validate.js';
import { runCheckKey, type RunCheck, type RunInfo } from './catalog-client.js';
import type { CustomersContext } from './context.js';
import { enrollLinkedLearner, enrollPendingLearner, linkUser } from './service.js';
import { findLmsUsersByEmails } from './store.js';
import type { EnterpriseCustomerRow } from './tables.js';

/** DOMAIN section 2: at most 1000 (email, run) pairs per bulk enrollment. */
export const MAX_ENROLLMENT_PAIRS = 1000;

export interface EnrollmentResult {
  email: string;
  courseRunKey: string;
  reason: string | null;
}

export interface EnrollLearnersResult {
  successes: EnrollmentResult[];
  pending: EnrollmentResult[];
  failures: EnrollmentResult[];
}

/** Loads a customer a mutation names: NOT_FOUND when missing, FORBIDDEN unless admin/operator. */
export async function customerForAdmin(ctx: CustomersContext, uuidInput: string, name = 'enterpriseCustomerUuid'): Promise<EnterpriseCustomerRow> {
  const uuid = uuidArg(uuidInput, name);
  ctx.viewer.assertAdminOf(uuid);
  const customer = await ctx.loaders.customer.load(uuid);
  if (!customer) throw notFound(`Enterprise customer ${uuid} does not exist`);
  return customer;
}

/** Who enrolled, as edx-enterprise enrollment sources name it. */
function enrollmentSource(ctx: CustomersContext): string {
  return ctx.viewer.service ? 'enrollment_task' : 'customer_admin';
}

/**
 * Bulk enrollment (seed 002 ADR 14, DOMAIN section 2): best-effort. Input shape and limits are
 * validated up front (BAD_USER_INPUT, nothing written); then every (email, run) pair ends in
 * exactly one list. Each email is handled in its own transaction (link + enrollments + progress
 * rows + outbox events), so one learner's failure never undoes another's enrollment.
 */
export async function enrollLearners(
  ctx: CustomersContext,
  input: { enterpriseCustomerUuid: string; emails: readonly string[]; courseRunKeys: readonly string[]; notify?: boolean | null },
): Promise<EnrollLearnersResult> {
  listSize(input.emails, LIMITS.emails, 'emails', 1);
  listSize(input.courseRunKeys, LIMITS.contentKeys, 'courseRunKeys', 1);
  const emails = [...new Set(input.emails.map(normalizeEmail))];
  const runKeys = [...new Set(input.courseRunKeys.map((k) => k.trim()))];
  if (runKeys.some((k) => k === '' || k.length > 255)) throw badInput('courseRunKeys must be non-empty run keys', { argument: 'courseRunKeys' });
  if (emails.length * runKeys.length > MAX_ENROLLMENT_PAIRS) {
    throw badInput(`At most ${MAX_ENROLLMENT_PAIRS} (email, course run) pairs per call, got ${emails.length * runKeys.length}`, { argument: 'emails' });
  }
  const customer = await customerForAdmin(ctx, input.enterpriseCustomerUuid);
  const result: EnrollLearnersResult = { successes: [], pending: [], failures: [] };

  const checks = await ctx.loaders.runCheck.loadMany(runKeys.map((k) => runCheckKey(customer.uuid, k)));
  const runs: RunInfo[] = [];
  const runFailures = new Map<string, string>();
  runKeys.forEach((key, i) => {
    const check = checks[i] as RunCheck | Error;
    if (check instanceof Error) throw check;
    if (!check.run) runFailures.set(key, 'course run not found');
    else if (!check.inCustomerCatalog) runFailures.set(key, "course run is not in any of the customer's catalogs");
    else runs.push(check.run);
  });

  const valid = emails.filter(isEmail);
  const users = new Map((await findLmsUsersByEmails(ctx.db, valid)).map((u) => [u.email, u]));
  const now = new Date();
  const source = enrollmentSource(ctx);
  const notify = input.notify === true;

  for (const email of emails) {
    const failAll = (reason: string) => runKeys.forEach((courseRunKey) => result.failures.push({ email, courseRunKey, reason }));
    if (!isEmail(email)) {
      failAll('invalid email address');
      continue;
    }
    for (const [courseRunKey, reason] of runFailures) result.failures.push({ email, courseRunKey, reason });
    if (runs.length === 0) continue;
    const user = users.get(email);
    try {
      if (!user) {
        await ctx.db.transaction().execute((trx) => enrollPendingLearner(trx, { customerUuid: customer.uuid, email, runs, source, now }));
        for (const run of runs) result.pending.push({ email, courseRunKey: run.key, reason: 'no LMS account yet: enrolled when the learner registers' });
        continue;
      }
      const outcome = await ctx.db.transaction().execute(async (trx) => {
        const link = await linkUser(trx, customer.uuid, user, now);
        if (link.outcome === 'notRelinkable' || link.learnerId === null) return null;
        return enrollLinkedLearner(trx, { customer, learnerId: link.learnerId, user, runs, source, notify, now });
      });
      if (!outcome) {
        for (const run of runs) result.failures.push({ email, courseRunKey: run.key, reason: 'learner was unlinked and cannot be relinked' });
        continue;
      }
      for (const o of outcome) result.successes.push({ email, courseRunKey: o.courseRunKey, reason: o.reason });
    } catch (error) {
      console.error('[customers] enrollLearners failed for one learner', error);
      for (const run of runs) result.failures.push({ email, courseRunKey: run.key, reason: 'internal error' });
    }
  }
  return result;
}
