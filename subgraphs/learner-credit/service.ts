import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Viewer } from '../../lib/auth/viewer.js';
import { badInput, conflict, forbidden, notFound } from '../../lib/errors.js';
import { enqueueEvents, type OutboxEvent } from '../../lib/outbox.js';
import { emailList, listSize, nonEmptyString, nonNegativeCents, uuidArg, uuidList } from '../../lib/validate.js';
import type { LearnerCreditContext } from './context.js';
import type { CatalogContent } from './remote.js';
import {
  ASSIGNED_POLICY,
  CANCELABLE,
  computeAggregates,
  earliestPossibleExpiration,
  evaluateRedeemability,
  isRedemptionEnabled,
  isSubsidyActive,
  pickAssignment,
  priceWithinTolerance,
  REALLOCATABLE,
  REASON_MESSAGES,
  type ReasonCode,
} from './rules.js';
import {
  findAllocatedAssignments,
  findAssignmentsByUuids,
  findAssignmentsForLearners,
  findAssignmentUuidsByTransaction,
  findConfigurationsByPolicyUuids,
  findConfigurationsByUuids,
  findLearnerAssignments,
  findLearnerTransactions,
  findReversalsByTransactionUuids,
  findSubsidiesByUuids,
  findTransactionByKey,
  findTransactionsByUuids,
  insertActions,
  insertAssignments,
  insertReversal,
  insertTransaction,
  lockAssignments,
  lockLedger,
  lockPolicy,
  sumAllocatedByConfigurations,
  sumLedgerBalances,
  sumRedeemedByPolicies,
  updateAssignments,
  type LearnerTransaction,
} from './store.js';
import type {
  ActionType,
  AssignmentActionTable,
  AssignmentConfigurationRow,
  AssignmentRow,
  LearnerContentAssignmentTable,
  LearnerCreditDatabase,
  LedgerReversalRow,
  LedgerTransactionRow,
  SubsidyAccessPolicyRow,
  SubsidyRow,
} from './tables.js';

type DB = Kysely<LearnerCreditDatabase>;

export const OUTBOX = 'learner_credit_outbox';

/** Events go to the outbox in the transaction that makes the change (delivered after commit). */
function outbox(trx: DB, events: readonly OutboxEvent[]): Promise<void> {
  return enqueueEvents(trx, OUTBOX, events);
}

// openedx-events types of the events this subgraph emits (seed 003 data classes).
const EVENTS = {
  transactionCommitted: 'org.openedx.enterprise.subsidy_ledger_transaction.committed.v1',
  transactionReversed: 'org.openedx.enterprise.subsidy_ledger_transaction.reversed.v1',
  subsidyRedeemed: 'org.openedx.enterprise.subsidy.redeemed.v1',
  enrollmentRequested: 'org.openedx.enterprise.learner_credit_course_enrollment.requested.v1',
  assignmentAllocated: 'org.openedx.enterprise.learner_content_assignment.allocated.v1',
  assignmentReminded: 'org.openedx.enterprise.learner_content_assignment.reminded.v1',
  assignmentCancelled: 'org.openedx.enterprise.learner_content_assignment.cancelled.v1',
  assignmentExpired: 'org.openedx.enterprise.learner_content_assignment.expired.v1',
} as const;

// ---------------------------------------------------------------------------------------------
// Input checks

function lmsUserIdArg(value: number, name = 'lmsUserId'): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw badInput(`${name} must be a positive integer, got ${value}`, { argument: name });
  return value;
}

function contentKeyArg(value: string): string {
  const key = nonEmptyString(value, 'contentKey');
  if (/\s/.test(key)) throw badInput(`contentKey must not contain spaces: "${value}"`, { argument: 'contentKey' });
  return key;
}

// ---------------------------------------------------------------------------------------------
// Access

/** Admins of the policy's customer ask about any learner; a learner only about itself; operators anything. */
export function assertMayActForLearner(viewer: Viewer, customerUuid: string, lmsUserId: number, allowAdmins: boolean): void {
  if (viewer.isOperator) return;
  if (allowAdmins && viewer.isAdminOf(customerUuid)) return;
  if (viewer.lmsUserId === lmsUserId && (viewer.isLearnerOf(customerUuid) || viewer.isAdminOf(customerUuid))) return;
  throw forbidden(`Only the learner itself or an admin of enterprise customer ${customerUuid} may do this`);
}

