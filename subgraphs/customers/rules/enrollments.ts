import { badInput, forbidden } from '../../../lib/errors.js';
import { emailArg, isEmail, listSize, LIMITS, normalizeEmail, uuidArg, uuidList } from '../../../lib/validate.js';
import type { RunCheck, RunInfo } from '../remote.js';
import type {
  EnrollmentFulfillmentRow,
  EnterpriseCourseEnrollmentRow,
  LearnerProgressTable,
  LmsUserRow,
} from '../tables.js';
import {
  DAY_MS,
  ENROLLMENT_CHUNK,
  type FulfillmentType,
  fulfillmentTypeValue,
  MAX_ENROLLMENT_PAIRS,
  present,
} from './common.js';

// ---------------------------------------------------------------------------------------------
// Enrollment

/** What pays for an enrollment, as mutations receive it (GraphQL enum values). */
export interface FulfillmentSpec {
  fulfillmentType: FulfillmentType;
  licenseUuid: string | null;
  transactionUuid: string | null;
}

export interface FulfillmentInput {
  email: string;
  courseRunKey?: string | null;
  fulfillmentType: FulfillmentType;
  licenseUuid?: string | null;
  transactionUuid?: string | null;
}

export type FulfillmentLookup = (email: string, runKey: string) => FulfillmentSpec | undefined;

/** Validates the fulfillments of a bulk enrollment and indexes them by (email, run) and (email, any run). */
export function fulfillmentIndex(inputs: readonly FulfillmentInput[] | null | undefined): FulfillmentLookup {
  const index = new Map<string, FulfillmentSpec>();
  for (const input of inputs ?? []) {
    const email = emailArg(input.email, 'fulfillments.email');
    const licenseUuid = input.licenseUuid != null ? uuidArg(input.licenseUuid, 'fulfillments.licenseUuid') : null;
    const transactionUuid =
      input.transactionUuid != null ? uuidArg(input.transactionUuid, 'fulfillments.transactionUuid') : null;
    if (input.fulfillmentType === 'LICENSE' && !licenseUuid)
      throw badInput('A LICENSE fulfillment needs licenseUuid', { argument: 'fulfillments' });
    if (input.fulfillmentType === 'LEARNER_CREDIT' && !transactionUuid)
      throw badInput('A LEARNER_CREDIT fulfillment needs transactionUuid', { argument: 'fulfillments' });
    // One reference per fulfillment, of its own kind: a LICENSE naming a transaction (or the
    // reverse) would store a reference nothing checks or revokes.
    if (input.fulfillmentType !== 'LICENSE' && licenseUuid)
      throw badInput(`A ${input.fulfillmentType} fulfillment takes no licenseUuid`, { argument: 'fulfillments' });
    if (input.fulfillmentType !== 'LEARNER_CREDIT' && transactionUuid)
      throw badInput(`A ${input.fulfillmentType} fulfillment takes no transactionUuid`, { argument: 'fulfillments' });
    index.set(`${email}\u0000${input.courseRunKey?.trim() ?? '*'}`, {
      fulfillmentType: input.fulfillmentType,
      licenseUuid,
      transactionUuid,
    });
  }
  return (email, runKey) => index.get(`${email}\u0000${runKey}`) ?? index.get(`${email}\u0000*`);
}

export interface EnrollmentOutcome {
  courseRunKey: string;
  enrollmentId: number;
  /** `enrolled`, `already enrolled` or `re-enrolled`. */
  reason: string;
}

export interface EnrollmentPlan {
  /** Outcomes of the pairs that already have an enrollment, by learner id. */
  outcomes: Map<number, EnrollmentOutcome[]>;
  /** Unenrolled enrollments to enroll again. */
  reenroll: number[];
  create: { learnerId: number; courseRunKey: string; source: string }[];
}

