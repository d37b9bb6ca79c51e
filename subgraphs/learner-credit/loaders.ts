import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { groupLoader, MAX_BATCH_SIZE, rowLoader } from '../../lib/loaders.js';
import type { LearnerCreditContext } from './context.js';
import { createRemoteLoaders, type CatalogContent } from './remote.js';
import {
  ASSIGNED_POLICY,
  computeAggregates,
  evaluateRedeemability,
  isRedemptionEnabled,
  pickAssignment,
  REASON_MESSAGES,
  assertMayActForLearner,
  contentKeyArg,
  lmsUserIdArg,
  type ReasonCode,
} from './rules/index.js';
import {
  findActionsByAssignmentUuids,
  findAssignmentsByUuids,
  findConfigurationsByPolicyUuids,
  findConfigurationsByUuids,
  findGroupAssociationsByPolicyUuids,
  findLearnerTransactions,
  findLearnerAssignments,
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
} from './store/index.js';
import type { LearnerTransaction } from './store/index.js';
import type {
  AssignmentConfigurationRow,
  AssignmentRow,
  LearnerCreditDatabase,
  SubsidyAccessPolicyRow,
  SubsidyRow,
} from './tables.js';

const lower = (key: string) => key.toLowerCase();

/** A loader of one number per key (sums); keys without rows get 0. */
function sumLoader(
  fetch: (keys: readonly string[]) => Promise<readonly { key: string; total: number }[]>,
): DataLoader<string, number> {
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
    policy: rowLoader(
      (uuids: readonly string[]) => findPoliciesByUuids(db, uuids),
      (r) => r.uuid,
      lower,
    ),
    subsidy: rowLoader(
      (uuids: readonly string[]) => findSubsidiesByUuids(db, uuids),
      (r) => r.uuid,
      lower,
    ),
    ledger: rowLoader(
      (uuids: readonly string[]) => findLedgersByUuids(db, uuids),
      (r) => r.uuid,
      lower,
    ),
    transaction: rowLoader(
      (uuids: readonly string[]) => findTransactionsByUuids(db, uuids),
      (r) => r.uuid,
      lower,
    ),
    reversalByTransaction: rowLoader(
      (uuids: readonly string[]) => findReversalsByTransactionUuids(db, uuids),
      (r) => r.transactionUuid,
      lower,
    ),
    configuration: rowLoader(
      (uuids: readonly string[]) => findConfigurationsByUuids(db, uuids),
      (r) => r.uuid,
      lower,
    ),
    configurationByPolicy: rowLoader(
      (uuids: readonly string[]) => findConfigurationsByPolicyUuids(db, uuids),
      (r) => r.subsidyAccessPolicyUuid,
      lower,
    ),
    assignment: rowLoader(
      (uuids: readonly string[]) => findAssignmentsByUuids(db, uuids),
      (r) => r.uuid,
      lower,
    ),
    actionsByAssignment: groupLoader(
      (uuids: readonly string[]) => findActionsByAssignmentUuids(db, uuids),
      (r) => r.assignmentUuid,
    ),
    groupsByPolicy: groupLoader(
      (uuids: readonly string[]) => findGroupAssociationsByPolicyUuids(db, uuids),
      (r) => r.subsidyAccessPolicyUuid,
    ),
    /** Ledger balance: non-failed transactions plus reversals. */
    balanceByLedger: sumLoader(async (uuids) =>
      (await sumLedgerBalances(db, uuids)).map((r) => ({ key: r.ledgerUuid, total: r.balance })),
    ),
    depositsByLedger: sumLoader(async (uuids) =>
      (await sumLedgerDeposits(db, uuids)).map((r) => ({ key: r.ledgerUuid, total: r.total })),
    ),
    /** Redeemed total (<= 0) per policy. */
    redeemedByPolicy: sumLoader(async (uuids) =>
      (await sumRedeemedByPolicies(db, uuids)).map((r) => ({ key: r.policyUuid, total: r.total })),
    ),
    /** Allocated total (<= 0) per assignment configuration. */
    allocatedByConfiguration: sumLoader(async (uuids) =>
      (await sumAllocatedByConfigurations(db, uuids)).map((r) => ({ key: r.configurationUuid, total: r.total })),
    ),
    spendLimitsBySubsidy: sumLoader(async (uuids) =>
      (await sumSpendLimitsBySubsidies(db, uuids)).map((r) => ({ key: r.subsidyUuid, total: r.total })),
    ),
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

// ---------------------------------------------------------------------------------------------
// Values derived from several loads (read side; redeem re-reads the same facts under its locks)

export async function policyAggregates(ctx: LearnerCreditContext, policy: SubsidyAccessPolicyRow) {
  const subsidy = await ctx.loaders.subsidy.load(policy.subsidyUuid);
  const configuration =
    policy.policyType === ASSIGNED_POLICY ? await ctx.loaders.configurationByPolicy.load(policy.uuid) : null;
  const [redeemedTotal, allocatedTotal, balance] = await Promise.all([
    ctx.loaders.redeemedByPolicy.load(policy.uuid),
    configuration ? ctx.loaders.allocatedByConfiguration.load(configuration.uuid) : Promise.resolve(0),
    subsidy ? ctx.loaders.balanceByLedger.load(subsidy.ledgerUuid) : Promise.resolve(0),
  ]);
  const aggregates = computeAggregates(policy, { redeemedTotal, allocatedTotal, balance });
  return {
    ...aggregates,
    amountRedeemedUsd: aggregates.amountRedeemedUsdCents / 100,
    amountAllocatedUsd: aggregates.amountAllocatedUsdCents / 100,
    spendAvailableUsd: aggregates.spendAvailableUsdCents / 100,
  };
}

export interface RedeemabilityResult {
  canRedeem: boolean;
  reasons: { code: ReasonCode; message: string | null }[];
  contentPriceCents: number | null;
}

function toResult(reason: ReasonCode | null, priceCents: number | null): RedeemabilityResult {
  return {
    canRedeem: reason === null,
    reasons: reason ? [{ code: reason, message: REASON_MESSAGES[reason] }] : [],
    contentPriceCents: priceCents,
  };
}

/** Remote facts first (catalog membership and price, learner link), fetched before any lock. */
export async function remoteFacts(
  ctx: LearnerCreditContext,
  policy: SubsidyAccessPolicyRow,
  lmsUserId: number,
  contentKey: string,
) {
  const [catalog, learner] = await Promise.all([
    ctx.loaders.remote.catalogContent.load({ catalogUuid: policy.catalogUuid, contentKey }),
    ctx.loaders.remote.learner.load({ customerUuid: policy.enterpriseCustomerUuid, lmsUserId }),
  ]);
  return { catalog, learner };
}

/** The learner's assignment for the content (or its course) in an assigned policy's configuration. */
export async function learnerAssignment(
  db: Kysely<LearnerCreditDatabase>,
  configuration: AssignmentConfigurationRow | null,
  lmsUserId: number,
  email: string | null,
  contentKey: string,
  catalog: CatalogContent,
): Promise<AssignmentRow | null> {
  if (!configuration) return null;
  const keys = [...new Set([contentKey, ...(catalog.content ? [catalog.content.courseKey] : [])])];
  return pickAssignment(await findLearnerAssignments(db, configuration.uuid, { lmsUserId, email }, keys));
}

/** What the checks need from this subgraph's own tables (read in the locked transaction when writing). */
export interface LocalFacts {
  balance: number;
  redeemedTotal: number;
  learnerTransactions: LearnerTransaction[];
  configuration: AssignmentConfigurationRow | null;
}

/** LocalFacts through the request's loaders: the canRedeem checks of several contents share each read. */
async function loadedLocalFacts(
  ctx: LearnerCreditContext,
  policy: SubsidyAccessPolicyRow,
  lmsUserId: number,
  subsidy: SubsidyRow | null,
): Promise<LocalFacts> {
  const [balance, redeemedTotal, learnerTransactions, configuration] = await Promise.all([
    subsidy ? ctx.loaders.balanceByLedger.load(subsidy.ledgerUuid) : 0,
    ctx.loaders.redeemedByPolicy.load(policy.uuid),
    subsidy ? ctx.loaders.learnerTransactions.load(`${subsidy.ledgerUuid}\n${lmsUserId}`) : [],
    policy.policyType === ASSIGNED_POLICY ? ctx.loaders.configurationByPolicy.load(policy.uuid) : null,
  ]);
  return { balance, redeemedTotal, learnerTransactions, configuration };
}

/** SubsidyAccessPolicy.canRedeem: the same checks redeem runs, without the lock. */
export async function canRedeem(
  ctx: LearnerCreditContext,
  policy: SubsidyAccessPolicyRow,
  lmsUserIdInput: number,
  contentKeyInput: string,
): Promise<RedeemabilityResult> {
  const lmsUserId = lmsUserIdArg(lmsUserIdInput);
  const contentKey = contentKeyArg(contentKeyInput);
  assertMayActForLearner(ctx.viewer, policy.enterpriseCustomerUuid, lmsUserId, true);
  const now = new Date();
  if (!isRedemptionEnabled(policy)) return toResult('POLICY_EXPIRED', null);
  const subsidy = await ctx.loaders.subsidy.load(policy.subsidyUuid);
  const [{ catalog, learner }, local] = await Promise.all([
    remoteFacts(ctx, policy, lmsUserId, contentKey),
    loadedLocalFacts(ctx, policy, lmsUserId, subsidy),
  ]);
  const assignment = await learnerAssignment(
    ctx.db,
    local.configuration,
    lmsUserId,
    learner?.email ?? null,
    contentKey,
    catalog,
  );
  const result = evaluateRedeemability({
    policy,
    subsidy,
    now,
    contentKey,
    learnerLinked: learner !== null,
    catalog,
    assignment,
    ...local,
  });
  return toResult(result.reason, result.priceCents);
}
