import { createHash } from 'node:crypto';
import type { Viewer } from '../../lib/auth/viewer.js';
import { badInput, conflict, forbidden } from '../../lib/errors.js';
import { nonEmptyString } from '../../lib/validate.js';
import type { CatalogContent, ContentInfo } from './remote.js';
import type { LearnerTransaction } from './store/index.js';
import type {
  AssignmentActionRow,
  AssignmentRow,
  AssignmentState,
  LearnerContentAssignmentTable,
  LedgerTransactionRow,
  LedgerTransactionTable,
  SubsidyAccessPolicyRow,
  SubsidyRow,
} from './tables.js';

/**
 * The learner-credit rules as pure functions over facts the callers gather
 * (from loaders for reads, from the locked transaction for writes), so reads and writes decide
 * identically. Money: integer USD cents; ledger and assignment quantities are <= 0 for spend.
 */

export const ASSIGNED_POLICY = 'AssignedLearnerCreditAccessPolicy';
export const ENROLLMENT_POLICY = 'PerLearnerEnrollmentCreditAccessPolicy';
export const SPEND_POLICY = 'PerLearnerSpendCreditAccessPolicy';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Unredeemed assignments expire 90 days after their (latest) allocation. */
export const ASSIGNMENT_TIMEOUT_MS = 90 * DAY_MS;

/** Allocation accepts 95% to 105% of the canonical price (enterprise-access settings). */
export const PRICE_TOLERANCE = { lowPercent: 95, highPercent: 105 } as const;

export function isSubsidyActive(subsidy: SubsidyRow | null | undefined, now: Date): boolean {
  return Boolean(subsidy && subsidy.activeDatetime <= now && now <= subsidy.expirationDatetime);
}

export function isLateRedemptionAllowed(policy: SubsidyAccessPolicyRow, now: Date): boolean {
  return policy.lateRedemptionAllowedUntil !== null && now < policy.lateRedemptionAllowedUntil;
}

export function isRedemptionEnabled(policy: SubsidyAccessPolicyRow): boolean {
  return policy.active && !policy.retired;
}

export interface Aggregates {
  amountRedeemedUsdCents: number;
  amountAllocatedUsdCents: number;
  spendAvailableUsdCents: number;
}

/**
 * redeemed = -(non-failed transactions net of reversals); allocated = -(ALLOCATED assignments);
 * spend available = min(max(0, limit - redeemed), balance), minus allocated for assigned
 * policies, floored at 0.
 */
export function computeAggregates(
  policy: SubsidyAccessPolicyRow,
  facts: { redeemedTotal: number; allocatedTotal: number; balance: number },
): Aggregates {
  const redeemed = Math.max(0, -facts.redeemedTotal);
  const allocated = policy.policyType === ASSIGNED_POLICY ? Math.max(0, -facts.allocatedTotal) : 0;
  const balance = Math.max(0, facts.balance);
  const base =
    policy.spendLimitCents === null ? balance : Math.min(Math.max(0, policy.spendLimitCents - redeemed), balance);
  return {
    amountRedeemedUsdCents: redeemed,
    amountAllocatedUsdCents: allocated,
    spendAvailableUsdCents: Math.max(0, base - allocated),
  };
}

