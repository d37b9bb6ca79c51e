import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect } from './support/stack.js';

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

  it('never serves one caller\'s PRIVATE catalog response to another caller', async () => {
    const query = `query ($uuid: ID!) { ${alias()}: enterpriseCatalog(uuid: $uuid) { uuid title } }`;
    const variables = { uuid: DEMO.catalogs.sealTeamTenAll };
    const admin = await stack().graphql(query, variables, { token: stack().tokens.sealAdmin });
    assert.equal(admin.errors, undefined);
    const foreign = await stack().graphql(query, variables, { token: stack().tokens.foreignAdmin });
    assert.deepEqual(foreign.errors?.map((e) => e.extensions?.code), ['FORBIDDEN']);
  });

  it('does not cache responses without cache hints (a customer profile)', async () => {
    const query = `query ($uuid: ID!) { ${alias()}: enterpriseCustomer(uuid: $uuid) { uuid name } }`;
    await stack().graphql(query, { uuid: DEMO.customers.sealTeamTen });
    const repeat = await stack().countStatements('customers', async () => {
      await stack().graphql(query, { uuid: DEMO.customers.sealTeamTen });
    });
    assert.ok(repeat > 0, 'an unhinted response is computed again');
  });
});
