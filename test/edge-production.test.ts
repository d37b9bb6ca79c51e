import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { mintServiceToken } from '../lib/auth/token.js';
import { SUBGRAPH_NAMES } from '../lib/config.js';
import { crossOriginPost, gatewayWithOrigins, preflight } from './support/edge.js';
import { describeEachDialect, errorCodes, type TestStack } from './support/stack.js';

// Each test file runs in its own process: this suite sees the production configuration.
process.env.NODE_ENV = 'production';
delete process.env.CORS_ORIGINS;

const PLAN = '104b1785-1d3a-1000-148d-1ae7a56e6355';

/** Typos graphql-js would answer with "Did you mean ...?": a field, an argument, enum values, a type. */
const TYPOS: { label: string; query: string; variables?: Record<string, unknown>; code: string; message: RegExp }[] = [
  {
    label: 'field',
    query: `{ subscriptionPlan(uuid: "${PLAN}") { titel } }`,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /Cannot query field "titel"/,
  },
  {
    label: 'argument',
    query: `{ subscriptionPlan(uuid: "${PLAN}") { licenses(statuss: [ACTIVATED]) { totalCount } } }`,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /Unknown argument "statuss"/,
  },
  {
    label: 'enum literal',
    query: `{ subscriptionPlan(uuid: "${PLAN}") { licenses(status: [ACTIVATD]) { totalCount } } }`,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /ACTIVATD/,
  },
  {
    label: 'enum variable',
    query: `query ($s: [LicenseStatus!]) { subscriptionPlan(uuid: "${PLAN}") { licenses(status: $s) { totalCount } } }`,
    variables: { s: ['ACTIVATD'] },
    code: 'BAD_USER_INPUT',
    message: /ACTIVATD/,
  },
  {
    label: 'type',
    query: `query ($s: [LicenseStatu!]) { subscriptionPlan(uuid: "${PLAN}") { licenses(status: $s) { totalCount } } }`,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /Unknown type "LicenseStatu"/,
  },
];

function assertNoSuggestions(stack: TestStack, url: string): Promise<void>[] {
  return TYPOS.map(async ({ label, query, variables, code, message }) => {
    const result = await stack.graphql(query, variables ?? {}, { url });
    assert.deepEqual(errorCodes(result), [code], `${label} at ${url}`);
    const text = result.errors!.map((e) => e.message).join('\n');
    assert.match(text, message, label);
    assert.doesNotMatch(text, /did you mean|ACTIVATED|"title"|"status"/i, `${label} at ${url}: ${text}`);
  });
}

describeEachDialect('production exposure', (stack) => {
  it('gives no "Did you mean" suggestion from the gateway: fields, arguments, enum values, types', async () => {
    await Promise.all(assertNoSuggestions(stack(), stack().gatewayUrl));
  });

  it('gives no suggestion from a subgraph called directly', async () => {
    await Promise.all(assertNoSuggestions(stack(), `${stack().subgraphs.subscriptions.http.url}/graphql`));
  });

  it('serves _service { sdl } only to operator and service tokens', async () => {
    const service = await mintServiceToken('composition-check');
    for (const name of SUBGRAPH_NAMES) {
      const url = `${stack().subgraphs[name].http.url}/graphql`;
      for (const token of [stack().tokens.sealLearner, stack().tokens.sealAdmin]) {
        const refused = await stack().graphql('{ _service { sdl } }', {}, { url, token });
        assert.deepEqual(errorCodes(refused), ['FORBIDDEN'], name);
        assert.equal(refused.data ?? null, null, name);
        // An alias or a fragment reaches the same field.
        const aliased = await stack().graphql(
          '{ schema: _service { ...S } } fragment S on _Service { sdl }',
          {},
          { url, token },
        );
        assert.deepEqual(errorCodes(aliased), ['FORBIDDEN'], name);
      }
      for (const token of [stack().tokens.operator, service]) {
        const allowed = await stack().graphql<{ _service: { sdl: string } }>(
          '{ _service { sdl } }',
          {},
          { url, token },
        );
        assert.equal(allowed.errors, undefined, name);
        assert.match(allowed.data!._service.sdl, /type Query/, name);
      }
    }
  });

  it('answers a malformed body with JSON and no stack trace', async () => {
    for (const url of [stack().gatewayUrl, `${stack().subgraphs.catalog.http.url}/graphql`]) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `JWT ${stack().tokens.operator}` },
        body: '{"query":',
      });
      assert.equal(response.status, 400);
      const text = await response.text();
      assert.doesNotMatch(text, /<html|stack|node_modules/i);
      assert.deepEqual(JSON.parse(text), {
        errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
      });
    }
  });

  it('allows no cross origin by default, not even Studio or localhost', async () => {
    for (const origin of [
      'https://studio.apollographql.com',
      'http://localhost:5173',
      'http://127.0.0.1:3000',
      'https://admin.example.com',
    ]) {
      const response = await preflight(stack().gatewayUrl, origin);
      assert.ok(response.status < 500, origin);
      assert.equal(response.headers.get('access-control-allow-origin'), null, origin);
      const post = await crossOriginPost(stack(), stack().gatewayUrl, origin);
      assert.equal(post.headers.get('access-control-allow-origin'), null, origin);
    }
  });

  describeOrigins(stack);
});

function describeOrigins(stack: () => TestStack): void {
  let custom: Awaited<ReturnType<typeof gatewayWithOrigins>> | undefined;
  before(async () => {
    custom = await gatewayWithOrigins(stack(), 'https://admin.example.com');
  });
  after(async () => {
    await custom?.http.close();
    await custom?.gateway.stop();
  });

  it('allows exactly the CORS_ORIGINS origins in production', async () => {
    const preflightAnswer = await preflight(custom!.url, 'https://admin.example.com');
    assert.equal(preflightAnswer.status, 204);
    assert.equal(preflightAnswer.headers.get('access-control-allow-origin'), 'https://admin.example.com');
    const post = await crossOriginPost(stack(), custom!.url, 'https://admin.example.com');
    assert.equal(post.status, 200);
    assert.equal(post.headers.get('access-control-allow-origin'), 'https://admin.example.com');
    for (const origin of ['https://studio.apollographql.com', 'http://localhost:5173']) {
      assert.equal((await preflight(custom!.url, origin)).headers.get('access-control-allow-origin'), null, origin);
    }
  });
}
