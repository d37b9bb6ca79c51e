import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { addAssignment, createPolicy, learnerCreditDb } from './support/learner-credit-fixtures.js';
import { describeEachDialect, errorCodes, type GraphQLResult, type TestStack } from './support/stack.js';

/**
 * The concurrency proof: many parallel HTTP requests against one policy whose
 * spend available fits only some of them. On MySQL the policy and ledger row locks serialize
 * them; SQLite serializes writers itself. Either way exactly as many succeed as fit.
 */

const SEAL = DEMO.customers.sealTeamTen;
// Seal Team Ten catalog courses with a canonical price of 9900 cents.
const COURSES = [
  'BerkeleyX+CLOU102',
  'BerkeleyX+FINA114',
  'BerkeleyX+LINU186',
  'BerkeleyX+MACH126',
  'BerkeleyX+NEGO138',
  'BerkeleyX+PROJ198',
  'BerkeleyX+PUBL174',
  'BerkeleyX+SUPP162',
];
const PRICE = 9900;
const LEARNERS = [3, 4, 5];

const REDEEM = 'mutation ($input: RedeemInput!) { redeem(input: $input) { transaction { uuid quantity } } }';
const ALLOCATE =
  'mutation ($input: AllocateAssignmentsInput!) { allocateAssignments(input: $input) { created { uuid } } }';
const STATE = `query ($p: ID!) { subsidyAccessPolicy(uuid: $p) {
  aggregates { amountRedeemedUsdCents amountAllocatedUsdCents spendAvailableUsdCents }
  subsidy { currentBalanceCents }
  transactions(first: 500) { totalCount nodes { uuid quantity } }
} }`;

interface PolicyState {
  aggregates: { amountRedeemedUsdCents: number; amountAllocatedUsdCents: number; spendAvailableUsdCents: number };
  subsidy: { currentBalanceCents: number };
  transactions: { totalCount: number; nodes: { uuid: string; quantity: number }[] };
}

async function stateOf(stack: TestStack, policyUuid: string): Promise<PolicyState> {
  const result = await stack.graphql<{ subsidyAccessPolicy: PolicyState }>(STATE, { p: policyUuid });
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.subsidyAccessPolicy;
}

function partition<T>(results: GraphQLResult<T>[]) {
  return { ok: results.filter((r) => !r.errors), failed: results.filter((r) => r.errors) };
}

