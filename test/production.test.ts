import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { describeEachDialect, errorCodes } from './support/stack.js';

// Each test file runs in its own process: this suite sees the production configuration.
process.env.NODE_ENV = 'production';

describeEachDialect('production mode', (stack) => {
  it('turns introspection off at the gateway and the subgraphs', async () => {
    const gateway = await stack().graphql('{ __schema { queryType { name } } }');
    assert.equal(gateway.data ?? null, null);
    assert.deepEqual(errorCodes(gateway), ['GRAPHQL_VALIDATION_FAILED']);
    const subgraph = await stack().graphql(
      '{ __schema { queryType { name } } }',
      {},
      { url: `${stack().subgraphs.catalog.http.url}/graphql` },
    );
    assert.deepEqual(errorCodes(subgraph), ['GRAPHQL_VALIDATION_FAILED']);
  });

  it('serves no Sandbox landing page', async () => {
    const response = await fetch(stack().gatewayUrl, { headers: { accept: 'text/html' } });
    assert.doesNotMatch(response.headers.get('content-type') ?? '', /text\/html/);
    assert.doesNotMatch(await response.text(), /<html|embeddable-sandbox/i);
  });

  it('refuses a cross-site simple request (CSRF prevention)', async () => {
    const response = await fetch(`${stack().gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { authorization: `JWT ${stack().tokens.operator}` },
    });
    assert.equal(response.status, 400);
  });

  it('masks an internal failure: no SQL, no stack trace, code INTERNAL_SERVER_ERROR', async () => {
    // Break the store underneath a running server: the next query fails inside the driver.
    await sql`drop table subscription_plan`.execute(stack().database.db);
    const result = await stack().graphql(`query ($u: ID!) { subscriptionPlan(uuid: $u) { title } }`, {
      u: '104b1785-1d3a-1000-148d-1ae7a56e6355',
    });
    assert.deepEqual(errorCodes(result), ['INTERNAL_SERVER_ERROR']);
    const text = JSON.stringify(result.errors);
    assert.doesNotMatch(text, /subscription_plan|select|sqlite|mysql|stack|at \w+ \(/i);
    assert.equal(result.errors![0]!.message, 'Internal server error');
  });
});
