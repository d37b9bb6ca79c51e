import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { OutboxEvent } from '../../lib/outbox.js';
import { badInput, conflict, forbidden, notFound } from '../../lib/errors.js';
import { logger } from '../../lib/observability/logger.js';
import { emailArg, emailList, isEmail, listSize, LIMITS, nonEmptyString, normalizeEmail, uuidArg } from '../../lib/validate.js';
import { runCheckKey, type RunCheck, type RunInfo } from './catalog-client.js';
import type { CustomersContext } from './context.js';
import { pairKey } from './loaders.js';
import {
  EVENTS,
  enrollLinkedLearners,
  enrollmentEvent,
  enrollPendingLearners,
  fulfillmentPayload,
  learnerPayload,
  linkUser,
  linkUsers,
  writeEvents,
  type FulfillmentSpec,
} from './service.js';
import {
  countInviteKeys,
  deactivateInviteKeyRow,
  deletePendingLearners,
  ensurePendingLearners,
  findEnrollmentsByIds,
  findFulfillmentOfEnrollment,
  findInviteKey,
  findLearnerProgressRow,
  findLearnersByCustomersAndUsers,
  findLearnersByIds,
  findLmsUserConflicts,
  findLmsUsersByEmails,
  findLmsUsersByIds,
  findPendingEnrollmentsByPendingUsers,
  findPendingLearners,
  findPendingLearnersByEmail,
  insertInviteKey,
  insertLmsUser,
  lockCustomer,
  lockEnrollment,
  lockLearnerProgress,
  lockLmsUsers,
  markUnenrolled,
  updateLearnerProgress,
  updateLearners,
  updateSavedForLater,
  upsertConsent,
} from './store.js';
import type {
  CustomersDatabase,
  DataSharingConsentView,
  EnterpriseCourseEnrollmentRow,
  EnterpriseCustomerRow,
  EnterpriseCustomerUserRow,
  InviteKeyRow,
  LearnerProgressRow,
  LmsUserRow,
  PendingEnterpriseCustomerUserRow,
} from './tables.js';

/** DOMAIN section 2: at most 1000 (email, run) pairs per bulk enrollment. */
export const MAX_ENROLLMENT_PAIRS = 1000;
/** Learners written per transaction by a bulk enrollment. */
const ENROLLMENT_CHUNK = 100;
/** DOMAIN section 2 / edx-enterprise: invite key limits. */
export const INVITE_KEYS = { perCustomer: 100, defaultUsageLimit: 10_000, maxUsageLimit: 1_000_000, defaultDays: 365, maxDays: 3650 } as const;
const DAY_MS = 86_400_000;

/** Loads a customer a mutation names: FORBIDDEN unless admin/operator, NOT_FOUND when missing. */
export async function customerForAdmin(ctx: CustomersContext, uuidInput: string, name = 'enterpriseCustomerUuid'): Promise<EnterpriseCustomerRow> {
  const uuid = uuidArg(uuidInput, name);
  ctx.viewer.assertAdminOf(uuid);
  const customer = await ctx.loaders.customer.load(uuid);
  if (!customer) throw notFound(`Enterprise customer ${uuid} does not exist`);
  return customer;
}

/** The viewer's own LMS account (by the token's user id, else its email), or null. */
export async function viewerLmsUserId(ctx: CustomersContext): Promise<number | null> {
  if (ctx.viewer.lmsUserId != null) return ctx.viewer.lmsUserId;
  if (!ctx.viewer.email) return null;
  return (await ctx.loaders.lmsUserByEmail.load(ctx.viewer.email))?.id ?? null;
}

// ---------------------------------------------------------------------------------------------
// Linking

