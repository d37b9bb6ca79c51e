import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SignJWT } from 'jose';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect, errorCodes, token } from './support/stack.js';

const CUSTOMER = 'query ($uuid: ID) { enterpriseCustomer(uuid: $uuid) { uuid name } }';

describeEachDialect('authentication and tenant isolation', (stack) => {
  it('refuses a request without a token with UNAUTHENTICATED and no data', async () => {
    const result = await stack().graphql(CUSTOMER, { uuid: DEMO.customers.sealTeamTen }, { token: null });
    assert.deepEqual(errorCodes(result), ['UNAUTHENTICATED']);
    assert.equal(result.data ?? null, null);
    assert.equal(result.status, 401);
  });

  it('refuses a token signed with another secret', async () => {
    const forged = await new SignJWT({ roles: ['enterprise_openedx_operator:*'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-secret'));
    const result = await stack().graphql(CUSTOMER, { uuid: DEMO.customers.sealTeamTen }, { token: forged });
    assert.deepEqual(errorCodes(result), ['UNAUTHENTICATED']);
    assert.equal(result.data ?? null, null);
  });

  it('refuses an expired token', async () => {
    const expired = await token({ roles: ['enterprise_openedx_operator:*'], expiresIn: -60 });
    const result = await stack().graphql(CUSTOMER, { uuid: DEMO.customers.sealTeamTen }, { token: expired });
    assert.deepEqual(errorCodes(result), ['UNAUTHENTICATED']);
    assert.match(result.errors![0]!.message, /expired/i);
  });

  it('accepts both "JWT <token>" and "Bearer <token>"', async () => {
    for (const scheme of ['JWT', 'Bearer']) {
      const result = await stack().graphql(
        CUSTOMER,
        { uuid: DEMO.customers.sealTeamTen },
        {
          token: null,
          headers: { authorization: `${scheme} ${stack().tokens.sealAdmin}` },
        },
      );
      assert.deepEqual(result.data, {
        enterpriseCustomer: { uuid: DEMO.customers.sealTeamTen, name: 'Seal Team Ten' },
      });
    }
  });

  it('lets an admin read its own customer but gives FORBIDDEN for another customer', async () => {
    const own = await stack().graphql(
      CUSTOMER,
      { uuid: DEMO.customers.sealTeamTen },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(own.errors, undefined);
    const other = await stack().graphql<{ enterpriseCustomer: unknown }>(
      CUSTOMER,
      { uuid: DEMO.customers.foreign },
      { token: stack().tokens.sealAdmin },
    );
    assert.deepEqual(errorCodes(other), ['FORBIDDEN']);
    assert.equal(other.data?.enterpriseCustomer ?? null, null);
  });

  it("keeps another customer's catalogs, policies and plans out of reach", async () => {
    const seal = stack().tokens.sealAdmin;
    const catalog = await stack().graphql(
      'query ($u: ID!) { enterpriseCatalog(uuid: $u) { title } }',
      { u: DEMO.catalogs.foreign },
      { token: seal },
    );
    assert.deepEqual(errorCodes(catalog), ['FORBIDDEN']);
    const policy = await stack().graphql(
      'query ($u: ID!) { subsidyAccessPolicy(uuid: $u) { displayName } }',
      { u: 'f0f0f0f0-0000-4000-8000-0000000000a1' },
      { token: seal },
    );
    assert.deepEqual(errorCodes(policy), ['FORBIDDEN']);
    const plan = await stack().graphql(
      'query ($u: ID!) { subscriptionPlan(uuid: $u) { title } }',
      { u: 'f0f0f0f0-0000-4000-8000-0000000000b1' },
      { token: seal },
    );
    assert.deepEqual(errorCodes(plan), ['FORBIDDEN']);
    const list = await stack().graphql<{ enterpriseCustomers: { nodes: { uuid: string }[] } }>(
      '{ enterpriseCustomers(first: 500) { nodes { uuid } } }',
      {},
      { token: seal },
    );
    assert.deepEqual(
      list.data!.enterpriseCustomers.nodes.map((n) => n.uuid),
      [DEMO.customers.sealTeamTen],
    );
  });

  it('refuses a subgraph called directly without a token, and one called with a bad token', async () => {
    for (const name of ['customers', 'catalog', 'learner-credit', 'subscriptions'] as const) {
      const url = `${stack().subgraphs[name].http.url}/graphql`;
      const none = await stack().graphql('{ __typename }', {}, { url, token: null });
      assert.deepEqual(errorCodes(none), ['UNAUTHENTICATED'], name);
      const bad = await stack().graphql('{ __typename }', {}, { url, token: 'garbage' });
      assert.deepEqual(errorCodes(bad), ['UNAUTHENTICATED'], name);
    }
  });

  it('rejects a malformed uuid with BAD_USER_INPUT', async () => {
    const result = await stack().graphql(CUSTOMER, { uuid: 'not-a-uuid' });
    assert.deepEqual(errorCodes(result), ['BAD_USER_INPUT']);
  });

  it('answers /health on every piece', async () => {
    for (const url of [stack().gatewayUrl, ...Object.values(stack().subgraphs).map((s) => `${s.http.url}/graphql`)]) {
      const response = await fetch(url.replace(/\/graphql$/, '/health'));
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { status: string }).status, 'ok');
    }
  });

  it('rejects an operation deeper than the depth limit before planning it', async () => {
    const deep = `{ course(key: "edx+tr1012") { ${'courseRuns { course { '.repeat(8)} key ${'} } '.repeat(8)} } }`;
    const result = await stack().graphql(deep);
    assert.equal(result.data ?? null, null);
    assert.match(result.errors![0]!.message, /depth/i);
  });
});
