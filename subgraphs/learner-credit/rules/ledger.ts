import { createHash } from 'node:crypto';
import type { Viewer } from '../../../lib/auth/viewer.js';
import { badInput, forbidden } from '../../../lib/errors.js';
import { nonEmptyString } from '../../../lib/validate.js';
import type { LearnerTransaction } from '../store/index.js';
import type { LedgerTransactionRow, LedgerTransactionTable, SubsidyRow } from '../tables.js';

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
