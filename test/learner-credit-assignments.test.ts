import assert from 'node:assert/strict';
import { afterEach, before, it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { LC_DEMO } from '../subgraphs/learner-credit/demo/index.js';
import {
  addAssignment,
  countRowsOf,
  createPolicy,
  learnerCreditDb,
  type PolicyFixture,
} from './support/learner-credit-fixtures.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { describeEachDialect, errorCodes, token, type GraphQLResult, type TestStack } from './support/stack.js';

const CONFIG = DEMO.policies.exampleAssignmentConfiguration;
const A = (n: number) => `a5000000-0000-4000-8000-00000000000${n}`;
const ABC = LC_DEMO.abcAssignment;
const DAY = 24 * 60 * 60 * 1000;

interface Node {
  uuid: string;
  state: string;
  learnerState: string | null;
  learnerEmail: string;
  recentAction: { actionType: string; timestamp: string } | null;
  errorReason: { actionType: string; errorReason: string } | null;
  actions: { actionType: string; errorReason: string | null; completedAt: string | null }[];
}
interface ListResult {
  assignmentConfiguration: {
    assignments: {
      totalCount: number;
      nodes: Node[];
      learnerStateCounts: { learnerState: string; count: number }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
  };
}

const LIST = `query ($c: ID!, $filter: AssignmentFilter, $orderBy: AssignmentOrder, $search: String, $first: Int, $after: String) {
  assignmentConfiguration(uuid: $c) {
    assignments(filter: $filter, orderBy: $orderBy, search: $search, first: $first, after: $after) {
      totalCount
      learnerStateCounts { learnerState count }
      pageInfo { hasNextPage endCursor }
      nodes { uuid state learnerState learnerEmail recentAction { actionType timestamp } errorReason { actionType errorReason } actions { actionType errorReason completedAt } }
    }
  }
}`;

async function list(stack: TestStack, variables: Record<string, unknown> = {}, tokenValue?: string) {
  const result = await stack.graphql<ListResult>(
    LIST,
    { c: CONFIG, ...variables },
    { token: tokenValue ?? stack.tokens.policyAdmin },
  );
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.assignmentConfiguration.assignments;
}

const uuids = (nodes: { uuid: string }[]) => nodes.map((n) => n.uuid);

describeEachDialect('learner credit: assignment listing, learner state, remind and cancel', (stack) => {
  it('lists the example configuration newest action first, with derived learner state, recent action, error reason and counts over the whole set', async () => {
    const page = await list(stack());
    assert.equal(page.totalCount, 9);
    assert.deepEqual(uuids(page.nodes), [ABC, A(2), A(4), A(3), A(7), A(8), A(5), A(6), A(9)]);
    const byUuid = new Map(page.nodes.map((n) => [n.uuid, n]));
    assert.deepEqual(Object.fromEntries(page.nodes.map((n) => [n.learnerEmail + '|' + n.state, n.learnerState])), {
      'abc@example.com|ALLOCATED': 'NOTIFYING',
      'xyz@example.com|ALLOCATED': 'WAITING',
      'failed-notify@example.com|ALLOCATED': 'FAILED',
      'gob@bluth.example.com|ALLOCATED': 'WAITING',
      'errored@example.com|ERRORED': 'FAILED',
      'cancelled@example.com|CANCELLED': null,
      'gob@bluth.example.com|ACCEPTED': null,
      'lindsay@bluth.example.com|REVERSED': null,
      'expired@example.com|EXPIRED': 'EXPIRED',
    });
    assert.equal(byUuid.get(ABC)!.recentAction!.actionType, 'ASSIGNED');
    assert.equal(byUuid.get(A(3))!.recentAction!.actionType, 'REMINDED');
    assert.deepEqual(byUuid.get(A(4))!.errorReason, { actionType: 'NOTIFIED', errorReason: 'EMAIL_ERROR' });
    assert.deepEqual(byUuid.get(A(7))!.errorReason, { actionType: 'REDEEMED', errorReason: 'ENROLLMENT_ERROR' });
    assert.equal(byUuid.get(A(8))!.errorReason, null, 'only allocated or errored assignments carry an error reason');
    assert.deepEqual(
      byUuid.get(A(6))!.actions.map((a) => a.actionType),
      ['NOTIFIED', 'REDEEMED', 'REVERSED'],
    );
    assert.deepEqual(byUuid.get(ABC)!.actions, []);
    assert.deepEqual(page.learnerStateCounts, [
      { learnerState: 'FAILED', count: 2 },
      { learnerState: 'WAITING', count: 2 },
      { learnerState: 'EXPIRED', count: 1 },
      { learnerState: 'NOTIFYING', count: 1 },
    ]);
  });

  it('applies every filter of the REST list endpoint, alone and combined, with counts over the filtered set', async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ contentKey: 'HarvardX+FIH' }, [A(3)]],
      [{ contentKeyIn: [DEMO.content.harvardRunKey] }, [A(4), A(9)]],
      [{ learnerEmail: ' GOB@bluth.example.com ' }, [A(3), A(5)]],
      [{ learnerEmailIn: ['xyz@example.com', 'abc@example.com'] }, [ABC, A(2)]],
      [{ learnerState: 'WAITING' }, [A(2), A(3)]],
      [{ learnerStateIn: ['FAILED', 'EXPIRED'] }, [A(4), A(7), A(9)]],
      [{ lmsUserId: 11 }, [A(6)]],
      [{ lmsUserIdIn: [10, 11] }, [A(3), A(5), A(6)]],
      [{ state: 'CANCELLED' }, [A(8)]],
      [{ stateIn: ['ACCEPTED', 'REVERSED'] }, [A(5), A(6)]],
      [{ stateIn: ['ALLOCATED'], learnerState: 'WAITING' }, [A(2), A(3)]],
      [{ stateIn: [] }, []],
    ];
    for (const [filter, expected] of cases) {
      const page = await list(stack(), { filter });
      assert.deepEqual(uuids(page.nodes), expected, JSON.stringify(filter));
      assert.equal(page.totalCount, expected.length, JSON.stringify(filter));
    }
    const allocated = await list(stack(), { filter: { state: 'ALLOCATED' } });
    assert.deepEqual(allocated.learnerStateCounts, [
      { learnerState: 'WAITING', count: 2 },
      { learnerState: 'FAILED', count: 1 },
      { learnerState: 'NOTIFYING', count: 1 },
    ]);
  });

  it('searches learner email and content title case-insensitively', async () => {
    assert.deepEqual(uuids((await list(stack(), { search: 'FAT chance' })).nodes), [A(4), A(3), A(9)]);
    assert.deepEqual(uuids((await list(stack(), { search: 'xyz@' })).nodes), [A(2)]);
    const combined = await list(stack(), { search: 'trench', filter: { learnerStateIn: ['FAILED'] } });
    assert.deepEqual(uuids(combined.nodes), [A(7)]);
    assert.deepEqual(combined.learnerStateCounts, [{ learnerState: 'FAILED', count: 1 }]);
  });

  it('orders by learner state and by content quantity in both directions, paging with cursors', async () => {
    const byState = await list(stack(), { orderBy: { field: 'LEARNER_STATE', direction: 'ASC' } });
    assert.deepEqual(uuids(byState.nodes), [ABC, A(2), A(3), A(9), A(4), A(7), A(5), A(6), A(8)]);
    const byQuantity = await list(stack(), { orderBy: { field: 'CONTENT_QUANTITY', direction: 'ASC' } });
    assert.deepEqual(uuids(byQuantity.nodes), [A(3), A(4), A(9), A(6), ABC, A(2), A(5), A(7), A(8)]);
    const desc = await list(stack(), { orderBy: { field: 'CONTENT_QUANTITY', direction: 'DESC' } });
    assert.deepEqual(uuids(desc.nodes), [...uuids(byQuantity.nodes)].reverse());

    const first = await list(stack(), { orderBy: { field: 'LEARNER_STATE', direction: 'ASC' }, first: 4 });
    assert.deepEqual(uuids(first.nodes), [ABC, A(2), A(3), A(9)]);
    assert.equal(first.pageInfo.hasNextPage, true);
    const rest = await list(stack(), {
      orderBy: { field: 'LEARNER_STATE', direction: 'ASC' },
      first: 10,
      after: first.pageInfo.endCursor,
    });
    assert.deepEqual(uuids(rest.nodes), [A(4), A(7), A(5), A(6), A(8)]);
    assert.equal(rest.pageInfo.hasNextPage, false);
    const defaultPage = await list(stack(), { first: 3 });
    const next = await list(stack(), { first: 3, after: defaultPage.pageInfo.endCursor });
    assert.deepEqual([...uuids(defaultPage.nodes), ...uuids(next.nodes)], [ABC, A(2), A(4), A(3), A(7), A(8)]);
  });

  it('costs the same number of statements for a page of 2 or 9 assignments with actions and derived fields', async () => {
    const few = await stack().countStatements('learner-credit', () => list(stack(), { filter: { lmsUserId: 10 } }));
    const many = await stack().countStatements('learner-credit', () => list(stack()));
    assert.equal(few, many);
    assert.ok(many <= 6, `expected at most 6 statements, got ${many}`);
  });

  it('asks the catalog subgraph in one batch per page for enrollment deadlines, whatever the page size', async () => {
    const query =
      'query ($c: ID!, $filter: AssignmentFilter) { assignmentConfiguration(uuid: $c) { assignments(filter: $filter) { nodes { uuid earliestPossibleExpiration { date reason } } } } }';
    const run = (filter: Record<string, unknown>) =>
      stack().graphql<ListResult>(query, { c: CONFIG, filter }, { token: stack().tokens.policyAdmin });
    const requests = async (filter: Record<string, unknown>) => {
      let result!: GraphQLResult<ListResult>;
      const statements = await stack().countStatements('catalog', async () => {
        result = await run(filter);
      });
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      return statements;
    };
    // Both pages hold a course key and a run key: the catalog answers each kind with its own statements.
    const few = await requests({ learnerEmailIn: ['abc@example.com', 'failed-notify@example.com'] });
    const many = await requests({});
    // One batched request per page: the catalog's statement count depends on which kinds of
    // content are asked for (courses, runs), never on how many assignments the page holds.
    assert.ok(many <= few && many <= 4, `catalog statements: ${few} for 2 assignments, ${many} for 9`);
    const page = (await run({})).data!.assignmentConfiguration.assignments.nodes as unknown as {
      uuid: string;
      earliestPossibleExpiration: { reason: string };
    }[];
    const reasons = Object.fromEntries(page.map((n) => [n.uuid, n.earliestPossibleExpiration.reason]));
    assert.equal(reasons[ABC], 'NINETY_DAYS_PASSED');
    assert.equal(reasons[A(4)], 'ENROLLMENT_DATE_PASSED', 'the run of that assignment closed enrollment in 2024');
  });

  it('shows a learner only its own assignments (by LMS user id or by email)', async () => {
    const gob = await token({
      roles: [`enterprise_learner:${DEMO.customers.policyExample}`],
      userId: 10,
      email: 'gob@bluth.example.com',
    });
    assert.deepEqual(uuids((await list(stack(), {}, gob)).nodes).sort(), [A(3), A(5)]);
    const abc = await token({
      roles: [`enterprise_learner:${DEMO.customers.policyExample}`],
      userId: 777,
      email: 'ABC@example.com',
    });
    const own = await list(stack(), {}, abc);
    assert.deepEqual(uuids(own.nodes), [ABC]);
    assert.deepEqual(own.learnerStateCounts, [{ learnerState: 'NOTIFYING', count: 1 }]);
    const foreign = await stack().graphql(LIST, { c: CONFIG }, { token: stack().tokens.foreignAdmin });
    assert.deepEqual(errorCodes(foreign), ['FORBIDDEN']);
  });

  it('rejects invalid filters with BAD_USER_INPUT', async () => {
    const badEmail = await stack().graphql(
      LIST,
      { c: CONFIG, filter: { learnerEmail: 'not-an-email' } },
      { token: stack().tokens.policyAdmin },
    );
    assert.deepEqual(errorCodes(badEmail), ['BAD_USER_INPUT']);
    const tooMany = await stack().graphql(
      LIST,
      { c: CONFIG, filter: { contentKeyIn: Array.from({ length: 101 }, (_, i) => `k+${i}`) } },
      { token: stack().tokens.policyAdmin },
    );
    assert.deepEqual(errorCodes(tooMany), ['BAD_USER_INPUT']);
  });
});

