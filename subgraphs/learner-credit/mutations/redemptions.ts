import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { conflict, notFound } from '../../../lib/errors.js';
import { runMutation } from '../../../lib/mutation.js';
import { nonEmptyString, uuidArg } from '../../../lib/validate.js';
import type { LearnerCreditContext } from '../context.js';
import { EVENTS, redemptionEvents, transactionEventPayload, writeEvents } from '../events.js';
import { learnerAssignment, remoteFacts, type LocalFacts } from '../loaders.js';
import {
  ASSIGNED_POLICY,
  assertMayActForLearner,
  contentKeyArg,
  derivedIdempotencyKey,
  lmsUserIdArg,
  planRedemption,
} from '../rules/index.js';
import {
  findAssignmentsByUuids,
  findAssignmentUuidsByTransaction,
  findConfigurationsByPolicyUuids,
  findLearnerTransactions,
  findReversalsByTransactionUuids,
  findSubsidiesByUuids,
  findTransactionByKey,
  findTransactionsByUuids,
  insertActions,
  insertReversal,
  insertTransaction,
  lockAssignments,
  lockLedger,
  lockPolicy,
  markTransactionFailed,
  updateAssignments,
} from '../store/index.js';
import type {
  ActionType,
  AssignmentActionTable,
  LearnerContentAssignmentTable,
  LearnerCreditDatabase,
  LedgerReversalRow,
  LedgerRow,
  LedgerTransactionRow,
  SubsidyAccessPolicyRow,
  SubsidyRow,
} from '../tables.js';

export type Trx = Transaction<LearnerCreditDatabase>;

/**
 * The facts a redemption is decided on, read under the policy and ledger locks: the balance and the
 * redeemed total are the stored aggregates of the rows those locking reads returned (the latest
 * committed values, which only writers holding the same locks change).
 */
async function localFacts(
  db: Kysely<LearnerCreditDatabase>,
  policy: SubsidyAccessPolicyRow,
  lmsUserId: number,
  subsidy: SubsidyRow,
  ledger: LedgerRow,
): Promise<LocalFacts> {
  const [learnerTransactions, configurations] = await Promise.all([
    findLearnerTransactions(db, subsidy.ledgerUuid, lmsUserId),
    policy.policyType === ASSIGNED_POLICY ? findConfigurationsByPolicyUuids(db, [policy.uuid]) : Promise.resolve([]),
  ]);
  return {
    balance: ledger.balanceCents ?? 0,
    redeemedTotal: policy.redeemedCents ?? 0,
    learnerTransactions,
    configuration: configurations[0] ?? null,
  };
}

export function action(assignmentUuid: string, actionType: ActionType, now: Date): AssignmentActionTable {
  return {
    uuid: randomUUID(),
    assignmentUuid,
    actionType,
    completedAt: now,
    errorReason: null,
    created: now,
    modified: now,
  };
}

// ---------------------------------------------------------------------------------------------
// redeem

export interface RedeemInput {
  policyUuid: string;
  lmsUserId: number;
  contentKey: string;
  idempotencyKey?: string | null;
}

/**
 * Redeems under the policy and ledger row locks: re-reads every fact, lets planRedemption decide,
 * then writes one committed transaction, accepts the assignment and enqueues the events, all in
 * one database transaction. A repeat with the same idempotency key returns the same transaction.
 */
export async function redeem(ctx: LearnerCreditContext, input: RedeemInput): Promise<LedgerTransactionRow> {
  const policyUuid = uuidArg(input.policyUuid, 'policyUuid');
  const lmsUserId = lmsUserIdArg(input.lmsUserId);
  const contentKey = contentKeyArg(input.contentKey);
  const givenKey = input.idempotencyKey == null ? null : nonEmptyString(input.idempotencyKey, 'idempotencyKey');
  const policy = await ctx.loaders.policy.load(policyUuid);
  if (!policy) throw notFound(`Subsidy access policy ${policyUuid} not found`);
  assertMayActForLearner(ctx.viewer, policy.enterpriseCustomerUuid, lmsUserId, false);
  const { catalog, learner } = await remoteFacts(ctx, policy, lmsUserId, contentKey);

  return runMutation(ctx, async (trx) => {
    const locked = await lockPolicy(trx, policyUuid);
    if (!locked) throw notFound(`Subsidy access policy ${policyUuid} not found`);
    const subsidy = (await findSubsidiesByUuids(trx, [locked.subsidyUuid]))[0] ?? null;
    if (!subsidy) throw conflict(`Policy ${policyUuid} has no subsidy`);
    const ledger = await lockLedger(trx, subsidy.ledgerUuid);
    if (!ledger) throw new Error(`Ledger ${subsidy.ledgerUuid} of subsidy ${subsidy.uuid} is missing`);
    const local = await localFacts(trx, locked, lmsUserId, subsidy, ledger);
    const idempotencyKey =
      givenKey ?? derivedIdempotencyKey(subsidy, locked.uuid, lmsUserId, contentKey, local.learnerTransactions);
    const existing = (await findTransactionByKey(trx, subsidy.ledgerUuid, idempotencyKey)) ?? null;
    const assignment = existing
      ? null
      : await learnerAssignment(trx, local.configuration, lmsUserId, learner?.email ?? null, contentKey, catalog);
    const plan = planRedemption({
      ...local,
      policy: locked,
      subsidy,
      now: new Date(),
      contentKey,
      lmsUserId,
      learner,
      catalog,
      assignment,
      idempotencyKey,
      existing,
      ids: { transactionUuid: randomUUID(), fulfillmentIdentifier: randomUUID() },
    });
    if (plan.kind === 'repeat') return plan.transaction;
    await applyRedemption(trx, plan.transaction, plan.accept, locked);
    return plan.transaction;
  });
}