export const REASON_CODES = [
  'POLICY_EXPIRED',
  'LEARNER_NOT_IN_ENTERPRISE',
  'CONTENT_NOT_IN_CATALOG',
  'BEYOND_ENROLLMENT_DEADLINE',
  'SUBSIDY_EXPIRED',
  'NOT_ENOUGH_VALUE_IN_SUBSIDY',
  'ALREADY_REDEEMED',
  'POLICY_SPEND_LIMIT_REACHED',
  'LEARNER_MAX_ENROLLMENTS_REACHED',
  'LEARNER_MAX_SPEND_REACHED',
  'LEARNER_NOT_ASSIGNED_CONTENT',
  'LEARNER_ASSIGNMENT_CANCELLED',
  'LEARNER_ASSIGNMENT_FAILED',
  'LEARNER_ASSIGNMENT_EXPIRED',
  'LEARNER_ASSIGNMENT_REVERSED',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

const NO_FUNDS = "You can't enroll right now because your organization doesn't have enough funds available.";
const LIMITS = "You can't enroll right now because of limits set by your organization.";
const NOT_ASSIGNED = "You can't enroll right now because this course is not assigned to you.";

/** Learner-facing messages; null where upstream maps none. */
export const REASON_MESSAGES: Record<ReasonCode, string | null> = {
  POLICY_EXPIRED: NO_FUNDS,
  LEARNER_NOT_IN_ENTERPRISE:
    "You can't enroll right now because your account is no longer associated with the organization.",
  CONTENT_NOT_IN_CATALOG:
    "You can't enroll right now because this course is no longer available in your organization's catalog.",
  BEYOND_ENROLLMENT_DEADLINE: "You can't enroll right now because the enrollment deadline for this course has passed.",
  SUBSIDY_EXPIRED: "You can't enroll right now because your funds expired.",
  NOT_ENOUGH_VALUE_IN_SUBSIDY: NO_FUNDS,
  ALREADY_REDEEMED: 'You have already redeemed this course.',
  POLICY_SPEND_LIMIT_REACHED: NO_FUNDS,
  LEARNER_MAX_ENROLLMENTS_REACHED: LIMITS,
  LEARNER_MAX_SPEND_REACHED: LIMITS,
  LEARNER_NOT_ASSIGNED_CONTENT: NOT_ASSIGNED,
  LEARNER_ASSIGNMENT_CANCELLED:
    "You can't enroll right now because your administrator canceled your course assignment.",
  LEARNER_ASSIGNMENT_FAILED: NOT_ASSIGNED,
  LEARNER_ASSIGNMENT_EXPIRED: null,
  LEARNER_ASSIGNMENT_REVERSED: null,
};

const ASSIGNMENT_REASONS: Record<Exclude<AssignmentState, 'ALLOCATED'>, ReasonCode> = {
  ACCEPTED: 'LEARNER_NOT_ASSIGNED_CONTENT',
  CANCELLED: 'LEARNER_ASSIGNMENT_CANCELLED',
  ERRORED: 'LEARNER_ASSIGNMENT_FAILED',
  EXPIRED: 'LEARNER_ASSIGNMENT_EXPIRED',
  REVERSED: 'LEARNER_ASSIGNMENT_REVERSED',
};

export interface RedeemFacts {
  policy: SubsidyAccessPolicyRow;
  subsidy: SubsidyRow | null;
  now: Date;
  contentKey: string;
  learnerLinked: boolean;
  catalog: CatalogContent;
  balance: number;
  /** The policy's redeemed total (<= 0). */
  redeemedTotal: number;
  /** The learner's transactions in the subsidy's ledger. */
  learnerTransactions: readonly LearnerTransaction[];
  /** Assigned policies: the learner's assignment for the content, if any. */
  assignment: AssignmentRow | null;
}

export interface Redeemability {
  reason: ReasonCode | null;
  /** What redeeming charges: the allocated price for an allocated assignment, else the canonical price. */
  priceCents: number | null;
}

/** The keys a transaction of the same content can carry: the key and its course. */
export function sameContentKeys(contentKey: string, content: ContentInfo | null): Set<string> {
  return new Set([contentKey, ...(content ? [content.courseKey] : [])]);
}

function matchesContent(tx: LearnerTransaction, keys: Set<string>): boolean {
  return (
    (tx.contentKey !== null && keys.has(tx.contentKey)) ||
    (tx.parentContentKey !== null && keys.has(tx.parentContentKey))
  );
}

/** A committed spend whose reversal (if any) is not committed: the learner holds the content. */
export function isSuccessfulRedemption(tx: LearnerTransaction): boolean {
  return !tx.isDeposit && tx.state === 'COMMITTED' && tx.reversalState !== 'COMMITTED';
}

/** The redeemability checks in their fixed order; the first failure wins. */
export function evaluateRedeemability(facts: RedeemFacts): Redeemability {
  const { policy, now, catalog } = facts;
  const assignment = facts.assignment;
  const allocated = assignment?.state === 'ALLOCATED' ? assignment : null;
  const priceCents = allocated ? -allocated.contentQuantity : (catalog.content?.priceCents ?? null);
  const fail = (reason: ReasonCode): Redeemability => ({ reason, priceCents });

  if (!isRedemptionEnabled(policy)) return fail('POLICY_EXPIRED');
  if (!facts.learnerLinked) return fail('LEARNER_NOT_IN_ENTERPRISE');
  const content = catalog.content;
  if (!catalog.inCatalog || !content) return fail('CONTENT_NOT_IN_CATALOG');
  if (!isLateRedemptionAllowed(policy, now) && content.enrollBy && now > content.enrollBy)
    return fail('BEYOND_ENROLLMENT_DEADLINE');
  if (!isSubsidyActive(facts.subsidy, now)) return fail('SUBSIDY_EXPIRED');
  const price = priceCents ?? 0;
  if (facts.balance < price) return fail('NOT_ENOUGH_VALUE_IN_SUBSIDY');
  const keys = sameContentKeys(facts.contentKey, content);
  if (facts.learnerTransactions.some((tx) => isSuccessfulRedemption(tx) && matchesContent(tx, keys)))
    return fail('ALREADY_REDEEMED');
  // Reaching a limit exactly is allowed: only going past it fails.
  if (policy.spendLimitCents !== null && -facts.redeemedTotal + price > policy.spendLimitCents)
    return fail('POLICY_SPEND_LIMIT_REACHED');

  const inPolicy = facts.learnerTransactions.filter(
    (tx) => !tx.isDeposit && tx.state !== 'FAILED' && tx.subsidyAccessPolicyUuid === policy.uuid,
  );
  if (policy.policyType === ENROLLMENT_POLICY && policy.perLearnerEnrollmentLimit !== null) {
    // Reversed enrollments still count (upstream behaviour).
    if (inPolicy.length >= policy.perLearnerEnrollmentLimit) return fail('LEARNER_MAX_ENROLLMENTS_REACHED');
  }
  if (policy.policyType === SPEND_POLICY && policy.perLearnerSpendLimitCents !== null) {
    // The per-learner sum ignores reversal credits.
    const spent = -inPolicy.reduce((sum, tx) => sum + tx.quantity, 0);
    if (spent + price > policy.perLearnerSpendLimitCents) return fail('LEARNER_MAX_SPEND_REACHED');
  }
  if (policy.policyType === ASSIGNED_POLICY) {
    if (!assignment) return fail('LEARNER_NOT_ASSIGNED_CONTENT');
    if (assignment.state !== 'ALLOCATED') return fail(ASSIGNMENT_REASONS[assignment.state]);
    // Read-time expiry: an allocation past its 90 days is expired even before the expiry job runs
    // (the subsidy and enrollment-deadline expirations already failed above).
    if (now.getTime() >= assignment.allocatedAt.getTime() + ASSIGNMENT_TIMEOUT_MS)
      return fail('LEARNER_ASSIGNMENT_EXPIRED');
  }
  return { reason: null, priceCents };
}

/** Of several matching assignments, the allocated one wins, then the most recently changed. */
export function pickAssignment(rows: readonly AssignmentRow[]): AssignmentRow | null {
  const sorted = [...rows].sort(
    (a, b) =>
      Number(b.state === 'ALLOCATED') - Number(a.state === 'ALLOCATED') || b.modified.getTime() - a.modified.getTime(),
  );
  return sorted[0] ?? null;
}

/** True when `price` lies within the tolerance around `canonical` (integer math, no float drift). */
export function priceWithinTolerance(price: number, canonical: number): boolean {
  return (
    price * 100 >= canonical * PRICE_TOLERANCE.lowPercent && price * 100 <= canonical * PRICE_TOLERANCE.highPercent
  );
}

export type ExpirationReason = 'SUBSIDY_EXPIRED' | 'ENROLLMENT_DATE_PASSED' | 'NINETY_DAYS_PASSED';

/** The earliest of subsidy expiry, enroll-by date and allocation + 90 days; ties keep that order. */
export function earliestPossibleExpiration(
  assignment: Pick<AssignmentRow, 'allocatedAt'>,
  subsidyExpiration: Date | null,
  enrollBy: Date | null,
): { date: Date; reason: ExpirationReason } | null {
  const candidates: { date: Date | null; reason: ExpirationReason }[] = [
    { date: subsidyExpiration, reason: 'SUBSIDY_EXPIRED' },
    { date: enrollBy, reason: 'ENROLLMENT_DATE_PASSED' },
    { date: new Date(assignment.allocatedAt.getTime() + ASSIGNMENT_TIMEOUT_MS), reason: 'NINETY_DAYS_PASSED' },
  ];
  let best: { date: Date; reason: ExpirationReason } | null = null;
  for (const candidate of candidates) {
    if (candidate.date && (!best || candidate.date.getTime() < best.date.getTime()))
      best = { date: candidate.date, reason: candidate.reason };
  }
  return best;
}

/** The later of the allocation and the last reminder; null on an exact tie. */
export function recentAction(
  assignment: Pick<AssignmentRow, 'allocatedAt' | 'lastRemindedAt'>,
): { actionType: 'ASSIGNED' | 'REMINDED'; timestamp: Date } | null {
  const reminded = assignment.lastRemindedAt;
  if (!reminded || assignment.allocatedAt > reminded)
    return { actionType: 'ASSIGNED', timestamp: assignment.allocatedAt };
  if (reminded > assignment.allocatedAt) return { actionType: 'REMINDED', timestamp: reminded };
  return null;
}

/** Allocated or errored assignments: the most recently created action that failed. */
export function assignmentError(
  state: AssignmentState,
  actions: readonly AssignmentActionRow[],
): {
  actionType: AssignmentActionRow['actionType'];
  errorReason: NonNullable<AssignmentActionRow['errorReason']>;
} | null {
  if (state !== 'ALLOCATED' && state !== 'ERRORED') return null;
  let latest: AssignmentActionRow | null = null;
  for (const action of actions) {
    if (action.errorReason && (!latest || action.created >= latest.created)) latest = action;
  }
  return latest?.errorReason ? { actionType: latest.actionType, errorReason: latest.errorReason } : null;
}

/** States a re-allocation brings back to ALLOCATED. */
export const REALLOCATABLE: ReadonlySet<AssignmentState> = new Set(['CANCELLED', 'ERRORED', 'EXPIRED', 'REVERSED']);
export const CANCELABLE: ReadonlySet<AssignmentState> = new Set(['ALLOCATED', 'ERRORED']);

// ---------------------------------------------------------------------------------------------
// Input checks and access

export function lmsUserIdArg(value: number, name = 'lmsUserId'): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw badInput(`${name} must be a positive integer, got ${value}`, { argument: name });
  return value;
}

