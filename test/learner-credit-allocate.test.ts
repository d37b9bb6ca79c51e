import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { LC_DEMO } from '../subgraphs/learner-credit/demo/index.js';
import {
  addAssignment,
  countRowsOf,
  createPolicy,
  learnerCreditDb,
  type PolicyFixtureOptions,
} from './support/learner-credit-fixtures.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { describeEachDialect, errorCodes, token, type GraphQLResult, type TestStack } from './support/stack.js';

const BLUTH = DEMO.customers.policyExample;
const COURSE = DEMO.content.courseKey; // canonical price 10000 cents
const DAY = 24 * 60 * 60 * 1000;

const ALLOCATE = `mutation ($input: AllocateAssignmentsInput!) {
  allocateAssignments(input: $input) {
    created { ...A } updated { ...A } noChange { ...A }
  }
}
fragment A on LearnerContentAssignment {
  uuid assignmentConfigurationUuid learnerEmail lmsUserId contentKey contentTitle contentQuantity state transactionUuid
  learnerState actions { actionType } earliestPossibleExpiration { date reason } content { key title }
}`;

interface Assignment {
  uuid: string;
  learnerEmail: string;
  lmsUserId: number | null;
  contentKey: string;
  contentTitle: string;
  contentQuantity: number;
  state: string;
  learnerState: string | null;
  earliestPossibleExpiration: { date: string; reason: string } | null;
  content: { key: string; title: string } | null;
}
interface Payload {
  created: Assignment[];
  updated: Assignment[];
  noChange: Assignment[];
}

function assignedPolicy(stack: TestStack, options: Partial<PolicyFixtureOptions> = {}) {
  return createPolicy(learnerCreditDb(stack), {
    customer: BLUTH,
    catalog: DEMO.catalogs.policyExample,
    policyType: 'AssignedLearnerCreditAccessPolicy',
    balanceCents: 1_000_000,
    spendLimitCents: 1_000_000,
    ...options,
  });
}

async function allocate(
  stack: TestStack,
  input: Record<string, unknown>,
  tokenValue?: string,
): Promise<GraphQLResult<{ allocateAssignments: Payload }>> {
  return stack.graphql<{ allocateAssignments: Payload }>(
    ALLOCATE,
    { input },
    { token: tokenValue ?? stack.tokens.policyAdmin },
  );
}

async function allocateOk(stack: TestStack, input: Record<string, unknown>): Promise<Payload> {
  const result = await allocate(stack, input);
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.allocateAssignments;
}

const emailsOf = (rows: Assignment[]) => rows.map((r) => r.learnerEmail).sort();

