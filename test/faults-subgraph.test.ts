import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGatewayApp, type GatewayApp } from '../gateway/gateway.js';
import { SUBGRAPH_NAMES, type SubgraphName } from '../lib/config.js';
import { dropDatabase } from '../lib/db/database.js';
import { DEMO } from '../lib/demo-ids.js';
import { listen, type Listening } from '../lib/server/http.js';
import { prepareDatabase } from '../scripts/stack.js';
import { freePort, PieceProcess, statusOf, subgraphUrlEnv, waitFor } from './support/processes.js';
import { demoTokens, freshDatabaseUrl, type GraphQLResult } from './support/stack.js';

/**
 * A subgraph killed (SIGKILL) or hung (SIGSTOP) while the gateway keeps running: the other
 * subgraphs' fields still arrive, the lost ones are null with SERVICE_UNAVAILABLE naming the
 * subgraph and the field's path, nothing else leaks (production mode), the gateway's /health is
 * 503, and everything comes back without restarting the gateway once the subgraph does.
 *
 * Each subgraph is its own process (scripts/start-piece.ts); the gateway runs in this process.
 * The database is not what fails here, so one dialect (SQLite, shared by the processes) suffices;
 * test/faults-database.test.ts covers database outages on both dialects.
 */
process.env.NODE_ENV = 'production';
// Production pieces refuse the public development secret (lib/config.ts).
process.env.JWT_SECRET = 'faults-test-secret-0123456789abcdef-0123456789';
const TIMEOUT_MS = 1000;
process.env.SUBGRAPH_TIMEOUT_MS = String(TIMEOUT_MS);

const CUSTOMER_QUERY = `query Customer($uuid: ID!) {
  enterpriseCustomer(uuid: $uuid) {
    name
    catalogs { nodes { uuid title } }
    subsidyAccessPolicies { nodes { uuid displayName } }
    subscriptionPlans { nodes { uuid title } }
  }
}`;
const PLAN_QUERY = `query MeAndPlan($plan: ID!) { me { email } subscriptionPlan(uuid: $plan) { title } }`;

interface CustomerData {
  enterpriseCustomer: {
    name: string;
    catalogs: { nodes: { uuid: string; title: string }[] } | null;
    subsidyAccessPolicies: { nodes: { uuid: string; displayName: string | null }[] } | null;
    subscriptionPlans: { nodes: { uuid: string; title: string }[] } | null;
  } | null;
}

