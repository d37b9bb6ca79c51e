import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { DEMO_LICENSES, DEMO_PLANS } from '../subgraphs/subscriptions/demo/index.js';
import { describeEachDialect, errorCodes, token } from './support/stack.js';
import {
  createTestPlan,
  createTestRenewal,
  DAY_MS,
  daysFromNow,
  PLAN_FIELDS,
} from './support/subscriptions-fixtures.js';

// The background work's polls (job runner, outbox relay) would add statements to the counts
// measured here; nothing in this file queues a job or assigns a license, which would wake them.
process.env.SUBSCRIPTIONS_JOB_POLL_MS = '600000';

interface Plan {
  uuid: string;
  title: string;
  startDate: string;
  expirationDate: string;
  isActive: boolean;
  isCurrent: boolean;
  daysUntilExpiration: number;
  daysUntilExpirationIncludingRenewals: number;
  isLockedForRenewalProcessing: boolean;
  licenseCounts: Record<string, number>;
  revocations: { total: number; used: number; remaining: number } | null;
  priorRenewals: Record<string, string>[];
}

const PLAN = `query ($uuid: ID!) { subscriptionPlan(uuid: $uuid) { ${PLAN_FIELDS} } }`;
const year = new Date().getUTCFullYear();
const jan1 = (y: number) => new Date(Date.UTC(y, 0, 1)).toISOString();

