import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect, token } from './support/stack.js';

// This suite's gateway caches through Redis (each test file runs in its own process).
process.env.REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

describeEachDialect('the Redis response cache', (stack) => {
  // A fresh alias per run makes a fresh cache key, so the first request always reaches the subgraph.
  const alias = () => `c${randomBytes(6).toString('hex')}`;

  it('serves a repeated PUBLIC content query from Redis without touching the catalog database', async () => {
    const query = `query ($key: String!) { ${alias()}: course(key: $key) { key title } }`;
    const first = await stack().countStatements('catalog', async () => {
      const result = await stack().graphql(query, { key: DEMO.content.courseKey });
      assert.equal(result.errors, undefined);
    });
    assert.ok(first > 0, 'the first request reaches the catalog subgraph');
    let second: Awaited<ReturnType<ReturnType<typeof stack>['graphql']>> | undefined;
    const repeat = await stack().countStatements('catalog', async () => {
      second = await stack().graphql(query, { key: DEMO.content.courseKey });
    });
    assert.equal(repeat, 0, 'the repeat is answered from the cache');
    assert.deepEqual(Object.values(second!.data!)[0], { key: DEMO.content.courseKey, title: 'Trench Run 10' });
  });

  it('serves a repeated catalog page (contents with page info, runs, seats, programs, owners, URLs) from the cache', async () => {
    const query = `query ($uuid: ID!) { ${alias()}: enterpriseCatalog(uuid: $uuid) {
      uuid
      contents(first: 20) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          __typename contentType title marketingUrl enrollmentUrl
          ... on Course { key owners { key name } subjects { slug } programs { uuid title } courseRuns { key availability seats { type priceCents } } }
          ... on CourseRun { key course { key } }
          ... on Program { uuid authoringOrganizations { key } courses { key } }
        }
      }
    } }`;
    const variables = { uuid: DEMO.catalogs.sealTeamTenAll };
    const page = async () => {
      const result = await stack().graphql<Record<string, { contents: { totalCount: number; nodes: unknown[] } }>>(
        query,
        variables,
        { token: stack().tokens.sealLearner },
      );
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      return Object.values(result.data!)[0]!.contents;
    };
    let first: Awaited<ReturnType<typeof page>> | undefined;
    assert.ok((await stack().countStatements('catalog', async () => (first = await page()))) > 0);
    let repeat: Awaited<ReturnType<typeof page>> | undefined;
    assert.equal(
      await stack().countStatements('catalog', async () => (repeat = await page())),
      0,
      'the repeat is answered from the cache',
    );
    assert.equal(first!.nodes.length, 20);
    assert.deepEqual(repeat, first);
  });

  it('serves a repeated admin dashboard spanning all four subgraphs from the cache', async () => {
    const query = `query ($uuid: ID!) { ${alias()}: enterpriseCustomer(uuid: $uuid) {
      uuid name slug
      catalogs(first: 20) { totalCount nodes { uuid title contents(first: 1) { totalCount } } }
      subsidyAccessPolicies(first: 20) { totalCount nodes { uuid displayName aggregates { amountRedeemedUsdCents spendAvailableUsdCents } subsidy { currentBalanceCents } } }
      subscriptionPlans(first: 20) { totalCount nodes { uuid title licenseCounts { total activated assigned unassigned revoked } } }
      learnerProgress(first: 25) { totalCount nodes { enterpriseEnrollmentId userEmail progressStatus } }
    } }`;
    const variables = { uuid: DEMO.customers.sealTeamTen };
    const subgraphs = ['customers', 'catalog', 'learner-credit', 'subscriptions'] as const;
    const statementsOf = async () => {
      const counts: number[] = [];
      let data: unknown;
      const run = async (i: number): Promise<void> => {
        if (i === subgraphs.length) {
          const result = await stack().graphql(query, variables, { token: stack().tokens.sealAdmin });
          assert.equal(result.errors, undefined, JSON.stringify(result.errors));
          data = result.data;
          return;
        }
        counts[i] = await stack().countStatements(subgraphs[i]!, () => run(i + 1));
      };
      await run(0);
      return { counts, data };
    };
    const first = await statementsOf();
    assert.ok(
      first.counts.every((n) => n > 0),
      `every subgraph computes the first request: ${first.counts.join(',')}`,
    );
    const repeat = await statementsOf();
    assert.deepEqual(repeat.counts, [0, 0, 0, 0], 'the repeat is answered from the cache');
    assert.deepEqual(repeat.data, first.data);
  });

  it("never serves one caller's PRIVATE catalog response to another caller", async () => {
    const query = `query ($uuid: ID!) { ${alias()}: enterpriseCatalog(uuid: $uuid) { uuid title } }`;
    const variables = { uuid: DEMO.catalogs.sealTeamTenAll };
    const admin = await stack().graphql(query, variables, { token: stack().tokens.sealAdmin });
    assert.equal(admin.errors, undefined);
    const foreign = await stack().graphql(query, variables, { token: stack().tokens.foreignAdmin });
    assert.deepEqual(
      foreign.errors?.map((e) => e.extensions?.code),
      ['FORBIDDEN'],
    );
  });

  it('caches tenant data per caller: a repeat costs no statement, another caller computes its own', async () => {
    const query = `query ($uuid: ID!) { ${alias()}: enterpriseCustomer(uuid: $uuid) { uuid name } }`;
    const variables = { uuid: DEMO.customers.sealTeamTen };
    const first = await stack().countStatements('customers', async () => {
      assert.equal((await stack().graphql(query, variables, { token: stack().tokens.sealAdmin })).errors, undefined);
    });
    assert.ok(first > 0, 'the first request reaches the customers subgraph');
    const repeat = await stack().countStatements('customers', async () => {
      const again = await stack().graphql<Record<string, { name: string }>>(query, variables, {
        token: stack().tokens.sealAdmin,
      });
      assert.equal(Object.values(again.data!)[0]!.name, 'Seal Team Ten');
    });
    assert.equal(repeat, 0, "the same caller's repeat is answered from the cache");
    const otherAdmin = await token({
      roles: [`enterprise_admin:${DEMO.customers.sealTeamTen}`],
      userId: 9_001,
      email: 'other-admin@seal.example.com',
    });
    const other = await stack().countStatements('customers', async () => {
      assert.equal((await stack().graphql(query, variables, { token: otherAdmin })).errors, undefined);
    });
    assert.ok(other > 0, "another caller never reads the first caller's PRIVATE entry");
  });

  it('computes a burst of identical concurrent queries of one caller once (no cache stampede)', async () => {
    const variables = { uuid: DEMO.customers.sealTeamTen };
    const send = (query: string) =>
      stack().graphql<Record<string, { name: string }>>(query, variables, { token: stack().tokens.sealAdmin });
    const once = await stack().countStatements('customers', () =>
      send(`query ($uuid: ID!) { ${alias()}: enterpriseCustomer(uuid: $uuid) { uuid name } }`),
    );
    assert.ok(once > 0);
    const burst = `query ($uuid: ID!) { ${alias()}: enterpriseCustomer(uuid: $uuid) { uuid name } }`;
    let results: Awaited<ReturnType<typeof send>>[] = [];
    const statements = await stack().countStatements('customers', async () => {
      results = await Promise.all(Array.from({ length: 8 }, () => send(burst)));
    });
    assert.equal(statements, once, 'eight identical concurrent requests cost what one does');
    for (const result of results) {
      assert.equal(result.errors, undefined);
      assert.equal(Object.values(result.data!)[0]!.name, 'Seal Team Ten');
    }
  });

  it("makes a caller's cached responses stale as soon as it runs a mutation (read-your-writes)", async () => {
    const query = `query ($uuid: ID!) { ${alias()}: enterpriseCustomer(uuid: $uuid) { pendingLearners(first: 1) { totalCount } } }`;
    const variables = { uuid: DEMO.customers.sealTeamTen };
    const pending = async () => {
      const result = await stack().graphql<Record<string, { pendingLearners: { totalCount: number } }>>(
        query,
        variables,
        { token: stack().tokens.sealAdmin },
      );
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      return Object.values(result.data!)[0]!.pendingLearners.totalCount;
    };
    const before = await pending();
    assert.equal(await stack().countStatements('customers', pending), 0, 'cached before the mutation');
    const link = await stack().graphql(
      'mutation ($input: LinkLearnersInput!) { linkLearners(input: $input) { pending { userEmail } } }',
      {
        input: {
          enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
          emails: [`cache-${randomBytes(4).toString('hex')}@example.com`],
        },
      },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(link.errors, undefined, JSON.stringify(link.errors));
    let after = 0;
    const statements = await stack().countStatements('customers', async () => {
      after = await pending();
    });
    assert.ok(statements > 0, 'the repeat after the mutation reaches the database');
    assert.equal(after, before + 1);
  });
});
