import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  planAllocation,
  planRedemption,
  type AllocationFacts,
  type RedemptionFacts,
} from '../subgraphs/learner-credit/rules/index.js';
import type {
  AssignmentRow,
  LedgerTransactionRow,
  SubsidyAccessPolicyRow,
  SubsidyRow,
} from '../subgraphs/learner-credit/tables.js';

// The plan steps of redeem and allocateAssignments over plain data: no database, no other subgraph.

const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

const policy: SubsidyAccessPolicyRow = {
  uuid: 'policy-1',
  policyType: 'AssignedLearnerCreditAccessPolicy',
  displayName: null,
  active: true,
  enterpriseCustomerUuid: 'customer-1',
  catalogUuid: 'catalog-1',
  spendLimitCents: 100_000,
  created: NOW,
  modified: NOW,
  subsidyUuid: 'subsidy-1',
  description: '',
  retired: false,
  retiredAt: null,
  accessMethod: 'ASSIGNED',
  perLearnerEnrollmentLimit: null,
  perLearnerSpendLimitCents: null,
  lateRedemptionAllowedUntil: null,
};
const subsidy: SubsidyRow = {
  uuid: 'subsidy-1',
  title: 'Subsidy',
  enterpriseCustomerUuid: 'customer-1',
  ledgerUuid: 'ledger-1',
  unit: 'usd_cents',
  startingBalanceCents: 100_000,
  activeDatetime: new Date(NOW.getTime() - 10 * DAY),
  expirationDatetime: new Date(NOW.getTime() + 100 * DAY),
  created: NOW,
  modified: NOW,
};
const content = {
  key: 'edx+tr1012',
  courseKey: 'edx+tr1012',
  parentContentKey: null,
  title: 'TR 1012',
  priceCents: 9900,
  runKey: 'course-v1:edx+tr1012+1T2026',
  enrollBy: null,
};

function assignment(values: Partial<AssignmentRow>): AssignmentRow {
  return {
    uuid: 'assignment-1',
    assignmentConfigurationUuid: 'configuration-1',
    learnerEmail: 'learner@example.com',
    lmsUserId: 7,
    contentKey: content.key,
    parentContentKey: null,
    contentTitle: content.title,
    contentQuantity: -9500,
    preferredCourseRunKey: null,
    state: 'ALLOCATED',
    allocatedAt: new Date(NOW.getTime() - DAY),
    acceptedAt: null,
    cancelledAt: null,
    expiredAt: null,
    erroredAt: null,
    reversedAt: null,
    transactionUuid: null,
    allocationBatchId: 'batch-0',
    adminLmsUserId: null,
    created: NOW,
    modified: NOW,
    learnerState: 'WAITING',
    lastRemindedAt: null,
    recentActionTime: NOW,
    ...values,
  };
}

function redemption(values: Partial<RedemptionFacts> = {}): RedemptionFacts {
  return {
    policy,
    subsidy,
    now: NOW,
    contentKey: content.key,
    lmsUserId: 7,
    learner: { email: 'learner@example.com' },
    catalog: { inCatalog: true, content },
    balance: 100_000,
    redeemedTotal: 0,
    learnerTransactions: [],
    assignment: assignment({}),
    idempotencyKey: 'key-1',
    existing: null,
    ids: { transactionUuid: 'tx-1', fulfillmentIdentifier: 'fulfillment-1' },
    ...values,
  };
}

function conflictReasons(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    const { code, reasons } =
      (error as { extensions?: { code?: string; reasons?: { code: string }[] } }).extensions ?? {};
    return { code, reasons: reasons?.map((r) => r.code) };
  }
  return 'no error';
}

