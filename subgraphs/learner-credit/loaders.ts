import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { groupLoader, MAX_BATCH_SIZE, rowLoader } from '../../lib/loaders.js';
import { createRemoteLoaders } from './remote.js';
import {
  findActionsByAssignmentUuids,
  findAssignmentsByUuids,
  findConfigurationsByPolicyUuids,
  findConfigurationsByUuids,
  findGroupAssociationsByPolicyUuids,
  findLearnerTransactions,
  findLedgersByUuids,
  findPoliciesByUuids,
  findReversalsByTransactionUuids,
  findSubsidiesByUuids,
  findTransactionsByUuids,
  sumAllocatedByConfigurations,
  sumLedgerBalances,
  sumLedgerDeposits,
  sumRedeemedByPolicies,
  sumSpendLimitsBySubsidies,
} from './store.js';
import type { LearnerTransaction } from './store.js';
import type { LearnerCreditDatabase } from './tables.js';

const lower = (key: string) => key.toLowerCase();

/** A loader of one number per key (sums); keys without rows get 0. */
function sumLoader(fetch: (keys: readonly string[]) => Promise<readonly { key: string; total: number }[]>): DataLoader<string, number> {
  return new DataLoader<string, number>(
    async (keys) => {
      const totals = new Map((await fetch(keys)).map((r) => [r.key, r.total]));
      return keys.map((key) => totals.get(key) ?? 0);
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );
}

/** Per-request loaders of the learner-credit subgraph: one statement per entity type per tick. */
export function createLoaders(db: Kysely<LearnerCreditDatabase>, authorization = '') {
  return {
    policy: rowLoader((uuids: readonly string[]) => findPoliciesByUuids(db, uuids), (r) => r.uuid, lower),
    subsidy: rowLoader((uuids: readonly string[]) => findSubsidiesByUuids(db, uuids), (r) => r.uuid, lower),
    ledger: rowLoader((uuids: readonly string[]) => findLedgersByUuids(db, uuids), (r) => r.uuid, lower),
    transaction: rowLoader((uuids: readonly string[]) => findTransactionsByUuids(db, uuids), (r) => r.uuid, lower),
    reversalByTransaction: rowLoader((uuids: readonly string[]) => findReversalsByTransactionUuids(db, uuids), (r) => r.transactionUuid, lower),
    configuration: rowLoader((uuids: readonly string[]) => findConfigurationsByUuids(db, uuids), (r) => r.uuid, lower),
    configurationByPolicy: rowLoader((uuids: readonly string[]) => findConfigurationsByPolicyUuids(db, uuids), (r) => r.subsidyAccessPolicyUuid, lower),
    assignment: rowLoader((uuids: readonly string[]) => findAssignmentsByUuids(db, uuids), (r) => r.uuid, lower),
    actionsByAssignment: groupLoader((uuids: readonly string[]) => findActionsByAssignmentUuids(db, uuids), (r) => r.assignmentUuid),
    groupsByPolicy: groupLoader((uuids: readonly string[]) => findGroupAssociationsByPolicyUuids(db, uuids), (r) => r.subsidyAccessPolicyUuid),
    /** Ledger balance: non-failed transactions plus reversals. */
    balanceByLedger: sumLoader(async (uuids) => (await sumLedgerBalances(db, uuids)).map((r) => ({ key: r.ledgerUuid, total: r.balance }))),
    depositsByLedger: sumLoader(async (uuids) => (await sumLedgerDeposits(db, uuids)).map((r) => ({ key: r.ledgerUuid, total: r.total }))),
    /** Redeemed total (<= 0) per policy. */
    redeemedByPolicy: sumLoader(async (uuids) => (await sumRedeemedByPolicies(db, uuids)).map((r) => ({ key: r.policyUuid, total: r.total }))),
    /** Allocated total (<= 0) per assignment configuration. */
    allocatedByConfiguration: sumLoader(async (uuids) =>
      (await sumAllocatedByConfigurations(db, uuids)).map((r) => ({ key: r.configurationUuid, total: r.total })),
    ),
    spendLimitsBySubsidy: sumLoader(async (uuids) => (await sumSpendLimitsBySubsidies(db, uuids)).map((r) => ({ key: r.subsidyUuid, total: r.total }))),
    /**
     * A learner's transactions in a ledger, by `ledger uuid` + newline + LMS user id: the
     * redeemability checks of several contents (aliased canRedeem fields) share one read.
     */
    learnerTransactions: new DataLoader<string, LearnerTransaction[]>((keys) =>
      Promise.all(
        keys.map((key) => {
          const [ledgerUuid, lmsUserId] = key.split('\n') as [string, string];
          return findLearnerTransactions(db, ledgerUuid, Number(lmsUserId));
        }),
      ),
    ),
    remote: createRemoteLoaders(authorization),
  };
}

export type LearnerCreditLoaders = ReturnType<typeof createLoaders>;