async function applyRedemption(
  trx: Trx,
  tx: LedgerTransactionRow,
  accept: { assignmentUuid: string; changes: Partial<LearnerContentAssignmentTable> } | null,
  policy: SubsidyAccessPolicyRow,
) {
  await insertTransaction(trx, tx);
  if (accept) {
    await lockAssignments(trx, [accept.assignmentUuid]);
    await updateAssignments(trx, [accept.assignmentUuid], accept.changes);
    await insertActions(trx, [action(accept.assignmentUuid, 'REDEEMED', tx.created)]);
  }
  await writeEvents(trx, redemptionEvents(tx, policy));
}

// ---------------------------------------------------------------------------------------------
// reverseTransaction

export interface ReverseInput {
  transactionUuid: string;
  idempotencyKey?: string | null;
}

/** Reverses a committed spend in full, once; the accepted assignment becomes REVERSED. Operators only. */
export async function reverseTransaction(
  ctx: LearnerCreditContext,
  input: ReverseInput,
): Promise<LedgerTransactionRow> {
  const uuid = uuidArg(input.transactionUuid, 'transactionUuid');
  const givenKey = input.idempotencyKey == null ? null : nonEmptyString(input.idempotencyKey, 'idempotencyKey');
  ctx.viewer.assertOperator();
  const found = await ctx.loaders.transaction.load(uuid);
  if (!found) throw notFound(`Ledger transaction ${uuid} not found`);

  return runMutation(ctx, async (trx) => {
    if (found.subsidyAccessPolicyUuid) await lockPolicy(trx, found.subsidyAccessPolicyUuid);
    await lockLedger(trx, found.ledgerUuid);
    // Re-read under the locks: the loader's row may be stale. Transactions are never deleted.
    const [tx] = await findTransactionsByUuids(trx, [uuid]);
    if (!tx) throw new Error(`Ledger transaction ${uuid} vanished while being reversed`);
    const key = givenKey ?? `admin-invoked-reverse-${tx.uuid}`;
    const existing = (await findReversalsByTransactionUuids(trx, [uuid]))[0];
    if (existing) {
      if (existing.idempotencyKey === key) return tx;
      throw conflict(`Transaction ${uuid} is already reversed`);
    }
    if (tx.state !== 'COMMITTED') throw conflict(`Only committed transactions can be reversed; ${uuid} is ${tx.state}`);
    if (tx.isDeposit || tx.quantity >= 0)
      throw conflict(`Transaction ${uuid} is not a redemption; only redemptions can be reversed`);

    const now = new Date();
    const reversal: LedgerReversalRow = {
      uuid: randomUUID(),
      transactionUuid: tx.uuid,
      idempotencyKey: key,
      quantity: -tx.quantity,
      state: 'COMMITTED',
      created: now,
      modified: now,
    };
    await insertReversal(trx, reversal, tx);
    const assignmentUuids = await findAssignmentUuidsByTransaction(trx, tx.uuid);
    const accepted = (await findAssignmentsByUuids(trx, assignmentUuids))
      .filter((a) => a.state === 'ACCEPTED')
      .map((a) => a.uuid);
    await lockAssignments(trx, accepted);
    await updateAssignments(trx, accepted, { state: 'REVERSED', reversedAt: now, modified: now });
    await insertActions(
      trx,
      accepted.map((a) => action(a, 'REVERSED', now)),
    );
    await writeEvents(trx, [
      { eventType: EVENTS.transactionReversed, aggregateKey: tx.uuid, payload: transactionEventPayload(tx, reversal) },
    ]);
    return tx;
  });
}

// ---------------------------------------------------------------------------------------------
// A redemption the LMS refused to fulfil

/**
 * The enrollment a redemption paid for was refused for good (the content has no run to enroll
 * in, the learner or customer is unknown to the LMS): the transaction becomes FAILED, which
 * returns its quantity to the ledger and the policy (a failed transaction counts nowhere:
 * DOMAIN "Aggregates"), and `subsidy_ledger_transaction.failed.v1` announces it (enterprise-subsidy
 * fails a transaction whose fulfillment fails). Run by the relay; returns false when there was
 * nothing to fail (already reversed or failed).
 */
export async function failRefusedRedemption(
  db: Kysely<LearnerCreditDatabase>,
  transactionUuid: string,
): Promise<boolean> {
  return runMutation({ db, loaders: {} }, async (trx) => {
    const [found] = await findTransactionsByUuids(trx, [transactionUuid]);
    if (found?.state !== 'COMMITTED') return false;
    if (found.subsidyAccessPolicyUuid) await lockPolicy(trx, found.subsidyAccessPolicyUuid);
    await lockLedger(trx, found.ledgerUuid);
    const [tx] = await findTransactionsByUuids(trx, [transactionUuid]);
    if (tx?.state !== 'COMMITTED') return false;
    if ((await findReversalsByTransactionUuids(trx, [transactionUuid])).length) return false;
    const now = new Date();
    await markTransactionFailed(trx, tx, now);
    const failed: LedgerTransactionRow = { ...tx, state: 'FAILED', modified: now };
    await writeEvents(trx, [
      { eventType: EVENTS.transactionFailed, aggregateKey: tx.uuid, payload: transactionEventPayload(failed, null) },
    ]);
    return true;
  });
}