describe('learner credit rules: planRedemption', () => {
  it('charges an allocated assignment its allocated price and accepts it', () => {
    const plan = planRedemption(redemption());
    assert.equal(plan.kind, 'redeem');
    assert.deepEqual(
      {
        uuid: plan.transaction.uuid,
        quantity: plan.transaction.quantity,
        state: plan.transaction.state,
        key: plan.transaction.idempotencyKey,
        email: plan.transaction.lmsUserEmail,
      },
      { uuid: 'tx-1', quantity: -9500, state: 'COMMITTED', key: 'key-1', email: 'learner@example.com' },
    );
    assert.deepEqual(
      plan.accept && {
        uuid: plan.accept.assignmentUuid,
        state: plan.accept.changes.state,
        tx: plan.accept.changes.transactionUuid,
        run: plan.accept.changes.preferredCourseRunKey,
      },
      {
        uuid: 'assignment-1',
        state: 'ACCEPTED',
        tx: 'tx-1',
        run: content.runKey,
      },
    );
  });

  it('returns the transaction of a repeated idempotency key, and refuses a key used for another redemption', () => {
    const existing = {
      uuid: 'tx-0',
      lmsUserId: 7,
      subsidyAccessPolicyUuid: 'policy-1',
      contentKey: content.key,
    } as LedgerTransactionRow;
    assert.deepEqual(planRedemption(redemption({ existing })), { kind: 'repeat', transaction: existing });
    assert.deepEqual(
      conflictReasons(() => planRedemption(redemption({ existing: { ...existing, lmsUserId: 8 } }))),
      { code: 'CONFLICT', reasons: undefined },
    );
  });

  it('refuses with the first failing reason, in order', () => {
    assert.deepEqual(
      conflictReasons(() => planRedemption(redemption({ learner: null }))),
      { code: 'CONFLICT', reasons: ['LEARNER_NOT_IN_ENTERPRISE'] },
    );
    assert.deepEqual(
      conflictReasons(() => planRedemption(redemption({ balance: 9000 }))),
      { code: 'CONFLICT', reasons: ['NOT_ENOUGH_VALUE_IN_SUBSIDY'] },
    );
    assert.deepEqual(
      conflictReasons(() => planRedemption(redemption({ assignment: assignment({ state: 'CANCELLED' }) }))),
      { code: 'CONFLICT', reasons: ['LEARNER_ASSIGNMENT_CANCELLED'] },
    );
    assert.deepEqual(
      conflictReasons(() => planRedemption(redemption({ assignment: null }))),
      { code: 'CONFLICT', reasons: ['LEARNER_NOT_ASSIGNED_CONTENT'] },
    );
  });
});

describe('learner credit rules: planAllocation', () => {
  let next = 0;
  const facts = (values: Partial<AllocationFacts> = {}): AllocationFacts => ({
    policy,
    configurationUuid: 'configuration-1',
    emails: ['new@example.com', 'cancelled@example.com', 'allocated@example.com'],
    userIdByEmail: new Map([['cancelled@example.com', 8]]),
    existing: [
      assignment({ uuid: 'a-cancelled', learnerEmail: 'cancelled@example.com', lmsUserId: null, state: 'CANCELLED' }),
      assignment({ uuid: 'a-allocated', learnerEmail: 'allocated@example.com', state: 'ALLOCATED' }),
    ],
    content,
    contentKey: content.key,
    priceCents: 10_000,
    totals: { balance: 100_000, redeemedTotal: 0, allocatedTotal: -9500 },
    adminLmsUserId: 1,
    now: NOW,
    newId: () => `id-${next++}`,
    ...values,
  });

  it('creates new emails, re-allocates cancelled ones (learning their user id) and leaves allocated ones', () => {
    const plan = planAllocation(facts());
    assert.deepEqual(
      plan.create.map((a) => [a.learnerEmail, a.state, a.contentQuantity, a.lmsUserId]),
      [['new@example.com', 'ALLOCATED', -10_000, null]],
    );
    assert.deepEqual(
      plan.update.rows.map((a) => a.uuid),
      ['a-cancelled'],
    );
    assert.equal(plan.update.changes.state, 'ALLOCATED');
    assert.equal(plan.update.changes.cancelledAt, null);
    assert.equal('reversedAt' in plan.update.changes, false, 'reversedAt is kept on re-allocation');
    assert.deepEqual(plan.learnUserIds, [{ assignmentUuid: 'a-cancelled', lmsUserId: 8 }]);
    assert.deepEqual(
      plan.unchanged.map((a) => a.uuid),
      ['a-allocated'],
    );
    assert.equal(plan.create[0]!.allocationBatchId, plan.update.changes.allocationBatchId);
  });

  it('refuses when only the new allocations do not fit in spend available', () => {
    // 100000 limit - 9500 allocated = 90500 available: 9 new allocations of 10000 fit, 10 do not.
    const emails = Array.from({ length: 10 }, (_, i) => `learner${i}@example.com`);
    assert.equal(planAllocation(facts({ emails: emails.slice(0, 9), existing: [] })).create.length, 9);
    assert.throws(
      () => planAllocation(facts({ emails, existing: [] })),
      (error: { extensions?: Record<string, unknown> }) => {
        assert.deepEqual(
          error.extensions && {
            code: error.extensions.code,
            needed: error.extensions.neededCents,
            available: error.extensions.spendAvailableUsdCents,
          },
          {
            code: 'CONFLICT',
            needed: 100_000,
            available: 90_500,
          },
        );
        return true;
      },
    );
  });
});