describeEachDialect('learner credit: allocateAssignments', (stack) => {
  // After every write: stored aggregates equal their recomputation from the rows.
  afterEach(() => assertAggregatesConsistent(stack()));

  it("answers the seed's allocate example on the example policy: abc@ and xyz@ already hold edx+tr1012, so nothing changes", async () => {
    const payload = await allocateOk(stack(), {
      policyUuid: LC_DEMO.policies.example,
      learnerEmails: ['abc@example.com', 'xyz@example.com'],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    });
    assert.deepEqual(payload.created, []);
    assert.deepEqual(payload.updated, []);
    const abc = payload.noChange.find((a) => a.learnerEmail === 'abc@example.com')!;
    assert.deepEqual({ ...abc, earliestPossibleExpiration: abc.earliestPossibleExpiration?.reason }, {
      uuid: LC_DEMO.abcAssignment,
      assignmentConfigurationUuid: DEMO.policies.exampleAssignmentConfiguration,
      learnerEmail: 'abc@example.com',
      lmsUserId: null,
      contentKey: COURSE,
      contentTitle: 'Trench Run 10',
      contentQuantity: -10_000,
      state: 'ALLOCATED',
      transactionUuid: null,
      learnerState: 'NOTIFYING',
      actions: [],
      earliestPossibleExpiration: 'NINETY_DAYS_PASSED',
      content: { key: COURSE, title: 'Trench Run 10' },
    } as unknown as Assignment);
  });

  it('creates allocations for new, de-duplicated, lower-cased emails, linking known learners, and reserves their price', async () => {
    const policy = await assignedPolicy(stack());
    const db = learnerCreditDb(stack());
    const outboxBefore = await countRowsOf(db, 'learner_credit_outbox');
    const payload = await allocateOk(stack(), {
      policyUuid: policy.policyUuid,
      learnerEmails: [' GOB@bluth.example.com', 'gob@bluth.example.com', 'new.person@example.com'],
      contentKey: COURSE,
      contentPriceCents: 9_500,
    });
    assert.deepEqual(emailsOf(payload.created), ['gob@bluth.example.com', 'new.person@example.com']);
    assert.deepEqual(
      payload.created.map((a) => [a.learnerEmail, a.lmsUserId, a.contentQuantity, a.state, a.learnerState]).sort(),
      [
        ['gob@bluth.example.com', 10, -9_500, 'ALLOCATED', 'NOTIFYING'],
        ['new.person@example.com', null, -9_500, 'ALLOCATED', 'NOTIFYING'],
      ],
    );
    const expiration = payload.created[0]!.earliestPossibleExpiration!;
    assert.equal(expiration.reason, 'NINETY_DAYS_PASSED');
    assert.ok(Math.abs(Date.parse(expiration.date) - (Date.now() + 90 * DAY)) < 60_000);
    assert.equal(await countRowsOf(db, 'learner_credit_outbox'), outboxBefore + 2);
    const aggregates = await stack().graphql<{ subsidyAccessPolicy: { aggregates: unknown } }>(
      'query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { aggregates { amountAllocatedUsdCents spendAvailableUsdCents } } }',
      { p: policy.policyUuid },
    );
    assert.deepEqual(aggregates.data!.subsidyAccessPolicy.aggregates, {
      amountAllocatedUsdCents: 19_000,
      spendAvailableUsdCents: 981_000,
    });

    const again = await allocateOk(stack(), {
      policyUuid: policy.policyUuid,
      learnerEmails: ['gob@bluth.example.com', 'other@example.com'],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    });
    assert.deepEqual(emailsOf(again.created), ['other@example.com']);
    assert.deepEqual(emailsOf(again.noChange), ['gob@bluth.example.com']);
    assert.equal(again.noChange[0]!.contentQuantity, -9_500, 'an existing allocation keeps its price');
  });

  it('re-allocates cancelled, errored, expired and reversed records (updated) and leaves accepted ones alone (noChange)', async () => {
    const policy = await assignedPolicy(stack());
    const db = learnerCreditDb(stack());
    const old = new Date(Date.now() - 200 * DAY);
    for (const state of ['CANCELLED', 'ERRORED', 'EXPIRED', 'REVERSED', 'ACCEPTED'] as const) {
      await addAssignment(db, policy.configurationUuid!, {
        email: `${state.toLowerCase()}@example.com`,
        contentKey: COURSE,
        priceCents: 5_000,
        state,
        allocatedAt: old,
      });
    }
    const payload = await allocateOk(stack(), {
      policyUuid: policy.policyUuid,
      learnerEmails: [
        'cancelled@example.com',
        'errored@example.com',
        'expired@example.com',
        'reversed@example.com',
        'accepted@example.com',
      ],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    });
    assert.deepEqual(payload.created, []);
    assert.deepEqual(emailsOf(payload.updated), [
      'cancelled@example.com',
      'errored@example.com',
      'expired@example.com',
      'reversed@example.com',
    ]);
    assert.ok(
      payload.updated.every(
        (a) => a.state === 'ALLOCATED' && a.contentQuantity === -10_000 && a.learnerState === 'NOTIFYING',
      ),
    );
    assert.ok(
      payload.updated.every(
        (a) => Math.abs(Date.parse(a.earliestPossibleExpiration!.date) - (Date.now() + 90 * DAY)) < 60_000,
      ),
      're-allocation restarts the 90 days',
    );
    assert.deepEqual(
      payload.noChange.map((a) => [a.learnerEmail, a.state]),
      [['accepted@example.com', 'ACCEPTED']],
    );
  });

  it('refuses when the de-duplicated new allocations do not fit in spend available (CONFLICT) and writes nothing; exactly fitting is fine', async () => {
    const policy = await assignedPolicy(stack(), { spendLimitCents: 30_000 });
    const db = learnerCreditDb(stack());
    const before = [
      await countRowsOf(db, 'learner_content_assignment'),
      await countRowsOf(db, 'learner_credit_outbox'),
    ];
    const tooMany = await allocate(stack(), {
      policyUuid: policy.policyUuid,
      learnerEmails: ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com'],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    });
    assert.deepEqual(errorCodes(tooMany), ['CONFLICT']);
    assert.deepEqual(
      [await countRowsOf(db, 'learner_content_assignment'), await countRowsOf(db, 'learner_credit_outbox')],
      before,
    );
    // Duplicates and existing allocations do not count (ours: upstream over-reserves).
    const fits = await allocateOk(stack(), {
      policyUuid: policy.policyUuid,
      learnerEmails: ['a@example.com', 'A@example.com', 'b@example.com', 'c@example.com'],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    });
    assert.equal(fits.created.length, 3);
    const repeat = await allocateOk(stack(), {
      policyUuid: policy.policyUuid,
      learnerEmails: ['a@example.com', 'b@example.com', 'c@example.com'],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    });
    assert.equal(repeat.noChange.length, 3);
    const oneMore = await allocate(stack(), {
      policyUuid: policy.policyUuid,
      learnerEmails: ['d@example.com'],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    });
    assert.deepEqual(errorCodes(oneMore), ['CONFLICT']);
    const small = await assignedPolicy(stack(), { balanceCents: 15_000, spendLimitCents: 1_000_000 });
    const overBalance = await allocate(stack(), {
      policyUuid: small.policyUuid,
      learnerEmails: ['a@example.com', 'b@example.com'],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    });
    assert.deepEqual(errorCodes(overBalance), ['CONFLICT'], 'the subsidy balance bounds allocations too');
  });

  it('validates input first: malformed uuid, invalid or too many emails, negative or out-of-tolerance price, content not in the catalog', async () => {
    const policy = await assignedPolicy(stack());
    const db = learnerCreditDb(stack());
    const before = await countRowsOf(db, 'learner_content_assignment');
    const valid = {
      policyUuid: policy.policyUuid,
      learnerEmails: ['ok@example.com'],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    };
    const cases: Record<string, unknown>[] = [
      { policyUuid: 'not-a-uuid' },
      { learnerEmails: ['ok@example.com', 'not an email'] },
      { learnerEmails: [] },
      { learnerEmails: Array.from({ length: 1001 }, (_, i) => `l${i}@example.com`) },
      { contentPriceCents: -1 },
      { contentPriceCents: 9_499 },
      { contentPriceCents: 10_501 },
      { contentKey: 'nobody+nothing' },
      { contentKey: 'BerkeleyX+CLOU102' },
      { contentKey: '' },
    ];
    for (const bad of cases) {
      const result = await allocate(stack(), { ...valid, ...bad });
      assert.deepEqual(errorCodes(result), ['BAD_USER_INPUT'], JSON.stringify(bad).slice(0, 80));
    }
    assert.equal(await countRowsOf(db, 'learner_content_assignment'), before);
    for (const price of [9_500, 10_500]) {
      const ok = await allocate(stack(), {
        ...valid,
        learnerEmails: [`p${price}@example.com`],
        contentPriceCents: price,
      });
      assert.equal(ok.errors, undefined, `price ${price} is within 95%-105%`);
    }
    const unknown = await allocate(stack(), { ...valid, policyUuid: '00000000-0000-4000-8000-000000000000' });
    assert.deepEqual(errorCodes(unknown), ['NOT_FOUND']);
  });

  it('refuses with CONFLICT for a policy that is not assigned, inactive, retired, or whose subsidy is inactive', async () => {
    const valid = { learnerEmails: ['x@example.com'], contentKey: COURSE, contentPriceCents: 10_000 };
    const direct = await assignedPolicy(stack(), { policyType: 'PerLearnerSpendCreditAccessPolicy' });
    const inactive = await assignedPolicy(stack(), { active: false });
    const retired = await assignedPolicy(stack(), { retired: true });
    const expired = await assignedPolicy(stack(), { subsidyActive: false });
    for (const policy of [direct, inactive, retired, expired]) {
      assert.deepEqual(errorCodes(await allocate(stack(), { ...valid, policyUuid: policy.policyUuid })), ['CONFLICT']);
    }
    // The checks come in their fixed order: a non-assigned policy is CONFLICT even for content outside the catalog.
    assert.deepEqual(
      errorCodes(await allocate(stack(), { ...valid, contentKey: 'nobody+nothing', policyUuid: direct.policyUuid })),
      ['CONFLICT'],
    );
  });

  it("lets only admins of the policy's customer (and operators) allocate", async () => {
    const policy = await assignedPolicy(stack());
    const input = {
      policyUuid: policy.policyUuid,
      learnerEmails: ['x@example.com'],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    };
    const learner = await token({ roles: [`enterprise_learner:${BLUTH}`], userId: 10, email: 'gob@bluth.example.com' });
    for (const who of [learner, stack().tokens.sealAdmin, stack().tokens.foreignAdmin]) {
      assert.deepEqual(errorCodes(await allocate(stack(), input, who)), ['FORBIDDEN']);
    }
    assert.equal((await allocate(stack(), input, stack().tokens.operator)).errors, undefined);
  });

  it('derives each expiration reason: subsidy expiry, enrollment deadline, or 90 days after allocation, whichever is first', async () => {
    const soon = await assignedPolicy(stack(), { subsidyExpiresInDays: 30 });
    const bySubsidy = await allocateOk(stack(), {
      policyUuid: soon.policyUuid,
      learnerEmails: ['s@example.com'],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    });
    assert.equal(bySubsidy.created[0]!.earliestPossibleExpiration!.reason, 'SUBSIDY_EXPIRED');
    const policy = await assignedPolicy(stack());
    const db = learnerCreditDb(stack());
    await addAssignment(db, policy.configurationUuid!, {
      email: 'run@example.com',
      contentKey: DEMO.content.harvardRunKey,
      priceCents: 0,
    });
    const list = await stack().graphql<{
      assignmentConfiguration: {
        assignments: { nodes: { earliestPossibleExpiration: { date: string; reason: string } }[] };
      };
    }>(
      'query ($c: ID!) { assignmentConfiguration(uuid: $c) { assignments { nodes { earliestPossibleExpiration { date reason } } } } }',
      { c: policy.configurationUuid },
      { token: stack().tokens.policyAdmin },
    );
    assert.equal(list.errors, undefined, JSON.stringify(list.errors));
    assert.equal(
      list.data!.assignmentConfiguration.assignments.nodes[0]!.earliestPossibleExpiration.reason,
      'ENROLLMENT_DATE_PASSED',
    );
  });

  it('expires allocations past their earliest possible expiration (ALLOCATED -> EXPIRED), and canRedeem says so even before the job runs', async () => {
    const policy = await assignedPolicy(stack());
    const db = learnerCreditDb(stack());
    const fresh = await addAssignment(db, policy.configurationUuid!, {
      email: 'fresh@example.com',
      contentKey: COURSE,
      priceCents: 10_000,
    });
    const old = await addAssignment(db, policy.configurationUuid!, {
      email: 'gob@bluth.example.com',
      lmsUserId: 10,
      contentKey: COURSE,
      priceCents: 10_000,
      allocatedAt: new Date(Date.now() - 91 * DAY),
    });
    const closed = await addAssignment(db, policy.configurationUuid!, {
      email: 'closed@example.com',
      contentKey: DEMO.content.harvardRunKey,
      priceCents: 0,
    });
    await addAssignment(db, policy.configurationUuid!, {
      email: 'cancelled@example.com',
      contentKey: COURSE,
      priceCents: 10_000,
      state: 'CANCELLED',
      allocatedAt: new Date(Date.now() - 200 * DAY),
    });
    const canRedeem =
      'query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { canRedeem(lmsUserId: 10, contentKey: "edx+tr1012") { reasons { code } } aggregates { amountAllocatedUsdCents } } }';
    const before = await stack().graphql<{
      subsidyAccessPolicy: {
        canRedeem: { reasons: { code: string }[] };
        aggregates: { amountAllocatedUsdCents: number };
      };
    }>(canRedeem, { p: policy.policyUuid });
    assert.deepEqual(before.data!.subsidyAccessPolicy.canRedeem.reasons, [{ code: 'LEARNER_ASSIGNMENT_EXPIRED' }]);
    assert.equal(before.data!.subsidyAccessPolicy.aggregates.amountAllocatedUsdCents, 20_000);

    const EXPIRE =
      'mutation ($input: ExpireAssignmentsInput!) { expireAssignments(input: $input) { expired { uuid state learnerState actions { actionType } } } }';
    const learner = await token({ roles: [`enterprise_learner:${BLUTH}`], userId: 10, email: 'gob@bluth.example.com' });
    assert.deepEqual(
      errorCodes(
        await stack().graphql(
          EXPIRE,
          { input: { assignmentConfigurationUuid: policy.configurationUuid } },
          { token: learner },
        ),
      ),
      ['FORBIDDEN'],
    );
    const result = await stack().graphql<{
      expireAssignments: { expired: { uuid: string; state: string; learnerState: string; actions: unknown[] }[] };
    }>(
      EXPIRE,
      { input: { assignmentConfigurationUuid: policy.configurationUuid } },
      { token: stack().tokens.policyAdmin },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(
      [...result.data!.expireAssignments.expired].sort((a, b) => a.uuid.localeCompare(b.uuid)),
      [old, closed]
        .sort()
        .map((uuid) => ({ uuid, state: 'EXPIRED', learnerState: 'EXPIRED', actions: [{ actionType: 'EXPIRED' }] })),
    );
    const again = await stack().graphql<{ expireAssignments: { expired: unknown[] } }>(
      EXPIRE,
      { input: { assignmentConfigurationUuid: policy.configurationUuid } },
      { token: stack().tokens.policyAdmin },
    );
    assert.deepEqual(again.data!.expireAssignments.expired, []);
    const after = await stack().graphql<{ subsidyAccessPolicy: { aggregates: { amountAllocatedUsdCents: number } } }>(
      canRedeem,
      { p: policy.policyUuid },
    );
    assert.equal(after.data!.subsidyAccessPolicy.aggregates.amountAllocatedUsdCents, 10_000);
    const stillThere = await allocateOk(stack(), {
      policyUuid: policy.policyUuid,
      learnerEmails: ['fresh@example.com'],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    });
    assert.deepEqual(
      stillThere.noChange.map((a) => a.uuid),
      [fresh],
    );
    const reallocated = await allocateOk(stack(), {
      policyUuid: policy.policyUuid,
      learnerEmails: ['gob@bluth.example.com'],
      contentKey: COURSE,
      contentPriceCents: 10_000,
    });
    assert.deepEqual(
      reallocated.updated.map((a) => [a.uuid, a.state]),
      [[old, 'ALLOCATED']],
    );
  });

  it('allocates the maximum of 1000 emails in one call, in a bounded number of statements', async () => {
    const policy = await assignedPolicy(stack(), { balanceCents: 20_000_000, spendLimitCents: 20_000_000 });
    const emails = Array.from({ length: 1000 }, (_, i) => `bulk${i}@example.com`);
    let payload!: Payload;
    const statements = await stack().countStatements('learner-credit', async () => {
      const result = await stack().graphql<{ allocateAssignments: { created: { uuid: string }[] } }>(
        'mutation ($input: AllocateAssignmentsInput!) { allocateAssignments(input: $input) { created { uuid } } }',
        {
          input: {
            policyUuid: policy.policyUuid,
            learnerEmails: emails,
            contentKey: COURSE,
            contentPriceCents: 10_000,
          },
        },
        { token: stack().tokens.policyAdmin },
      );
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      payload = result.data!.allocateAssignments as unknown as Payload;
    });
    assert.equal(payload.created.length, 1000);
    assert.ok(statements <= 25, `expected a bounded number of statements, got ${statements}`);
  });
});
