import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { sql } from 'kysely';
import { fromJson } from '../lib/db/codec.js';
import { DEMO } from '../lib/demo-ids.js';
import {
  addAssignment,
  countRowsOf,
  createPolicy,
  learnerCreditDb,
  type PolicyFixtureOptions,
} from './support/learner-credit-fixtures.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { describeEachDialect, errorCodes, token, type GraphQLResult, type TestStack } from './support/stack.js';

const SEAL = DEMO.customers.sealTeamTen;
const BLUTH = DEMO.customers.policyExample;
// Courses of the Seal Team Ten catalog with a canonical price of 9900 cents.
const SEAL_COURSES = ['BerkeleyX+CLOU102', 'BerkeleyX+FINA114', 'BerkeleyX+LINU186', 'BerkeleyX+MACH126'];
const PRICE = 9900;
// A run of the Bluth catalog whose enrollment closed in 2024.
const CLOSED_RUN = DEMO.content.harvardRunKey;

const CAN_REDEEM = `query ($p: ID!, $u: Int!, $k: String!) { subsidyAccessPolicy(uuid: $p) { canRedeem(lmsUserId: $u, contentKey: $k) { canRedeem reasons { code message } contentPriceCents } } }`;
const REDEEM = `mutation ($input: RedeemInput!) { redeem(input: $input) { transaction { uuid idempotencyKey quantity state lmsUserId contentKey parentContentKey fulfillmentIdentifier subsidyAccessPolicyUuid reversal { uuid quantity state } } } }`;
const REVERSE = `mutation ($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { transaction { uuid state quantity reversal { idempotencyKey quantity state } } } }`;

interface Redeemability {
  canRedeem: boolean;
  reasons: { code: string; message: string | null }[];
  contentPriceCents: number | null;
}
interface Tx {
  uuid: string;
  idempotencyKey: string;
  quantity: number;
  state: string;
  lmsUserId: number;
  reversal: { uuid?: string; idempotencyKey?: string; quantity: number; state: string } | null;
}

async function reason(
  stack: TestStack,
  policyUuid: string,
  lmsUserId: number,
  contentKey: string,
  tokenValue?: string,
): Promise<string | null> {
  const result = await stack.graphql<{ subsidyAccessPolicy: { canRedeem: Redeemability } }>(
    CAN_REDEEM,
    { p: policyUuid, u: lmsUserId, k: contentKey },
    tokenValue ? { token: tokenValue } : {},
  );
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  const answer = result.data!.subsidyAccessPolicy.canRedeem;
  assert.equal(answer.canRedeem, answer.reasons.length === 0);
  return answer.reasons[0]?.code ?? null;
}

async function redeemAs(
  stack: TestStack,
  input: Record<string, unknown>,
  tokenValue?: string,
): Promise<GraphQLResult<{ redeem: { transaction: Tx } }>> {
  return stack.graphql<{ redeem: { transaction: Tx } }>(REDEEM, { input }, tokenValue ? { token: tokenValue } : {});
}

async function redeemOk(stack: TestStack, input: Record<string, unknown>, tokenValue?: string): Promise<Tx> {
  const result = await redeemAs(stack, input, tokenValue);
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.redeem.transaction;
}

function sealPolicy(stack: TestStack, options: Partial<PolicyFixtureOptions> = {}) {
  return createPolicy(learnerCreditDb(stack), {
    customer: SEAL,
    catalog: DEMO.catalogs.sealTeamTenAll,
    policyType: 'PerLearnerSpendCreditAccessPolicy',
    balanceCents: 1_000_000,
    spendLimitCents: 1_000_000,
    ...options,
  });
}

function bluthAssigned(stack: TestStack, options: Partial<PolicyFixtureOptions> = {}) {
  return createPolicy(learnerCreditDb(stack), {
    customer: BLUTH,
    catalog: DEMO.catalogs.policyExample,
    policyType: 'AssignedLearnerCreditAccessPolicy',
    balanceCents: 1_000_000,
    spendLimitCents: 1_000_000,
    ...options,
  });
}