export async function linkLearners(
  ctx: CustomersContext,
  input: { enterpriseCustomerUuid: string; emails: readonly string[] },
): Promise<{ linked: EnterpriseCustomerUserRow[]; pending: PendingEnterpriseCustomerUserRow[]; alreadyLinked: EnterpriseCustomerUserRow[] }> {
  listSize(input.emails, LIMITS.emails, 'emails', 1);
  const emails = emailList(input.emails, 'emails');
  const customer = await customerForAdmin(ctx, input.enterpriseCustomerUuid);
  const now = new Date();
  return ctx.db.transaction().execute(async (trx) => {
    // Lock order everywhere: customer row, then user rows (by id): concurrent calls cannot deadlock.
    await lockCustomer(trx, customer.uuid);
    const users = new Map((await findLmsUsersByEmails(trx, emails)).map((u) => [u.email, u]));
    const linkedIds: number[] = [];
    const alreadyIds: number[] = [];
    const pendingEmails: string[] = [];
    const notRelinkable: string[] = [];
    const links = await linkUsers(trx, customer.uuid, [...users.values()], now);
    for (const email of emails) {
      const user = users.get(email);
      if (!user) {
        pendingEmails.push(email);
        continue;
      }
      const { learnerId, outcome } = links.get(user.id)!;
      if (outcome === 'notRelinkable') notRelinkable.push(email);
      else if (outcome === 'alreadyLinked') alreadyIds.push(learnerId!);
      else linkedIds.push(learnerId!);
    }
    // All or nothing: the transaction rolls back every link of this call.
    if (notRelinkable.length) throw conflict(`These learners were unlinked and cannot be relinked: ${notRelinkable.join(', ')}`, { emails: notRelinkable });
    const rows = new Map((await findLearnersByIds(trx, [...linkedIds, ...alreadyIds])).map((r) => [r.id, r]));
    const pending = new Map((await ensurePendingLearners(trx, customer.uuid, pendingEmails, now)).map((p) => [p.userEmail, p]));
    return {
      linked: linkedIds.map((id) => rows.get(id)!),
      alreadyLinked: alreadyIds.map((id) => rows.get(id)!),
      pending: pendingEmails.map((email) => pending.get(email)!),
    };
  });
}

