import { randomUUID } from 'node:crypto';
import { badInput, conflict, notFound } from '../../lib/errors.js';
import { runMutation } from '../../lib/mutation.js';
import { emailArg, emailList, listSize, LIMITS, uuidArg } from '../../lib/validate.js';
import type { SubscriptionsContext } from './context.js';
import { activationEvents, assignmentEvents, enqueue, reminderEvent, revocationEvents } from './events.js';
import { wakeBulkEnrollmentRunners } from './jobs.js';
import {
  bulkEnrollmentJobRequest,
  isCurrent,
  licenseCounts,
  newUnassignedLicense,
  revocations,
  type BulkLicenseEnrollmentInput,
} from './rules.js';
import {
  addRevocationsApplied,
  assignLicenseRows,
  activateLicenseRow,
  countLicensesByPlans,
  countPlansOfCustomer,
  findAllocatedLicensesByEmails,
  findAllocatedLicensesByFilter,
  findLicenseByActivationKey,
  lockLicenseByActivationKey,
  findPlansByUuids,
  findUnassignedLicenses,
  insertJob,
  insertLicenses,
  lockPlan,
  remindLicenseRows,
  revokeLicenseRows,
} from './store/index.js';
import type { BulkEnrollmentJobRow, LicenseRow, LicenseStatus, SubscriptionPlanRow } from './tables.js';

/**
 * The subscriptions mutations: every one is `(ctx, input)` and writes inside runMutation (one
 * transaction, the request's loaders cleared after it), under the plan row lock where licenses change.
 */

/** Salesforce ids are 18 characters (license-manager accepts >= 18, or blank). */
const SFID_MIN_LENGTH = 18;
const MESSAGE_MAX_LENGTH = 5000;

/** The plan a license mutation names, after checking the viewer administers its customer. */
async function managedPlan(ctx: SubscriptionsContext, planUuid: string): Promise<SubscriptionPlanRow> {
  const [plan] = await findPlansByUuids(ctx.db, [planUuid]);
  if (!plan) throw notFound(`No subscription plan ${planUuid}`, { subscriptionPlanUuid: planUuid });
  ctx.viewer.assertAdminOf(plan.enterpriseCustomerUuid);
  return plan;
}

function optionalMessage(value: string | null | undefined, name: string): string | null {
  if (value === null || value === undefined) return null;
  if (value.length > MESSAGE_MAX_LENGTH)
    throw badInput(`${name} is longer than ${MESSAGE_MAX_LENGTH} characters`, { argument: name });
  return value;
}

export interface AssignLicensesArgs {
  subscriptionPlanUuid: string;
  userEmails: readonly string[];
  userSfids?: readonly (string | null)[] | null;
  greeting?: string | null;
  closing?: string | null;
  notifyUsers?: boolean | null;
}

export interface AssignLicensesResult {
  numSuccessfulAssignments: number;
  numAlreadyAssociated: number;
  licenseAssignments: { userEmail: string; licenseUuid: string; license: LicenseRow }[];
}

/**
 * Emails (normalized, de-duplicated in first-seen order) with their Salesforce id. With sfids, a
 * duplicate email keeps the last sfid given for it, as license-manager's ordered map does.
 */
function emailsWithSfids(args: AssignLicensesArgs): Map<string, string | null> {
  listSize(args.userEmails, LIMITS.emails, 'userEmails', 1);
  const emails = args.userEmails.map((e) => emailArg(e, 'userEmails'));
  const sfids = args.userSfids;
  if (sfids !== null && sfids !== undefined && sfids.length !== args.userEmails.length) {
    throw badInput(
      `Number of Salesforce IDs (${sfids.length}) did not match number of provided user emails (${args.userEmails.length})`,
      {
        argument: 'userSfids',
      },
    );
  }
  const out = new Map<string, string | null>();
  emails.forEach((email, i) => {
    const sfid = sfids?.[i]?.trim() || null;
    if (sfid !== null && sfid.length < SFID_MIN_LENGTH) {
      throw badInput(`userSfids[${i}] must be a Salesforce id of at least ${SFID_MIN_LENGTH} characters, or blank`, {
        argument: 'userSfids',
      });
    }
    out.set(email, sfid);
  });
  return out;
}

/**
 * assignLicenses: under the plan lock, emails already holding an ASSIGNED or ACTIVATED
 * license are skipped (counted in numAlreadyAssociated); the rest get one UNASSIGNED license each,
 * all or nothing (CONFLICT with both numbers when too few remain).
 */
