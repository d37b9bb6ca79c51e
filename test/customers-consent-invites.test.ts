import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { describeEachDialect, errorCodes, token } from './support/stack.js';

const SEAL = DEMO.customers.sealTeamTen;

const SET_CONSENT = /* GraphQL */ `
  mutation ($input: SetDataSharingConsentInput!) {
    setDataSharingConsent(input: $input) {
      enterpriseCustomerUuid
      lmsUserId
      username
      courseKey
      granted
      exists
      consentRequired
    }
  }
`;
const CONSENTS = /* GraphQL */ `
  query ($customer: ID!, $id: Int!) {
    enterpriseCustomer(uuid: $customer) {
      learner(lmsUserId: $id) {
        dataSharingConsents {
          nodes {
            courseKey
            granted
            exists
            consentRequired
          }
        }
      }
    }
  }
`;
const CREATE_KEY = /* GraphQL */ `
  mutation ($input: CreateInviteKeyInput!) {
    createInviteKey(input: $input) {
      inviteKey {
        uuid
        usageLimit
        usageCount
        isActive
        isValid
        expirationDate
        enterpriseCustomerUuid
      }
    }
  }
`;
const KEYS = /* GraphQL */ `
  query ($customer: ID!, $first: Int) {
    enterpriseCustomer(uuid: $customer) {
      inviteKeys(first: $first) {
        totalCount
        nodes {
          uuid
          usageCount
          usageLimit
          isActive
          isValid
        }
      }
    }
  }
`;

interface ConsentsResult {
  enterpriseCustomer: {
    learner: {
      dataSharingConsents: {
        nodes: { courseKey: string; granted: boolean | null; exists: boolean; consentRequired: boolean }[];
      };
    };
  };
}