/** edx-enterprise's get-or-create of the ECE: idempotent per (learner, run); an unenrolled one is re-enrolled. */
export function planEnrollments(
  learnerIds: readonly number[],
  runs: readonly RunInfo[],
  existing: readonly EnterpriseCourseEnrollmentRow[],
  source: string,
): EnrollmentPlan {
  const byPair = new Map(existing.map((e) => [`${e.enterpriseCustomerUserId}:${e.courseRunKey}`, e]));
  const plan: EnrollmentPlan = { outcomes: new Map(learnerIds.map((id) => [id, []])), reenroll: [], create: [] };
  for (const learnerId of learnerIds) {
    for (const run of runs) {
      const current = byPair.get(`${learnerId}:${run.key}`);
      if (!current) plan.create.push({ learnerId, courseRunKey: run.key, source });
      else {
        if (current.unenrolled) plan.reenroll.push(current.id);
        present(plan.outcomes.get(learnerId), `outcomes of learner ${learnerId}`).push({
          courseRunKey: run.key,
          enrollmentId: current.id,
          reason: current.unenrolled ? 're-enrolled' : 'already enrolled',
        });
      }
    }
  }
  return plan;
}

/** The learner-summary row of a new enrollment (what the reporting ETL would write). */
export function progressRow(args: {
  customerUuid: string;
  learnerId: number;
  user: LmsUserRow;
  run: RunInfo;
  enrollment: EnterpriseCourseEnrollmentRow;
  now: Date;
}): LearnerProgressTable {
  const { user, run, enrollment, now } = args;
  // Refund window: 14 days after enrollment or course start, whichever is later.
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
    userCurrentEnrollmentMode: enrollment.mode,
    courseKey: run.courseKey,
    courserunKey: run.key,
    courseTitle: run.title ?? run.courseTitle,
    coursePacingType: run.pacingType ?? null,
    courseStart: run.start,
    courseEnd: run.end,
    courseDuration:
      run.weeksToComplete ??
      (run.start && run.end ? Math.max(1, Math.round((run.end.getTime() - run.start.getTime()) / (7 * DAY_MS))) : null),
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
    unenrollmentEndWithinDate: new Date(refundBase.getTime() + 14 * DAY_MS),
    created: now,
  };
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

export interface EnrollLearnersInput {
  enterpriseCustomerUuid: string;
  emails: readonly string[];
  courseRunKeys: readonly string[];
  notify?: boolean | null;
  fulfillments?: readonly FulfillmentInput[] | null;
}

/** The input shape and limits of a bulk enrollment (BAD_USER_INPUT, nothing written). */
/** The licenses and ledger transactions a list of fulfillments names, each once. */
export function fulfillmentReferences(inputs: readonly FulfillmentInput[] | null | undefined): {
  licenseUuids: string[];
  transactionUuids: string[];
} {
  const licenses = new Set<string>();
  const transactions = new Set<string>();
  for (const input of inputs ?? []) {
    if (input.licenseUuid != null) licenses.add(uuidArg(input.licenseUuid, 'fulfillments.licenseUuid'));
    if (input.transactionUuid != null) transactions.add(uuidArg(input.transactionUuid, 'fulfillments.transactionUuid'));
  }
  return { licenseUuids: [...licenses], transactionUuids: [...transactions] };
}

/**
 * Every license and transaction a fulfillment names must exist (else BAD_USER_INPUT) and belong
 * to the enrolling customer (else FORBIDDEN): an enrollment must never record, nor an outbox event
 * announce, another customer's license or ledger transaction.
 */
export function checkFulfillmentReferences(
  customerUuid: string,
  refs: { licenseUuids: readonly string[]; transactionUuids: readonly string[] },
  owners: {
    licenses: ReadonlyMap<string, { enterpriseCustomerUuid: string | null } | null>;
    transactions: ReadonlyMap<string, { enterpriseCustomerUuid: string | null } | null>;
  },
): void {
  const check = (
    kind: 'license' | 'ledger transaction',
    argument: string,
    uuid: string,
    owner: { enterpriseCustomerUuid: string | null } | null | undefined,
  ) => {
    if (!owner) throw badInput(`fulfillments name ${kind} ${uuid}, which does not exist`, { argument });
    if (owner.enterpriseCustomerUuid === null)
      throw badInput(`fulfillments name ${kind} ${uuid}, which is not a redemption`, { argument });
    if (owner.enterpriseCustomerUuid !== customerUuid)
      throw forbidden(`${kind} ${uuid} belongs to another enterprise customer`);
  };
  for (const uuid of refs.licenseUuids) check('license', 'fulfillments.licenseUuid', uuid, owners.licenses.get(uuid));
  for (const uuid of refs.transactionUuids)
    check('ledger transaction', 'fulfillments.transactionUuid', uuid, owners.transactions.get(uuid));
}

