import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect, errorCodes, token } from './support/stack.js';

const LEARNER = /* GraphQL */ `
  query ($customer: ID!, $id: Int, $email: String) {
    enterpriseCustomer(uuid: $customer) {
      learner(lmsUserId: $id, email: $email) {
        id
        lmsUserId
        email
        username
        active
        linked
        enterpriseCustomer {
          uuid
        }
      }
    }
  }
`;

interface LearnerResult {
  enterpriseCustomer: {
    learner: {
      lmsUserId: number;
      email: string;
      username: string;
      active: boolean;
      linked: boolean;
      enterpriseCustomer: { uuid: string };
    } | null;
  };
}

describeEachDialect('customers: learner lookup', (stack) => {
  it('finds a demo learner by LMS user id and by email (any case) for the admin', async () => {
    const byId = await stack().graphql<LearnerResult>(
      LEARNER,
      { customer: DEMO.customers.sealTeamTen, id: 4 },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(byId.errors, undefined);
    const learner = byId.data!.enterpriseCustomer.learner!;
    assert.deepEqual(
      {
        lmsUserId: learner.lmsUserId,
        email: learner.email,
        active: learner.active,
        linked: learner.linked,
        customer: learner.enterpriseCustomer.uuid,
      },
      {
        lmsUserId: 4,
        email: 'alice@sealteamten.example.com',
        active: true,
        linked: true,
        customer: DEMO.customers.sealTeamTen,
      },
    );
    const byEmail = await stack().graphql<LearnerResult>(
      LEARNER,
      { customer: DEMO.customers.sealTeamTen, email: ' Alice@SealTeamTen.example.com ' },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(byEmail.data!.enterpriseCustomer.learner!.lmsUserId, 4);
  });

  it('answers null for a user who is not a learner of the customer', async () => {
    const other = await stack().graphql<LearnerResult>(LEARNER, { customer: DEMO.customers.sealTeamTen, id: 10 });
    assert.deepEqual(other.data, { enterpriseCustomer: { learner: null } });
  });

  it('shows a learner only its own record', async () => {
    const self = await stack().graphql<LearnerResult>(
      LEARNER,
      { customer: DEMO.customers.sealTeamTen, id: DEMO.users.learnerId },
      { token: stack().tokens.sealLearner },
    );
    assert.equal(self.data!.enterpriseCustomer.learner!.email, DEMO.users.learnerEmail);
    const other = await stack().graphql<LearnerResult>(
      LEARNER,
      { customer: DEMO.customers.sealTeamTen, id: 4 },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(other.data, { enterpriseCustomer: { learner: null } });
  });

  it('forbids another customer admin and rejects malformed arguments', async () => {
    const foreign = await stack().graphql(
      LEARNER,
      { customer: DEMO.customers.sealTeamTen, id: 4 },
      { token: stack().tokens.foreignAdmin },
    );
    assert.deepEqual(errorCodes(foreign), ['FORBIDDEN']);
    const both = await stack().graphql(LEARNER, { customer: DEMO.customers.sealTeamTen, id: 4, email: 'a@b.co' });
    assert.deepEqual(errorCodes(both), ['BAD_USER_INPUT']);
    const bad = await stack().graphql(LEARNER, { customer: DEMO.customers.sealTeamTen, email: 'not-an-email' });
    assert.deepEqual(errorCodes(bad), ['BAD_USER_INPUT']);
  });

  it('lets a service token look learners up', async () => {
    const service = await token({ roles: ['enterprise_openedx_operator:*'], service: 'learner-credit' });
    const result = await stack().graphql<LearnerResult>(
      LEARNER,
      { customer: DEMO.customers.policyExample, email: 'gob@bluth.example.com' },
      { token: service },
    );
    assert.equal(result.data!.enterpriseCustomer.learner!.lmsUserId, 10);
  });

  it('shows every contract field of the example customer, branding defaults included', async () => {
    const result = await stack().graphql<{
      seal: Record<string, unknown>;
      acme: { brandingConfiguration: unknown; identityProviders: unknown[]; enforceDataSharingConsent: string };
    }>(
      `query ($seal: ID!, $acme: ID!) {
        seal: enterpriseCustomer(uuid: $seal) {
          uuid name slug active country contactEmail senderAlias replyTo defaultLanguage customerType
          enableDataSharingConsent enforceDataSharingConsent enableLearnerPortal enableUniversalLink enableBrowseAndRequest
          enableAuditEnrollment hideCourseOriginalPrice enablePortalLearnerCreditManagementScreen enablePortalSubscriptionManagementScreen
          brandingConfiguration { logoUrl primaryColor secondaryColor tertiaryColor }
          identityProviders { providerId defaultProvider }
        }
        acme: enterpriseCustomer(uuid: $acme) { enforceDataSharingConsent brandingConfiguration { logoUrl primaryColor secondaryColor tertiaryColor } identityProviders { providerId } }
      }`,
      { seal: DEMO.customers.sealTeamTen, acme: DEMO.customers.summaryExample },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data!.seal, {
      uuid: DEMO.customers.sealTeamTen,
      name: 'Seal Team Ten',
      slug: 'seal-team-ten',
      active: true,
      country: 'US',
      contactEmail: 'admin@sealteamten.example.com',
      senderAlias: 'Seal Team Ten Learning',
      replyTo: 'learning@sealteamten.example.com',
      defaultLanguage: 'en',
      customerType: 'Enterprise',
      enableDataSharingConsent: false,
      enforceDataSharingConsent: 'AT_ENROLLMENT',
      enableLearnerPortal: true,
      enableUniversalLink: true,
      enableBrowseAndRequest: true,
      enableAuditEnrollment: true,
      hideCourseOriginalPrice: false,
      enablePortalLearnerCreditManagementScreen: true,
      enablePortalSubscriptionManagementScreen: true,
      brandingConfiguration: {
        logoUrl: 'https://sealteamten.example.com/static/logo.png',
        primaryColor: '#1B365D',
        secondaryColor: '#FFFFFF',
        tertiaryColor: '#C8102E',
      },
      identityProviders: [
        { providerId: 'seal-team-ten-azure', defaultProvider: false },
        { providerId: 'seal-team-ten-saml', defaultProvider: true },
      ],
    });
    assert.deepEqual(result.data!.acme, {
      enforceDataSharingConsent: 'EXTERNALLY_MANAGED',
      brandingConfiguration: {
        logoUrl: null,
        primaryColor: '#2D494E',
        secondaryColor: '#F2F0EF',
        tertiaryColor: '#D23228',
      },
      identityProviders: [],
    });
  });

  const LEARNERS = `query ($c: ID!, $search: String, $active: Boolean) {
    enterpriseCustomer(uuid: $c) { learners(search: $search, active: $active) { totalCount nodes { lmsUserId email username country dateJoined } } }
  }`;
  interface Learners {
    enterpriseCustomer: {
      learners: {
        totalCount: number;
        nodes: { lmsUserId: number; email: string; username: string; country: string; dateJoined: string }[];
      };
    };
  }

  it('lists linked learners with their LMS account, searchable by email or username', async () => {
    const all = await stack().graphql<Learners>(
      LEARNERS,
      { c: DEMO.customers.sealTeamTen },
      { token: stack().tokens.sealAdmin },
    );
    assert.deepEqual(
      all.data!.enterpriseCustomer.learners.nodes.map((n) => n.lmsUserId),
      [2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(
      all.data!.enterpriseCustomer.learners.nodes.slice(4).map((n) => [n.email, n.username]),
      [
        ['seal_ten_alpha@example.com', 'SealTenAlpha'],
        ['qwe@asd.com', 'QWE'],
      ],
    );
    assert.deepEqual(all.data!.enterpriseCustomer.learners.nodes[2], {
      lmsUserId: 4,
      email: 'alice@sealteamten.example.com',
      username: 'alice',
      country: 'US',
      dateJoined: '2023-01-05T00:00:00.000Z',
    });
    const search = await stack().graphql<Learners>(
      LEARNERS,
      { c: DEMO.customers.sealTeamTen, search: 'BOB' },
      { token: stack().tokens.sealAdmin },
    );
    assert.deepEqual(
      search.data!.enterpriseCustomer.learners.nodes.map((n) => n.email),
      ['bob@sealteamten.example.com'],
    );
    const inactive = await stack().graphql<Learners>(
      LEARNERS,
      { c: DEMO.customers.sealTeamTen, active: false },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(inactive.data!.enterpriseCustomer.learners.totalCount, 0);
  });

  it('gives a learner only its own learner record, enrollments and no pending learners', async () => {
    const mine = await stack().graphql<Learners>(
      LEARNERS,
      { c: DEMO.customers.sealTeamTen },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(
      mine.data!.enterpriseCustomer.learners.nodes.map((n) => n.lmsUserId),
      [DEMO.users.learnerId],
    );
    const ENROLLMENTS =
      'query ($c: ID!) { enterpriseCustomer(uuid: $c) { enrollments { nodes { courseRunKey learner { lmsUserId } } } } }';
    const enrollments = await stack().graphql<{
      enterpriseCustomer: { enrollments: { nodes: { learner: { lmsUserId: number } }[] } };
    }>(ENROLLMENTS, { c: DEMO.customers.sealTeamTen }, { token: stack().tokens.sealLearner });
    const owners = enrollments.data!.enterpriseCustomer.enrollments.nodes.map((n) => n.learner.lmsUserId);
    assert.deepEqual(owners, [DEMO.users.learnerId, DEMO.users.learnerId]);
    const pending = await stack().graphql(
      'query ($c: ID!) { enterpriseCustomer(uuid: $c) { pendingLearners { totalCount } } }',
      { c: DEMO.customers.sealTeamTen },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(errorCodes(pending), ['FORBIDDEN']);
    const foreign = await stack().graphql(
      ENROLLMENTS,
      { c: DEMO.customers.sealTeamTen },
      { token: stack().tokens.foreignAdmin },
    );
    assert.deepEqual(errorCodes(foreign), ['FORBIDDEN']);
  });

  it("shows enrollments with their source, fulfillment and the catalog's course run, filterable by run", async () => {
    const result = await stack().graphql<{ enterpriseCustomer: { enrollments: { nodes: unknown[] } } }>(
      `query ($c: ID!, $run: String) { enterpriseCustomer(uuid: $c) { enrollments(courseRunKey: $run) { nodes {
        courseRunKey courseRun { key title } savedForLater source unenrolled unenrolledAt learner { email }
        fulfillment { fulfillmentType licenseUuid transactionUuid isRevoked }
      } } } }`,
      { c: DEMO.customers.sealTeamTen, run: DEMO.content.courseRunKey },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data!.enterpriseCustomer.enrollments.nodes, [
      {
        courseRunKey: DEMO.content.courseRunKey,
        courseRun: { key: DEMO.content.courseRunKey, title: 'Trench Run 10' },
        savedForLater: false,
        source: 'customer_admin',
        unenrolled: null,
        unenrolledAt: null,
        learner: { email: DEMO.users.learnerEmail },
        fulfillment: null,
      },
      {
        courseRunKey: DEMO.content.courseRunKey,
        courseRun: { key: DEMO.content.courseRunKey, title: 'Trench Run 10' },
        savedForLater: false,
        source: 'enrollment_task',
        unenrolled: null,
        unenrolledAt: null,
        learner: { email: 'alice@sealteamten.example.com' },
        fulfillment: {
          fulfillmentType: 'LICENSE',
          licenseUuid: '5ea17ea0-0000-4000-8000-00000000e001',
          transactionUuid: null,
          isRevoked: false,
        },
      },
    ]);
  });

  it('resolves a page of learners with their enrollments and consents in a fixed number of statements', async () => {
    const query = `query ($c: ID!, $first: Int) { enterpriseCustomer(uuid: $c) { learners(first: $first) { nodes {
      email enterpriseCustomer { name } enrollments { nodes { courseRunKey fulfillment { fulfillmentType } learner { email } } } dataSharingConsents { nodes { courseKey } }
    } } } }`;
    const count = (first: number) =>
      stack().countStatements('customers', async () => {
        const r = await stack().graphql(query, { c: DEMO.customers.sealTeamTen, first });
        assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      });
    assert.equal(await count(2), await count(4));
  });

  it('resolves EnterpriseCustomerUser entities in one statement: a hit, a miss as null, and a foreign admin is refused', async () => {
    const url = `${stack().subgraphs.customers.http.url}/graphql`;
    const ENTITIES =
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on EnterpriseCustomerUser { id email enterpriseCustomerUuid } } }';
    const learners = await stack().graphql<{
      enterpriseCustomer: { learners: { nodes: { id: string; email: string }[] } };
    }>('query ($c: ID!) { enterpriseCustomer(uuid: $c) { learners { nodes { id email } } } }', {
      c: DEMO.customers.sealTeamTen,
    });
    const ids = learners.data!.enterpriseCustomer.learners.nodes.map((n) => n.id);
    const reps = [...ids, '999999'].map((id) => ({ __typename: 'EnterpriseCustomerUser', id }));
    let result!: { data?: { _entities: ({ email: string } | null)[] } | null; errors?: unknown };
    const statements = await stack().countStatements('customers', async () => {
      result = await stack().graphql(ENTITIES, { r: reps }, { url });
    });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(
      result.data!._entities.map((e) => e?.email ?? null),
      [...learners.data!.enterpriseCustomer.learners.nodes.map((n) => n.email), null],
    );
    assert.equal(statements, 1);
    const foreign = await stack().graphql(
      ENTITIES,
      { r: reps.slice(0, 1) },
      { url, token: stack().tokens.foreignAdmin },
    );
    assert.deepEqual(errorCodes(foreign), ['FORBIDDEN']);
  });
});