describeEachDialect('subscriptions: plans, renewals and license counts', (stack) => {
  it('serves the seed example plan with every field of the seed response', async () => {
    const result = await stack().graphql<{ subscriptionPlan: Plan }>(
      PLAN,
      { uuid: DEMO.plans.example },
      { token: stack().tokens.planAdmin },
    );
    assert.equal(result.errors, undefined);
    assert.deepEqual(result.data!.subscriptionPlan, {
      uuid: '104b1785-1d3a-1000-148d-1ae7a56e6355',
      title: 'Enterprise Subscription',
      startDate: '2023-01-01T00:00:00.000Z',
      expirationDate: '2024-01-01T00:00:00.000Z',
      enterpriseCustomerUuid: '204b1785-2d3a-2000-248d-2ae7a56e6355',
      enterpriseCatalogUuid: '304b1785-3d3a-3000-348d-3ae7a56e6355',
      isActive: true,
      isCurrent: false,
      isRevocationCapEnabled: true,
      daysUntilExpiration: daysFromNow('2024-01-01T00:00:00Z'),
      daysUntilExpirationIncludingRenewals: daysFromNow('2024-01-01T00:00:00Z'),
      isLockedForRenewalProcessing: false,
      shouldAutoApplyLicenses: true,
      licenseCounts: { activated: 0, assigned: 0, unassigned: 100, revoked: 0, total: 100, allocated: 0 },
      revocations: { total: 0, used: 0, remaining: 0 },
      priorRenewals: [
        {
          priorSubscriptionPlanId: '4b27b24a-48f5-4266-448e-47d5b7deacb2',
          priorSubscriptionPlanStartDate: '2021-01-01T00:00:00.000Z',
          renewedSubscriptionPlanId: '59f50cb8-4b22-4e21-9119-e0022955f9cb',
          renewedSubscriptionPlanStartDate: '2021-07-01T00:00:00.000Z',
        },
        {
          priorSubscriptionPlanId: '59f50cb8-4b22-4e21-9119-e0022955f9cb',
          priorSubscriptionPlanStartDate: '2021-07-01T00:00:00.000Z',
          renewedSubscriptionPlanId: '104b1785-1d3a-1000-148d-1ae7a56e6355',
          renewedSubscriptionPlanStartDate: '2023-01-01T00:00:00.000Z',
        },
      ],
    });
  });

  it('gives the catalog and the customer as entities the catalog and customers subgraphs resolve', async () => {
    const result = await stack().graphql<{
      subscriptionPlan: {
        enterpriseCatalog: { uuid: string; title: string };
        enterpriseCustomer: { uuid: string; name: string };
      };
    }>(
      'query ($uuid: ID!) { subscriptionPlan(uuid: $uuid) { enterpriseCatalog { uuid title } enterpriseCustomer { uuid name } } }',
      { uuid: DEMO_PLANS.sealCurrent },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(result.errors, undefined);
    assert.deepEqual(result.data!.subscriptionPlan.enterpriseCatalog, {
      uuid: DEMO.catalogs.sealTeamTenAll,
      title: 'Seal Team Ten: all content',
    });
    assert.deepEqual(result.data!.subscriptionPlan.enterpriseCustomer, {
      uuid: DEMO.customers.sealTeamTen,
      name: 'Seal Team Ten',
    });
  });

  it('counts Seal Team Ten licenses in every status and the cap it has used', async () => {
    const result = await stack().graphql<{ subscriptionPlan: Plan }>(
      PLAN,
      { uuid: DEMO_PLANS.sealCurrent },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(result.errors, undefined);
    const plan = result.data!.subscriptionPlan;
    assert.deepEqual(plan.licenseCounts, {
      activated: 2,
      assigned: 2,
      unassigned: 20,
      revoked: 1,
      total: 24,
      allocated: 4,
    });
    // ceil(24 x 10 / 100) = 3 slots, one used by the revoked activated license.
    assert.deepEqual(plan.revocations, { total: 3, used: 1, remaining: 2 });
    assert.equal(plan.isCurrent, true);
    assert.equal(plan.daysUntilExpiration, daysFromNow(jan1(year + 1)));
    // The renewal into next year's plan extends the horizon.
    assert.equal(plan.daysUntilExpirationIncludingRenewals, daysFromNow(jan1(year + 2)));
  });

  it('lists the renewal chain backwards, oldest first, and the renewal forward', async () => {
    const result = await stack().graphql<{
      subscriptionPlan: Plan & { renewal: null };
      current: {
        renewal: {
          numberOfLicenses: number;
          processed: boolean;
          effectiveDate: string;
          renewedExpirationDate: string;
          licenseTypesToCopy: string;
          priorSubscriptionPlan: { uuid: string };
          renewedSubscriptionPlan: { uuid: string; title: string };
        };
      };
    }>(
      `query ($next: ID!, $current: ID!) {
        subscriptionPlan(uuid: $next) { ${PLAN_FIELDS} renewal { uuid } }
        current: subscriptionPlan(uuid: $current) {
          renewal { numberOfLicenses processed effectiveDate renewedExpirationDate licenseTypesToCopy priorSubscriptionPlan { uuid } renewedSubscriptionPlan { uuid title } }
        }
      }`,
      { next: DEMO_PLANS.sealNextYear, current: DEMO_PLANS.sealCurrent },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(result.errors, undefined);
    const next = result.data!.subscriptionPlan;
    assert.deepEqual(next.priorRenewals, [
      {
        priorSubscriptionPlanId: DEMO_PLANS.sealLastYear,
        priorSubscriptionPlanStartDate: jan1(year - 1),
        renewedSubscriptionPlanId: DEMO_PLANS.sealCurrent,
        renewedSubscriptionPlanStartDate: jan1(year),
      },
      {
        priorSubscriptionPlanId: DEMO_PLANS.sealCurrent,
        priorSubscriptionPlanStartDate: jan1(year),
        renewedSubscriptionPlanId: DEMO_PLANS.sealNextYear,
        renewedSubscriptionPlanStartDate: jan1(year + 1),
      },
    ]);
    assert.equal(next.renewal, null);
    assert.equal(next.isCurrent, false);
    assert.equal(next.revocations, null);
    assert.deepEqual(result.data!.current.renewal, {
      numberOfLicenses: 30,
      processed: false,
      effectiveDate: jan1(year + 1),
      renewedExpirationDate: jan1(year + 2),
      licenseTypesToCopy: 'ASSIGNED_AND_ACTIVATED',
      priorSubscriptionPlan: { uuid: DEMO_PLANS.sealCurrent },
      renewedSubscriptionPlan: {
        uuid: DEMO_PLANS.sealNextYear,
        title: `Seal Team Ten ${year} subscription - Renewal ${year + 1}`,
      },
    });
  });

  it('locks a plan for renewal processing only in the 12 hours before its renewal takes effect', async () => {
    const now = Date.now();
    const soon = await createTestPlan(stack(), { expirationDate: new Date(now + 6 * 3_600_000) });
    const soonNext = await createTestPlan(stack(), {
      startDate: new Date(now + 6 * 3_600_000),
      expirationDate: new Date(now + 400 * DAY_MS),
    });
    await createTestRenewal(stack(), soon, soonNext);
    const later = await createTestPlan(stack(), { expirationDate: new Date(now + 2 * DAY_MS) });
    const laterNext = await createTestPlan(stack(), {
      startDate: new Date(now + 2 * DAY_MS),
      expirationDate: new Date(now + 400 * DAY_MS),
    });
    await createTestRenewal(stack(), later, laterNext);
    const past = await createTestPlan(stack(), {
      expirationDate: new Date(now - 3_600_000),
      startDate: new Date(now - 100 * DAY_MS),
    });
    const pastNext = await createTestPlan(stack(), {
      startDate: new Date(now - 3_600_000),
      expirationDate: new Date(now + 400 * DAY_MS),
    });
    await createTestRenewal(stack(), past, pastNext);
    const result = await stack().graphql<
      Record<
        string,
        {
          isLockedForRenewalProcessing: boolean;
          daysUntilExpiration: number;
          daysUntilExpirationIncludingRenewals: number;
        }
      >
    >(
      `query ($a: ID!, $b: ID!, $c: ID!, $d: ID!) {
        soon: subscriptionPlan(uuid: $a) { isLockedForRenewalProcessing daysUntilExpiration daysUntilExpirationIncludingRenewals }
        later: subscriptionPlan(uuid: $b) { isLockedForRenewalProcessing daysUntilExpiration daysUntilExpirationIncludingRenewals }
        past: subscriptionPlan(uuid: $c) { isLockedForRenewalProcessing daysUntilExpiration daysUntilExpirationIncludingRenewals }
        none: subscriptionPlan(uuid: $d) { isLockedForRenewalProcessing daysUntilExpiration daysUntilExpirationIncludingRenewals }
      }`,
      { a: soon.uuid, b: later.uuid, c: past.uuid, d: pastNext.uuid },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(result.errors, undefined);
    assert.deepEqual(result.data, {
      // Expires in 6 hours: 0 days; an hour ago: -1 (floored, negative after expiry).
      soon: { isLockedForRenewalProcessing: true, daysUntilExpiration: 0, daysUntilExpirationIncludingRenewals: 399 },
      later: { isLockedForRenewalProcessing: false, daysUntilExpiration: 1, daysUntilExpirationIncludingRenewals: 399 },
      past: { isLockedForRenewalProcessing: false, daysUntilExpiration: -1, daysUntilExpirationIncludingRenewals: 399 },
      none: {
        isLockedForRenewalProcessing: false,
        daysUntilExpiration: 399,
        daysUntilExpirationIncludingRenewals: 399,
      },
    });
  });

  it('selects the active, current plans with current: true and the others with current: false', async () => {
    const query = `query ($c: ID!, $current: Boolean) {
      subscriptionPlans(enterpriseCustomerUuid: $c, current: $current, first: 100) { totalCount nodes { uuid isCurrent isActive } }
    }`;
    const seal = DEMO.customers.sealTeamTen;
    const demoPlans = new Set<string>([
      DEMO_PLANS.sealLastYear,
      DEMO_PLANS.sealCurrent,
      DEMO_PLANS.sealNextYear,
      DEMO_PLANS.sealInactive,
    ]);
    const run = async (current: boolean | null) => {
      const result = await stack().graphql<{
        subscriptionPlans: { nodes: { uuid: string; isCurrent: boolean; isActive: boolean }[] };
      }>(query, { c: seal, current }, { token: stack().tokens.sealAdmin });
      assert.equal(result.errors, undefined);
      return result.data!.subscriptionPlans.nodes;
    };
    const current = await run(true);
    assert.ok(current.every((p) => p.isCurrent && p.isActive));
    assert.deepEqual(
      current.filter((p) => demoPlans.has(p.uuid)).map((p) => p.uuid),
      [DEMO_PLANS.sealCurrent],
    );
    const others = await run(false);
    assert.ok(others.every((p) => !p.isCurrent || !p.isActive));
    // Newest start first; the switched-off plan has current dates and start ties break by uuid.
    assert.deepEqual(
      others.filter((p) => demoPlans.has(p.uuid)).map((p) => p.uuid),
      [DEMO_PLANS.sealNextYear, DEMO_PLANS.sealInactive, DEMO_PLANS.sealLastYear],
    );
    const all = await run(null);
    assert.equal(all.length, current.length + others.length);
  });

  it("lists a customer's plans through EnterpriseCustomer.subscriptionPlans with keyset pages", async () => {
    const query = `query ($c: ID!, $after: String) {
      enterpriseCustomer(uuid: $c) { subscriptionPlans(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { uuid } } }
    }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result: {
        data?: {
          enterpriseCustomer: {
            subscriptionPlans: {
              totalCount: number;
              pageInfo: { hasNextPage: boolean; endCursor: string };
              nodes: { uuid: string }[];
            };
          };
        } | null;
        errors?: unknown;
      } = await stack().graphql(query, { c: DEMO.customers.planExample, after }, { token: stack().tokens.planAdmin });
      assert.equal(result.errors, undefined);
      const connection = result.data!.enterpriseCustomer.subscriptionPlans;
      assert.equal(connection.totalCount, 3);
      seen.push(...connection.nodes.map((n) => n.uuid));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    assert.deepEqual(seen, [DEMO_PLANS.example, DEMO_PLANS.exampleRenewedFromPrior, DEMO_PLANS.examplePrior]);
  });

  it('loads license counts and revocations of a page of plans in one statement each, whatever the page size', async () => {
    const query = `query ($c: ID!, $first: Int) {
      subscriptionPlans(enterpriseCustomerUuid: $c, first: $first) { nodes { uuid licenseCounts { total allocated } revocations { remaining } } }
    }`;
    const count = (first: number) =>
      stack().countStatements('subscriptions', () =>
        stack().graphql(query, { c: DEMO.customers.sealTeamTen, first }, { token: stack().tokens.sealAdmin }),
      );
    const one = await count(1);
    const many = await count(6);
    assert.equal(one, 2);
    assert.equal(many, 2);
  });

  it("holds the licenses the customers subgraph's demo enrollments name as their fulfillment", async () => {
    const result = await stack().graphql<
      Record<
        string,
        { status: string; userEmail: string; lmsUserId: number; subscriptionPlan: { enterpriseCustomerUuid: string } }
      >
    >(
      `query ($a: ID!, $p: ID!) {
        alice: license(uuid: $a) { status userEmail lmsUserId subscriptionPlan { enterpriseCustomerUuid } }
        peter: license(uuid: $p) { status userEmail lmsUserId subscriptionPlan { enterpriseCustomerUuid } }
      }`,
      { a: DEMO_LICENSES.aliceSeal, p: DEMO_LICENSES.peterInitech },
    );
    assert.equal(result.errors, undefined);
    assert.deepEqual(result.data, {
      alice: {
        status: 'ACTIVATED',
        userEmail: 'alice@sealteamten.example.com',
        lmsUserId: 4,
        subscriptionPlan: { enterpriseCustomerUuid: DEMO.customers.sealTeamTen },
      },
      peter: {
        status: 'ACTIVATED',
        userEmail: 'peter@initech.example.com',
        lmsUserId: 20,
        subscriptionPlan: { enterpriseCustomerUuid: DEMO.customers.planExample },
      },
    });
  });

  it("loads the plans and counts of a learner's licenses in one statement each, however many licenses it holds", async () => {
    const email = 'many.plans@example.com';
    for (let i = 0; i < 5; i++)
      await createTestPlan(stack(), { unassigned: 1, holders: [{ email, status: 'ACTIVATED', lmsUserId: 600 }] });
    const many = await token({ roles: [], userId: 600, email });
    const query =
      'query { myLicenses(first: 50) { nodes { uuid subscriptionPlan { title licenseCounts { total } } } } }';
    const result = await stack().graphql<{ myLicenses: { nodes: unknown[] } }>(query, {}, { token: many });
    assert.equal(result.data!.myLicenses.nodes.length, 5);
    const forFive = await stack().countStatements('subscriptions', () => stack().graphql(query, {}, { token: many }));
    const forOne = await stack().countStatements('subscriptions', () =>
      stack().graphql(query, {}, { token: stack().tokens.sealLearner }),
    );
    assert.equal(forFive, 3);
    assert.equal(forOne, 3);
  });

  it('keeps plans of other customers away from admins and learners, and shows them to operators', async () => {
    const foreignPlan = await stack().graphql(
      'query ($u: ID!) { subscriptionPlan(uuid: $u) { title } }',
      { u: DEMO_PLANS.sealCurrent },
      { token: stack().tokens.foreignAdmin },
    );
    assert.deepEqual(errorCodes(foreignPlan), ['FORBIDDEN']);
    const list = await stack().graphql(
      'query ($c: ID!) { subscriptionPlans(enterpriseCustomerUuid: $c) { totalCount } }',
      { c: DEMO.customers.sealTeamTen },
      { token: stack().tokens.foreignAdmin },
    );
    assert.deepEqual(errorCodes(list), ['FORBIDDEN']);
    const operator = await stack().graphql<{ subscriptionPlan: { title: string } }>(
      'query ($u: ID!) { subscriptionPlan(uuid: $u) { title } }',
      { u: DEMO_PLANS.sealCurrent },
    );
    assert.equal(operator.data!.subscriptionPlan.title, `Seal Team Ten ${year} subscription`);
    const learner = await stack().graphql<{ subscriptionPlan: { title: string } }>(
      'query ($u: ID!) { subscriptionPlan(uuid: $u) { title } }',
      { u: DEMO_PLANS.sealCurrent },
      { token: stack().tokens.sealLearner },
    );
    assert.equal(learner.data!.subscriptionPlan.title, `Seal Team Ten ${year} subscription`);
    const missing = await stack().graphql<{ subscriptionPlan: null }>(
      'query { subscriptionPlan(uuid: "00000000-0000-4000-8000-000000000000") { title } }',
    );
    assert.deepEqual(missing.data, { subscriptionPlan: null });
    const malformed = await stack().graphql(
      'query { subscriptionPlans(enterpriseCustomerUuid: "nope") { totalCount } }',
    );
    assert.deepEqual(errorCodes(malformed), ['BAD_USER_INPUT']);
  });

  it('lets admins list every license with status and email filters, and a learner only its own', async () => {
    const query = `query ($u: ID!, $status: [LicenseStatus!], $search: String) {
      subscriptionPlan(uuid: $u) { licenses(status: $status, search: $search, first: 100) { totalCount nodes { status userEmail lmsUserId activationDate revokedDate } } }
    }`;
    interface Result {
      subscriptionPlan: {
        licenses: {
          totalCount: number;
          nodes: { status: string; userEmail: string | null; lmsUserId: number | null }[];
        };
      };
    }
    const admin = await stack().graphql<Result>(
      query,
      { u: DEMO_PLANS.sealCurrent },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(admin.errors, undefined);
    assert.equal(admin.data!.subscriptionPlan.licenses.totalCount, 25);
    const statuses = admin.data!.subscriptionPlan.licenses.nodes.map((n) => n.status);
    // Ordered by status: ACTIVATED, ASSIGNED, REVOKED, UNASSIGNED.
    assert.deepEqual([...new Set(statuses)], ['ACTIVATED', 'ASSIGNED', 'REVOKED', 'UNASSIGNED']);
    const assigned = await stack().graphql<Result>(
      query,
      { u: DEMO_PLANS.sealCurrent, status: ['ASSIGNED', 'REVOKED'] },
      { token: stack().tokens.sealAdmin },
    );
    assert.deepEqual(
      assigned.data!.subscriptionPlan.licenses.nodes.map((n) => [n.status, n.userEmail, n.lmsUserId]).sort(),
      [
        ['ASSIGNED', 'bob@sealteamten.example.com', null],
        ['ASSIGNED', 'newhire@sealteamten.example.com', null],
        ['REVOKED', 'former@sealteamten.example.com', 6],
      ],
    );
    const search = await stack().graphql<Result>(
      query,
      { u: DEMO_PLANS.sealCurrent, search: 'ALI' },
      { token: stack().tokens.sealAdmin },
    );
    assert.deepEqual(
      search.data!.subscriptionPlan.licenses.nodes.map((n) => n.userEmail),
      ['alice@sealteamten.example.com'],
    );

    const learner = await stack().graphql<Result>(
      query,
      { u: DEMO_PLANS.sealCurrent },
      { token: stack().tokens.sealLearner },
    );
    assert.equal(learner.errors, undefined);
    assert.deepEqual(
      learner.data!.subscriptionPlan.licenses.nodes.map((n) => [n.status, n.userEmail, n.lmsUserId]),
      [['ACTIVATED', DEMO.users.learnerEmail, DEMO.users.learnerId]],
    );
    const catalogAdmin = await token({
      roles: [`enterprise_catalog_admin:${DEMO.customers.sealTeamTen}`],
      userId: 950,
      email: 'catalogs@sealteamten.example.com',
    });
    const refused = await stack().graphql(query, { u: DEMO_PLANS.sealCurrent }, { token: catalogAdmin });
    assert.deepEqual(errorCodes(refused), ['FORBIDDEN']);
  });

  it('pages through licenses with keyset cursors without repeating or skipping one', async () => {
    const query = `query ($u: ID!, $after: String) {
      subscriptionPlan(uuid: $u) { licenses(first: 7, after: $after) { pageInfo { hasNextPage endCursor } nodes { uuid } } }
    }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result: {
        data?: {
          subscriptionPlan: {
            licenses: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { uuid: string }[] };
          };
        } | null;
      } = await stack().graphql(query, { u: DEMO_PLANS.sealCurrent, after }, { token: stack().tokens.sealAdmin });
      const connection = result.data!.subscriptionPlan.licenses;
      seen.push(...connection.nodes.map((n) => n.uuid));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen).size, 25);
  });

  it("shows a learner its own licenses through myLicenses and license(uuid), and nobody else's", async () => {
    const mine = `query ($current: Boolean, $revoked: Boolean) {
      myLicenses(enterpriseCustomerUuid: "${DEMO.customers.sealTeamTen}", currentPlansOnly: $current, includeRevoked: $revoked) {
        nodes { uuid status userEmail subscriptionPlan { uuid } }
      }
    }`;
    interface Mine {
      myLicenses: { nodes: { uuid: string; status: string; userEmail: string; subscriptionPlan: { uuid: string } }[] };
    }
    const current = await stack().graphql<Mine>(mine, {}, { token: stack().tokens.sealLearner });
    assert.equal(current.errors, undefined);
    assert.deepEqual(
      current.data!.myLicenses.nodes.map((n) => [n.status, n.userEmail, n.subscriptionPlan.uuid]),
      [['ACTIVATED', DEMO.users.learnerEmail, DEMO_PLANS.sealCurrent]],
    );
    const all = await stack().graphql<Mine>(mine, { current: false }, { token: stack().tokens.sealLearner });
    assert.deepEqual(
      all.data!.myLicenses.nodes.map((n) => n.subscriptionPlan.uuid).sort(),
      [DEMO_PLANS.sealLastYear, DEMO_PLANS.sealCurrent].sort(),
    );

    const former = await token({
      roles: [`enterprise_learner:${DEMO.customers.sealTeamTen}`],
      userId: 6,
      email: 'former@sealteamten.example.com',
    });
    const withoutRevoked = await stack().graphql<Mine>(mine, {}, { token: former });
    assert.deepEqual(withoutRevoked.data!.myLicenses.nodes, []);
    const withRevoked = await stack().graphql<Mine>(mine, { revoked: true }, { token: former });
    assert.deepEqual(
      withRevoked.data!.myLicenses.nodes.map((n) => n.status),
      ['REVOKED'],
    );

    const own = current.data!.myLicenses.nodes[0]!.uuid;
    const license = await stack().graphql<{ license: { uuid: string; status: string } }>(
      'query ($u: ID!) { license(uuid: $u) { uuid status } }',
      { u: own },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(license.data!.license, { uuid: own, status: 'ACTIVATED' });
    const admin = await stack().graphql<{ subscriptionPlan: { licenses: { nodes: { uuid: string }[] } } }>(
      'query ($u: ID!) { subscriptionPlan(uuid: $u) { licenses(search: "bob") { nodes { uuid } } } }',
      { u: DEMO_PLANS.sealCurrent },
      { token: stack().tokens.sealAdmin },
    );
    const bobs = admin.data!.subscriptionPlan.licenses.nodes[0]!.uuid;
    const someoneElses = await stack().graphql(
      'query ($u: ID!) { license(uuid: $u) { uuid } }',
      { u: bobs },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(errorCodes(someoneElses), ['FORBIDDEN']);
    const foreign = await stack().graphql(
      'query ($u: ID!) { license(uuid: $u) { uuid } }',
      { u: bobs },
      { token: stack().tokens.foreignAdmin },
    );
    assert.deepEqual(errorCodes(foreign), ['FORBIDDEN']);
  });
});