export function bulkEnrollmentRequest(input: EnrollLearnersInput): {
  emails: string[];
  runKeys: string[];
  fulfillmentFor: FulfillmentLookup;
} {
  listSize(input.emails, LIMITS.emails, 'emails', 1);
  listSize(input.courseRunKeys, LIMITS.contentKeys, 'courseRunKeys', 1);
  const emails = [...new Set(input.emails.map(normalizeEmail))];
  const runKeys = [...new Set(input.courseRunKeys.map((k) => k.trim()))];
  if (runKeys.some((k) => k === '' || k.length > 255))
    throw badInput('courseRunKeys must be non-empty run keys', { argument: 'courseRunKeys' });
  if (emails.length * runKeys.length > MAX_ENROLLMENT_PAIRS) {
    throw badInput(
      `At most ${MAX_ENROLLMENT_PAIRS} (email, course run) pairs per call, got ${emails.length * runKeys.length}`,
      { argument: 'emails' },
    );
  }
  listSize(input.fulfillments ?? [], MAX_ENROLLMENT_PAIRS, 'fulfillments');
  return { emails, runKeys, fulfillmentFor: fulfillmentIndex(input.fulfillments) };
}

export interface BulkEnrollmentPlan {
  /** The runs every workable learner is enrolled in. */
  runs: RunInfo[];
  /** Pairs that fail before any write: invalid emails, unknown runs, runs outside the customer's catalogs. */
  failures: EnrollmentResult[];
  /** Emails to enroll in `runs`, in lock order (LMS user id; emails without an account first), in transactions of ENROLLMENT_CHUNK. */
  chunks: string[][];
}

/**
 * Splits a bulk enrollment's pairs: every (email, run) pair that cannot succeed fails here with its
 * reason; the other emails are grouped into transactions, ordered as every writer locks users.
 */
export function planBulkEnrollment(
  emails: readonly string[],
  runKeys: readonly string[],
  checks: readonly RunCheck[],
  userIdByEmail: ReadonlyMap<string, number>,
): BulkEnrollmentPlan {
  const runs: RunInfo[] = [];
  const runFailures = new Map<string, string>();
  runKeys.forEach((key, i) => {
    const check = present(checks[i], `catalog check of run ${key}`);
    if (!check.run) runFailures.set(key, 'course run not found');
    else if (!check.inCustomerCatalog) runFailures.set(key, "course run is not in any of the customer's catalogs");
    else runs.push(check.run);
  });
  const failures: EnrollmentResult[] = [];
  const workable: string[] = [];
  for (const email of emails) {
    if (!isEmail(email)) {
      for (const courseRunKey of runKeys) failures.push({ email, courseRunKey, reason: 'invalid email address' });
      continue;
    }
    for (const [courseRunKey, reason] of runFailures) failures.push({ email, courseRunKey, reason });
    if (runs.length) workable.push(email);
  }
  const userId = (email: string) => userIdByEmail.get(email) ?? -1;
  workable.sort((a, b) => userId(a) - userId(b));
  const chunks: string[][] = [];
  for (let i = 0; i < workable.length; i += ENROLLMENT_CHUNK) chunks.push(workable.slice(i, i + ENROLLMENT_CHUNK));
  return { runs, failures, chunks };
}