async function balanceOf(stack: TestStack, policyUuid: string) {
  const result = await stack.graphql<{
    subsidyAccessPolicy: {
      subsidy: { currentBalanceCents: number };
      aggregates: { amountRedeemedUsdCents: number; spendAvailableUsdCents: number };
    };
  }>(
    'query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { subsidy { currentBalanceCents } aggregates { amountRedeemedUsdCents spendAvailableUsdCents } } }',
    { p: policyUuid },
  );
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.subsidyAccessPolicy;
}

describeEachDialect('learner credit: canRedeem reason codes, in DOMAIN order', (stack) => {
  it('answers redeemable with the canonical price when every check passes', async () => {
    const policy = await sealPolicy(stack());
    const result = await stack().graphql<{ subsidyAccessPolicy: { canRedeem: Redeemability } }>(CAN_REDEEM, {
      p: policy.policyUuid,
      u: 4,
      k: SEAL_COURSES[0],
    });
    assert.deepEqual(result.data!.subsidyAccessPolicy.canRedeem, {
      canRedeem: true,
      reasons: [],
      contentPriceCents: PRICE,
    });
  });

  it('answers several contents in one request with the statements of one (policy, ledger and learner reads shared)', async () => {
    const policy = await sealPolicy(stack());
    const aliased = (keys: readonly string[]) =>
      `query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { ${keys.map((k, i) => `c${i}: canRedeem(lmsUserId: 4, contentKey: "${k}") { canRedeem contentPriceCents }`).join(' ')} } }`;
    const ask = async (keys: readonly string[]) => {
      let answers: { canRedeem: boolean; contentPriceCents: number | null }[] = [];
      const statements = await stack().countStatements('learner-credit', async () => {
        const result = await stack().graphql<{
          subsidyAccessPolicy: Record<string, { canRedeem: boolean; contentPriceCents: number | null }>;
        }>(aliased(keys), { p: policy.policyUuid });
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        answers = Object.values(result.data!.subsidyAccessPolicy);
      });
      return { statements, answers };
    };
    const one = await ask(SEAL_COURSES.slice(0, 1));
    const four = await ask(SEAL_COURSES);
    assert.deepEqual(
      four.answers,
      SEAL_COURSES.map(() => ({ canRedeem: true, contentPriceCents: PRICE })),
    );
    assert.equal(four.statements, one.statements);
  });

  it('POLICY_EXPIRED for an inactive or retired policy, before anything else', async () => {
    const inactive = await sealPolicy(stack(), { active: false, subsidyActive: false });
    assert.equal(await reason(stack(), inactive.policyUuid, 99, 'nobody+nothing'), 'POLICY_EXPIRED');
    const retired = await sealPolicy(stack(), { retired: true });
    const result = await stack().graphql<{ subsidyAccessPolicy: { canRedeem: Redeemability } }>(CAN_REDEEM, {
      p: retired.policyUuid,
      u: 4,
      k: SEAL_COURSES[0],
    });
    assert.deepEqual(result.data!.subsidyAccessPolicy.canRedeem.reasons, [
      {
        code: 'POLICY_EXPIRED',
        message: "You can't enroll right now because your organization doesn't have enough funds available.",
      },
    ]);
  });

  it('LEARNER_NOT_IN_ENTERPRISE for a user who is not a linked learner of the customer (asked of the customers subgraph)', async () => {
    const policy = await sealPolicy(stack());
    assert.equal(await reason(stack(), policy.policyUuid, 10, 'nobody+nothing'), 'LEARNER_NOT_IN_ENTERPRISE');
    assert.equal(await reason(stack(), policy.policyUuid, 999, SEAL_COURSES[0]!), 'LEARNER_NOT_IN_ENTERPRISE');
  });

  it('CONTENT_NOT_IN_CATALOG for unknown content and content of another catalog (asked of the catalog subgraph)', async () => {
    const policy = await sealPolicy(stack(), { subsidyActive: false });
    assert.equal(await reason(stack(), policy.policyUuid, 4, 'nobody+nothing'), 'CONTENT_NOT_IN_CATALOG');
    const business = await sealPolicy(stack(), { catalog: DEMO.catalogs.sealTeamTenBusiness });
    assert.equal(await reason(stack(), business.policyUuid, 4, SEAL_COURSES[0]!), 'CONTENT_NOT_IN_CATALOG');
  });

  it('BEYOND_ENROLLMENT_DEADLINE after the enroll-by date, unless late redemption is allowed', async () => {
    const base = {
      customer: BLUTH,
      catalog: DEMO.catalogs.policyExample,
      policyType: 'PerLearnerSpendCreditAccessPolicy' as const,
    };
    const strict = await sealPolicy(stack(), { ...base, subsidyActive: false });
    assert.equal(await reason(stack(), strict.policyUuid, 10, CLOSED_RUN), 'BEYOND_ENROLLMENT_DEADLINE');
    const late = await sealPolicy(stack(), { ...base, lateRedemptionAllowedUntil: new Date(Date.now() + 86_400_000) });
    assert.equal(await reason(stack(), late.policyUuid, 10, CLOSED_RUN), null);
    const lapsed = await sealPolicy(stack(), {
      ...base,
      lateRedemptionAllowedUntil: new Date(Date.now() - 86_400_000),
    });
    assert.equal(await reason(stack(), lapsed.policyUuid, 10, CLOSED_RUN), 'BEYOND_ENROLLMENT_DEADLINE');
  });

  it('SUBSIDY_EXPIRED when the subsidy is no longer active', async () => {
    const policy = await sealPolicy(stack(), { subsidyActive: false, balanceCents: 0 });
    assert.equal(await reason(stack(), policy.policyUuid, 4, SEAL_COURSES[0]!), 'SUBSIDY_EXPIRED');
  });

  it('NOT_ENOUGH_VALUE_IN_SUBSIDY when the balance is below the price; exactly the price is enough', async () => {
    const short = await sealPolicy(stack(), { balanceCents: PRICE - 1, spendLimitCents: 0 });
    assert.equal(await reason(stack(), short.policyUuid, 4, SEAL_COURSES[0]!), 'NOT_ENOUGH_VALUE_IN_SUBSIDY');
    const exact = await sealPolicy(stack(), { balanceCents: PRICE, spendLimitCents: PRICE });
    assert.equal(await reason(stack(), exact.policyUuid, 4, SEAL_COURSES[0]!), null);
  });

  it('ALREADY_REDEEMED once the learner holds a committed, unreversed transaction for the content', async () => {
    const policy = await sealPolicy(stack(), { spendLimitCents: PRICE });
    await redeemOk(stack(), { policyUuid: policy.policyUuid, lmsUserId: 4, contentKey: SEAL_COURSES[0] });
    assert.equal(await reason(stack(), policy.policyUuid, 4, SEAL_COURSES[0]!), 'ALREADY_REDEEMED');
    assert.equal(await reason(stack(), policy.policyUuid, 5, SEAL_COURSES[0]!), 'POLICY_SPEND_LIMIT_REACHED');
  });

  it('POLICY_SPEND_LIMIT_REACHED when redeemed plus the price would pass the spend limit; reaching it exactly is allowed', async () => {
    const policy = await sealPolicy(stack(), { spendLimitCents: 2 * PRICE - 1 });
    await redeemOk(stack(), { policyUuid: policy.policyUuid, lmsUserId: 4, contentKey: SEAL_COURSES[0] });
    assert.equal(await reason(stack(), policy.policyUuid, 4, SEAL_COURSES[1]!), 'POLICY_SPEND_LIMIT_REACHED');
    const exact = await sealPolicy(stack(), { spendLimitCents: 2 * PRICE });
    await redeemOk(stack(), { policyUuid: exact.policyUuid, lmsUserId: 4, contentKey: SEAL_COURSES[0] });
    assert.equal(await reason(stack(), exact.policyUuid, 4, SEAL_COURSES[1]!), null);
  });

  it('LEARNER_MAX_ENROLLMENTS_REACHED at the per-learner enrollment limit, counting reversed enrollments', async () => {
    const policy = await sealPolicy(stack(), {
      policyType: 'PerLearnerEnrollmentCreditAccessPolicy',
      perLearnerEnrollmentLimit: 2,
    });
    const first = await redeemOk(stack(), { policyUuid: policy.policyUuid, lmsUserId: 5, contentKey: SEAL_COURSES[0] });
    assert.equal(await reason(stack(), policy.policyUuid, 5, SEAL_COURSES[1]!), null);
    const reversed = await stack().graphql(REVERSE, { input: { transactionUuid: first.uuid } });
    assert.equal(reversed.errors, undefined, JSON.stringify(reversed.errors));
    await redeemOk(stack(), { policyUuid: policy.policyUuid, lmsUserId: 5, contentKey: SEAL_COURSES[1] });
    assert.equal(await reason(stack(), policy.policyUuid, 5, SEAL_COURSES[2]!), 'LEARNER_MAX_ENROLLMENTS_REACHED');
    assert.equal(await reason(stack(), policy.policyUuid, 4, SEAL_COURSES[2]!), null, 'other learners are not limited');
  });

  it('LEARNER_MAX_SPEND_REACHED past the per-learner spend limit; reaching it exactly is allowed', async () => {
    const policy = await sealPolicy(stack(), { perLearnerSpendLimitCents: 2 * PRICE });
    await redeemOk(stack(), { policyUuid: policy.policyUuid, lmsUserId: 4, contentKey: SEAL_COURSES[0] });
    assert.equal(await reason(stack(), policy.policyUuid, 4, SEAL_COURSES[1]!), null);
    await redeemOk(stack(), { policyUuid: policy.policyUuid, lmsUserId: 4, contentKey: SEAL_COURSES[1] });
    assert.equal(await reason(stack(), policy.policyUuid, 4, SEAL_COURSES[2]!), 'LEARNER_MAX_SPEND_REACHED');
  });

  it('answers the assignment reasons of an assigned policy by assignment state', async () => {
    const policy = await bluthAssigned(stack());
    const db = learnerCreditDb(stack());
    assert.equal(await reason(stack(), policy.policyUuid, 10, DEMO.content.courseKey), 'LEARNER_NOT_ASSIGNED_CONTENT');
    const cases = [
      ['CANCELLED', 'LEARNER_ASSIGNMENT_CANCELLED'],
      ['ERRORED', 'LEARNER_ASSIGNMENT_FAILED'],
      ['EXPIRED', 'LEARNER_ASSIGNMENT_EXPIRED'],
      ['REVERSED', 'LEARNER_ASSIGNMENT_REVERSED'],
      ['ACCEPTED', 'LEARNER_NOT_ASSIGNED_CONTENT'],
      ['ALLOCATED', null],
    ] as const;
    for (const [state, expected] of cases) {
      const fixture = await bluthAssigned(stack());
      await addAssignment(db, fixture.configurationUuid!, {
        email: 'gob@bluth.example.com',
        lmsUserId: 10,
        contentKey: DEMO.content.courseKey,
        priceCents: 9_600,
        state,
      });
      assert.equal(await reason(stack(), fixture.policyUuid, 10, DEMO.content.courseKey), expected, state);
    }
  });

  it("lets a learner ask only about itself, an admin about its customer's learners, and nobody else", async () => {
    const policy = await sealPolicy(stack());
    assert.equal(await reason(stack(), policy.policyUuid, 3, SEAL_COURSES[0]!, stack().tokens.sealLearner), null);
    assert.equal(await reason(stack(), policy.policyUuid, 4, SEAL_COURSES[0]!, stack().tokens.sealAdmin), null);
    const other = await stack().graphql(
      CAN_REDEEM,
      { p: policy.policyUuid, u: 4, k: SEAL_COURSES[0] },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(errorCodes(other), ['FORBIDDEN']);
    const foreign = await stack().graphql(
      CAN_REDEEM,
      { p: policy.policyUuid, u: 4, k: SEAL_COURSES[0] },
      { token: stack().tokens.foreignAdmin },
    );
    assert.deepEqual(errorCodes(foreign), ['FORBIDDEN']);
  });
});

describeEachDialect('learner credit: redeem and reverseTransaction', (stack) => {
  // After every write: stored aggregates equal their recomputation from the rows.
  afterEach(() => assertAggregatesConsistent(stack()));

  it('redeems for the learner itself: one committed transaction of minus the price, the balance drops, four events in the outbox (created, committed, redeemed, enrollment requested)', async () => {
    const policy = await sealPolicy(stack());
    const db = learnerCreditDb(stack());
    const outboxBefore = await countRowsOf(db, 'learner_credit_outbox');
    const tx = await redeemOk(
      stack(),
      { policyUuid: policy.policyUuid, lmsUserId: 3, contentKey: SEAL_COURSES[0] },
      stack().tokens.sealLearner,
    );
    assert.equal(tx.state, 'COMMITTED');
    assert.equal(tx.quantity, -PRICE);
    assert.equal(tx.lmsUserId, 3);
    assert.match(tx.idempotencyKey, new RegExp(`^ledger-for-subsidy-${policy.subsidyUuid}-[0-9a-f]{64}$`));
    assert.equal(tx.reversal, null);
    assert.deepEqual(await balanceOf(stack(), policy.policyUuid), {
      subsidy: { currentBalanceCents: 1_000_000 - PRICE },
      aggregates: { amountRedeemedUsdCents: PRICE, spendAvailableUsdCents: 1_000_000 - PRICE },
    });
    // Read as text: the camel-casing plugin would rewrite the keys of a parsed JSON column.
    const events = await db
      .selectFrom('learner_credit_outbox')
      .select(['eventType as type', sql<string>`cast(payload as char)`.as('payload')])
      .orderBy('created')
      .execute();
    assert.equal(events.length, outboxBefore + 4);
    const mine = events.slice(-4);
    assert.deepEqual(mine.map((e) => e.type).sort(), [
      'org.openedx.enterprise.learner_credit_course_enrollment.requested.v1',
      'org.openedx.enterprise.subsidy.redeemed.v1',
      'org.openedx.enterprise.subsidy_ledger_transaction.committed.v1',
      'org.openedx.enterprise.subsidy_ledger_transaction.created.v1',
    ]);
    const committed = fromJson(mine.find((e) => e.type.endsWith('committed.v1'))!.payload) as {
      ledger_transaction: Record<string, unknown>;
    };
    assert.deepEqual(
      {
        uuid: committed.ledger_transaction.uuid,
        quantity: committed.ledger_transaction.quantity,
        state: committed.ledger_transaction.state,
        ledger_uuid: committed.ledger_transaction.ledger_uuid,
      },
      { uuid: tx.uuid, quantity: -PRICE, state: 'committed', ledger_uuid: policy.ledgerUuid },
    );
    const redeemed = fromJson(mine.find((e) => e.type.endsWith('redeemed.v1'))!.payload);
    assert.deepEqual(redeemed, {
      redemption: { subsidy_identifier: policy.policyUuid, content_key: SEAL_COURSES[0], lms_user_id: 3 },
    });
  });

  it('returns the same transaction for a repeat, with the derived key or a given one', async () => {
    const policy = await sealPolicy(stack());
    const input = { policyUuid: policy.policyUuid, lmsUserId: 4, contentKey: SEAL_COURSES[0] };
    const first = await redeemOk(stack(), input);
    const again = await redeemOk(stack(), input);
    assert.equal(again.uuid, first.uuid);
    const keyed = await redeemOk(stack(), { ...input, contentKey: SEAL_COURSES[1], idempotencyKey: 'client-key-1' });
    assert.equal(keyed.idempotencyKey, 'client-key-1');
    assert.equal(
      (await redeemOk(stack(), { ...input, contentKey: SEAL_COURSES[1], idempotencyKey: 'client-key-1' })).uuid,
      keyed.uuid,
    );
    const reused = await redeemAs(stack(), { ...input, contentKey: SEAL_COURSES[2], idempotencyKey: 'client-key-1' });
    assert.deepEqual(errorCodes(reused), ['CONFLICT']);
    assert.equal((await balanceOf(stack(), policy.policyUuid)).aggregates.amountRedeemedUsdCents, 2 * PRICE);
  });

  it('fails with CONFLICT carrying the reason code and writes nothing', async () => {
    const policy = await sealPolicy(stack(), { spendLimitCents: PRICE - 1 });
    const db = learnerCreditDb(stack());
    const [txBefore, outboxBefore] = [
      await countRowsOf(db, 'ledger_transaction'),
      await countRowsOf(db, 'learner_credit_outbox'),
    ];
    const result = await redeemAs(stack(), {
      policyUuid: policy.policyUuid,
      lmsUserId: 4,
      contentKey: SEAL_COURSES[0],
    });
    assert.deepEqual(errorCodes(result), ['CONFLICT']);
    assert.deepEqual(result.errors![0]!.extensions!.reasons, [
      {
        code: 'POLICY_SPEND_LIMIT_REACHED',
        message: "You can't enroll right now because your organization doesn't have enough funds available.",
      },
    ]);
    assert.equal(await countRowsOf(db, 'ledger_transaction'), txBefore);
    assert.equal(await countRowsOf(db, 'learner_credit_outbox'), outboxBefore);
  });

  it('validates input and access: BAD_USER_INPUT, NOT_FOUND, FORBIDDEN for another learner, an admin or a foreign admin', async () => {
    const policy = await sealPolicy(stack());
    const valid = { policyUuid: policy.policyUuid, lmsUserId: 3, contentKey: SEAL_COURSES[0] };
    for (const bad of [
      { policyUuid: 'nope' },
      { lmsUserId: -1 },
      { lmsUserId: 0 },
      { contentKey: '  ' },
      { contentKey: 'a b' },
      { idempotencyKey: '' },
    ]) {
      assert.deepEqual(
        errorCodes(await redeemAs(stack(), { ...valid, ...bad })),
        ['BAD_USER_INPUT'],
        JSON.stringify(bad),
      );
    }
    assert.deepEqual(
      errorCodes(await redeemAs(stack(), { ...valid, policyUuid: '00000000-0000-4000-8000-000000000000' })),
      ['NOT_FOUND'],
    );
    assert.deepEqual(errorCodes(await redeemAs(stack(), { ...valid, lmsUserId: 4 }, stack().tokens.sealLearner)), [
      'FORBIDDEN',
    ]);
    assert.deepEqual(errorCodes(await redeemAs(stack(), valid, stack().tokens.sealAdmin)), ['FORBIDDEN']);
    assert.deepEqual(errorCodes(await redeemAs(stack(), valid, stack().tokens.foreignAdmin)), ['FORBIDDEN']);
    assert.equal((await balanceOf(stack(), policy.policyUuid)).aggregates.amountRedeemedUsdCents, 0);
  });

  it('charges an assigned learner the allocated price and moves the assignment to ACCEPTED with a REDEEMED action', async () => {
    const policy = await bluthAssigned(stack());
    const db = learnerCreditDb(stack());
    const assignmentUuid = await addAssignment(db, policy.configurationUuid!, {
      email: 'lindsay@bluth.example.com',
      contentKey: DEMO.content.courseKey,
      priceCents: 9_600,
    });
    const lindsay = await token({
      roles: [`enterprise_learner:${BLUTH}`],
      userId: 11,
      email: 'lindsay@bluth.example.com',
    });
    const tx = await redeemOk(
      stack(),
      { policyUuid: policy.policyUuid, lmsUserId: 11, contentKey: DEMO.content.courseKey },
      lindsay,
    );
    assert.equal(tx.quantity, -9_600);
    const after = await stack().graphql<{ assignmentConfiguration: { assignments: { nodes: unknown[] } } }>(
      'query ($c: ID!) { assignmentConfiguration(uuid: $c) { assignments { nodes { uuid state lmsUserId transactionUuid learnerState actions { actionType } } } } }',
      { c: policy.configurationUuid },
      { token: stack().tokens.policyAdmin },
    );
    assert.deepEqual(after.data!.assignmentConfiguration.assignments.nodes, [
      {
        uuid: assignmentUuid,
        state: 'ACCEPTED',
        lmsUserId: 11,
        transactionUuid: tx.uuid,
        learnerState: null,
        actions: [{ actionType: 'REDEEMED' }],
      },
    ]);
    assert.deepEqual(await balanceOf(stack(), policy.policyUuid), {
      subsidy: { currentBalanceCents: 1_000_000 - 9_600 },
      aggregates: { amountRedeemedUsdCents: 9_600, spendAvailableUsdCents: 1_000_000 - 9_600 },
    });
    assert.equal(await reason(stack(), policy.policyUuid, 11, DEMO.content.courseKey), 'ALREADY_REDEEMED');

    const reversed = await stack().graphql<{ reverseTransaction: { transaction: Tx } }>(REVERSE, {
      input: { transactionUuid: tx.uuid },
    });
    assert.equal(reversed.errors, undefined, JSON.stringify(reversed.errors));
    assert.deepEqual(reversed.data!.reverseTransaction.transaction.reversal, {
      idempotencyKey: `admin-invoked-reverse-${tx.uuid}`,
      quantity: 9_600,
      state: 'COMMITTED',
    });
    const state = await stack().graphql<{
      assignmentConfiguration: { assignments: { nodes: { state: string; actions: { actionType: string }[] }[] } };
    }>(
      'query ($c: ID!) { assignmentConfiguration(uuid: $c) { assignments { nodes { state actions { actionType } } } } }',
      { c: policy.configurationUuid },
    );
    assert.deepEqual(state.data!.assignmentConfiguration.assignments.nodes, [
      { state: 'REVERSED', actions: [{ actionType: 'REDEEMED' }, { actionType: 'REVERSED' }] },
    ]);
    assert.deepEqual(await balanceOf(stack(), policy.policyUuid), {
      subsidy: { currentBalanceCents: 1_000_000 },
      aggregates: { amountRedeemedUsdCents: 0, spendAvailableUsdCents: 1_000_000 },
    });
    assert.equal(await reason(stack(), policy.policyUuid, 11, DEMO.content.courseKey), 'LEARNER_ASSIGNMENT_REVERSED');
  });

  it('reverses once: a repeat with the same key returns the transaction, another key or a non-committed transaction is CONFLICT', async () => {
    const policy = await sealPolicy(stack());
    const tx = await redeemOk(stack(), { policyUuid: policy.policyUuid, lmsUserId: 4, contentKey: SEAL_COURSES[0] });
    const first = await stack().graphql<{ reverseTransaction: { transaction: Tx } }>(REVERSE, {
      input: { transactionUuid: tx.uuid, idempotencyKey: 'refund-1' },
    });
    assert.equal(first.errors, undefined, JSON.stringify(first.errors));
    const repeat = await stack().graphql<{ reverseTransaction: { transaction: Tx } }>(REVERSE, {
      input: { transactionUuid: tx.uuid, idempotencyKey: 'refund-1' },
    });
    assert.deepEqual(repeat.data!.reverseTransaction.transaction.reversal, {
      idempotencyKey: 'refund-1',
      quantity: PRICE,
      state: 'COMMITTED',
    });
    assert.deepEqual(
      errorCodes(await stack().graphql(REVERSE, { input: { transactionUuid: tx.uuid, idempotencyKey: 'refund-2' } })),
      ['CONFLICT'],
    );
    assert.equal((await balanceOf(stack(), policy.policyUuid)).subsidy.currentBalanceCents, 1_000_000);

    // After a refund the derived key changes, so the learner may redeem the same content again.
    const again = await redeemOk(stack(), { policyUuid: policy.policyUuid, lmsUserId: 4, contentKey: SEAL_COURSES[0] });
    assert.notEqual(again.uuid, tx.uuid);
    assert.equal((await balanceOf(stack(), policy.policyUuid)).subsidy.currentBalanceCents, 1_000_000 - PRICE);

    const failed = '7a000000-0000-4000-8000-000000000005';
    assert.deepEqual(errorCodes(await stack().graphql(REVERSE, { input: { transactionUuid: failed } })), ['CONFLICT']);
    assert.deepEqual(
      errorCodes(
        await stack().graphql(REVERSE, { input: { transactionUuid: '00000000-0000-4000-8000-000000000000' } }),
      ),
      ['NOT_FOUND'],
    );
    assert.deepEqual(errorCodes(await stack().graphql(REVERSE, { input: { transactionUuid: 'nope' } })), [
      'BAD_USER_INPUT',
    ]);
    assert.deepEqual(
      errorCodes(
        await stack().graphql(REVERSE, { input: { transactionUuid: again.uuid } }, { token: stack().tokens.sealAdmin }),
      ),
      ['FORBIDDEN'],
    );
  });
});