describeEachDialect('customers: data sharing consent', (stack) => {
  it('lets a linked learner grant and revoke its own consent, which admins then read', async () => {
    const granted = await stack().graphql<{ setDataSharingConsent: unknown }>(
      SET_CONSENT,
      { input: { enterpriseCustomerUuid: SEAL, courseKey: 'HarvardX+FIH', granted: true } },
      { token: stack().tokens.sealLearner },
    );
    assert.equal(granted.errors, undefined, JSON.stringify(granted.errors));
    assert.deepEqual(granted.data!.setDataSharingConsent, {
      enterpriseCustomerUuid: SEAL,
      lmsUserId: DEMO.users.learnerId,
      username: 'learner',
      courseKey: 'HarvardX+FIH',
      granted: true,
      exists: true,
      consentRequired: false,
    });
    const revoked = await stack().graphql<{ setDataSharingConsent: { granted: boolean; consentRequired: boolean } }>(
      SET_CONSENT,
      { input: { enterpriseCustomerUuid: SEAL, courseKey: DEMO.content.courseKey, granted: false } },
      { token: stack().tokens.sealLearner },
    );
    // Seal Team Ten has data sharing consent disabled: never required there.
    assert.deepEqual(
      [revoked.data!.setDataSharingConsent.granted, revoked.data!.setDataSharingConsent.consentRequired],
      [false, false],
    );

    const read = await stack().graphql<ConsentsResult>(
      CONSENTS,
      { customer: SEAL, id: DEMO.users.learnerId },
      { token: stack().tokens.sealAdmin },
    );
    assert.deepEqual(read.data!.enterpriseCustomer.learner.dataSharingConsents.nodes, [
      { courseKey: 'HarvardX+FIH', granted: true, exists: true, consentRequired: false },
      { courseKey: DEMO.content.courseKey, granted: false, exists: true, consentRequired: false },
    ]);
  });

  it('shows an enrolled course without an answer as an existing consent, required where the customer enforces it at enrollment', async () => {
    const initech = DEMO.customers.planExample;
    const read = await stack().graphql<ConsentsResult>(
      CONSENTS,
      { customer: initech, id: 20 },
      { token: stack().tokens.planAdmin },
    );
    assert.deepEqual(read.data!.enterpriseCustomer.learner.dataSharingConsents.nodes, [
      { courseKey: DEMO.content.courseKey, granted: null, exists: true, consentRequired: true },
    ]);
    const peter = await token({
      roles: [`enterprise_learner:${initech}`],
      userId: 20,
      email: 'peter@initech.example.com',
    });
    const granted = await stack().graphql<{ setDataSharingConsent: { granted: boolean; consentRequired: boolean } }>(
      SET_CONSENT,
      { input: { enterpriseCustomerUuid: initech, courseKey: DEMO.content.courseKey, granted: true } },
      { token: peter },
    );
    assert.deepEqual(granted.data!.setDataSharingConsent, {
      enterpriseCustomerUuid: initech,
      lmsUserId: 20,
      username: 'peter_20',
      courseKey: DEMO.content.courseKey,
      granted: true,
      exists: true,
      consentRequired: false,
    });
    const bob = await stack().graphql<ConsentsResult>(
      CONSENTS,
      { customer: SEAL, id: 5 },
      { token: stack().tokens.sealAdmin },
    );
    assert.deepEqual(bob.data!.enterpriseCustomer.learner.dataSharingConsents.nodes, [
      { courseKey: 'HarvardX+DATA100', granted: null, exists: true, consentRequired: false },
      { courseKey: 'HarvardX+FIH', granted: null, exists: true, consentRequired: false },
    ]);
  });

  it('refuses consent from someone who is not a linked learner, and malformed input', async () => {
    const input = { enterpriseCustomerUuid: SEAL, courseKey: 'HarvardX+FIH', granted: true };
    const stranger = await stack().graphql(
      SET_CONSENT,
      { input },
      { token: await token({ roles: [`enterprise_learner:${SEAL}`], userId: 777, email: 'stranger@example.com' }) },
    );
    assert.deepEqual(errorCodes(stranger), ['FORBIDDEN']);
    const runKey = await stack().graphql(
      SET_CONSENT,
      { input: { ...input, courseKey: DEMO.content.courseRunKey } },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(errorCodes(runKey), ['BAD_USER_INPUT']);
    const uuid = await stack().graphql(
      SET_CONSENT,
      { input: { ...input, enterpriseCustomerUuid: 'x' } },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(errorCodes(uuid), ['BAD_USER_INPUT']);
  });

  it("lists the customer's consent answers for admins, filterable, and only its own to a learner", async () => {
    const LIST =
      'query ($c: ID!, $course: String, $granted: Boolean) { enterpriseCustomer(uuid: $c) { dataSharingConsents(courseKey: $course, granted: $granted) { totalCount nodes { lmsUserId courseKey granted } } } }';
    interface List {
      enterpriseCustomer: {
        dataSharingConsents: {
          totalCount: number;
          nodes: { lmsUserId: number; courseKey: string; granted: boolean }[];
        };
      };
    }
    const admin = await stack().graphql<List>(LIST, { c: SEAL, granted: false }, { token: stack().tokens.sealAdmin });
    assert.deepEqual(admin.data!.enterpriseCustomer.dataSharingConsents.nodes, [
      { lmsUserId: 3, courseKey: DEMO.content.courseKey, granted: false },
      { lmsUserId: 4, courseKey: 'HarvardX+FIH', granted: false },
    ]);
    const course = await stack().graphql<List>(
      LIST,
      { c: SEAL, course: 'HarvardX+FIH' },
      { token: stack().tokens.sealAdmin },
    );
    assert.deepEqual(
      course.data!.enterpriseCustomer.dataSharingConsents.nodes.map((n) => n.lmsUserId),
      [4, 3],
    );
    const own = await stack().graphql<List>(LIST, { c: SEAL }, { token: stack().tokens.sealLearner });
    assert.deepEqual(
      own.data!.enterpriseCustomer.dataSharingConsents.nodes.map((n) => n.lmsUserId),
      [3, 3],
    );
  });

  it("keeps a learner's consents private from other learners and other customers' admins", async () => {
    const other = await stack().graphql<ConsentsResult>(
      CONSENTS,
      { customer: SEAL, id: 4 },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(other.data, { enterpriseCustomer: { learner: null } });
    const foreign = await stack().graphql(CONSENTS, { customer: SEAL, id: 3 }, { token: stack().tokens.foreignAdmin });
    assert.deepEqual(errorCodes(foreign), ['FORBIDDEN']);
  });
});

describeEachDialect('customers: invite keys', (stack) => {
  // After every test (parallel requests included): stored aggregates equal their recomputation.
  afterEach(() => assertAggregatesConsistent(stack()));

  it('lists the demo keys with their usage and validity, newest first', async () => {
    const result = await stack().graphql<{
      enterpriseCustomer: { inviteKeys: { totalCount: number; nodes: unknown[] } };
    }>(KEYS, { customer: SEAL }, { token: stack().tokens.sealAdmin });
    assert.deepEqual(result.data!.enterpriseCustomer.inviteKeys, {
      totalCount: 2,
      nodes: [
        {
          uuid: '5ea17ea0-0000-4000-8000-0000000000c1',
          usageCount: 1,
          usageLimit: 10000,
          isActive: true,
          isValid: true,
        },
        {
          uuid: '5ea17ea0-0000-4000-8000-0000000000c2',
          usageCount: 0,
          usageLimit: 50,
          isActive: false,
          isValid: false,
        },
      ],
    });
  });

  it('creates a key with the defaults (10000 uses, 365 days) and lets a learner join through it once', async () => {
    const created = await stack().graphql<{
      createInviteKey: {
        inviteKey: {
          uuid: string;
          usageLimit: number;
          usageCount: number;
          isActive: boolean;
          isValid: boolean;
          expirationDate: string;
        };
      };
    }>(
      CREATE_KEY,
      { input: { enterpriseCustomerUuid: DEMO.customers.planExample } },
      { token: stack().tokens.planAdmin },
    );
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const key = created.data!.createInviteKey.inviteKey;
    assert.deepEqual([key.usageLimit, key.usageCount, key.isActive, key.isValid], [10000, 0, true, true]);
    const days = (Date.parse(key.expirationDate) - Date.now()) / 86_400_000;
    assert.ok(days > 364.9 && days <= 365, `expires in ${days} days`);

    await stack().graphql('mutation ($i: RegisterLmsUserInput!) { registerLmsUser(input: $i) { lmsUserId } }', {
      i: { lmsUserId: 2001, email: 'joiner@example.com', username: 'joiner' },
    });
    const joiner = await token({ roles: [], userId: 2001, email: 'joiner@example.com' });
    const JOIN =
      'mutation ($i: LinkWithInviteKeyInput!) { linkWithInviteKey(input: $i) { created learner { lmsUserId active linked enterpriseCustomerUuid } } }';
    const joined = await stack().graphql<{ linkWithInviteKey: unknown }>(
      JOIN,
      { i: { inviteKeyUuid: key.uuid } },
      { token: joiner },
    );
    assert.deepEqual(joined.data!.linkWithInviteKey, {
      created: true,
      learner: { lmsUserId: 2001, active: true, linked: true, enterpriseCustomerUuid: DEMO.customers.planExample },
    });
    const again = await stack().graphql<{ linkWithInviteKey: { created: boolean } }>(
      JOIN,
      { i: { inviteKeyUuid: key.uuid } },
      { token: joiner },
    );
    assert.equal(again.data!.linkWithInviteKey.created, false);
    const keys = await stack().graphql<{
      enterpriseCustomer: { inviteKeys: { nodes: { uuid: string; usageCount: number }[] } };
    }>(KEYS, { customer: DEMO.customers.planExample }, { token: stack().tokens.planAdmin });
    assert.equal(
      keys.data!.enterpriseCustomer.inviteKeys.nodes.find((k) => k.uuid === key.uuid)!.usageCount,
      1,
      'usage counted once',
    );

    const DEACTIVATE =
      'mutation ($i: DeactivateInviteKeyInput!) { deactivateInviteKey(input: $i) { inviteKey { isActive isValid } } }';
    const off = await stack().graphql<{ deactivateInviteKey: unknown }>(
      DEACTIVATE,
      { i: { uuid: key.uuid } },
      { token: stack().tokens.planAdmin },
    );
    assert.deepEqual(off.data!.deactivateInviteKey, { inviteKey: { isActive: false, isValid: false } });
    const late = await stack().graphql(
      JOIN,
      { i: { inviteKeyUuid: key.uuid } },
      { token: await token({ roles: [], userId: 4, email: 'alice@sealteamten.example.com' }) },
    );
    assert.deepEqual(errorCodes(late), ['CONFLICT']);
  });

  it('validates usage limit and expiration with BAD_USER_INPUT', async () => {
    const input = { enterpriseCustomerUuid: DEMO.customers.dusenberyDevices };
    for (const extra of [
      { usageLimit: 0 },
      { usageLimit: 1_000_001 },
      { expirationDate: '2020-01-01T00:00:00Z' },
      { expirationDate: '2999-01-01T00:00:00Z' },
    ]) {
      const result = await stack().graphql(
        CREATE_KEY,
        { input: { ...input, ...extra } },
        { token: stack().tokens.dusenberyAdmin },
      );
      assert.deepEqual(errorCodes(result), ['BAD_USER_INPUT'], JSON.stringify(extra));
    }
  });

  it('allows at most 100 keys per customer, even when created concurrently', async () => {
    const customer = DEMO.customers.dusenberyDevices;
    const create = () =>
      stack().graphql(
        CREATE_KEY,
        { input: { enterpriseCustomerUuid: customer, usageLimit: 5 } },
        { token: stack().tokens.dusenberyAdmin },
      );
    const results = await Promise.all(Array.from({ length: 104 }, create));
    const codes = results.map((r) => errorCodes(r)[0] ?? 'OK');
    assert.equal(codes.filter((c) => c === 'OK').length, 100);
    assert.equal(codes.filter((c) => c === 'CONFLICT').length, 4);
    const keys = await stack().graphql<{ enterpriseCustomer: { inviteKeys: { totalCount: number } } }>(
      KEYS,
      { customer, first: 1 },
      { token: stack().tokens.dusenberyAdmin },
    );
    assert.equal(keys.data!.enterpriseCustomer.inviteKeys.totalCount, 100);
  });

  it('keeps invite keys to the customer admins', async () => {
    assert.deepEqual(
      errorCodes(await stack().graphql(KEYS, { customer: SEAL }, { token: stack().tokens.sealLearner })),
      ['FORBIDDEN'],
    );
    assert.deepEqual(
      errorCodes(await stack().graphql(KEYS, { customer: SEAL }, { token: stack().tokens.foreignAdmin })),
      ['FORBIDDEN'],
    );
    assert.deepEqual(
      errorCodes(
        await stack().graphql(
          CREATE_KEY,
          { input: { enterpriseCustomerUuid: SEAL } },
          { token: stack().tokens.foreignAdmin },
        ),
      ),
      ['FORBIDDEN'],
    );
  });
});