export function mergeResults(into: EnrollLearnersResult, part: EnrollLearnersResult): void {
  into.successes.push(...part.successes);
  into.pending.push(...part.pending);
  into.failures.push(...part.failures);
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Enrollment paid by one fulfillment (the outbox relays, self-enrollment)

/**
 * What enrollWithFulfillment does with the learner's current enrollment in the run:
 * - `repeat`: it already carries this fulfillment (revoked or not): nothing to write, so a
 *   redelivered redemption never revives an enrollment its reversal ended;
 * - `keep`: active and paid by another, unrevoked fulfillment: left as it is;
 * - `attach`: active without a live fulfillment: this one pays for it now;
 * - `reenroll`: ended: re-enrolled with this fulfillment;
 * - `create`: none yet.
 */
export type FulfilledEnrollmentStep = 'repeat' | 'keep' | 'attach' | 'reenroll' | 'create';

export function planFulfilledEnrollment(
  enrollment: Pick<EnterpriseCourseEnrollmentRow, 'unenrolled'> | undefined,
  current:
    Pick<EnrollmentFulfillmentRow, 'fulfillmentType' | 'licenseUuid' | 'transactionUuid' | 'isRevoked'> | undefined,
  spec: FulfillmentSpec,
): FulfilledEnrollmentStep {
  if (!enrollment) return 'create';
  const same =
    current?.fulfillmentType === fulfillmentTypeValue(spec.fulfillmentType) &&
    current.licenseUuid === spec.licenseUuid &&
    current.transactionUuid === spec.transactionUuid;
  if (same) return 'repeat';
  if (enrollment.unenrolled) return 'reenroll';
  return current && !current.isRevoked ? 'keep' : 'attach';
}

/** Checks enrollWithFulfillment's input: the uuid its type needs, and only that one. */
export function fulfillmentSpecArg(input: {
  fulfillmentType: FulfillmentType;
  licenseUuid?: string | null;
  transactionUuid?: string | null;
}): FulfillmentSpec {
  const licenseUuid = input.licenseUuid != null ? uuidArg(input.licenseUuid, 'licenseUuid') : null;
  const transactionUuid = input.transactionUuid != null ? uuidArg(input.transactionUuid, 'transactionUuid') : null;
  if (input.fulfillmentType === 'LICENSE' && (!licenseUuid || transactionUuid))
    throw badInput('A LICENSE fulfillment needs licenseUuid (and no transactionUuid)', { argument: 'licenseUuid' });
  if (input.fulfillmentType === 'LEARNER_CREDIT' && (!transactionUuid || licenseUuid))
    throw badInput('A LEARNER_CREDIT fulfillment needs transactionUuid (and no licenseUuid)', {
      argument: 'transactionUuid',
    });
  if (input.fulfillmentType === 'COUPON_CODE')
    throw badInput('COUPON_CODE fulfillments are not recorded here', { argument: 'fulfillmentType' });
  return { fulfillmentType: input.fulfillmentType, licenseUuid, transactionUuid };
}

/** Checks revokeFulfillments' input: exactly one non-empty uuid list. */
export function revocationArg(input: {
  licenseUuids?: readonly string[] | null;
  transactionUuids?: readonly string[] | null;
}): { licenseUuids: string[]; transactionUuids: string[] } {
  const licenses = input.licenseUuids ?? null;
  const transactions = input.transactionUuids ?? null;
  if ((licenses === null) === (transactions === null))
    throw badInput('Give exactly one of licenseUuids or transactionUuids', { argument: 'licenseUuids' });
  const list = licenses ?? transactions ?? [];
  listSize(list, LIMITS.uuids, licenses ? 'licenseUuids' : 'transactionUuids', 1);
  return {
    licenseUuids: licenses ? uuidList(licenses, 'licenseUuids') : [],
    transactionUuids: transactions ? uuidList(transactions, 'transactionUuids') : [],
  };
}

export function nonEmptyRunKey(value: string): string {
  const key = value.trim();
  if (key === '' || key.length > 255)
    throw badInput('courseRunKey must be a non-empty run key', { argument: 'courseRunKey' });
  return key;
}