const REMIND = `mutation ($input: RemindAssignmentsInput!) { remindAssignments(input: $input) { reminded { uuid state learnerState recentAction { actionType } actions { actionType completedAt } } } }`;
const CANCEL = `mutation ($input: CancelAssignmentsInput!) { cancelAssignments(input: $input) { cancelled { uuid state actions { actionType } } } }`;

describeEachDialect('learner credit: remind and cancel, all or nothing', (stack) => {
  // After every write: stored aggregates equal their recomputation from the rows.
  afterEach(() => assertAggregatesConsistent(stack()));

  let fixture: PolicyFixture;
  const ids: Record<string, string> = {};
  const admin = () => stack().tokens.policyAdmin;
  const input = (assignmentUuids: string[]) => ({
    input: { assignmentConfigurationUuid: fixture.configurationUuid, assignmentUuids },
  });

  // An assigned policy with assignments in every state, shared by the tests below (runs after the stack starts).
  before(async () => {
    const db = learnerCreditDb(stack());
    fixture = await createPolicy(db, {
      customer: DEMO.customers.policyExample,
      catalog: DEMO.catalogs.policyExample,
      policyType: 'AssignedLearnerCreditAccessPolicy',
      balanceCents: 1_000_000,
      spendLimitCents: 1_000_000,
    });
    const allocatedAt = new Date(Date.now() - DAY);
    for (const state of ['ALLOCATED', 'ERRORED', 'CANCELLED', 'ACCEPTED', 'EXPIRED', 'REVERSED'] as const) {
      ids[state] = await addAssignment(db, fixture.configurationUuid!, {
        email: `${state.toLowerCase()}@example.com`,
        contentKey: DEMO.content.courseKey,
        priceCents: 10_000,
        state,
        allocatedAt,
      });
    }
    ids.ALLOCATED2 = await addAssignment(db, fixture.configurationUuid!, {
      email: 'second@example.com',
      contentKey: DEMO.content.courseKey,
      priceCents: 10_000,
      allocatedAt,
    });
  });

  it('reminds allocated assignments: a REMINDED action and a REMINDED recent action, state unchanged', async () => {
    const result = await stack().graphql<{ remindAssignments: { reminded: Node[] } }>(REMIND, input([ids.ALLOCATED!]), {
      token: admin(),
    });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const [reminded] = result.data!.remindAssignments.reminded;
    assert.equal(reminded!.uuid, ids.ALLOCATED);
    assert.equal(reminded!.state, 'ALLOCATED');
    assert.equal(reminded!.learnerState, 'NOTIFYING');
    assert.deepEqual(reminded!.recentAction, { actionType: 'REMINDED' });
    assert.deepEqual(
      reminded!.actions.map((a) => a.actionType),
      ['REMINDED'],
    );
    assert.ok(reminded!.actions[0]!.completedAt);
  });

  it('refuses to remind when any requested assignment is not allocated, naming it, and writes nothing', async () => {
    const db = learnerCreditDb(stack());
    const actionsBefore = await countRowsOf(db, 'assignment_action');
    const outboxBefore = await countRowsOf(db, 'learner_credit_outbox');
    for (const state of ['ERRORED', 'CANCELLED', 'ACCEPTED', 'EXPIRED', 'REVERSED']) {
      const result = await stack().graphql(REMIND, input([ids.ALLOCATED2!, ids[state]!]), { token: admin() });
      assert.deepEqual(errorCodes(result), ['CONFLICT'], state);
      assert.match(result.errors![0]!.message, new RegExp(ids[state]!));
    }
    assert.equal(await countRowsOf(db, 'assignment_action'), actionsBefore);
    assert.equal(await countRowsOf(db, 'learner_credit_outbox'), outboxBefore);
  });

  it('answers NOT_FOUND for an assignment of another configuration or an unknown one, and BAD_USER_INPUT for malformed input', async () => {
    const other = await stack().graphql(REMIND, input([ids.ALLOCATED!, A(2)]), { token: admin() });
    assert.deepEqual(errorCodes(other), ['NOT_FOUND']);
    const unknownConfig = await stack().graphql(
      REMIND,
      {
        input: {
          assignmentConfigurationUuid: '00000000-0000-4000-8000-000000000000',
          assignmentUuids: [ids.ALLOCATED!],
        },
      },
      { token: admin() },
    );
    assert.deepEqual(errorCodes(unknownConfig), ['NOT_FOUND']);
    for (const assignmentUuids of [['nope'], [], Array.from({ length: 1001 }, () => ids.ALLOCATED!)]) {
      const result = await stack().graphql(CANCEL, input(assignmentUuids), { token: admin() });
      assert.deepEqual(errorCodes(result), ['BAD_USER_INPUT'], `${assignmentUuids.length} uuids`);
    }
    const badConfig = await stack().graphql(
      CANCEL,
      { input: { assignmentConfigurationUuid: 'x', assignmentUuids: [ids.ALLOCATED!] } },
      { token: admin() },
    );
    assert.deepEqual(errorCodes(badConfig), ['BAD_USER_INPUT']);
  });

  it("refuses remind and cancel to learners and to other customers' admins", async () => {
    const learner = await token({
      roles: [`enterprise_learner:${DEMO.customers.policyExample}`],
      userId: 10,
      email: 'gob@bluth.example.com',
    });
    for (const who of [learner, stack().tokens.foreignAdmin, stack().tokens.sealAdmin]) {
      assert.deepEqual(errorCodes(await stack().graphql(REMIND, input([ids.ALLOCATED!]), { token: who })), [
        'FORBIDDEN',
      ]);
      assert.deepEqual(errorCodes(await stack().graphql(CANCEL, input([ids.ALLOCATED!]), { token: who })), [
        'FORBIDDEN',
      ]);
    }
  });

  it('refuses to cancel when any requested assignment is accepted, expired or reversed, and writes nothing', async () => {
    for (const state of ['ACCEPTED', 'EXPIRED', 'REVERSED']) {
      const result = await stack().graphql(CANCEL, input([ids.ALLOCATED2!, ids[state]!]), { token: admin() });
      assert.deepEqual(errorCodes(result), ['CONFLICT'], state);
    }
    const still = await stack().graphql<{ assignmentConfiguration: { assignments: { nodes: { state: string }[] } } }>(
      'query ($c: ID!, $e: String) { assignmentConfiguration(uuid: $c) { assignments(filter: { learnerEmail: $e }) { nodes { state } } } }',
      { c: fixture.configurationUuid, e: 'second@example.com' },
      { token: admin() },
    );
    assert.deepEqual(still.data!.assignmentConfiguration.assignments.nodes, [{ state: 'ALLOCATED' }]);
  });

  it('cancels allocated and errored assignments, accepts already cancelled ones, and releases the allocated funds', async () => {
    const aggregates =
      'query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { aggregates { amountAllocatedUsdCents spendAvailableUsdCents } } }';
    const before = await stack().graphql<{
      subsidyAccessPolicy: { aggregates: { amountAllocatedUsdCents: number; spendAvailableUsdCents: number } };
    }>(aggregates, { p: fixture.policyUuid });
    assert.deepEqual(before.data!.subsidyAccessPolicy.aggregates, {
      amountAllocatedUsdCents: 20_000,
      spendAvailableUsdCents: 980_000,
    });
    const result = await stack().graphql<{
      cancelAssignments: { cancelled: { uuid: string; state: string; actions: { actionType: string }[] }[] };
    }>(CANCEL, input([ids.ALLOCATED!, ids.ERRORED!, ids.CANCELLED!]), { token: admin() });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data!.cancelAssignments.cancelled, [
      { uuid: ids.ALLOCATED, state: 'CANCELLED', actions: [{ actionType: 'REMINDED' }, { actionType: 'CANCELLED' }] },
      { uuid: ids.ERRORED, state: 'CANCELLED', actions: [{ actionType: 'CANCELLED' }] },
      { uuid: ids.CANCELLED, state: 'CANCELLED', actions: [] },
    ]);
    const after = await stack().graphql<{ subsidyAccessPolicy: { aggregates: unknown } }>(aggregates, {
      p: fixture.policyUuid,
    });
    assert.deepEqual(after.data!.subsidyAccessPolicy.aggregates, {
      amountAllocatedUsdCents: 10_000,
      spendAvailableUsdCents: 990_000,
    });
    const remindCancelled = await stack().graphql(REMIND, input([ids.ALLOCATED!]), { token: admin() });
    assert.deepEqual(errorCodes(remindCancelled), ['CONFLICT']);
  });

  it('writes a cancellation event to the outbox in the same transaction', async () => {
    const db = learnerCreditDb(stack());
    const rows = await db
      .selectFrom('learner_credit_outbox')
      .select(['eventType as type', 'aggregateKey as key'])
      .where('aggregateKey', 'in', [ids.ALLOCATED!, ids.ERRORED!])
      .execute();
    const types = rows.map((r) => `${r.key === ids.ALLOCATED ? 'allocated' : 'errored'}:${r.type}`).sort();
    assert.deepEqual(types, [
      'allocated:org.openedx.enterprise.learner_content_assignment.cancelled.v1',
      'allocated:org.openedx.enterprise.learner_content_assignment.reminded.v1',
      'errored:org.openedx.enterprise.learner_content_assignment.cancelled.v1',
    ]);
  });
});