export async function unlinkLearners(
  ctx: CustomersContext,
  input: { enterpriseCustomerUuid: string; emails: readonly string[]; isRelinkable?: boolean | null },
): Promise<{ unlinked: EnterpriseCustomerUserRow[]; removedPending: string[]; notFound: string[] }> {
  listSize(input.emails, LIMITS.emails, 'emails', 1);
  const emails = emailList(input.emails, 'emails');
  const customer = await customerForAdmin(ctx, input.enterpriseCustomerUuid);
  const isRelinkable = input.isRelinkable !== false;
  const now = new Date();
  return ctx.db.transaction().execute(async (trx) => {
    await lockCustomer(trx, customer.uuid);
    const users = await findLmsUsersByEmails(trx, emails);
    await lockLmsUsers(trx, users.map((u) => u.id));
    const links = new Map((await findLearnersByCustomersAndUsers(trx, [customer.uuid], users.map((u) => u.id))).map((l) => [l.email, l]));
    const pending = new Map((await findPendingLearners(trx, customer.uuid, emails)).map((p) => [p.userEmail, p]));
    const unlinkedIds: number[] = [];
    const removedPending: string[] = [];
    const missing: string[] = [];
    for (const email of emails) {
      const link = links.get(email);
      if (link) unlinkedIds.push(link.id);
      else if (pending.has(email)) removedPending.push(email);
      else missing.push(email);
    }
    await updateLearners(trx, unlinkedIds, { linked: false, active: false, isRelinkable }, now);
    await deletePendingLearners(trx, removedPending.map((email) => pending.get(email)!.id));
    const rows = await findLearnersByIds(trx, unlinkedIds);
    await writeEvents(
      trx,
      rows.map((row) => ({ eventType: EVENTS.learnerUnlinked, aggregateKey: `${customer.uuid}:${row.lmsUserId}`, payload: learnerPayload(row) })),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return { unlinked: unlinkedIds.map((id) => byId.get(id)!), removedPending, notFound: missing };
  });
}

// ---------------------------------------------------------------------------------------------
// Bulk enrollment

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

interface FulfillmentInput {
  email: string;
  courseRunKey?: string | null;
  fulfillmentType: FulfillmentSpec['fulfillmentType'];
  licenseUuid?: string | null;
  transactionUuid?: string | null;
}

/** Validates the fulfillments of a bulk enrollment and indexes them by (email, run) and (email, any run). */
function fulfillmentIndex(inputs: readonly FulfillmentInput[] | null | undefined): (email: string, runKey: string) => FulfillmentSpec | undefined {
  const index = new Map<string, FulfillmentSpec>();
  for (const input of inputs ?? []) {
    const email = emailArg(input.email, 'fulfillments.email');
    const licenseUuid = input.licenseUuid != null ? uuidArg(input.licenseUuid, 'fulfillments.licenseUuid') : null;
    const transactionUuid = input.transactionUuid != null ? uuidArg(input.transactionUuid, 'fulfillments.transactionUuid') : null;
    if (input.fulfillmentType === 'LICENSE' && !licenseUuid) throw badInput('A LICENSE fulfillment needs licenseUuid', { argument: 'fulfillments' });
    if (input.fulfillmentType === 'LEARNER_CREDIT' && !transactionUuid) throw badInput('A LEARNER_CREDIT fulfillment needs transactionUuid', { argument: 'fulfillments' });
    index.set(`${email}\u0000${input.courseRunKey?.trim() ?? '*'}`, { fulfillmentType: input.fulfillmentType, licenseUuid, transactionUuid });
  }
  return (email, runKey) => index.get(`${email}\u0000${runKey}`) ?? index.get(`${email}\u0000*`);
}

/** Who enrolled, as edx-enterprise enrollment sources name it. */
function enrollmentSource(ctx: CustomersContext): string {
  return ctx.viewer.service ? 'enrollment_task' : 'customer_admin';
}

/**
 * Bulk enrollment (seed 002 ADR 14, DOMAIN section 2): best-effort. Input shape and limits are
 * validated up front (BAD_USER_INPUT, nothing written); then every (email, run) pair ends in
 * exactly one list. A learner's link, enrollments, progress rows and outbox events commit
 * together; one learner's failure never undoes another's enrollment.
 */
export async function enrollLearners(
  ctx: CustomersContext,
  input: {
    enterpriseCustomerUuid: string;
    emails: readonly string[];
    courseRunKeys: readonly string[];
    notify?: boolean | null;
    fulfillments?: readonly FulfillmentInput[] | null;
  },
): Promise<EnrollLearnersResult> {
  listSize(input.emails, LIMITS.emails, 'emails', 1);
  listSize(input.courseRunKeys, LIMITS.contentKeys, 'courseRunKeys', 1);
  const emails = [...new Set(input.emails.map(normalizeEmail))];
  const runKeys = [...new Set(input.courseRunKeys.map((k) => k.trim()))];
  if (runKeys.some((k) => k === '' || k.length > 255)) throw badInput('courseRunKeys must be non-empty run keys', { argument: 'courseRunKeys' });
  if (emails.length * runKeys.length > MAX_ENROLLMENT_PAIRS) {
    throw badInput(`At most ${MAX_ENROLLMENT_PAIRS} (email, course run) pairs per call, got ${emails.length * runKeys.length}`, { argument: 'emails' });
  }
  listSize(input.fulfillments ?? [], MAX_ENROLLMENT_PAIRS, 'fulfillments');
  const fulfillmentFor = fulfillmentIndex(input.fulfillments);
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

  const users = new Map((await findLmsUsersByEmails(ctx.db, emails.filter(isEmail))).map((u) => [u.email, u]));
  const now = new Date();
  const source = enrollmentSource(ctx);
  const notify = input.notify === true;

  const workable: string[] = [];
  for (const email of emails) {
    if (!isEmail(email)) {
      for (const courseRunKey of runKeys) result.failures.push({ email, courseRunKey, reason: 'invalid email address' });
      continue;
    }
    for (const [courseRunKey, reason] of runFailures) result.failures.push({ email, courseRunKey, reason });
    if (runs.length) workable.push(email);
  }

  /** Some learners' enrollments inside a transaction; results are reported only once it commits. */
  const enrollSome = async (trx: Transaction<CustomersDatabase>, chunk: readonly string[]): Promise<EnrollLearnersResult> => {
    const part: EnrollLearnersResult = { successes: [], pending: [], failures: [] };
    const unknown = chunk.filter((email) => !users.has(email));
    await enrollPendingLearners(trx, {
      customerUuid: customer.uuid,
      emails: unknown,
      runs,
      source,
      licenseFor: (email, runKey) => fulfillmentFor(email, runKey)?.licenseUuid ?? null,
      now,
    });
    const reason = 'no LMS account yet: enrolled when the learner registers';
    for (const email of unknown) part.pending.push(...runs.map((run) => ({ email, courseRunKey: run.key, reason })));
    const known = chunk.flatMap((email) => users.get(email) ?? []);
    const links = await linkUsers(trx, customer.uuid, known, now);
    const learners: { learnerId: number; user: LmsUserRow }[] = [];
    for (const user of known) {
      const link = links.get(user.id)!;
      if (link.outcome === 'notRelinkable' || link.learnerId === null) {
        part.failures.push(...runs.map((run) => ({ email: user.email, courseRunKey: run.key, reason: 'learner was unlinked and cannot be relinked' })));
      } else learners.push({ learnerId: link.learnerId, user });
    }
    const outcomes = await enrollLinkedLearners(trx, {
      customerUuid: customer.uuid,
      learners,
      runs,
      source,
      notify,
      fulfillmentFor: (user, runKey) => fulfillmentFor(user.email, runKey),
      now,
    });
    for (const { learnerId, user } of learners) {
      part.successes.push(...outcomes.get(learnerId)!.map((o) => ({ email: user.email, courseRunKey: o.courseRunKey, reason: o.reason })));
    }
    return part;
  };
  const merge = (part: EnrollLearnersResult) => {
    result.successes.push(...part.successes);
    result.pending.push(...part.pending);
    result.failures.push(...part.failures);
  };

  // Learners are written in chunks, one transaction each (few commits for large calls). If a chunk
  // fails, its learners are retried one transaction each, so one bad learner fails only its pairs.
  // Lock order as everywhere: the customer row (pending learners first), then users by id.
  const userId = (email: string) => users.get(email)?.id ?? -1;
  workable.sort((a, b) => userId(a) - userId(b));
  for (let i = 0; i < workable.length; i += ENROLLMENT_CHUNK) {
    const chunk = workable.slice(i, i + ENROLLMENT_CHUNK);
    try {
      merge(await ctx.db.transaction().execute((trx) => enrollSome(trx, chunk)));
    } catch {
      for (const email of chunk) {
        try {
          merge(await ctx.db.transaction().execute((trx) => enrollSome(trx, [email])));
        } catch (error) {
          logger.error({ piece: 'customers', err: error }, '[customers] enrollLearners failed for one learner');
          for (const run of runs) result.failures.push({ email, courseRunKey: run.key, reason: 'internal error' });
        }
      }
    }
  }
  return result;
}

function enrollmentIdArg(value: string): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0) throw badInput('enrollmentId must be an enrollment id', { argument: 'enrollmentId' });
  return id;
}

