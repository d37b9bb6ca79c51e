import { conflict } from '../../../lib/errors.js';
import type { ContentInfo } from '../remote.js';
import type {
  AssignmentRow,
  LearnerContentAssignmentTable,
  LedgerTransactionRow,
  SubsidyAccessPolicyRow,
  SubsidyRow,
} from '../tables.js';
import {
  computeAggregates,
  REASON_MESSAGES,
  type RedeemFacts,
  evaluateRedeemability,
  REALLOCATABLE,
} from './policies.js';

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