export function contentKeyArg(value: string): string {
  const key = nonEmptyString(value, 'contentKey');
  if (/\s/.test(key)) throw badInput(`contentKey must not contain spaces: "${value}"`, { argument: 'contentKey' });
  return key;
}

/** Admins of the policy's customer ask about any learner; a learner only about itself; operators anything. */
export function assertMayActForLearner(
  viewer: Viewer,
  customerUuid: string,
  lmsUserId: number,
  allowAdmins: boolean,
): void {
  if (viewer.isOperator) return;
  if (allowAdmins && viewer.isAdminOf(customerUuid)) return;
  if (viewer.lmsUserId === lmsUserId && (viewer.isLearnerOf(customerUuid) || viewer.isAdminOf(customerUuid))) return;
  throw forbidden(`Only the learner itself or an admin of enterprise customer ${customerUuid} may do this`);
}

/** A learner reads only its own transactions; admins of the customer and operators read all. */
export function canReadTransaction(viewer: Viewer, customerUuid: string | null, tx: LedgerTransactionRow): boolean {
  if (viewer.isOperator) return true;
  if (customerUuid && viewer.isAdminOf(customerUuid)) return true;
  return Boolean(
    customerUuid && viewer.canViewCustomer(customerUuid) && tx.lmsUserId !== null && viewer.lmsUserId === tx.lmsUserId,
  );
}