/** Locks an enrollment the viewer may change: its learner itself, the customer's admins, operators. */
async function lockOwnEnrollment(ctx: CustomersContext, trx: Transaction<CustomersDatabase>, id: number) {
  const enrollment = await lockEnrollment(trx, id);
  if (!enrollment) throw notFound(`Enrollment ${id} does not exist`);
  const [learner] = await findLearnersByIds(trx, [enrollment.enterpriseCustomerUserId]);
  const self = learner != null && ctx.viewer.isSelf({ lmsUserId: learner.lmsUserId, email: learner.email });
  if (!self) ctx.viewer.assertAdminOf(enrollment.enterpriseCustomerUuid);
  return { enrollment, lmsUserId: learner?.lmsUserId ?? 0 };
}

export async function unenroll(ctx: CustomersContext, input: { enrollmentId: string }): Promise<EnterpriseCourseEnrollmentRow> {
  const id = enrollmentIdArg(input.enrollmentId);
  const now = new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const { enrollment, lmsUserId } = await lockOwnEnrollment(ctx, trx, id);
    if (enrollment.unenrolled) return enrollment;
    const fulfillment = await findFulfillmentOfEnrollment(trx, id);
    await markUnenrolled(trx, id, now);
    const updated = { ...enrollment, savedForLater: true, unenrolled: true, unenrolledAt: now, modified: now };
    const base = enrollmentEvent(updated, enrollment.enterpriseCustomerUuid, lmsUserId);
    const events: OutboxEvent[] = [{ ...base, eventType: EVENTS.enrollmentUnenrolled }];
    if (fulfillment && !fulfillment.isRevoked) {
      events.push({
        eventType: fulfillment.fulfillmentType === 'learner_credit' ? EVENTS.learnerCreditEnrollmentRevoked : EVENTS.licensedEnrollmentRevoked,
        aggregateKey: base.aggregateKey,
        payload: fulfillmentPayload({ ...fulfillment, isRevoked: true, modified: now }, base.payload),
      });
    }
    await writeEvents(trx, events);
    return updated;
  });
}