describeEachDialect('learner credit: concurrent redemptions and allocations never overspend', (stack) => {
  // After every race: the stored balances and totals equal what the rows add up to.
  afterEach(() => assertAggregatesConsistent(stack()));

  it('lets exactly as many parallel redemptions succeed as the spend limit fits; the rest fail with CONFLICT POLICY_SPEND_LIMIT_REACHED', async () => {
    const fits = 3;
    const policy = await createPolicy(learnerCreditDb(stack()), {
      customer: SEAL,
      catalog: DEMO.catalogs.sealTeamTenAll,
      policyType: 'PerLearnerSpendCreditAccessPolicy',
      balanceCents: 1_000_000,
      spendLimitCents: fits * PRICE,
    });
    const results = await Promise.all(
      COURSES.map((contentKey, i) =>
        stack().graphql<{ redeem: { transaction: { uuid: string; quantity: number } } }>(REDEEM, {
          input: { policyUuid: policy.policyUuid, lmsUserId: LEARNERS[i % LEARNERS.length], contentKey },
        }),
      ),
    );
    const { ok, failed } = partition(results);
    assert.equal(ok.length, fits);
    for (const failure of failed) {
      assert.deepEqual(errorCodes(failure), ['CONFLICT']);
      assert.equal(
        (failure.errors![0]!.extensions!.reasons as { code: string }[])[0]!.code,
        'POLICY_SPEND_LIMIT_REACHED',
      );
    }
    const state = await stateOf(stack(), policy.policyUuid);
    const spent = ok.reduce((sum, r) => sum - r.data!.redeem.transaction.quantity, 0);
    assert.equal(spent, fits * PRICE);
    assert.equal(state.transactions.totalCount, fits);
    assert.equal(state.aggregates.amountRedeemedUsdCents, spent);
    assert.equal(state.aggregates.spendAvailableUsdCents, 0);
    assert.equal(state.subsidy.currentBalanceCents, 1_000_000 - spent);
  });

  it('lets exactly as many parallel redemptions succeed as the subsidy balance fits; the balance ends at 0, never below', async () => {
    const fits = 2;
    const policy = await createPolicy(learnerCreditDb(stack()), {
      customer: SEAL,
      catalog: DEMO.catalogs.sealTeamTenAll,
      policyType: 'PerLearnerSpendCreditAccessPolicy',
      balanceCents: fits * PRICE,
      spendLimitCents: null,
    });
    const results = await Promise.all(
      COURSES.map((contentKey, i) =>
        stack().graphql(REDEEM, {
          input: { policyUuid: policy.policyUuid, lmsUserId: LEARNERS[i % LEARNERS.length], contentKey },
        }),
      ),
    );
    const { ok, failed } = partition(results);
    assert.equal(ok.length, fits);
    for (const failure of failed) {
      assert.deepEqual(errorCodes(failure), ['CONFLICT']);
      assert.equal(
        (failure.errors![0]!.extensions!.reasons as { code: string }[])[0]!.code,
        'NOT_ENOUGH_VALUE_IN_SUBSIDY',
      );
    }
    const state = await stateOf(stack(), policy.policyUuid);
    assert.equal(state.subsidy.currentBalanceCents, 0);
    assert.equal(state.aggregates.spendAvailableUsdCents, 0);
    assert.equal(state.aggregates.amountRedeemedUsdCents, fits * PRICE);
  });

  it('lets exactly as many parallel allocations succeed as spend available fits; the rest fail with CONFLICT', async () => {
    const fits = 3;
    const policy = await createPolicy(learnerCreditDb(stack()), {
      customer: DEMO.customers.policyExample,
      catalog: DEMO.catalogs.policyExample,
      policyType: 'AssignedLearnerCreditAccessPolicy',
      balanceCents: 1_000_000,
      spendLimitCents: fits * 10_000,
    });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        stack().graphql(
          ALLOCATE,
          {
            input: {
              policyUuid: policy.policyUuid,
              learnerEmails: [`racer${i}@example.com`],
              contentKey: DEMO.content.courseKey,
              contentPriceCents: 10_000,
            },
          },
          { token: stack().tokens.policyAdmin },
        ),
      ),
    );
    const { ok, failed } = partition(results);
    assert.equal(ok.length, fits);
    for (const failure of failed) assert.deepEqual(errorCodes(failure), ['CONFLICT']);
    const state = await stateOf(stack(), policy.policyUuid);
    assert.deepEqual(state.aggregates, {
      amountRedeemedUsdCents: 0,
      amountAllocatedUsdCents: fits * 10_000,
      spendAvailableUsdCents: 0,
    });
  });

  it('keeps allocations and redemptions racing on one assigned policy within its spend limit', async () => {
    const db = learnerCreditDb(stack());
    const policy = await createPolicy(db, {
      customer: DEMO.customers.policyExample,
      catalog: DEMO.catalogs.policyExample,
      policyType: 'AssignedLearnerCreditAccessPolicy',
      balanceCents: 1_000_000,
      spendLimitCents: 50_000,
    });
    // Two learners already hold allocations (20000 reserved): 30000 remain for new allocations.
    for (const [email, lmsUserId] of [
      ['gob@bluth.example.com', 10],
      ['lindsay@bluth.example.com', 11],
    ] as const) {
      await addAssignment(db, policy.configurationUuid!, {
        email,
        lmsUserId,
        contentKey: DEMO.content.courseKey,
        priceCents: 10_000,
      });
    }
    const allocations = Array.from({ length: 8 }, (_, i) =>
      stack().graphql(
        ALLOCATE,
        {
          input: {
            policyUuid: policy.policyUuid,
            learnerEmails: [`mixed${i}@example.com`],
            contentKey: DEMO.content.courseKey,
            contentPriceCents: 10_000,
          },
        },
        { token: stack().tokens.policyAdmin },
      ),
    );
    const redemptions = [10, 11].map((lmsUserId) =>
      stack().graphql(REDEEM, {
        input: { policyUuid: policy.policyUuid, lmsUserId, contentKey: DEMO.content.courseKey },
      }),
    );
    const [allocated, redeemed] = await Promise.all([Promise.all(allocations), Promise.all(redemptions)]);
    assert.ok(
      redeemed.every((r) => !r.errors),
      JSON.stringify(redeemed.find((r) => r.errors)?.errors),
    );
    assert.equal(partition(allocated).ok.length, 3);
    for (const failure of partition(allocated).failed) assert.deepEqual(errorCodes(failure), ['CONFLICT']);
    const state = await stateOf(stack(), policy.policyUuid);
    assert.deepEqual(state.aggregates, {
      amountRedeemedUsdCents: 20_000,
      amountAllocatedUsdCents: 30_000,
      spendAvailableUsdCents: 0,
    });
    assert.equal(state.subsidy.currentBalanceCents, 1_000_000 - 20_000);
  });

  it('yields one transaction for concurrent repeats of one redemption, with a given key and with the derived key', async () => {
    const policy = await createPolicy(learnerCreditDb(stack()), {
      customer: SEAL,
      catalog: DEMO.catalogs.sealTeamTenAll,
      policyType: 'PerLearnerSpendCreditAccessPolicy',
      balanceCents: 1_000_000,
      spendLimitCents: 1_000_000,
    });
    const keyed = await Promise.all(
      Array.from({ length: 6 }, () =>
        stack().graphql<{ redeem: { transaction: { uuid: string } } }>(REDEEM, {
          input: { policyUuid: policy.policyUuid, lmsUserId: 4, contentKey: COURSES[0], idempotencyKey: 'same-key' },
        }),
      ),
    );
    assert.ok(
      keyed.every((r) => !r.errors),
      JSON.stringify(keyed.find((r) => r.errors)?.errors),
    );
    assert.equal(new Set(keyed.map((r) => r.data!.redeem.transaction.uuid)).size, 1);
    const derived = await Promise.all(
      Array.from({ length: 6 }, () =>
        stack().graphql<{ redeem: { transaction: { uuid: string } } }>(REDEEM, {
          input: { policyUuid: policy.policyUuid, lmsUserId: 5, contentKey: COURSES[1] },
        }),
      ),
    );
    assert.ok(
      derived.every((r) => !r.errors),
      JSON.stringify(derived.find((r) => r.errors)?.errors),
    );
    assert.equal(new Set(derived.map((r) => r.data!.redeem.transaction.uuid)).size, 1);
    const state = await stateOf(stack(), policy.policyUuid);
    assert.equal(state.transactions.totalCount, 2);
    assert.equal(state.subsidy.currentBalanceCents, 1_000_000 - 2 * PRICE);
  });
});
