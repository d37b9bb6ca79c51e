import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import type { Kysely } from 'kysely';
import { DEMO } from '../lib/demo-ids.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { describeEachDialect, errorCodes, token, type TestStack } from './support/stack.js';

const SEAL = DEMO.customers.sealTeamTen;
const BLUTH = DEMO.customers.policyExample;
const INITECH = DEMO.customers.planExample;

const LINK = /* GraphQL */ `
  mutation ($input: LinkLearnersInput!) {
    linkLearners(input: $input) {
      linked {
        lmsUserId
        email
        active
        linked
        enterpriseCustomerUuid
      }
      pending {
        userEmail
        enterpriseCustomerUuid
      }
      alreadyLinked {
        lmsUserId
        email
      }
    }
  }
`;
const UNLINK = /* GraphQL */ `
  mutation ($input: UnlinkLearnersInput!) {
    unlinkLearners(input: $input) {
      unlinked {
        email
        linked
        active
        isRelinkable
      }
      removedPending
      notFound
    }
  }
`;
const REGISTER = /* GraphQL */ `
  mutation ($input: RegisterLmsUserInput!) {
    registerLmsUser(input: $input) {
      lmsUserId
      learners {
        enterpriseCustomerUuid
        email
        active
        linked
      }
      enrollments {
        courseRunKey
        source
        enterpriseCustomerUuid
      }
    }
  }
`;
const LINKS_OF = /* GraphQL */ `
  query ($customer: ID!, $search: String) {
    enterpriseCustomer(uuid: $customer) {
      learners(search: $search, first: 100) {
        totalCount
        nodes {
          lmsUserId
          email
          active
        }
      }
    }
  }
`;

interface LinkResult {
  linkLearners: {
    linked: { lmsUserId: number; email: string; active: boolean; linked: boolean; enterpriseCustomerUuid: string }[];
    pending: { userEmail: string; enterpriseCustomerUuid: string }[];
    alreadyLinked: { lmsUserId: number; email: string }[];
  };
}

async function register(stack: TestStack, lmsUserId: number, email: string) {
  const result = await stack.graphql<{
    registerLmsUser: {
      learners: { enterpriseCustomerUuid: string; active: boolean }[];
      enrollments: { courseRunKey: string; source: string }[];
    };
  }>(REGISTER, {
    input: { lmsUserId, email, username: `user${lmsUserId}`, country: 'us' },
  });
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.registerLmsUser;
}

async function linksOf(stack: TestStack, customer: string, search: string) {
  const result = await stack.graphql<{
    enterpriseCustomer: {
      learners: { totalCount: number; nodes: { lmsUserId: number; email: string; active: boolean }[] };
    };
  }>(LINKS_OF, { customer, search });
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.enterpriseCustomer.learners;
}

