import type { OutboxDeliveryTable, OutboxTable } from '../../lib/outbox.js';
import type { Connection } from '../../lib/pagination.js';

export type PolicyType =
  'PerLearnerEnrollmentCreditAccessPolicy' | 'PerLearnerSpendCreditAccessPolicy' | 'AssignedLearnerCreditAccessPolicy';

export type AccessMethod = 'DIRECT' | 'ASSIGNED' | 'REQUEST';

export interface SubsidyAccessPolicyTable {
  uuid: string;
  policyType: PolicyType;
  displayName: string | null;
  active: boolean;
  enterpriseCustomerUuid: string;
  catalogUuid: string;
  /** USD cents; null: no policy-level limit. */
  spendLimitCents: number | null;
  created: Date;
  modified: Date;
  // Added by 0002 (nullable in SQL so the migration applies to existing rows; every policy the
  // code writes carries a subsidy).
  subsidyUuid: string;
  description: string;
  retired: boolean;
  retiredAt: Date | null;
  accessMethod: AccessMethod;
  perLearnerEnrollmentLimit: number | null;
  /** USD cents. */
  perLearnerSpendLimitCents: number | null;
  lateRedemptionAllowedUntil: Date | null;
  // Stored aggregates (0007), kept by the store's writes (store/aggregates.ts); optional because
  // inserts leave them at their default 0 and the writes that follow add to them.
  /** Sum of the policy's non-failed transactions net of reversals (<= 0). */
  redeemedCents?: number;
  /** Sum of the policy's ALLOCATED assignments' content quantities (<= 0). */
  allocatedCents?: number;
}

export interface SubsidyTable {
  uuid: string;
  title: string;
  enterpriseCustomerUuid: string;
  ledgerUuid: string;
  unit: string;
  startingBalanceCents: number;
  activeDatetime: Date;
  expirationDatetime: Date;
  created: Date;
  modified: Date;
}

export interface LedgerTable {
  uuid: string;
  idempotencyKey: string;
  unit: string;
  created: Date;
  modified: Date;
  // Stored aggregates (0007), kept by insertTransaction/insertReversal under the ledger lock.
  /** openedx-ledger balance: every non-failed transaction plus its reversal. */
  balanceCents?: number;
  /** Committed deposits, their reversals included. */
  depositsCents?: number;
}

export type TransactionState = 'CREATED' | 'PENDING' | 'COMMITTED' | 'FAILED';

/** Deposits (quantity > 0) and redemptions (quantity < 0) alike: openedx-ledger `Transaction`. */
export interface LedgerTransactionTable {
  uuid: string;
  ledgerUuid: string;
  idempotencyKey: string;
  quantity: number;
  state: TransactionState;
  lmsUserId: number | null;
  lmsUserEmail: string | null;
  contentKey: string | null;
  parentContentKey: string | null;
  contentTitle: string | null;
  fulfillmentIdentifier: string | null;
  subsidyAccessPolicyUuid: string | null;
  /** True for deposits (they count in totalDeposits). */
  isDeposit: boolean;
  created: Date;
  modified: Date;
}

export interface LedgerReversalTable {
  uuid: string;
  transactionUuid: string;
  idempotencyKey: string;
  /** Exactly -transaction.quantity. */
  quantity: number;
  state: TransactionState;
  created: Date;
  modified: Date;
}

export interface AssignmentConfigurationTable {
  uuid: string;
  subsidyAccessPolicyUuid: string;
  enterpriseCustomerUuid: string;
  active: boolean;
  created: Date;
  modified: Date;
}

export type AssignmentState = 'ALLOCATED' | 'ACCEPTED' | 'CANCELLED' | 'ERRORED' | 'EXPIRED' | 'REVERSED';
export type LearnerState = 'NOTIFYING' | 'WAITING' | 'FAILED' | 'EXPIRED';

export interface LearnerContentAssignmentTable {
  uuid: string;
  assignmentConfigurationUuid: string;
  /** Lower-cased. */
  learnerEmail: string;
  lmsUserId: number | null;
  contentKey: string;
  parentContentKey: string | null;
  contentTitle: string | null;
  /** -price in USD cents, <= 0. */
  contentQuantity: number;
  preferredCourseRunKey: string | null;
  state: AssignmentState;
  allocatedAt: Date;
  acceptedAt: Date | null;
  cancelledAt: Date | null;
  expiredAt: Date | null;
  erroredAt: Date | null;
  reversedAt: Date | null;
  transactionUuid: string | null;
  allocationBatchId: string | null;
  adminLmsUserId: number | null;
  created: Date;
  modified: Date;
}

export type ActionType =
  | 'LEARNER_LINKED'
  | 'NOTIFIED'
  | 'REMINDED'
  | 'REDEEMED'
  | 'CANCELLED'
  | 'CANCELLED_ACKNOWLEDGED'
  | 'EXPIRED'
  | 'EXPIRED_ACKNOWLEDGED'
  | 'REVERSED';
export type ActionErrorReason = 'EMAIL_ERROR' | 'INTERNAL_API_ERROR' | 'ENROLLMENT_ERROR';

export interface AssignmentActionTable {
  uuid: string;
  assignmentUuid: string;
  actionType: ActionType;
  completedAt: Date | null;
  errorReason: ActionErrorReason | null;
  created: Date;
  modified: Date;
}

export interface PolicyGroupAssociationTable {
  subsidyAccessPolicyUuid: string;
  enterpriseGroupUuid: string;
}

export interface LearnerCreditDatabase {
  subsidy_access_policy: SubsidyAccessPolicyTable;
  subsidy: SubsidyTable;
  ledger: LedgerTable;
  ledger_transaction: LedgerTransactionTable;
  ledger_reversal: LedgerReversalTable;
  assignment_configuration: AssignmentConfigurationTable;
  learner_content_assignment: LearnerContentAssignmentTable;
  assignment_action: AssignmentActionTable;
  policy_group_association: PolicyGroupAssociationTable;
  learner_credit_outbox: OutboxTable;
  learner_credit_outbox_delivery: OutboxDeliveryTable;
  assignment_expiry_warning: AssignmentExpiryWarningTable;
}

/** The allocation of an assignment the expiry warning pass warned about (expiry.ts). */
export interface AssignmentExpiryWarningTable {
  assignmentUuid: string;
  allocatedAt: Date;
  expiresAt: Date;
  created: Date;
}

export type SubsidyAccessPolicyRow = SubsidyAccessPolicyTable;
export type SubsidyRow = SubsidyTable;
export type LedgerRow = LedgerTable;
export type LedgerTransactionRow = LedgerTransactionTable;
export type LedgerReversalRow = LedgerReversalTable;
export type AssignmentConfigurationRow = AssignmentConfigurationTable;
export type AssignmentActionRow = AssignmentActionTable;

/** An assignment row with the values the list query derives in SQL. */
export interface AssignmentRow extends LearnerContentAssignmentTable {
  learnerState: LearnerState | null;
  /** Latest completed reminder, or null. */
  lastRemindedAt: Date | null;
  /** The later of allocatedAt and lastRemindedAt (the default sort key). */
  recentActionTime: Date;
}

export interface CustomerRef {
  uuid: string;
}

export interface LearnerStateCountRow {
  learnerState: LearnerState;
  count: number;
}

/** The assignments connection carries counts over the whole filtered set, computed on demand. */
export interface AssignmentConnection extends Connection<AssignmentRow> {
  learnerStateCounts: () => Promise<LearnerStateCountRow[]>;
}
