import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { LC_DEMO } from '../subgraphs/learner-credit/demo/index.js';
import { addTransaction, createPolicy, learnerCreditDb } from './support/learner-credit-fixtures.js';
import { describeEachDialect, errorCodes, token } from './support/stack.js';

const POLICY_FIELDS = `
  uuid policyType displayName description active retired enterpriseCustomerUuid catalogUuid subsidyUuid
  accessMethod perLearnerEnrollmentLimit perLearnerSpendLimitCents spendLimitCents
  subsidyActiveDatetime subsidyExpirationDatetime isSubsidyActive
  aggregates { amountRedeemedUsdCents amountRedeemedUsd amountAllocatedUsdCents amountAllocatedUsd spendAvailableUsdCents spendAvailableUsd }
  assignmentConfiguration { uuid subsidyAccessPolicy { uuid } enterpriseCustomerUuid active }
  groupAssociations lateRedemptionAllowedUntil isLateRedemptionAllowed totalSpendLimitsForSubsidyCents totalDepositsForSubsidyCents
`;

describeEachDialect('learner credit: policies, subsidies and the ledger', (stack) => {
  it("shows the seed's example policy with every field of the REST response and exactly the seed's aggregates", async () => {
    const result = await stack().graphql<{ subsidyAccessPolicies: { nodes: unknown[] } }>(
      `query ($c: ID!) { subsidyAccessPolicies(enterpriseCustomerUuid: $c, active: true, policyType: "AssignedLearnerCreditAccessPolicy") { nodes { ${POLICY_FIELDS} } } }`,
      { c: DEMO.customers.policyExample },
      { token: stack().tokens.policyAdmin },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data!.subsidyAccessPolicies.nodes, [
      {
        uuid: '7f344aea-c28c-4ef0-95e6-fb6e58f98495',
        policyType: 'AssignedLearnerCreditAccessPolicy',
        displayName: 'Assignable Budget ALC General Testing',
        description: 'Budget for general Assigned LC Testing',
        active: true,
        retired: false,
        enterpriseCustomerUuid: '66b5922b-a22b-4a7b-b587-d4af0378bd6f',
        catalogUuid: '101989c0-5dfa-4e0b-91dc-01f590148c6f',
        subsidyUuid: '1b6c28b4-2f17-4b18-bbde-b32930e2705c',
        accessMethod: 'ASSIGNED',
        perLearnerEnrollmentLimit: null,
        perLearnerSpendLimitCents: null,
        spendLimitCents: 100000000,
        subsidyActiveDatetime: '2023-11-15T20:16:59.000Z',
        subsidyExpirationDatetime: '2030-11-15T20:17:01.000Z',
        isSubsidyActive: true,
        aggregates: {
          amountRedeemedUsdCents: 181450,
          amountRedeemedUsd: 1814.5,
          amountAllocatedUsdCents: 279100,
          amountAllocatedUsd: 2791,
          spendAvailableUsdCents: 99539450,
          spendAvailableUsd: 995394.5,
        },
        assignmentConfiguration: {
          uuid: '6fc7ef56-d1c4-4aa8-a649-e6eb209f7668',
          subsidyAccessPolicy: { uuid: '7f344aea-c28c-4ef0-95e6-fb6e58f98495' },
          enterpriseCustomerUuid: '66b5922b-a22b-4a7b-b587-d4af0378bd6f',
          active: true,
        },
        groupAssociations: [],
        lateRedemptionAllowedUntil: null,
        isLateRedemptionAllowed: false,
        totalSpendLimitsForSubsidyCents: 100000000,
        totalDepositsForSubsidyCents: 150000000,
      },
    ]);
  });

  it("lists a customer's policies of every type, filtered by active and policyType, also through EnterpriseCustomer", async () => {
    const seal = stack().tokens.sealAdmin;
    const all = await stack().graphql<{
      enterpriseCustomer: {
        subsidyAccessPolicies: {
          totalCount: number;
          nodes: { uuid: string; policyType: string; accessMethod: string }[];
        };
      };
    }>(
      'query ($c: ID!) { enterpriseCustomer(uuid: $c) { subsidyAccessPolicies { totalCount nodes { uuid policyType accessMethod } } } }',
      { c: DEMO.customers.sealTeamTen },
      { token: seal },
    );
    assert.equal(all.errors, undefined, JSON.stringify(all.errors));
    assert.deepEqual(all.data!.enterpriseCustomer.subsidyAccessPolicies.nodes, [
      {
        uuid: LC_DEMO.policies.sealEnrollment,
        policyType: 'PerLearnerEnrollmentCreditAccessPolicy',
        accessMethod: 'DIRECT',
      },
      { uuid: LC_DEMO.policies.sealSpend, policyType: 'PerLearnerSpendCreditAccessPolicy', accessMethod: 'DIRECT' },
    ]);
    assert.equal(all.data!.enterpriseCustomer.subsidyAccessPolicies.totalCount, 2);
    const spend = await stack().graphql<{ subsidyAccessPolicies: { nodes: { uuid: string }[] } }>(
      'query ($c: ID!) { subsidyAccessPolicies(enterpriseCustomerUuid: $c, policyType: "PerLearnerSpendCreditAccessPolicy") { nodes { uuid } } }',
      { c: DEMO.customers.sealTeamTen },
      { token: seal },
    );
    assert.deepEqual(spend.data!.subsidyAccessPolicies.nodes, [{ uuid: LC_DEMO.policies.sealSpend }]);
    const inactive = await stack().graphql<{ subsidyAccessPolicies: { nodes: unknown[] } }>(
      'query ($c: ID!) { subsidyAccessPolicies(enterpriseCustomerUuid: $c, active: false) { nodes { uuid } } }',
      { c: DEMO.customers.sealTeamTen },
      { token: seal },
    );
    assert.deepEqual(inactive.data!.subsidyAccessPolicies.nodes, []);
  });

  it('computes a subsidy balance from non-failed transactions plus reversals, and shows transactions in every state with their reversal', async () => {
    const result = await stack().graphql<{
      subsidy: {
        currentBalanceCents: number;
        startingBalanceCents: number;
        totalDepositsCents: number;
        isActive: boolean;
        ledger: { balanceCents: number };
      };
      subsidyAccessPolicy: {
        transactions: {
          totalCount: number;
          nodes: {
            uuid: string;
            state: string;
            quantity: number;
            reversal: { quantity: number; state: string } | null;
            courseRun: { key: string } | null;
          }[];
        };
      };
    }>(
      `query ($s: ID!, $p: ID!) {
        subsidy(uuid: $s) { currentBalanceCents startingBalanceCents totalDepositsCents isActive ledger { balanceCents } }
        subsidyAccessPolicy(uuid: $p) { transactions(first: 50) { totalCount nodes { uuid state quantity reversal { quantity state } courseRun { key } } } }
      }`,
      { s: LC_DEMO.subsidies.example, p: LC_DEMO.policies.example },
      { token: stack().tokens.policyAdmin },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    // 150,000,000 - (10000 + 49900 + 120050 + 30000 - 30000 + 1000 + 500); the failed 20000 is excluded.
    assert.equal(result.data!.subsidy.currentBalanceCents, 150_000_000 - 181_450);
    assert.equal(result.data!.subsidy.ledger.balanceCents, 150_000_000 - 181_450);
    assert.equal(result.data!.subsidy.startingBalanceCents, 150_000_000);
    assert.equal(result.data!.subsidy.totalDepositsCents, 150_000_000);
    assert.equal(result.data!.subsidy.isActive, true);
    const txs = result.data!.subsidyAccessPolicy.transactions;
    assert.equal(txs.totalCount, 7);
    assert.deepEqual(new Set(txs.nodes.map((t) => t.state)), new Set(['COMMITTED', 'FAILED', 'PENDING', 'CREATED']));
    const reversed = txs.nodes.find((t) => t.uuid === LC_DEMO.transactions.exampleReversed)!;
    assert.deepEqual(reversed.reversal, { quantity: 30000, state: 'COMMITTED' });
    assert.ok(txs.nodes.every((t) => t.quantity < 0));
    assert.deepEqual(txs.nodes.find((t) => t.uuid === '7a000000-0000-4000-8000-000000000002')!.courseRun, {
      key: DEMO.content.harvardRunKey,
    });
  });

  it('pages transactions newest first with keyset cursors', async () => {
    const first = await stack().graphql<{
      subsidyAccessPolicy: {
        transactions: { nodes: { uuid: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      };
    }>(
      'query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { transactions(first: 4) { nodes { uuid } pageInfo { hasNextPage endCursor } } } }',
      { p: LC_DEMO.policies.example },
    );
    const page = first.data!.subsidyAccessPolicy.transactions;
    assert.deepEqual(
      page.nodes.map((n) => n.uuid.slice(-3)),
      ['007', '006', '005', '004'],
    );
    assert.equal(page.pageInfo.hasNextPage, true);
    const second = await stack().graphql<{
      subsidyAccessPolicy: { transactions: { nodes: { uuid: string }[]; pageInfo: { hasNextPage: boolean } } };
    }>(
      'query ($p: ID!, $a: String) { subsidyAccessPolicy(uuid: $p) { transactions(first: 4, after: $a) { nodes { uuid } pageInfo { hasNextPage } } } }',
      { p: LC_DEMO.policies.example, a: page.pageInfo.endCursor },
    );
    assert.deepEqual(
      second.data!.subsidyAccessPolicy.transactions.nodes.map((n) => n.uuid.slice(-3)),
      ['003', '002', '001'],
    );
    assert.equal(second.data!.subsidyAccessPolicy.transactions.pageInfo.hasNextPage, false);
  });

  it("lets a learner read only its own transactions, and refuses another learner's transaction", async () => {
    const gob = await token({
      roles: [`enterprise_learner:${DEMO.customers.policyExample}`],
      userId: 10,
      email: 'gob@bluth.example.com',
    });
    const own = await stack().graphql<{ subsidyAccessPolicy: { transactions: { nodes: { lmsUserId: number }[] } } }>(
      'query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { transactions(first: 50) { nodes { lmsUserId } } } }',
      { p: LC_DEMO.policies.example },
      { token: gob },
    );
    assert.equal(own.errors, undefined, JSON.stringify(own.errors));
    assert.deepEqual(
      own.data!.subsidyAccessPolicy.transactions.nodes.map((n) => n.lmsUserId),
      [10, 10, 10],
    );
    const mine = await stack().graphql(
      'query ($t: ID!) { ledgerTransaction(uuid: $t) { uuid } }',
      { t: '7a000000-0000-4000-8000-000000000001' },
      { token: gob },
    );
    assert.deepEqual(mine.data, { ledgerTransaction: { uuid: '7a000000-0000-4000-8000-000000000001' } });
    const theirs = await stack().graphql(
      'query ($t: ID!) { ledgerTransaction(uuid: $t) { uuid } }',
      { t: '7a000000-0000-4000-8000-000000000002' },
      { token: gob },
    );
    assert.deepEqual(errorCodes(theirs), ['FORBIDDEN']);
  });

  it("refuses another customer's admin on policies, subsidies, transactions and configurations", async () => {
    const foreign = stack().tokens.foreignAdmin;
    const cases: [string, Record<string, string>][] = [
      ['query ($u: ID!) { subsidyAccessPolicy(uuid: $u) { uuid } }', { u: LC_DEMO.policies.example }],
      [
        'query ($u: ID!) { subsidyAccessPolicies(enterpriseCustomerUuid: $u) { nodes { uuid } } }',
        { u: DEMO.customers.policyExample },
      ],
      ['query ($u: ID!) { subsidy(uuid: $u) { uuid } }', { u: LC_DEMO.subsidies.example }],
      ['query ($u: ID!) { ledgerTransaction(uuid: $u) { uuid } }', { u: LC_DEMO.transactions.exampleReversed }],
      [
        'query ($u: ID!) { assignmentConfiguration(uuid: $u) { uuid } }',
        { u: DEMO.policies.exampleAssignmentConfiguration },
      ],
    ];
    for (const [query, variables] of cases) {
      const result = await stack().graphql(query, variables, { token: foreign });
      assert.deepEqual(errorCodes(result), ['FORBIDDEN'], query);
    }
  });

  it('rejects malformed uuids with BAD_USER_INPUT and answers null for unknown ones', async () => {
    const bad = await stack().graphql('{ subsidyAccessPolicy(uuid: "nope") { uuid } }');
    assert.deepEqual(errorCodes(bad), ['BAD_USER_INPUT']);
    const missing = await stack().graphql(
      '{ subsidy(uuid: "00000000-0000-4000-8000-000000000000") { uuid } ledgerTransaction(uuid: "00000000-0000-4000-8000-000000000000") { uuid } }',
    );
    assert.deepEqual(missing.data, { subsidy: null, ledgerTransaction: null });
  });

  it('nets reversals and skips failed transactions in redeemed, and floors spend available at 0 when the subsidy balance runs out', async () => {
    const db = learnerCreditDb(stack());
    const fixture = await createPolicy(db, {
      customer: DEMO.customers.dusenberyDevices,
      catalog: DEMO.catalogs.dusenbery,
      policyType: 'PerLearnerSpendCreditAccessPolicy',
      balanceCents: 50_000,
      spendLimitCents: 1_000_000,
    });
    await addTransaction(db, fixture, { lmsUserId: 4, contentKey: 'a+b', quantity: -20_000, state: 'COMMITTED' });
    await addTransaction(db, fixture, { lmsUserId: 4, contentKey: 'a+c', quantity: -30_000, state: 'FAILED' });
    const query =
      'query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { aggregates { amountRedeemedUsdCents amountAllocatedUsdCents spendAvailableUsdCents } subsidy { currentBalanceCents } } }';
    const before = await stack().graphql<{ subsidyAccessPolicy: unknown }>(query, { p: fixture.policyUuid });
    assert.deepEqual(before.data!.subsidyAccessPolicy, {
      aggregates: { amountRedeemedUsdCents: 20_000, amountAllocatedUsdCents: 0, spendAvailableUsdCents: 30_000 },
      subsidy: { currentBalanceCents: 30_000 },
    });
    await addTransaction(db, fixture, { lmsUserId: 5, contentKey: 'a+d', quantity: -30_000, state: 'PENDING' });
    const after = await stack().graphql<{ subsidyAccessPolicy: unknown }>(query, { p: fixture.policyUuid });
    assert.deepEqual(after.data!.subsidyAccessPolicy, {
      aggregates: { amountRedeemedUsdCents: 50_000, amountAllocatedUsdCents: 0, spendAvailableUsdCents: 0 },
      subsidy: { currentBalanceCents: 0 },
    });
  });

  it('costs the same number of statements for a page of policies with aggregates, whatever its size', async () => {
    const query =
      'query ($c: ID!) { subsidyAccessPolicies(enterpriseCustomerUuid: $c, first: 50) { nodes { uuid isSubsidyActive subsidy { currentBalanceCents } assignmentConfiguration { uuid } groupAssociations aggregates { spendAvailableUsdCents } } } }';
    const small = await stack().countStatements('learner-credit', () =>
      stack().graphql(query, { c: DEMO.customers.foreign }),
    );
    const large = await stack().countStatements('learner-credit', () =>
      stack().graphql(query, { c: DEMO.customers.sealTeamTen }),
    );
    assert.equal(small, large);
    assert.ok(large <= 8, `expected at most 8 statements, got ${large}`);
  });

  it('hides inactive (soft-deleted) policies from learners, not from admins', async () => {
    const inactive = await createPolicy(learnerCreditDb(stack()), {
      customer: DEMO.customers.policyExample,
      catalog: DEMO.catalogs.policyExample,
      policyType: 'PerLearnerSpendCreditAccessPolicy',
      balanceCents: 1_000,
      active: false,
    });
    const gob = await token({
      roles: [`enterprise_learner:${DEMO.customers.policyExample}`],
      userId: 10,
      email: 'gob@bluth.example.com',
    });
    const list =
      'query ($c: ID!, $a: Boolean) { subsidyAccessPolicies(enterpriseCustomerUuid: $c, active: $a) { nodes { uuid } } }';
    const asLearner = await stack().graphql<{ subsidyAccessPolicies: { nodes: { uuid: string }[] } }>(
      list,
      { c: DEMO.customers.policyExample },
      { token: gob },
    );
    assert.deepEqual(asLearner.data!.subsidyAccessPolicies.nodes, [{ uuid: LC_DEMO.policies.example }]);
    const inactiveAsLearner = await stack().graphql<{ subsidyAccessPolicies: { nodes: unknown[] } }>(
      list,
      { c: DEMO.customers.policyExample, a: false },
      { token: gob },
    );
    assert.deepEqual(inactiveAsLearner.data!.subsidyAccessPolicies.nodes, []);
    const one = await stack().graphql(
      'query ($u: ID!) { subsidyAccessPolicy(uuid: $u) { uuid } }',
      { u: inactive.policyUuid },
      { token: gob },
    );
    assert.deepEqual(one.data, { subsidyAccessPolicy: null });
    const asAdmin = await stack().graphql<{ subsidyAccessPolicies: { nodes: { uuid: string }[] } }>(
      list,
      { c: DEMO.customers.policyExample, a: false },
      { token: stack().tokens.policyAdmin },
    );
    assert.deepEqual(asAdmin.data!.subsidyAccessPolicies.nodes, [{ uuid: inactive.policyUuid }]);
  });
});