export async function assignLicenses(
  ctx: SubscriptionsContext,
  args: AssignLicensesArgs,
): Promise<AssignLicensesResult> {
  const planUuid = uuidArg(args.subscriptionPlanUuid, 'subscriptionPlanUuid');
  const wanted = emailsWithSfids(args);
  const greeting = optionalMessage(args.greeting, 'greeting');
  const closing = optionalMessage(args.closing, 'closing');
  const notify = args.notifyUsers ?? true;
  await managedPlan(ctx, planUuid);

  return runMutation(ctx, async (trx) => {
    // The plan lock serializes assignments per plan: no license is handed out twice and no email
    // gets a second license, however many requests race.
    const plan = await lockPlan(trx, planUuid);
    if (!plan) throw notFound(`No subscription plan ${planUuid}`, { subscriptionPlanUuid: planUuid });
    const held = await findAllocatedLicensesByEmails(trx, planUuid, [...wanted.keys()]);
    const associated = new Set(held.map((l) => l.userEmail));
    const todo = [...wanted.entries()].filter(([email]) => !associated.has(email));
    if (todo.length === 0)
      return { numSuccessfulAssignments: 0, numAlreadyAssociated: associated.size, licenseAssignments: [] };

    const free = await findUnassignedLicenses(trx, planUuid, todo.length);
    if (free.length < todo.length) {
      throw conflict(
        `Not enough unassigned licenses: ${todo.length} requested, ${free.length} available in subscription plan ${planUuid}`,
        { requested: todo.length, available: free.length },
      );
    }
    const now = new Date();
    const assigned = todo.map(([userEmail, userSfid], i) => {
      const license = free[i];
      if (!license) throw new Error(`assignLicenses: license ${i} of ${free.length} counted is missing`);
      const activationKey = randomUUID();
      const row: LicenseRow = {
        ...license,
        status: 'ASSIGNED',
        userEmail,
        activationKey,
        userSfid,
        assignedDate: now,
        lastRemindDate: now,
        modified: now,
      };
      return { userEmail, activationKey, license: row };
    });
    const changed = await assignLicenseRows(
      trx,
      planUuid,
      assigned.map(({ userEmail, activationKey, license }) => ({
        uuid: license.uuid,
        userEmail,
        activationKey,
        userSfid: license.userSfid,
      })),
      now,
    );
    if (changed !== assigned.length)
      throw new Error(`assignLicenses: ${changed} of ${assigned.length} licenses changed under the plan lock`);
    await enqueue(
      trx,
      assigned.flatMap(({ license }) => assignmentEvents(plan, license, { notify, greeting, closing })),
    );
    return {
      numSuccessfulAssignments: assigned.length,
      numAlreadyAssociated: associated.size,
      licenseAssignments: assigned.map(({ userEmail, license }) => ({ userEmail, licenseUuid: license.uuid, license })),
    };
  });
}

export interface RemindLicensesArgs {
  subscriptionPlanUuid: string;
  userEmails: readonly string[];
  greeting?: string | null;
  closing?: string | null;
}

/**
 * remindLicenses (license-manager `remind`): under the plan lock, every email must hold an
 * ASSIGNED license in the plan (NOT_FOUND without a license, CONFLICT for an ACTIVATED one), or
 * nothing is written; each gets lastRemindDate = now and a reminder email event.
 */
export async function remindLicenses(ctx: SubscriptionsContext, args: RemindLicensesArgs): Promise<LicenseRow[]> {
  const planUuid = uuidArg(args.subscriptionPlanUuid, 'subscriptionPlanUuid');
  listSize(args.userEmails, LIMITS.emails, 'userEmails', 1);
  const emails = emailList(args.userEmails, 'userEmails');
  const greeting = optionalMessage(args.greeting, 'greeting');
  const closing = optionalMessage(args.closing, 'closing');
  await managedPlan(ctx, planUuid);

  return runMutation(ctx, async (trx) => {
    const plan = await lockPlan(trx, planUuid);
    if (!plan) throw notFound(`No subscription plan ${planUuid}`, { subscriptionPlanUuid: planUuid });
    const held = new Map((await findAllocatedLicensesByEmails(trx, planUuid, emails)).map((l) => [l.userEmail, l]));
    const missing = emails.filter((e) => !held.has(e));
    if (missing.length)
      throw notFound(`No assigned license in subscription plan ${planUuid} for ${missing.join(', ')}`, {
        userEmails: missing,
      });
    const activated = emails.filter((e) => held.get(e)?.status !== 'ASSIGNED');
    if (activated.length)
      throw conflict(`Licenses already activated, nothing to remind: ${activated.join(', ')}`, {
        userEmails: activated,
      });
    const now = new Date();
    const licenses = emails.flatMap((e) => {
      const license = held.get(e);
      return license ? [{ ...license, lastRemindDate: now, modified: now }] : [];
    });
    const changed = await remindLicenseRows(
      trx,
      licenses.map((l) => l.uuid),
      now,
    );
    if (changed !== licenses.length)
      throw new Error(`remindLicenses: ${changed} of ${licenses.length} licenses changed under the plan lock`);
    await enqueue(
      trx,
      licenses.map((l) => reminderEvent(plan, l, { greeting, closing })),
    );
    return licenses;
  });
}

