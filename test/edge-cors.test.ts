import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createGatewayApp } from '../gateway/gateway.js';
import { CORS_ALLOWED_HEADERS } from '../lib/server/cors.js';
import { crossOriginPost, gatewayWithOrigins, preflight } from './support/edge.js';
import { describeEachDialect, type TestStack } from './support/stack.js';

// Outside production (this file leaves NODE_ENV unset, as `npm start` does).
delete process.env.NODE_ENV;
delete process.env.CORS_ORIGINS;

describeEachDialect('CORS outside production', (stack) => {
  const ALLOWED = [
    'http://localhost:5173',
    'http://127.0.0.1:8080',
    'http://localhost:4000',
    'https://studio.apollographql.com',
  ];
  const REFUSED = [
    'https://evil.example.com',
    'https://localhost:5173',
    'http://localhost.evil.example.com:5173',
    'http://192.168.1.20:5173',
    'null',
  ];

  it('answers the preflight of a local front-end and of hosted Sandbox with 204 and the headers they need', async () => {
    for (const origin of ALLOWED) {
      const response = await preflight(stack().gatewayUrl, origin);
      assert.equal(response.status, 204, origin);
      assert.equal(response.headers.get('access-control-allow-origin'), origin);
      const allowed = (response.headers.get('access-control-allow-headers') ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase());
      for (const header of CORS_ALLOWED_HEADERS)
        assert.ok(allowed.includes(header), `${origin} preflight allows ${header}`);
      for (const header of [
        'authorization',
        'content-type',
        'apollo-require-preflight',
        'x-apollo-operation-name',
        'apollographql-client-name',
        'apollographql-client-version',
      ]) {
        assert.ok(allowed.includes(header), header);
      }
      assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.ok(Number(response.headers.get('access-control-max-age')) > 0);
      // Tokens travel in a header: no cookies, so no credentials mode.
      assert.equal(response.headers.get('access-control-allow-credentials'), null);
    }
  });

  it('lets the real cross-origin request through with Access-Control-Allow-Origin', async () => {
    const response = await crossOriginPost(stack(), stack().gatewayUrl, 'http://localhost:5173');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.match(response.headers.get('vary') ?? '', /origin/i);
    assert.deepEqual(((await response.json()) as { data?: unknown }).data, { __typename: 'Query' });
  });

  it('gives other origins no Access-Control-Allow-Origin, so browsers block them', async () => {
    for (const origin of REFUSED) {
      const response = await preflight(stack().gatewayUrl, origin);
      assert.ok(response.status < 500, origin);
      assert.equal(response.headers.get('access-control-allow-origin'), null, origin);
      const post = await crossOriginPost(stack(), stack().gatewayUrl, origin);
      assert.equal(post.headers.get('access-control-allow-origin'), null, origin);
    }
  });

  it('keeps CSRF prevention on: a simple cross-site POST without a preflight header is refused', async () => {
    const response = await fetch(stack().gatewayUrl, {
      method: 'POST',
      headers: {
        origin: 'http://localhost:5173',
        'content-type': 'text/plain',
        authorization: `JWT ${stack().tokens.operator}`,
      },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    assert.equal(body.errors[0]!.extensions.code, 'BAD_REQUEST');
    assert.match(body.errors[0]!.message, /CSRF/);
  });

  it('puts no CORS layer on the subgraphs', async () => {
    const url = `${stack().subgraphs.catalog.http.url}/graphql`;
    const response = await preflight(url, 'http://localhost:5173');
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    const post = await crossOriginPost(stack(), url, 'http://localhost:5173');
    assert.equal(post.headers.get('access-control-allow-origin'), null);
  });

  describeOrigins(stack);
});

function describeOrigins(stack: () => TestStack): void {
  let custom: Awaited<ReturnType<typeof gatewayWithOrigins>> | undefined;
  before(async () => {
    custom = await gatewayWithOrigins(stack(), 'https://admin.example.com, https://learner.example.com');
  });
  after(async () => {
    await custom?.http.close();
    await custom?.gateway.stop();
  });

  it('CORS_ORIGINS is the exact list: its origins pass, the development defaults no longer do', async () => {
    for (const origin of ['https://admin.example.com', 'https://learner.example.com']) {
      const response = await preflight(custom!.url, origin);
      assert.equal(response.status, 204);
      assert.equal(response.headers.get('access-control-allow-origin'), origin);
      const post = await crossOriginPost(stack(), custom!.url, origin);
      assert.equal(post.status, 200);
      assert.equal(post.headers.get('access-control-allow-origin'), origin);
    }
    for (const origin of [
      'http://localhost:5173',
      'https://studio.apollographql.com',
      'https://admin.example.com.evil.example.com',
      'http://admin.example.com',
    ]) {
      const response = await preflight(custom!.url, origin);
      assert.equal(response.headers.get('access-control-allow-origin'), null, origin);
    }
  });
}

it('refuses to build a gateway when CORS_ORIGINS holds something that is not an origin', async () => {
  for (const bad of ['*', 'https://admin.example.com/', 'admin.example.com']) {
    process.env.CORS_ORIGINS = bad;
    try {
      await assert.rejects(createGatewayApp({ redisUrl: null }), /CORS_ORIGINS/);
    } finally {
      delete process.env.CORS_ORIGINS;
    }
  }
});