export async function setSavedForLater(ctx: CustomersContext, input: { enrollmentId: string; savedForLater: boolean }): Promise<EnterpriseCourseEnrollmentRow> {
  const id = enrollmentIdArg(input.enrollmentId);
  const now = new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const { enrollment } = await lockOwnEnrollment(ctx, trx, id);
    if (enrollment.savedForLater === input.savedForLater) return enrollment;
    await updateSavedForLater(trx, id, input.savedForLater, now);
    return { ...enrollment, savedForLater: input.savedForLater, modified: now };
  });
}

const dayStart = (date: string) => new Date(`${date}T00:00:00Z`);

/** The reporting pipeline's update of a learner-summary row (operators only). */
export async function recordLearnerProgress(
  ctx: CustomersContext,
  input: { enrollmentId: string; currentGrade?: number | null; letterGrade?: string | null; hasPassed?: boolean | null; passedDate?: string | null; lastActivityDate?: string | null },
): Promise<LearnerProgressRow> {
  ctx.viewer.assertOperator();
  const id = enrollmentIdArg(input.enrollmentId);
  const now = new Date();
  const today = now.toISOString().slice(0, 10);
  if (input.currentGrade != null && !(input.currentGrade >= 0 && input.currentGrade <= 1)) throw badInput('currentGrade must be between 0 and 1', { argument: 'currentGrade' });
  const letterGrade = input.letterGrade == null ? undefined : nonEmptyString(input.letterGrade, 'letterGrade', 16);
  for (const [name, value] of [['passedDate', input.passedDate], ['lastActivityDate', input.lastActivityDate]] as const) {
    if (value != null && value > today) throw badInput(`${name} must not be in the future`, { argument: name });
  }
  if (input.passedDate != null && input.hasPassed === false) throw badInput('passedDate needs hasPassed', { argument: 'passedDate' });
  return ctx.db.transaction().execute(async (trx) => {
    const current = await lockLearnerProgress(trx, id);
    if (!current) throw notFound(`No learner progress for enrollment ${id}`);
    if (current.hasPassed && input.hasPassed === false) throw conflict('A passed enrollment cannot be marked unpassed');
    if (!current.hasPassed && input.hasPassed !== true && input.passedDate != null) throw badInput('passedDate needs hasPassed', { argument: 'passedDate' });
    const passing = input.hasPassed === true && !current.hasPassed;
    await updateLearnerProgress(
      trx,
      id,
      {
        ...(input.currentGrade != null ? { currentGrade: input.currentGrade } : {}),
        ...(letterGrade !== undefined ? { letterGrade } : {}),
        ...(passing ? { hasPassed: true, passedDate: dayStart(input.passedDate ?? today) } : input.passedDate != null ? { passedDate: dayStart(input.passedDate) } : {}),
        ...(input.lastActivityDate != null ? { lastActivityDate: dayStart(input.lastActivityDate) } : {}),
      },
      now,
    );
    return (await findLearnerProgressRow(trx, id, now))!;
  });
}

// ---------------------------------------------------------------------------------------------
// Consent

export async function setDataSharingConsent(
  ctx: CustomersContext,
  input: { enterpriseCustomerUuid: string; courseKey: string; granted: boolean },
): Promise<DataSharingConsentView> {
  const customerUuid = uuidArg(input.enterpriseCustomerUuid, 'enterpriseCustomerUuid');
  const courseKey = nonEmptyString(input.courseKey, 'courseKey');
  if (courseKey.startsWith('course-v1:')) throw badInput('courseKey must be a course key (org+number), not a course run key', { argument: 'courseKey' });
  const customer = await ctx.loaders.customer.load(customerUuid);
  if (!customer) throw notFound(`Enterprise customer ${customerUuid} does not exist`);
  const lmsUserId = await viewerLmsUserId(ctx);
  const link = lmsUserId == null ? null : await ctx.loaders.learnerByUser.load(pairKey(customerUuid, lmsUserId));
  if (!link || !link.linked) throw forbidden('Only a linked learner of the customer sets its own consent');
  const now = new Date();
  const row = await ctx.db.transaction().execute(async (trx) => {
    const stored = await upsertConsent(trx, customerUuid, link.lmsUserId, courseKey, input.granted, now);
    await writeEvents(trx, [
      {
        eventType: EVENTS.consentChanged,
        aggregateKey: `${customerUuid}:${link.lmsUserId}`,
        payload: { enterprise_customer_uuid: customerUuid, username: link.username, user_id: link.lmsUserId, course_id: courseKey, granted: input.granted },
      },
    ]);
    return stored;
  });
  return { enterpriseCustomerUuid: customerUuid, lmsUserId: row.lmsUserId, courseKey, granted: row.granted, exists: true, created: row.created, modified: row.modified };
}

