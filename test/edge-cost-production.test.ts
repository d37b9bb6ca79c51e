import assert from 'node:assert/strict';
import { it } from 'node:test';
import { settings } from '../lib/config.js';
import { DEMO } from '../lib/demo-ids.js';
import { deep500, typenameAliases } from './support/demand-control-cases.js';
import { describeEachDialect, type TestStack } from './support/stack.js';

// Each test file runs in its own process: this suite sees the production configuration.
process.env.NODE_ENV = 'production';
// Production may refuse the development secret; any long secret works for minted test tokens.
process.env.JWT_SECRET ||= 'edge-cost-production-suite-secret-0123456789abcdef';

async function post(stack: TestStack, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `JWT ${stack.tokens.operator}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as {
    data?: unknown;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
  return { status: response.status, ...body };
}

describeEachDialect('edge: demand control in production', (stack) => {
  it('answers without extensions.cost (the estimate is a development aid)', async () => {
    const answer = await post(stack(), 'query ($key: String!) { course(key: $key) { key courseRuns { key } } }', {
      key: DEMO.content.courseKey,
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.errors, undefined);
    assert.equal(answer.extensions?.cost, undefined);
  });

  it('still refuses an operation over the maximum with 400, COST_ESTIMATED_TOO_EXPENSIVE and extensions.cost', async () => {
    const { query, variables } = deep500('variables');
    const answer = await post(stack(), query, variables);
    assert.equal(answer.status, 400);
    assert.equal(answer.errors?.[0]?.extensions?.code, 'COST_ESTIMATED_TOO_EXPENSIVE');
    assert.deepEqual(answer.errors[0].extensions.cost, { estimated: 125_501_001, max: settings.maxQueryCost() });
    assert.equal(answer.extensions?.cost, undefined);
  });

  it('names the limit of a shape refusal (400 GRAPHQL_VALIDATION_FAILED, extensions.limit)', async () => {
    const answer = await post(stack(), typenameAliases(31));
    assert.equal(answer.status, 400);
    assert.equal(answer.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(answer.errors[0].extensions.limit, 'MAX_ALIASES');
    assert.match(answer.errors[0].message, /Aliases limit of 30 exceeded, found 31/);
  });
});