/** A learner reads only its own transactions; admins of the customer and operators read all. */
export function canReadTransaction(viewer: Viewer, customerUuid: string | null, tx: LedgerTransactionRow): boolean {
  if (viewer.isOperator) return true;
  if (customerUuid && viewer.isAdminOf(customerUuid)) return true;
  return Boolean(customerUuid && viewer.canViewCustomer(customerUuid) && tx.lmsUserId !== null && viewer.lmsUserId === tx.lmsUserId);
}

// ---------------------------------------------------------------------------------------------
// Reads with derived values

export async function policyAggregates(ctx: LearnerCreditContext, policy: SubsidyAccessPolicyRow) {
  const subsidy = await ctx.loaders.subsidy.load(policy.subsidyUuid);
  const configuration = policy.policyType === ASSIGNED_POLICY ? await ctx.loaders.configurationByPolicy.load(policy.uuid) : null;
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
  return { canRedeem: reason === null, reasons: reason ? [{ code: reason, message: REASON_MESSAGES[reason] }] : [], contentPriceCents: priceCents };
}

/** Remote facts first (catalog membership and price, learner link), fetched before any lock. */
async function remoteFacts(ctx: LearnerCreditContext, policy: SubsidyAccessPolicyRow, lmsUserId: number, contentKey: string) {
  const [catalog, learner] = await Promise.all([
    ctx.loaders.remote.catalogContent.load({ catalogUuid: policy.catalogUuid, contentKey }),
    ctx.loaders.remote.learner.load({ customerUuid: policy.enterpriseCustomerUuid, lmsUserId }),
  ]);
  return { catalog, learner };
}