// ---------------------------------------------------------------------------------------------
// Invite keys

export async function createInviteKey(
  ctx: CustomersContext,
  input: { enterpriseCustomerUuid: string; usageLimit?: number | null; expirationDate?: Date | null },
): Promise<InviteKeyRow> {
  const now = new Date();
  const usageLimit = input.usageLimit ?? INVITE_KEYS.defaultUsageLimit;
  if (!Number.isSafeInteger(usageLimit) || usageLimit < 1 || usageLimit > INVITE_KEYS.maxUsageLimit) {
    throw badInput(`usageLimit must be between 1 and ${INVITE_KEYS.maxUsageLimit}`, { argument: 'usageLimit' });
  }
  const expirationDate = input.expirationDate ?? new Date(now.getTime() + INVITE_KEYS.defaultDays * DAY_MS);
  if (Number.isNaN(expirationDate.getTime()) || expirationDate <= now || expirationDate.getTime() > now.getTime() + INVITE_KEYS.maxDays * DAY_MS) {
    throw badInput(`expirationDate must be in the future and at most ${INVITE_KEYS.maxDays} days ahead`, { argument: 'expirationDate' });
  }
  const customer = await customerForAdmin(ctx, input.enterpriseCustomerUuid);
  return ctx.db.transaction().execute(async (trx) => {
    // The customer row lock makes count-then-insert safe against concurrent creations.
    await lockCustomer(trx, customer.uuid);
    const count = await countInviteKeys(trx, customer.uuid);
    if (count >= INVITE_KEYS.perCustomer) {
      throw conflict(`A customer has at most ${INVITE_KEYS.perCustomer} invite keys (inactive ones included)`, { count });
    }
    const uuid = randomUUID();
    await insertInviteKey(trx, { uuid, enterpriseCustomerUuid: customer.uuid, usageLimit, expirationDate, isActive: true, created: now, modified: now });
    return (await findInviteKey(trx, uuid))!;
  });
}

export async function deactivateInviteKey(ctx: CustomersContext, input: { uuid: string }): Promise<InviteKeyRow> {
  const uuid = uuidArg(input.uuid, 'uuid');
  return ctx.db.transaction().execute(async (trx) => {
    const key = await findInviteKey(trx, uuid, true);
    if (!key) throw notFound(`Invite key ${uuid} does not exist`);
    ctx.viewer.assertAdminOf(key.enterpriseCustomerUuid);
    if (!key.isActive) return key;
    const now = new Date();
    await deactivateInviteKeyRow(trx, uuid, now);
    return { ...key, isActive: false, modified: now };
  });
}

export function isInviteKeyValid(key: InviteKeyRow, now = new Date()): boolean {
  return key.isActive && now < key.expirationDate && key.usageCount < key.usageLimit;
}

export async function linkWithInviteKey(ctx: CustomersContext, input: { inviteKeyUuid: string }): Promise<{ learner: EnterpriseCustomerUserRow; created: boolean }> {
  const uuid = uuidArg(input.inviteKeyUuid, 'inviteKeyUuid');
  const lmsUserId = await viewerLmsUserId(ctx);
  if (lmsUserId == null) throw forbidden('Only an LMS user can join a customer with an invite key');
  const now = new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const key = await findInviteKey(trx, uuid, true);
    if (!key) throw notFound(`Invite key ${uuid} does not exist`);
    if (!isInviteKeyValid(key, now)) throw conflict('Enterprise customer invite key is not valid');
    const customer = await lockCustomer(trx, key.enterpriseCustomerUuid);
    if (!customer?.active) throw conflict('The invite key belongs to an inactive customer');
    const [user] = await findLmsUsersByIds(trx, [lmsUserId]);
    if (!user) throw notFound(`No LMS account ${lmsUserId} is known`);
    const { learnerId, outcome } = await linkUser(trx, key.enterpriseCustomerUuid, user, now, { inviteKeyUuid: uuid, activate: true });
    if (outcome === 'notRelinkable') throw conflict('This learner was unlinked and cannot be relinked');
    const [learner] = await findLearnersByIds(trx, [learnerId!]);
    return { learner: learner!, created: outcome !== 'alreadyLinked' };
  });
}

