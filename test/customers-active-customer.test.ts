import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import type { Kysely } from 'kysely';
import { DEMO } from '../lib/demo-ids.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { describeEachDialect, errorCodes, token, type TestStack } from './support/stack.js';

/** Issue 13 item 6: the viewer switches its active customer; exactly one link stays active. */

const SEAL = DEMO.customers.sealTeamTen;
const BLUTH = DEMO.customers.policyExample;
const SET =
  'mutation ($i: SetActiveEnterpriseCustomerInput!) { setActiveEnterpriseCustomer(input: $i) { viewer { lmsUserId activeEnterpriseCustomer { uuid } } } }';

type Db = Kysely<{
  enterprise_customer_user: { lmsUserId: number; enterpriseCustomerUuid: string; active: unknown };
  customers_outbox: { eventType: string };
}>;

async function activeLinks(stack: TestStack, lmsUserId: number): Promise<string[]> {
  const db = stack.subgraphs.customers.app.db as unknown as Db;
  const rows = await db
    .selectFrom('enterprise_customer_user')
    .select(['enterpriseCustomerUuid', 'active'])
    .where('lmsUserId', '=', lmsUserId)
    .execute();
  return rows.filter((r) => Boolean(r.active)).map((r) => r.enterpriseCustomerUuid);
}

async function outboxCount(stack: TestStack): Promise<number> {
  const db = stack.subgraphs.customers.app.db as unknown as Db;
  return Number(
    (
      await db
        .selectFrom('customers_outbox')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .executeTakeFirst()
    )?.n ?? 0,
  );
}

describeEachDialect('customers: the active customer', (stack) => {
  // After every test (parallel requests included): stored aggregates equal their recomputation.
  afterEach(() => assertAggregatesConsistent(stack()));

  it('switches the active customer of a learner linked to two customers', async () => {
    // Alice (LMS user 4) of Seal Team Ten is linked to Bluth Company too: that link becomes active.
    const linked = await stack().graphql(
      'mutation ($i: LinkLearnersInput!) { linkLearners(input: $i) { linked { email active } } }',
      { i: { enterpriseCustomerUuid: BLUTH, emails: ['alice@sealteamten.example.com'] } },
    );
    assert.equal(linked.errors, undefined, JSON.stringify(linked.errors));
    assert.deepEqual(await activeLinks(stack(), 4), [BLUTH]);
    const alice = await token({
      roles: [`enterprise_learner:${SEAL}`, `enterprise_learner:${BLUTH}`],
      userId: 4,
      email: 'alice@sealteamten.example.com',
    });

    const switched = await stack().graphql(SET, { i: { enterpriseCustomerUuid: SEAL } }, { token: alice });
    assert.deepEqual(switched.data, {
      setActiveEnterpriseCustomer: { viewer: { lmsUserId: 4, activeEnterpriseCustomer: { uuid: SEAL } } },
    });
    assert.deepEqual(await activeLinks(stack(), 4), [SEAL]);
    const me = await stack().graphql('{ me { activeEnterpriseCustomer { uuid } } }', {}, { token: alice });
    assert.deepEqual(me.data, { me: { activeEnterpriseCustomer: { uuid: SEAL } } });

    // Again: idempotent, nothing more announced.
    const events = await outboxCount(stack());
    const again = await stack().graphql(SET, { i: { enterpriseCustomerUuid: SEAL } }, { token: alice });
    assert.equal(again.errors, undefined);
    assert.equal(await outboxCount(stack()), events);
  });

  it('keeps exactly one active link under concurrent switches', async () => {
    const alice = await token({
      roles: [`enterprise_learner:${SEAL}`, `enterprise_learner:${BLUTH}`],
      userId: 4,
      email: 'alice@sealteamten.example.com',
    });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        stack().graphql(SET, { i: { enterpriseCustomerUuid: i % 2 ? SEAL : BLUTH } }, { token: alice }),
      ),
    );
    for (const result of results) assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const active = await activeLinks(stack(), 4);
    assert.equal(active.length, 1);
    assert.ok(([SEAL, BLUTH] as string[]).includes(active[0]!));
  });

  it('refuses a customer the viewer is not linked to, and malformed input, writing nothing', async () => {
    const before = { links: await activeLinks(stack(), 3), outbox: await outboxCount(stack()) };
    const learner = stack().tokens.sealLearner;
    assert.deepEqual(
      errorCodes(
        await stack().graphql(SET, { i: { enterpriseCustomerUuid: DEMO.customers.foreign } }, { token: learner }),
      ),
      ['FORBIDDEN'],
    );
    assert.deepEqual(
      errorCodes(await stack().graphql(SET, { i: { enterpriseCustomerUuid: 'seal' } }, { token: learner })),
      ['BAD_USER_INPUT'],
    );
    // A token without an LMS user is nobody's learner.
    const roleOnly = await token({ roles: [`enterprise_admin:${SEAL}`] });
    assert.deepEqual(
      errorCodes(await stack().graphql(SET, { i: { enterpriseCustomerUuid: SEAL } }, { token: roleOnly })),
      ['FORBIDDEN'],
    );
    assert.deepEqual({ links: await activeLinks(stack(), 3), outbox: await outboxCount(stack()) }, before);
  });
});