/** The learner's assignment for the content in an assigned policy's configuration (reference 2.6). */
async function learnerAssignment(
  db: DB,
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
interface LocalFacts {
  balance: number;
  redeemedTotal: number;
  learnerTransactions: LearnerTransaction[];
  configuration: AssignmentConfigurationRow | null;
}

async function localFacts(db: DB, policy: SubsidyAccessPolicyRow, lmsUserId: number, subsidy: SubsidyRow | null): Promise<LocalFacts> {
  const [balance, redeemed, learnerTransactions, configurations] = await Promise.all([
    subsidy ? sumLedgerBalances(db, [subsidy.ledgerUuid]) : Promise.resolve([]),
    sumRedeemedByPolicies(db, [policy.uuid]),
    subsidy ? findLearnerTransactions(db, subsidy.ledgerUuid, lmsUserId) : Promise.resolve([]),
    policy.policyType === ASSIGNED_POLICY ? findConfigurationsByPolicyUuids(db, [policy.uuid]) : Promise.resolve([]),
  ]);
  return {
    balance: balance[0]?.balance ?? 0,
    redeemedTotal: redeemed[0]?.total ?? 0,
    learnerTransactions,
    configuration: configurations[0] ?? null,
  };
}

/** localFacts through the request's loaders: the canRedeem checks of several contents share each read. */
async function loadedLocalFacts(ctx: LearnerCreditContext, policy: SubsidyAccessPolicyRow, lmsUserId: number, subsidy: SubsidyRow | null): Promise<LocalFacts> {
  const [balance, redeemedTotal, learnerTransactions, configuration] = await Promise.all([
    subsidy ? ctx.loaders.balanceByLedger.load(subsidy.ledgerUuid) : 0,
    ctx.loaders.redeemedByPolicy.load(policy.uuid),
    subsidy ? ctx.loaders.learnerTransactions.load(`${subsidy.ledgerUuid}\n${lmsUserId}`) : [],
    policy.policyType === ASSIGNED_POLICY ? ctx.loaders.configurationByPolicy.load(policy.uuid) : null,
  ]);
  return { balance, redeemedTotal, learnerTransactions, configuration };
}

/** SubsidyAccessPolicy.canRedeem: the same checks redeem runs, without the lock. */
export async function canRedeem(ctx: LearnerCreditContext, policy: SubsidyAccessPolicyRow, lmsUserIdInput: number, contentKeyInput: string): Promise<RedeemabilityResult> {
  const lmsUserId = lmsUserIdArg(lmsUserIdInput);
  const contentKey = contentKeyArg(contentKeyInput);
  assertMayActForLearner(ctx.viewer, policy.enterpriseCustomerUuid, lmsUserId, true);
  const now = new Date();
  if (!isRedemptionEnabled(policy)) return toResult('POLICY_EXPIRED', null);
  const subsidy = await ctx.loaders.subsidy.load(policy.subsidyUuid);
  const [{ catalog, learner }, local] = await Promise.all([remoteFacts(ctx, policy, lmsUserId, contentKey), loadedLocalFacts(ctx, policy, lmsUserId, subsidy)]);
  const assignment = await learnerAssignment(ctx.db, local.configuration, lmsUserId, learner?.email ?? null, contentKey, catalog);
  const result = evaluateRedeemability({ policy, subsidy, now, contentKey, learnerLinked: learner !== null, catalog, assignment, ...local });
  return toResult(result.reason, result.priceCents);
}

// ---------------------------------------------------------------------------------------------
// redeem

function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * The derived idempotency key (reference 1.7): learner, content, policy and the uuids of the
 * learner's earlier failed or reversed transactions for the content. A retry while an attempt is
 * live gives the same key; after a failure or refund the key changes, so a new attempt is allowed.
 */
function derivedIdempotencyKey(subsidy: SubsidyRow, policyUuid: string, lmsUserId: number, contentKey: string, history: readonly LearnerTransaction[]): string {
  const historical = history
    .filter((tx) => tx.contentKey === contentKey && (tx.state === 'FAILED' || tx.reversalState === 'COMMITTED'))
    .map((tx) => tx.uuid)
    .sort();
  return `ledger-for-subsidy-${subsidy.uuid}-${sha256([lmsUserId, contentKey, policyUuid, historical])}`;
}

function transactionEventPayload(tx: LedgerTransactionRow, reversal: LedgerReversalRow | null) {
  return {
    ledger_transaction: {
      uuid: tx.uuid,
      created: tx.created.toISOString(),
      modified: tx.modified.toISOString(),
      idempotency_key: tx.idempotencyKey,
      quantity: tx.quantity,
      state: tx.state.toLowerCase(),
      ledger_uuid: tx.ledgerUuid,
      subsidy_access_policy_uuid: tx.subsidyAccessPolicyUuid,
      lms_user_id: tx.lmsUserId,
      content_key: tx.contentKey,
      parent_content_key: tx.parentContentKey,
      fulfillment_identifier: tx.fulfillmentIdentifier,
      reversal: reversal
        ? {
            uuid: reversal.uuid,
            created: reversal.created.toISOString(),
            modified: reversal.modified.toISOString(),
            idempotency_key: reversal.idempotencyKey,
            quantity: reversal.quantity,
            state: reversal.state.toLowerCase(),
          }
        : null,
    },
  };
}

function action(assignmentUuid: string, actionType: ActionType, now: Date): AssignmentActionTable {
  return { uuid: randomUUID(), assignmentUuid, actionType, completedAt: now, errorReason: null, created: now, modified: now };
}

export interface RedeemInput {
  policyUuid: string;
  lmsUserId: number;
  contentKey: string;
  idempotencyKey?: string | null;
}

/**
 * Redeems under the policy and ledger row locks: re-checks everything, then writes one committed
 * transaction (quantity = -price), accepts the assignment and enqueues the events, all in one
 * database transaction. A repeat with the same idempotency key returns the same transaction.
 */
export async function redeem(ctx: LearnerCreditContext, input: RedeemInput): Promise<LedgerTransactionRow> {
  const policyUuid = uuidArg(input.policyUuid, 'policyUuid');
  const lmsUserId = lmsUserIdArg(input.lmsUserId);
  const contentKey = contentKeyArg(input.contentKey);
  const givenKey = input.idempotencyKey == null ? null : nonEmptyString(input.idempotencyKey, 'idempotencyKey');
  const policy = await ctx.loaders.policy.load(policyUuid);
  if (!policy) throw notFound(`Subsidy access policy ${policyUuid} not found`);
  assertMayActForLearner(ctx.viewer, policy.enterpriseCustomerUuid, lmsUserId, false);
  // Network calls happen before the transaction: no row stays locked while we wait on another service.
  const { catalog, learner } = await remoteFacts(ctx, policy, lmsUserId, contentKey);

  return ctx.db.transaction().execute(async (trx) => {
    const locked = await lockPolicy(trx, policyUuid);
    if (!locked) throw notFound(`Subsidy access policy ${policyUuid} not found`);
    const subsidy = (await findSubsidiesByUuids(trx, [locked.subsidyUuid]))[0] ?? null;
    if (!subsidy) throw conflict(`Policy ${policyUuid} has no subsidy`);
    await lockLedger(trx, subsidy.ledgerUuid);

    const local = await localFacts(trx, locked, lmsUserId, subsidy);
    const key = givenKey ?? derivedIdempotencyKey(subsidy, locked.uuid, lmsUserId, contentKey, local.learnerTransactions);
    const existing = await findTransactionByKey(trx, subsidy.ledgerUuid, key);
    if (existing) {
      if (existing.lmsUserId !== lmsUserId || existing.subsidyAccessPolicyUuid !== locked.uuid || existing.contentKey !== contentKey) {
        throw conflict(`Idempotency key "${key}" was already used for another redemption`);
      }
      return existing;
    }

    const now = new Date();
    const assignment = await learnerAssignment(trx, local.configuration, lmsUserId, learner?.email ?? null, contentKey, catalog);
    const { reason, priceCents } = evaluateRedeemability({
      policy: locked,
      subsidy,
      now,
      contentKey,
      learnerLinked: learner !== null,
      catalog,
      assignment,
      ...local,
    });
    if (reason) {
      throw conflict(`Cannot redeem: ${reason}`, { reasons: [{ code: reason, message: REASON_MESSAGES[reason] }] });
    }
    const price = priceCents ?? 0;
    // Evaluated above under the ledger lock: balance >= price, so the balance never goes negative.
    const tx: LedgerTransactionRow = {
      uuid: randomUUID(),
      ledgerUuid: subsidy.ledgerUuid,
      idempotencyKey: key,
      quantity: -price,
      state: 'COMMITTED',
      lmsUserId,
      lmsUserEmail: learner?.email ?? null,
      contentKey,
      parentContentKey: catalog.content?.parentContentKey ?? null,
      contentTitle: catalog.content?.title ?? null,
      fulfillmentIdentifier: randomUUID(),
      subsidyAccessPolicyUuid: locked.uuid,
      isDeposit: false,
      created: now,
      modified: now,
    };
    await insertTransaction(trx, tx);

    if (assignment) {
      await lockAssignments(trx, [assignment.uuid]);
      await updateAssignments(trx, [assignment.uuid], {
        state: 'ACCEPTED',
        acceptedAt: now,
        erroredAt: null,
        cancelledAt: null,
        expiredAt: null,
        transactionUuid: tx.uuid,
        lmsUserId,
        preferredCourseRunKey: catalog.content?.runKey ?? assignment.preferredCourseRunKey,
        modified: now,
      });
      await insertActions(trx, [action(assignment.uuid, 'REDEEMED', now)]);
    }

    const events: OutboxEvent[] = [
      { eventType: EVENTS.transactionCommitted, aggregateKey: tx.uuid, payload: transactionEventPayload(tx, null) },
      {
        eventType: EVENTS.subsidyRedeemed,
        aggregateKey: locked.uuid,
        payload: { redemption: { subsidy_identifier: locked.uuid, content_key: contentKey, lms_user_id: lmsUserId } },
      },
      {
        eventType: EVENTS.enrollmentRequested,
        aggregateKey: tx.uuid,
        payload: {
          enterprise_customer_uuid: locked.enterpriseCustomerUuid,
          lms_user_id: lmsUserId,
          course_key: contentKey,
          learner_credit_course_enrollment: {
            uuid: tx.fulfillmentIdentifier,
            created: now.toISOString(),
            modified: now.toISOString(),
            fulfillment_type: 'learner_credit',
            is_revoked: false,
            transaction_id: tx.uuid,
          },
        },
      },
    ];
    await outbox(trx, events);
    return tx;
  });
}

// ---------------------------------------------------------------------------------------------
// reverseTransaction

export interface ReverseInput {
  transactionUuid: string;
  idempotencyKey?: string | null;
}

/** Reverses a committed spend in full, once; the accepted assignment becomes REVERSED. Operators only. */
export async function reverseTransaction(ctx: LearnerCreditContext, input: ReverseInput): Promise<LedgerTransactionRow> {
  const uuid = uuidArg(input.transactionUuid, 'transactionUuid');
  const givenKey = input.idempotencyKey == null ? null : nonEmptyString(input.idempotencyKey, 'idempotencyKey');
  ctx.viewer.assertOperator();
  const found = await ctx.loaders.transaction.load(uuid);
  if (!found) throw notFound(`Ledger transaction ${uuid} not found`);

  return ctx.db.transaction().execute(async (trx) => {
    if (found.subsidyAccessPolicyUuid) await lockPolicy(trx, found.subsidyAccessPolicyUuid);
    await lockLedger(trx, found.ledgerUuid);
    const tx = (await findTransactionsByUuids(trx, [uuid]))[0]!;
    const key = givenKey ?? `admin-invoked-reverse-${tx.uuid}`;
    const existing = (await findReversalsByTransactionUuids(trx, [uuid]))[0];
    if (existing) {
      if (existing.idempotencyKey === key) return tx;
      throw conflict(`Transaction ${uuid} is already reversed`);
    }
    if (tx.state !== 'COMMITTED') throw conflict(`Only committed transactions can be reversed; ${uuid} is ${tx.state}`);
    if (tx.isDeposit || tx.quantity >= 0) throw conflict(`Transaction ${uuid} is not a redemption; only redemptions can be reversed`);

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
    await insertReversal(trx, reversal);
    const assignmentUuids = await findAssignmentUuidsByTransaction(trx, tx.uuid);
    const accepted = (await findAssignmentsByUuids(trx, assignmentUuids)).filter((a) => a.state === 'ACCEPTED').map((a) => a.uuid);
    await lockAssignments(trx, accepted);
    await updateAssignments(trx, accepted, { state: 'REVERSED', reversedAt: now, modified: now });
    await insertActions(trx, accepted.map((a) => action(a, 'REVERSED', now)));
    await outbox(trx, [
      { eventType: EVENTS.transactionReversed, aggregateKey: tx.uuid, payload: transactionEventPayload(tx, reversal) },
    ]);
    return tx;
  });
}

// ---------------------------------------------------------------------------------------------
// Assignments: allocate, remind, cancel

export interface AllocateInput {
  policyUuid: string;
  learnerEmails: readonly string[];
  contentKey: string;
  contentPriceCents: number;
}

export interface AllocateResult {
  created: AssignmentRow[];
  updated: AssignmentRow[];
  noChange: AssignmentRow[];
}

function assignmentEvent(eventType: string, row: Pick<AssignmentRow, 'uuid' | 'assignmentConfigurationUuid' | 'learnerEmail' | 'lmsUserId' | 'contentKey' | 'contentQuantity'>, customerUuid: string): OutboxEvent {
  return {
    eventType,
    aggregateKey: row.uuid,
    payload: {
      assignment: {
        uuid: row.uuid,
        assignment_configuration: row.assignmentConfigurationUuid,
        enterprise_customer_uuid: customerUuid,
        learner_email: row.learnerEmail,
        lms_user_id: row.lmsUserId,
        content_key: row.contentKey,
        content_quantity: row.contentQuantity,
      },
    },
  };
}

/** Allocation checks in DOMAIN order; any failure writes nothing. */
export async function allocateAssignments(ctx: LearnerCreditContext, input: AllocateInput): Promise<AllocateResult> {
  const policyUuid = uuidArg(input.policyUuid, 'policyUuid');
  listSize(input.learnerEmails, 1000, 'learnerEmails', 1);
  const emails = emailList(input.learnerEmails, 'learnerEmails');
  const contentKey = contentKeyArg(input.contentKey);
  const price = nonNegativeCents(input.contentPriceCents, 'contentPriceCents');
  const policy = await ctx.loaders.policy.load(policyUuid);
  if (!policy) throw notFound(`Subsidy access policy ${policyUuid} not found`);
  ctx.viewer.assertAdminOf(policy.enterpriseCustomerUuid);
  if (policy.policyType !== ASSIGNED_POLICY) throw conflict(`Policy ${policyUuid} is a ${policy.policyType}: only assigned policies allocate`);
  assertAllocatable(policy, await ctx.loaders.subsidy.load(policy.subsidyUuid));

  const catalog = await ctx.loaders.remote.catalogContent.load({ catalogUuid: policy.catalogUuid, contentKey });
  const content = catalog.content;
  if (!catalog.inCatalog || !content) throw badInput(`Content ${contentKey} is not in the policy's catalog`, { argument: 'contentKey' });
  const canonical = content.priceCents ?? 0;
  if (!priceWithinTolerance(price, canonical)) {
    throw badInput(`contentPriceCents ${price} is outside 95%-105% of the canonical price ${canonical}`, { argument: 'contentPriceCents', canonicalPriceCents: canonical });
  }
  const learners = await ctx.loaders.remote.learner.loadMany(emails.map((email) => ({ customerUuid: policy.enterpriseCustomerUuid, email })));
  const userIdByEmail = new Map<string, number>();
  learners.forEach((learner, i) => {
    if (learner instanceof Error) throw learner;
    if (learner?.lmsUserId != null) userIdByEmail.set(emails[i]!, learner.lmsUserId);
  });

  return ctx.db.transaction().execute(async (trx) => {
    const locked = await lockPolicy(trx, policyUuid);
    if (!locked) throw notFound(`Subsidy access policy ${policyUuid} not found`);
    const subsidy = (await findSubsidiesByUuids(trx, [locked.subsidyUuid]))[0] ?? null;
    assertAllocatable(locked, subsidy);
    await lockLedger(trx, subsidy!.ledgerUuid);
    const configuration = (await findConfigurationsByPolicyUuids(trx, [locked.uuid]))[0];
    if (!configuration || !configuration.active) throw conflict(`Policy ${policyUuid} has no active assignment configuration`);

    const existing = await findAssignmentsForLearners(trx, configuration.uuid, contentKey, emails, [...userIdByEmail.values()]);
    const byEmail = new Map(existing.map((a) => [a.learnerEmail, a]));
    const byUser = new Map(existing.filter((a) => a.lmsUserId !== null).map((a) => [a.lmsUserId!, a]));
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

    // Funds: only the de-duplicated new allocations must fit (ours: upstream over-reserves).
    const needed = (toCreate.length + toUpdate.size) * price;
    const [balance, redeemed, allocated] = await Promise.all([
      sumLedgerBalances(trx, [subsidy!.ledgerUuid]),
      sumRedeemedByPolicies(trx, [locked.uuid]),
      sumAllocatedByConfigurations(trx, [configuration.uuid]),
    ]);
    const { spendAvailableUsdCents } = computeAggregates(locked, {
      balance: balance[0]?.balance ?? 0,
      redeemedTotal: redeemed[0]?.total ?? 0,
      allocatedTotal: allocated[0]?.total ?? 0,
    });
    if (needed > spendAvailableUsdCents) {
      throw conflict(`Not enough funds: the allocation needs ${needed} cents, ${spendAvailableUsdCents} are available`, {
        neededCents: needed,
        spendAvailableUsdCents,
      });
    }

    const now = new Date();
    const batchId = randomUUID();
    const common = {
      contentKey,
      parentContentKey: content.parentContentKey,
      contentTitle: content.title,
      contentQuantity: -price,
      preferredCourseRunKey: content.runKey,
      state: 'ALLOCATED' as const,
      allocatedAt: now,
      allocationBatchId: batchId,
      adminLmsUserId: ctx.viewer.lmsUserId,
      modified: now,
    };
    const created: LearnerContentAssignmentTable[] = toCreate.map((email) => ({
      ...common,
      uuid: randomUUID(),
      assignmentConfigurationUuid: configuration.uuid,
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
    await insertAssignments(trx, created);
    const updatedUuids = [...toUpdate.keys()];
    await lockAssignments(trx, updatedUuids);
    // reversedAt is kept on re-allocation (upstream behaviour); the other state stamps are cleared.
    await updateAssignments(trx, updatedUuids, { ...common, acceptedAt: null, cancelledAt: null, expiredAt: null, erroredAt: null, transactionUuid: null });
    for (const record of toUpdate.values()) {
      const userId = userIdByEmail.get(record.learnerEmail);
      if (record.lmsUserId === null && userId !== undefined) await updateAssignments(trx, [record.uuid], { lmsUserId: userId });
    }

    const rows = await findAssignmentsByUuids(trx, [...created.map((c) => c.uuid), ...updatedUuids]);
    const byUuid = new Map(rows.map((r) => [r.uuid, r]));
    const result: AllocateResult = {
      created: created.map((c) => byUuid.get(c.uuid)!),
      updated: updatedUuids.map((u) => byUuid.get(u)!),
      noChange: [...unchanged.values()],
    };
    // Notification (and learner linking) is delivered after commit from the outbox.
    await outbox(
      trx,
      [...result.created, ...result.updated].map((row) => assignmentEvent(EVENTS.assignmentAllocated, row, locked.enterpriseCustomerUuid)),
    );
    return result;
  });
}

function assertAllocatable(policy: SubsidyAccessPolicyRow, subsidy: SubsidyRow | null): void {
  if (!isRedemptionEnabled(policy)) throw conflict(`Policy ${policy.uuid} is ${policy.active ? 'retired' : 'inactive'}`);
  if (!isSubsidyActive(subsidy, new Date())) throw conflict(`The subsidy of policy ${policy.uuid} is not active`);
}

export interface AssignmentUuidsInput {
  assignmentConfigurationUuid: string;
  assignmentUuids: readonly string[];
}

/**
 * Loads, locks (policy first) and checks the requested assignments of a configuration: all must
 * exist in it (else NOT_FOUND) and be in an accepted state (else CONFLICT), or nothing is written.
 */
async function withConfigurationAssignments<T>(
  ctx: LearnerCreditContext,
  input: AssignmentUuidsInput,
  allowed: ReadonlySet<string>,
  verb: string,
  apply: (trx: DB, rows: AssignmentRow[], configuration: AssignmentConfigurationRow, now: Date) => Promise<T>,
): Promise<T> {
  const configurationUuid = uuidArg(input.assignmentConfigurationUuid, 'assignmentConfigurationUuid');
  listSize(input.assignmentUuids, 1000, 'assignmentUuids', 1);
  const uuids = uuidList(input.assignmentUuids, 'assignmentUuids');
  const configuration = await ctx.loaders.configuration.load(configurationUuid);
  if (!configuration) throw notFound(`Assignment configuration ${configurationUuid} not found`);
  ctx.viewer.assertAdminOf(configuration.enterpriseCustomerUuid);

  return ctx.db.transaction().execute(async (trx) => {
    await lockPolicy(trx, configuration.subsidyAccessPolicyUuid);
    const current = (await findConfigurationsByUuids(trx, [configurationUuid]))[0]!;
    await lockAssignments(trx, uuids);
    const rows = (await findAssignmentsByUuids(trx, uuids)).filter((r) => r.assignmentConfigurationUuid === configurationUuid);
    const found = new Set(rows.map((r) => r.uuid));
    const missing = uuids.filter((u) => !found.has(u));
    if (missing.length) throw notFound(`Assignments not found in configuration ${configurationUuid}: ${missing.join(', ')}`, { assignmentUuids: missing });
    const refused = rows.filter((r) => !allowed.has(r.state));
    if (refused.length) {
      throw conflict(`Cannot ${verb} assignments ${refused.map((r) => `${r.uuid} (${r.state})`).join(', ')}`, {
        assignmentUuids: refused.map((r) => r.uuid),
      });
    }
    const order = new Map(uuids.map((u, i) => [u, i]));
    rows.sort((a, b) => order.get(a.uuid)! - order.get(b.uuid)!);
    return apply(trx, rows, current, new Date());
  });
}

async function reread(trx: DB, rows: readonly AssignmentRow[]): Promise<AssignmentRow[]> {
  const fresh = new Map((await findAssignmentsByUuids(trx, rows.map((r) => r.uuid))).map((r) => [r.uuid, r]));
  return rows.map((r) => fresh.get(r.uuid)!);
}

/** ALLOCATED assignments get a REMINDED action; any other requested one fails the call (ours). */
export function remindAssignments(ctx: LearnerCreditContext, input: AssignmentUuidsInput): Promise<AssignmentRow[]> {
  return withConfigurationAssignments(ctx, input, new Set(['ALLOCATED']), 'remind', async (trx, rows, configuration, now) => {
    const uuids = rows.map((r) => r.uuid);
    await updateAssignments(trx, uuids, { modified: now });
    await insertActions(trx, uuids.map((u) => action(u, 'REMINDED', now)));
    await outbox(trx, rows.map((r) => assignmentEvent(EVENTS.assignmentReminded, r, configuration.enterpriseCustomerUuid)));
    return reread(trx, rows);
  });
}

/** ALLOCATED or ERRORED become CANCELLED (CANCELLED ones stay); any other fails the call (ours). */
export function cancelAssignments(ctx: LearnerCreditContext, input: AssignmentUuidsInput): Promise<AssignmentRow[]> {
  return withConfigurationAssignments(ctx, input, new Set([...CANCELABLE, 'CANCELLED']), 'cancel', async (trx, rows, configuration, now) => {
    const changing = rows.filter((r) => CANCELABLE.has(r.state));
    const uuids = changing.map((r) => r.uuid);
    await updateAssignments(trx, uuids, { state: 'CANCELLED', cancelledAt: now, modified: now });
    await insertActions(trx, uuids.map((u) => action(u, 'CANCELLED', now)));
    await outbox(trx, changing.map((r) => assignmentEvent(EVENTS.assignmentCancelled, r, configuration.enterpriseCustomerUuid)));
    return reread(trx, rows);
  });
}

/**
 * Expires ALLOCATED assignments whose earliest possible expiration (subsidy expiry, enrollment
 * deadline, allocation + 90 days) has passed: state EXPIRED, an EXPIRED action and an event,
 * under the policy lock so a concurrent redemption either wins before or sees EXPIRED after.
 */
export async function expireAssignments(ctx: LearnerCreditContext, input: { assignmentConfigurationUuid: string }): Promise<AssignmentRow[]> {
  const configurationUuid = uuidArg(input.assignmentConfigurationUuid, 'assignmentConfigurationUuid');
  const configuration = await ctx.loaders.configuration.load(configurationUuid);
  if (!configuration) throw notFound(`Assignment configuration ${configurationUuid} not found`);
  ctx.viewer.assertAdminOf(configuration.enterpriseCustomerUuid);
  const policy = await ctx.loaders.policy.load(configuration.subsidyAccessPolicyUuid);
  const subsidy = policy ? await ctx.loaders.subsidy.load(policy.subsidyUuid) : null;
  const candidates = await findAllocatedAssignments(ctx.db, configurationUuid);
  // Enroll-by dates come from the catalog subgraph, before any lock is taken.
  const contents = await ctx.loaders.remote.content.loadMany(candidates.map((a) => a.preferredCourseRunKey ?? a.contentKey));
  const now = new Date();
  const due = candidates
    .filter((assignment, i) => {
      const content = contents[i];
      if (content instanceof Error) throw content;
      const expiration = earliestPossibleExpiration(assignment, subsidy?.expirationDatetime ?? null, content?.enrollBy ?? null);
      return expiration !== null && expiration.date <= now;
    })
    .map((a) => a.uuid);
  if (!due.length) return [];

  return ctx.db.transaction().execute(async (trx) => {
    await lockPolicy(trx, configuration.subsidyAccessPolicyUuid);
    await lockAssignments(trx, due);
    const still = (await findAssignmentsByUuids(trx, due)).filter((a) => a.state === 'ALLOCATED');
    const uuids = still.map((a) => a.uuid);
    await updateAssignments(trx, uuids, { state: 'EXPIRED', expiredAt: now, modified: now });
    await insertActions(trx, uuids.map((u) => action(u, 'EXPIRED', now)));
    await outbox(trx, still.map((r) => assignmentEvent(EVENTS.assignmentExpired, r, configuration.enterpriseCustomerUuid)));
    return reread(trx, still);
  });
}
