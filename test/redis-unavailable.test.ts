import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect } from './support/stack.js';

// Nothing listens on port 9 (discard): this gateway's Redis is down from the start.
process.env.REDIS_URL = 'redis://127.0.0.1:9';

describeEachDialect('the gateway while Redis is unavailable', (stack) => {
  it('answers queries and mutations uncached instead of failing or waiting for Redis', async () => {
    for (let i = 0; i < 3; i += 1) {
      const query = `query ($uuid: ID!) { enterpriseCustomer(uuid: $uuid) { name catalogs(first: ${i + 1}) { totalCount } } }`;
      let result: Awaited<ReturnType<ReturnType<typeof stack>['graphql']>> | undefined;
      const statements = await stack().countStatements('customers', async () => {
        result = await stack().graphql(
          query,
          { uuid: DEMO.customers.sealTeamTen },
          { token: stack().tokens.sealAdmin },
        );
      });
      assert.equal(result!.errors, undefined, JSON.stringify(result!.errors));
      assert.equal((result!.data as { enterpriseCustomer: { name: string } }).enterpriseCustomer.name, 'Seal Team Ten');
      assert.ok(statements > 0, 'without Redis every request is computed');
    }
    const link = await stack().graphql(
      'mutation ($input: LinkLearnersInput!) { linkLearners(input: $input) { pending { userEmail } } }',
      { input: { enterpriseCustomerUuid: DEMO.customers.sealTeamTen, emails: ['redis-down@example.com'] } },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(link.errors, undefined, JSON.stringify(link.errors));
  });
});
