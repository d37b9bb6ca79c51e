import type { CatalogContent, ContentInfo } from '../remote.js';
import type { LearnerTransaction } from '../store/index.js';
import type {
  AssignmentActionRow,
  AssignmentRow,
  AssignmentState,
  SubsidyAccessPolicyRow,
  SubsidyRow,
} from '../tables.js';

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