describe('a subgraph that fails while the gateway runs [sqlite]', () => {
  const databaseUrl = freshDatabaseUrl('sqlite');
  const pieces = {} as Record<SubgraphName, PieceProcess>;
  let gateway: GatewayApp;
  let gatewayHttp: Listening;
  // before() may fail part-way: after() closes only the gateway pieces it got to, last first.
  const cleanups: (() => Promise<void>)[] = [];
  let tokens: Awaited<ReturnType<typeof demoTokens>>;
  let healthy: CustomerData;

  async function graphql<T>(query: string, variables: Record<string, unknown>): Promise<GraphQLResult<T>> {
    const response = await fetch(`${gatewayHttp.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `JWT ${tokens.operator}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as Omit<GraphQLResult<T>, 'status'>) };
  }

  const customer = () => graphql<CustomerData>(CUSTOMER_QUERY, { uuid: DEMO.customers.sealTeamTen });

  /** What a client must see from an outage: the code, the subgraph, the path, and no internals. */
  function assertUnavailable(result: GraphQLResult<unknown>, serviceName: string, path: (string | number)[]): void {
    const error = result.errors?.find((e) => JSON.stringify(e.path) === JSON.stringify(path));
    assert.ok(error, `an error at ${JSON.stringify(path)}: ${JSON.stringify(result.errors)}`);
    assert.deepEqual(error.extensions, { code: 'SERVICE_UNAVAILABLE', serviceName });
    assert.doesNotMatch(
      JSON.stringify(result.errors),
      /ECONNREFUSED|127\.0\.0\.1|fetch failed|abort|timeout|stack|:\d{4,5}/i,
    );
  }

  before(async () => {
    tokens = await demoTokens();
    const database = await prepareDatabase(databaseUrl, { seed: 'always' });
    await database.destroy();
    const ports = Object.fromEntries(
      await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await freePort()])),
    ) as Record<SubgraphName, number>;
    const env = {
      ...subgraphUrlEnv(ports),
      DATABASE_URL: databaseUrl,
      NODE_ENV: 'production',
      SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS),
    };
    for (const name of SUBGRAPH_NAMES) pieces[name] = new PieceProcess(name, ports[name], env);
    await Promise.all(SUBGRAPH_NAMES.map((name) => pieces[name].start()));
    gateway = await createGatewayApp({
      serviceUrls: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `${pieces[name].url}/graphql`])),
      redisUrl: null,
    });
    cleanups.push(() => gateway.stop());
    gatewayHttp = await listen(gateway.app, 0);
    cleanups.push(() => gatewayHttp.close());
    const result = await customer();
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    healthy = result.data!;
    assert.ok(healthy.enterpriseCustomer!.catalogs!.nodes.length > 0);
    assert.ok(healthy.enterpriseCustomer!.subsidyAccessPolicies!.nodes.length > 0);
    assert.ok(healthy.enterpriseCustomer!.subscriptionPlans!.nodes.length > 0);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await Promise.all(Object.values(pieces).map((piece) => piece.stop()));
    await dropDatabase(databaseUrl);
  });

  it('killed: partial data, SERVICE_UNAVAILABLE at the lost field, /health 503, recovery without a gateway restart', async () => {
    const subscriptions = pieces.subscriptions;
    const killedAt = Date.now();
    await subscriptions.signal('SIGKILL');

    const partial = await customer();
    const firstErrorMs = Date.now() - killedAt;
    assert.equal(partial.status, 200);
    assert.deepEqual(partial.data, { enterpriseCustomer: { ...healthy.enterpriseCustomer!, subscriptionPlans: null } });
    assertUnavailable(partial, 'subscriptions', ['enterpriseCustomer', 'subscriptionPlans']);
    assert.equal(partial.errors!.length, 1, JSON.stringify(partial.errors));

    // A root field of the dead subgraph: null, next to the healthy subgraph's field.
    const plan = await graphql<{ me: { email: string } | null; subscriptionPlan: unknown }>(PLAN_QUERY, {
      plan: DEMO.plans.example,
    });
    assert.equal(plan.data?.me?.email, DEMO.users.operatorEmail);
    assert.equal(plan.data.subscriptionPlan, null);
    assertUnavailable(plan, 'subscriptions', ['subscriptionPlan']);

    const health = await fetch(`${gatewayHttp.url}/health`);
    assert.equal(health.status, 503);
    assert.equal(
      ((await health.json()) as { subgraphs: Record<string, string> }).subgraphs.subscriptions,
      'unreachable',
    );

    const restartedAt = Date.now();
    await subscriptions.start();
    await waitFor(
      'the gateway to report healthy again',
      async () => (await statusOf(`${gatewayHttp.url}/health`)) === 200,
    );
    const recovered = await waitFor('full data again', async () => {
      const result = await customer();
      return result.errors === undefined ? result : undefined;
    });
    const recoverMs = Date.now() - restartedAt;
    assert.deepEqual(recovered.data, healthy);
    console.log(
      `[faults] subgraph SIGKILL: first SERVICE_UNAVAILABLE after ${firstErrorMs} ms; full answers ${recoverMs} ms after the restart began (process start included)`,
    );
  });

  it('hung: answered within SUBGRAPH_TIMEOUT_MS with SERVICE_UNAVAILABLE, /health 503, recovery on SIGCONT', async () => {
    const subscriptions = pieces.subscriptions;
    await subscriptions.signal('SIGSTOP');
    try {
      const stoppedAt = Date.now();
      const plan = await graphql<{ me: { email: string } | null; subscriptionPlan: unknown }>(PLAN_QUERY, {
        plan: DEMO.plans.example,
      });
      const answeredMs = Date.now() - stoppedAt;
      assert.equal(plan.data?.me?.email, DEMO.users.operatorEmail);
      assert.equal(plan.data.subscriptionPlan, null);
      assertUnavailable(plan, 'subscriptions', ['subscriptionPlan']);

      // An entity fetch (the customer's plans) hangs the same way; the other fields stay.
      const partial = await customer();
      assert.deepEqual(partial.data, {
        enterpriseCustomer: { ...healthy.enterpriseCustomer!, subscriptionPlans: null },
      });
      assertUnavailable(partial, 'subscriptions', ['enterpriseCustomer', 'subscriptionPlans']);

      assert.equal(await statusOf(`${gatewayHttp.url}/health`, 10_000), 503);
      console.log(`[faults] subgraph SIGSTOP: answered after ${answeredMs} ms with SUBGRAPH_TIMEOUT_MS=${TIMEOUT_MS}`);
    } finally {
      await subscriptions.signal('SIGCONT');
    }
    const resumedAt = Date.now();
    const recovered = await waitFor('full data after SIGCONT', async () => {
      const result = await customer();
      return result.errors === undefined ? result : undefined;
    });
    assert.deepEqual(recovered.data, healthy);
    assert.equal(await statusOf(`${gatewayHttp.url}/health`), 200);
    console.log(`[faults] subgraph SIGCONT: full answers ${Date.now() - resumedAt} ms after resuming`);
  });

  it('a subgraph-to-subgraph call to a dead subgraph is SERVICE_UNAVAILABLE too', async () => {
    // canRedeem (learner-credit) asks the catalog whether the content is in the policy's catalog.
    const catalog = pieces.catalog;
    await catalog.signal('SIGKILL');
    try {
      const result = await graphql<{ subsidyAccessPolicy: unknown }>(
        `
          query ($uuid: ID!) {
            subsidyAccessPolicy(uuid: $uuid) {
              uuid
              canRedeem(lmsUserId: 3, contentKey: "edx+tr1012") {
                canRedeem
              }
            }
          }
        `,
        { uuid: DEMO.policies.example },
      );
      const error = result.errors?.find((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE');
      assert.ok(error, JSON.stringify(result.errors));
      assert.equal(error.extensions?.serviceName, 'learner-credit');
      assert.match(error.message, /catalog subgraph is unreachable/);
      assert.deepEqual(error.path, ['subsidyAccessPolicy', 'canRedeem']);
    } finally {
      await catalog.start();
    }
  });
});