export interface BulkRevokeArgs {
  subscriptionPlanUuid: string;
  userEmails?: readonly string[] | null;
  filters?: { userEmail?: string | null; statusIn?: readonly LicenseStatus[] | null } | null;
}

export interface RevokedLicense {
  licenseUuid: string;
  originalStatus: LicenseStatus;
  userEmail: string;
  license: LicenseRow;
}

/** An ASSIGNED or ACTIVATED license always has an email: assigning one sets it. */
function emailOf(license: LicenseRow): string {
  if (license.userEmail === null) throw new Error(`License ${license.uuid} is ${license.status} but has no email`);
  return license.userEmail;
}

/** Validated revoke selection: exactly one of emails or a non-empty filter. */
function revokeSelection(
  args: BulkRevokeArgs,
): { emails: string[] } | { filter: { userEmail: string | null; statusIn: LicenseStatus[] | null } } {
  const { userEmails, filters } = args;
  const exactlyOne = () => badInput('Give exactly one of userEmails and filters', { argument: 'input' });
  if (userEmails != null) {
    if (filters != null) throw exactlyOne();
    listSize(userEmails, LIMITS.emails, 'userEmails', 1);
    return { emails: emailList(userEmails, 'userEmails') };
  }
  if (filters == null) throw exactlyOne();
  const userEmail = filters.userEmail?.trim().toLowerCase() || null;
  const statusIn = filters.statusIn ?? null;
  if (userEmail === null && statusIn === null)
    throw badInput('filters needs userEmail or statusIn', { argument: 'filters' });
  if (statusIn !== null && statusIn.length === 0)
    throw badInput('filters.statusIn must not be empty', { argument: 'filters.statusIn' });
  if (userEmail !== null && userEmail.length > 254)
    throw badInput('filters.userEmail is too long', { argument: 'filters.userEmail' });
  return { filter: { userEmail, statusIn: statusIn ? [...statusIn] : null } };
}

/**
 * bulkRevokeLicenses, all or nothing (not license-manager's partial revocation):
 * every named email must hold an ASSIGNED or ACTIVATED license (else NOT_FOUND), and the cap must
 * have a slot for every ACTIVATED one (else CONFLICT). Each revocation adds one UNASSIGNED license.
 */
export async function bulkRevokeLicenses(ctx: SubscriptionsContext, args: BulkRevokeArgs): Promise<RevokedLicense[]> {
  const planUuid = uuidArg(args.subscriptionPlanUuid, 'subscriptionPlanUuid');
  const selection = revokeSelection(args);
  await managedPlan(ctx, planUuid);

  return runMutation(ctx, async (trx) => {
    const plan = await lockPlan(trx, planUuid);
    if (!plan) throw notFound(`No subscription plan ${planUuid}`, { subscriptionPlanUuid: planUuid });
    let targets: LicenseRow[];
    if ('emails' in selection) {
      const held = await findAllocatedLicensesByEmails(trx, planUuid, selection.emails);
      const byEmail = new Map<string, LicenseRow>();
      // Several revocable licenses for one email: prefer an ASSIGNED one, else the first by uuid.
      for (const license of held) {
        const email = emailOf(license);
        const current = byEmail.get(email);
        if (!current || (current.status !== 'ASSIGNED' && license.status === 'ASSIGNED')) byEmail.set(email, license);
      }
      const missing = selection.emails.filter((e) => !byEmail.has(e));
      if (missing.length) {
        throw notFound(`No assigned or activated license in subscription plan ${planUuid} for: ${missing.join(', ')}`, {
          emails: missing,
        });
      }
      targets = selection.emails.flatMap((e) => byEmail.get(e) ?? []);
    } else {
      targets = await findAllocatedLicensesByFilter(trx, planUuid, selection.filter);
    }
    if (targets.length === 0) return [];

    const activated = targets.filter((l) => l.status === 'ACTIVATED').length;
    const cap = revocations(plan, licenseCounts(await countLicensesByPlans(trx, [planUuid])));
    if (cap && activated > cap.remaining) {
      throw conflict(
        `Plan does not have enough revocations remaining: ${activated} activated license(s) to revoke, ${Math.max(cap.remaining, 0)} revocation(s) remaining`,
        { requested: activated, remaining: cap.remaining },
      );
    }
    const now = new Date();
    const changed = await revokeLicenseRows(
      trx,
      planUuid,
      targets.map((l) => l.uuid),
      now,
    );
    if (changed !== targets.length)
      throw new Error(`bulkRevokeLicenses: ${changed} of ${targets.length} licenses changed under the plan lock`);
    // Replacements keep `total` unchanged; `allocated` drops by one per revocation.
    await insertLicenses(
      trx,
      targets.map(() => newUnassignedLicense(planUuid, now)),
    );
    // Only revocations of ACTIVATED licenses spend the cap, and only while it is enabled.
    if (plan.isRevocationCapEnabled) await addRevocationsApplied(trx, planUuid, activated, now);
    await enqueue(
      trx,
      targets.flatMap((l) => revocationEvents(plan, l, l.status, now)),
    );
    return targets.map((l) => ({
      licenseUuid: l.uuid,
      originalStatus: l.status,
      userEmail: emailOf(l),
      license: { ...l, status: 'REVOKED' as const, revokedDate: now, modified: now },
    }));
  });
}