// ---------------------------------------------------------------------------------------------
// A user appears (registration)

const USERNAME = /^[\w.@+-]{1,150}$/;
const COUNTRY = /^[A-Z]{2}$/;

/**
 * An LMS account appears (edx-enterprise's user post_save handler): the mirror row, the links of
 * every pending learner of its email (the most recent invitation ends up active), their pending
 * enrollments applied with their source and license, and the pending rows removed. One
 * transaction: any failure writes nothing.
 */
export async function registerLmsUser(
  ctx: CustomersContext,
  input: { lmsUserId: number; email: string; username: string; country?: string | null; dateJoined?: Date | null },
): Promise<{ lmsUserId: number; learners: EnterpriseCustomerUserRow[]; enrollments: EnterpriseCourseEnrollmentRow[] }> {
  ctx.viewer.assertOperator();
  if (!Number.isSafeInteger(input.lmsUserId) || input.lmsUserId <= 0) throw badInput('lmsUserId must be a positive integer', { argument: 'lmsUserId' });
  const email = emailArg(input.email, 'email');
  const username = input.username.trim();
  if (!USERNAME.test(username)) throw badInput('username must be 1-150 letters, digits or . @ + - _', { argument: 'username' });
  const country = input.country == null ? null : input.country.trim().toUpperCase();
  if (country !== null && !COUNTRY.test(country)) throw badInput('country must be an ISO 3166-1 alpha-2 code', { argument: 'country' });
  const now = new Date();
  const user: LmsUserRow = { id: input.lmsUserId, email, username, country, dateJoined: input.dateJoined ?? now };
  return ctx.db.transaction().execute(async (trx) => {
    const clashes = await findLmsUserConflicts(trx, user);
    if (clashes.length) {
      const fields = [...new Set(clashes.flatMap((c) => [c.id === user.id ? 'lmsUserId' : null, c.email === email ? 'email' : null, c.username === username ? 'username' : null]))].filter(Boolean);
      throw conflict(`An LMS user with this ${fields.join(' and ')} already exists`, { fields });
    }
    await insertLmsUser(trx, user);
    const pending = await findPendingLearnersByEmail(trx, email);
    const pendingEnrollments = await findPendingEnrollmentsByPendingUsers(trx, pending.map((p) => p.id));
    const learnerIds: number[] = [];
    const enrollmentIds: number[] = [];
    for (const p of pending) {
      const { learnerId, outcome } = await linkUser(trx, p.enterpriseCustomerUuid, user, now, { activate: true });
      if (outcome === 'notRelinkable' || learnerId === null) continue;
      learnerIds.push(learnerId);
      const mine = pendingEnrollments.filter((e) => e.pendingUserId === p.id);
      for (const source of new Set(mine.map((e) => e.source))) {
        const group = mine.filter((e) => e.source === source);
        const runs: RunInfo[] = group.map((e) => ({
          key: e.courseRunKey,
          title: e.courseTitle,
          courseKey: e.courseKey ?? e.courseRunKey,
          courseTitle: e.courseTitle,
          start: e.courseStart,
          end: e.courseEnd,
        }));
        const licenses = new Map(group.map((e) => [e.courseRunKey, e.licenseUuid]));
        const outcomes = await enrollLinkedLearners(trx, {
          customerUuid: p.enterpriseCustomerUuid,
          learners: [{ learnerId, user }],
          runs,
          source,
          notify: false,
          fulfillmentFor: (_user, runKey) => {
            const licenseUuid = licenses.get(runKey);
            return licenseUuid ? { fulfillmentType: 'LICENSE', licenseUuid, transactionUuid: null } : undefined;
          },
          now,
        });
        enrollmentIds.push(...outcomes.get(learnerId)!.map((o) => o.enrollmentId));
      }
    }
    await deletePendingLearners(trx, pending.map((p) => p.id));
    const learners = await findLearnersByIds(trx, learnerIds);
    return { lmsUserId: user.id, learners, enrollments: await findEnrollmentsByIds(trx, enrollmentIds) };
  });
}