// ---------------------------------------------------------------------------------------------
// Ledger

/**
 * The committed deposit that opens a subsidy's ledger with its starting balance
 * (enterprise-subsidy's idempotency key format, so re-seeding never deposits twice).
 */
export function initialDeposit(args: {
  uuid: string;
  ledgerUuid: string;
  subsidyUuid: string;
  balanceCents: number;
  at: Date;
}): LedgerTransactionTable {
  return {
    uuid: args.uuid,
    ledgerUuid: args.ledgerUuid,
    idempotencyKey: `ledger-for-subsidy-${args.subsidyUuid}-${args.balanceCents}-initial-deposit`,
    quantity: args.balanceCents,
    state: 'COMMITTED',
    lmsUserId: null,
    lmsUserEmail: null,
    contentKey: null,
    parentContentKey: null,
    contentTitle: null,
    fulfillmentIdentifier: null,
    subsidyAccessPolicyUuid: null,
    isDeposit: true,
    created: args.at,
    modified: args.at,
  };
}

function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * The derived idempotency key (enterprise-subsidy's format): learner, content, policy and the uuids
 * of the learner's earlier failed or reversed transactions for the content. A retry while an
 * attempt is live gives the same key; after a failure or refund the key changes, so a new attempt
 * is allowed.
 */
export function derivedIdempotencyKey(
  subsidy: SubsidyRow,
  policyUuid: string,
  lmsUserId: number,
  contentKey: string,
  history: readonly LearnerTransaction[],
): string {
  const historical = history
    .filter((tx) => tx.contentKey === contentKey && (tx.state === 'FAILED' || tx.reversalState === 'COMMITTED'))
    .map((tx) => tx.uuid)
    .sort();
  return `ledger-for-subsidy-${subsidy.uuid}-${sha256([lmsUserId, contentKey, policyUuid, historical])}`;
}

// ---------------------------------------------------------------------------------------------
// redeem: the plan

export interface RedemptionFacts extends Omit<RedeemFacts, 'subsidy' | 'learnerLinked'> {
  subsidy: SubsidyRow;
  lmsUserId: number;
  /** The learner as the customers subgraph knows it; null when not linked. */
  learner: { email: string | null } | null;
  idempotencyKey: string;
  /** The transaction already written under `idempotencyKey`, if any. */
  existing: LedgerTransactionRow | null;
  /** Fresh ids for the transaction and its fulfillment. */
  ids: { transactionUuid: string; fulfillmentIdentifier: string };
}

export type RedemptionPlan =
  | { kind: 'repeat'; transaction: LedgerTransactionRow }
  | {
      kind: 'redeem';
      transaction: LedgerTransactionRow;
      /** The assignment it accepts (assigned policies) and the columns that change. */
      accept: { assignmentUuid: string; changes: Partial<LearnerContentAssignmentTable> } | null;
    };

/**
 * What a redemption writes, decided from facts read under the policy and ledger locks: a repeat
 * of an idempotency key returns its transaction (CONFLICT when the key was used for another
 * redemption); a refused check is CONFLICT with its reason; else one committed transaction of
 * -price (the balance check above guarantees the ledger never goes negative) and, for an
 * assignment, its acceptance.
 */
export function planRedemption(facts: RedemptionFacts): RedemptionPlan {
  const { existing, policy, lmsUserId, contentKey, now, catalog, assignment } = facts;
  if (existing) {
    if (
      existing.lmsUserId !== lmsUserId ||
      existing.subsidyAccessPolicyUuid !== policy.uuid ||
      existing.contentKey !== contentKey
    ) {
      throw conflict(`Idempotency key "${facts.idempotencyKey}" was already used for another redemption`);
    }
    return { kind: 'repeat', transaction: existing };
  }
  const { reason, priceCents } = evaluateRedeemability({ ...facts, learnerLinked: facts.learner !== null });
  if (reason)
    throw conflict(`Cannot redeem: ${reason}`, { reasons: [{ code: reason, message: REASON_MESSAGES[reason] }] });
  const transaction: LedgerTransactionRow = {
    uuid: facts.ids.transactionUuid,
    ledgerUuid: facts.subsidy.ledgerUuid,
    idempotencyKey: facts.idempotencyKey,
    quantity: -(priceCents ?? 0),
    state: 'COMMITTED',
    lmsUserId,
    lmsUserEmail: facts.learner?.email ?? null,
    contentKey,
    parentContentKey: catalog.content?.parentContentKey ?? null,
    contentTitle: catalog.content?.title ?? null,
    fulfillmentIdentifier: facts.ids.fulfillmentIdentifier,
    subsidyAccessPolicyUuid: policy.uuid,
    isDeposit: false,
    created: now,
    modified: now,
  };
  const accept = assignment
    ? {
        assignmentUuid: assignment.uuid,
        changes: {
          state: 'ACCEPTED' as const,
          acceptedAt: now,
          erroredAt: null,
          cancelledAt: null,
          expiredAt: null,
          transactionUuid: transaction.uuid,
          lmsUserId,
          preferredCourseRunKey: catalog.content?.runKey ?? assignment.preferredCourseRunKey,
          modified: now,
        },
      }
    : null;
  return { kind: 'redeem', transaction, accept };
}

// ---------------------------------------------------------------------------------------------
// allocateAssignments: the plan

export interface AllocationFacts {
  policy: SubsidyAccessPolicyRow;
  configurationUuid: string;
  emails: readonly string[];
  /** LMS user ids of the emails that have an account. */
  userIdByEmail: ReadonlyMap<string, number>;
  /** The configuration's assignments of the content for these emails or users. */
  existing: readonly AssignmentRow[];
  content: ContentInfo;
  contentKey: string;
  priceCents: number;
  /** Ledger balance, redeemed total (<= 0) and allocated total (<= 0), read under the locks. */
  totals: { balance: number; redeemedTotal: number; allocatedTotal: number };
  adminLmsUserId: number | null;
  now: Date;
  /** Ids for the allocation batch and for each new assignment, in email order. */
  newId: () => string;
}

export interface AllocationPlan {
  /** New assignments, in the order of their emails. */
  create: LearnerContentAssignmentTable[];
  /** Existing assignments allocated again, with the columns that change. */
  update: { rows: AssignmentRow[]; changes: Partial<LearnerContentAssignmentTable> };
  /** Re-allocated assignments made before their learner had an account, with its user id now. */
  learnUserIds: { assignmentUuid: string; lmsUserId: number }[];
  /** Already allocated or accepted: left as they are. */
  unchanged: AssignmentRow[];
}

/**
 * Which emails get a new assignment, which cancelled/errored/expired/reversed one is allocated
 * again, and which are left alone; refuses (CONFLICT) when the new allocations do not fit in
 * spend available. Only the de-duplicated new allocations must fit (enterprise-access
 * over-reserves; this does not).
 */
export function planAllocation(facts: AllocationFacts): AllocationPlan {
  const { emails, userIdByEmail, now, priceCents, content } = facts;
  const byEmail = new Map(facts.existing.map((a) => [a.learnerEmail, a]));
  const byUser = new Map(facts.existing.flatMap((a) => (a.lmsUserId === null ? [] : [[a.lmsUserId, a] as const])));
  const toCreate: string[] = [];
  const toUpdate = new Map<string, AssignmentRow>();
  const unchanged = new Map<string, AssignmentRow>();
  for (const email of emails) {
    const userId = userIdByEmail.get(email);
    const record = byEmail.get(email) ?? (userId !== undefined ? byUser.get(userId) : undefined);
    if (!record) toCreate.push(email);
    else if (REALLOCATABLE.has(record.state)) toUpdate.set(record.uuid, record);
    else unchanged.set(record.uuid, record);
  }

  const needed = (toCreate.length + toUpdate.size) * priceCents;
  const { spendAvailableUsdCents } = computeAggregates(facts.policy, facts.totals);
  if (needed > spendAvailableUsdCents) {
    throw conflict(`Not enough funds: the allocation needs ${needed} cents, ${spendAvailableUsdCents} are available`, {
      neededCents: needed,
      spendAvailableUsdCents,
    });
  }

  const common = {
    contentKey: facts.contentKey,
    parentContentKey: content.parentContentKey,
    contentTitle: content.title,
    contentQuantity: -priceCents,
    preferredCourseRunKey: content.runKey,
    state: 'ALLOCATED' as const,
    allocatedAt: now,
    allocationBatchId: facts.newId(),
    adminLmsUserId: facts.adminLmsUserId,
    modified: now,
  };
  const create: LearnerContentAssignmentTable[] = toCreate.map((email) => ({
    ...common,
    uuid: facts.newId(),
    assignmentConfigurationUuid: facts.configurationUuid,
    learnerEmail: email,
    lmsUserId: userIdByEmail.get(email) ?? null,
    acceptedAt: null,
    cancelledAt: null,
    expiredAt: null,
    erroredAt: null,
    reversedAt: null,
    transactionUuid: null,
    created: now,
  }));
  // reversedAt is kept on re-allocation (enterprise-access behaviour); the other state stamps are cleared.
  const update = {
    rows: [...toUpdate.values()],
    changes: {
      ...common,
      acceptedAt: null,
      cancelledAt: null,
      expiredAt: null,
      erroredAt: null,
      transactionUuid: null,
    },
  };
  // An assignment made before the learner had an account learns its user id.
  const learnUserIds = update.rows.flatMap((row) => {
    const userId = userIdByEmail.get(row.learnerEmail);
    return row.lmsUserId === null && userId !== undefined ? [{ assignmentUuid: row.uuid, lmsUserId: userId }] : [];
  });
  return { create, update, learnUserIds, unchanged: [...unchanged.values()] };
}