async function outboxCount(stack: TestStack, eventType: string): Promise<number> {
  const db = stack.subgraphs.customers.app.db as unknown as Kysely<{ customers_outbox: { event_type: string } }>;
  const row = await db
    .selectFrom('customers_outbox')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('event_type', '=', eventType)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

describeEachDialect('customers: linking learners', (stack) => {
  // After every write: stored aggregates equal their recomputation from the rows.
  afterEach(() => assertAggregatesConsistent(stack()));

  it('links existing users, makes unknown emails pending and reports already linked ones, normalizing emails', async () => {
    await register(stack(), 1001, 'link.one@example.com');
    const before = await outboxCount(stack(), 'org.openedx.enterprise.enterprise_customer_user.linked.v1');
    const result = await stack().graphql<LinkResult>(
      LINK,
      {
        input: {
          enterpriseCustomerUuid: SEAL,
          emails: [
            ' Link.One@Example.com',
            'nobody.yet@example.com',
            'alice@sealteamten.example.com',
            'link.one@example.com',
          ],
        },
      },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data!.linkLearners, {
      linked: [
        { lmsUserId: 1001, email: 'link.one@example.com', active: true, linked: true, enterpriseCustomerUuid: SEAL },
      ],
      pending: [{ userEmail: 'nobody.yet@example.com', enterpriseCustomerUuid: SEAL }],
      alreadyLinked: [{ lmsUserId: 4, email: 'alice@sealteamten.example.com' }],
    });
    assert.equal(
      await outboxCount(stack(), 'org.openedx.enterprise.enterprise_customer_user.linked.v1'),
      before + 1,
      'one linked event, in the outbox',
    );
    const again = await stack().graphql<LinkResult>(LINK, {
      input: { enterpriseCustomerUuid: SEAL, emails: ['link.one@example.com', 'nobody.yet@example.com'] },
    });
    assert.deepEqual(
      again.data!.linkLearners.alreadyLinked.map((l) => l.email),
      ['link.one@example.com'],
    );
    assert.deepEqual(
      again.data!.linkLearners.pending.map((p) => p.userEmail),
      ['nobody.yet@example.com'],
    );
  });

  it('keeps at most one active customer per user: linking to a second customer deactivates the first', async () => {
    await register(stack(), 1002, 'two.customers@example.com');
    await stack().graphql(LINK, { input: { enterpriseCustomerUuid: SEAL, emails: ['two.customers@example.com'] } });
    const second = await stack().graphql<LinkResult>(LINK, {
      input: { enterpriseCustomerUuid: INITECH, emails: ['two.customers@example.com'] },
    });
    assert.equal(second.data!.linkLearners.linked[0]!.active, true);
    assert.deepEqual((await linksOf(stack(), SEAL, 'two.customers')).nodes, [
      { lmsUserId: 1002, email: 'two.customers@example.com', active: false },
    ]);
    assert.deepEqual((await linksOf(stack(), INITECH, 'two.customers')).nodes, [
      { lmsUserId: 1002, email: 'two.customers@example.com', active: true },
    ]);

    const me = await stack().graphql<{
      me: { enterpriseCustomers: { name: string }[]; activeEnterpriseCustomer: { name: string } };
    }>(
      '{ me { enterpriseCustomers { name } activeEnterpriseCustomer { name } } }',
      {},
      { token: await token({ roles: [], userId: 1002, email: 'two.customers@example.com' }) },
    );
    assert.deepEqual(me.data!.me, {
      enterpriseCustomers: [{ name: 'Initech' }, { name: 'Seal Team Ten' }],
      activeEnterpriseCustomer: { name: 'Initech' },
    });
  });

  it('turns a pending learner into a linked one, with its pending enrollments, when the user registers', async () => {
    await stack().graphql(LINK, { input: { enterpriseCustomerUuid: BLUTH, emails: ['later@example.com'] } });
    const registered = await register(stack(), 1003, 'Later@Example.com');
    assert.deepEqual(registered.learners, [
      { enterpriseCustomerUuid: BLUTH, email: 'later@example.com', active: true, linked: true },
    ]);
    const pending = await stack().graphql<{
      enterpriseCustomer: { pendingLearners: { nodes: { userEmail: string }[] } };
    }>('query ($c: ID!) { enterpriseCustomer(uuid: $c) { pendingLearners(first: 100) { nodes { userEmail } } } }', {
      c: BLUTH,
    });
    assert.deepEqual(
      pending.data!.enterpriseCustomer.pendingLearners.nodes.map((n) => n.userEmail),
      [DEMO.pendingLearnerEmail],
    );

    // The demo pending learner carries a pending enrollment that registration applies.
    const abc = await register(stack(), 1004, DEMO.pendingLearnerEmail);
    assert.deepEqual(abc.enrollments, [
      { courseRunKey: DEMO.content.courseRunKey, source: 'customer_admin', enterpriseCustomerUuid: BLUTH },
    ]);
  });

  it('rejects registering an existing account with CONFLICT and writes nothing', async () => {
    const result = await stack().graphql(REGISTER, {
      input: { lmsUserId: 4, email: 'fresh@example.com', username: 'fresh' },
    });
    assert.deepEqual(errorCodes(result), ['CONFLICT']);
    const learnerToken = await stack().graphql(
      REGISTER,
      { input: { lmsUserId: 5000, email: 'x@example.com', username: 'x' } },
      { token: stack().tokens.sealAdmin },
    );
    assert.deepEqual(errorCodes(learnerToken), ['FORBIDDEN']);
  });

  it('unlinks learners keeping history, removes pending ones and reports unknown emails', async () => {
    await register(stack(), 1005, 'leaving@example.com');
    await stack().graphql(LINK, {
      input: { enterpriseCustomerUuid: SEAL, emails: ['leaving@example.com', 'pending.leaving@example.com'] },
    });
    const result = await stack().graphql<{ unlinkLearners: unknown }>(
      UNLINK,
      {
        input: {
          enterpriseCustomerUuid: SEAL,
          emails: ['leaving@example.com', 'pending.leaving@example.com', 'stranger@example.com'],
          isRelinkable: false,
        },
      },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data!.unlinkLearners, {
      unlinked: [{ email: 'leaving@example.com', linked: false, active: false, isRelinkable: false }],
      removedPending: ['pending.leaving@example.com'],
      notFound: ['stranger@example.com'],
    });
    assert.equal((await linksOf(stack(), SEAL, 'leaving')).totalCount, 0, 'unlinked learners leave the learners list');
    const relink = await stack().graphql(LINK, {
      input: { enterpriseCustomerUuid: SEAL, emails: ['link.two@example.com', 'leaving@example.com'] },
    });
    assert.deepEqual(errorCodes(relink), ['CONFLICT']);
    const pending = await stack().graphql<{
      enterpriseCustomer: { pendingLearners: { nodes: { userEmail: string }[] } };
    }>('query ($c: ID!) { enterpriseCustomer(uuid: $c) { pendingLearners(first: 100) { nodes { userEmail } } } }', {
      c: SEAL,
    });
    assert.ok(
      !pending.data!.enterpriseCustomer.pendingLearners.nodes.some((n) => n.userEmail === 'link.two@example.com'),
      'the failed call wrote nothing',
    );
  });

  it('validates input: malformed emails, too many emails, malformed uuids, and writes nothing', async () => {
    const bad = await stack().graphql(LINK, {
      input: { enterpriseCustomerUuid: SEAL, emails: ['ok.person@example.com', 'not-an-email'] },
    });
    assert.deepEqual(errorCodes(bad), ['BAD_USER_INPUT']);
    assert.equal((await linksOf(stack(), SEAL, 'ok.person')).totalCount, 0);
    const many = await stack().graphql(LINK, {
      input: { enterpriseCustomerUuid: SEAL, emails: Array.from({ length: 1001 }, (_, i) => `u${i}@example.com`) },
    });
    assert.deepEqual(errorCodes(many), ['BAD_USER_INPUT']);
    const uuid = await stack().graphql(UNLINK, {
      input: { enterpriseCustomerUuid: 'nope', emails: ['a@example.com'] },
    });
    assert.deepEqual(errorCodes(uuid), ['BAD_USER_INPUT']);
    const missing = await stack().graphql(LINK, {
      input: { enterpriseCustomerUuid: '00000000-0000-4000-8000-000000000000', emails: ['a@example.com'] },
    });
    assert.deepEqual(errorCodes(missing), ['NOT_FOUND']);
  });

  it('lets only admins of the customer and operators link and unlink', async () => {
    for (const t of [stack().tokens.foreignAdmin, stack().tokens.sealLearner]) {
      assert.deepEqual(
        errorCodes(
          await stack().graphql(
            LINK,
            { input: { enterpriseCustomerUuid: SEAL, emails: ['x@example.com'] } },
            { token: t },
          ),
        ),
        ['FORBIDDEN'],
      );
      assert.deepEqual(
        errorCodes(
          await stack().graphql(
            UNLINK,
            { input: { enterpriseCustomerUuid: SEAL, emails: ['alice@sealteamten.example.com'] } },
            { token: t },
          ),
        ),
        ['FORBIDDEN'],
      );
    }
  });
});