/**
 * The learner activates its license (license-manager `license-activation`): ASSIGNED -> ACTIVATED
 * with the token's LMS user id; ACTIVATED again is a no-op; REVOKED is final (CONFLICT). The key
 * must belong to a license of the token's email in an active, current plan, else NOT_FOUND (the
 * same answer whether the key is unknown or someone else's, so keys cannot be probed).
 */
export async function activateLicense(ctx: SubscriptionsContext, args: { activationKey: string }): Promise<LicenseRow> {
  const activationKey = uuidArg(args.activationKey, 'activationKey');
  const email = ctx.viewer.email;
  if (!email) throw badInput('The token carries no email to match the license against', { argument: 'activationKey' });
  const missing = () => notFound(`No license with activation key ${activationKey} for ${email} in a current plan`);
  return runMutation(ctx, async (trx) => {
    const now = new Date();
    const found = await findLicenseByActivationKey(trx, activationKey);
    if (found?.userEmail !== email) throw missing();
    const plan = await lockPlan(trx, found.subscriptionPlanUuid);
    if (!plan?.isActive || !isCurrent(plan, now)) throw missing();
    // Read again under the plan lock: a revocation may have committed in between.
    const license = await lockLicenseByActivationKey(trx, activationKey);
    if (license?.userEmail !== email) throw missing();
    if (license.status === 'ACTIVATED') return license;
    if (license.status !== 'ASSIGNED')
      throw conflict(`License ${license.uuid} is ${license.status.toLowerCase()} and cannot be activated`, {
        status: license.status,
      });
    if ((await activateLicenseRow(trx, plan.uuid, license.uuid, ctx.viewer.lmsUserId, now)) !== 1)
      throw new Error(`activateLicense: license ${license.uuid} changed under the plan lock`);
    const activated: LicenseRow = {
      ...license,
      status: 'ACTIVATED',
      lmsUserId: ctx.viewer.lmsUserId,
      activationDate: now,
      modified: now,
    };
    await enqueue(trx, activationEvents(plan, activated));
    return activated;
  });
}

/**
 * Validates and persists a bulk license enrollment job (PENDING) and returns it at once; the
 * runner (jobs.ts) processes it after commit. Admins of the customer and operators only.
 */
export async function enqueueBulkLicenseEnrollment(
  ctx: SubscriptionsContext,
  input: BulkLicenseEnrollmentInput,
): Promise<BulkEnrollmentJobRow> {
  const { customerUuid, emails, courseRunKeys } = bulkEnrollmentJobRequest(input);
  ctx.viewer.assertAdminOf(customerUuid);
  // license-manager answers 404 when the customer has no subscriptions at all.
  if ((await countPlansOfCustomer(ctx.db, customerUuid)) === 0) {
    throw notFound(`Enterprise customer ${customerUuid} has no subscription plans`, {
      enterpriseCustomerUuid: customerUuid,
    });
  }
  const now = new Date();
  const job: BulkEnrollmentJobRow = {
    uuid: randomUUID(),
    enterpriseCustomerUuid: customerUuid,
    lmsUserId: ctx.viewer.lmsUserId,
    requestedByEmail: ctx.viewer.email,
    emails,
    courseRunKeys,
    notify: input.notify,
    status: 'PENDING',
    results: null,
    error: null,
    attempts: 0,
    lockedUntil: null,
    created: now,
    modified: now,
    completedAt: null,
  };
  await runMutation(ctx, (trx) => insertJob(trx, job));
  wakeBulkEnrollmentRunners();
  return job;
}
