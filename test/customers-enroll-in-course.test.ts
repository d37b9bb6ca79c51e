import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { addAssignment, createPolicy, learnerCreditDb } from './support/learner-credit-fixtures.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { describeEachDialect, errorCodes, token, type TestStack } from './support/stack.js';
import { createTestPlan, subscriptionsDb } from './support/subscriptions-fixtures.js';

/** Issue 13 items 3 and 4: enrollInCourse's subsidy order, idempotency, consent; a revoked license moves to audit. */

const SEAL = DEMO.customers.sealTeamTen;
const ENROLL = `mutation ($i: EnrollInCourseInput!) { enrollInCourse(input: $i) { enrollment {
  id courseRunKey mode isActive unenrolled source fulfillment { fulfillmentType licenseUuid transactionUuid isRevoked } } } }`;
const STATUS = 'query ($k: String!) { me { enrollmentStatus(courseRunKey: $k) { isEnrolled mode } } }';
const AGGREGATES = 'query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { aggregates { amountRedeemedUsdCents } } }';
const RUNS = `query ($c: ID!) { enterpriseCatalog(uuid: $c) { contents(contentTypes: [COURSE], first: 100) {
  nodes { ... on Course { advertisedCourseRun { key courseModes { slug } } } } } } }`;

interface Enrollment {
  id: string;
  courseRunKey: string;
  mode: string;
  isActive: boolean;
  unenrolled: boolean | null;
  source: string;
  fulfillment: {
    fulfillmentType: string;
    licenseUuid: string | null;
    transactionUuid: string | null;
    isRevoked: boolean;
  } | null;
}

const learnerToken = (userId: number, email: string) => token({ roles: [`enterprise_learner:${SEAL}`], userId, email });
const adminAsLearner = () => learnerToken(2, 'admin@sealteamten.example.com');
const learner3 = () => learnerToken(3, 'learner@sealteamten.example.com');
const bob = () => learnerToken(5, 'bob@sealteamten.example.com');

async function enroll(stack: TestStack, runKey: string, tokenValue: string, customer: string = SEAL) {
  return stack.graphql<{ enrollInCourse: { enrollment: Enrollment } }>(
    ENROLL,
    { i: { enterpriseCustomerUuid: customer, courseRunKey: runKey } },
    { token: tokenValue },
  );
}

async function enrolled(stack: TestStack, runKey: string, tokenValue: string): Promise<Enrollment> {
  const result = await enroll(stack, runKey, tokenValue);
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.enrollInCourse.enrollment;
}

async function redeemedCents(stack: TestStack, policyUuid: string): Promise<number> {
  const result = await stack.graphql<{ subsidyAccessPolicy: { aggregates: { amountRedeemedUsdCents: number } } }>(
    AGGREGATES,
    { p: policyUuid },
  );
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.subsidyAccessPolicy.aggregates.amountRedeemedUsdCents;
}

async function learnerTransactions(stack: TestStack, lmsUserId: number, contentKey: string): Promise<number> {
  const rows = await learnerCreditDb(stack)
    .selectFrom('ledger_transaction')
    .select('uuid')
    .where('lmsUserId', '=', lmsUserId)
    .where('contentKey', '=', contentKey)
    .execute();
  return rows.length;
}

/** Seal Team Ten's current runs, with and without an audit mode, each test taking its own. */
async function sealRuns(stack: TestStack): Promise<{ audit: string[]; noAudit: string[] }> {
  interface Run {
    key: string;
    courseModes: { slug: string }[];
  }
  const result = await stack.graphql<{
    enterpriseCatalog: { contents: { nodes: { advertisedCourseRun?: Run | null }[] } };
  }>(RUNS, {
    c: DEMO.catalogs.sealTeamTenAll,
  });
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  const runs = result.data!.enterpriseCatalog.contents.nodes.flatMap((n) =>
    n.advertisedCourseRun ? [n.advertisedCourseRun] : [],
  );
  return {
    audit: runs.filter((r) => r.courseModes.some((m) => m.slug === 'audit')).map((r) => r.key),
    noAudit: runs.filter((r) => !r.courseModes.some((m) => m.slug === 'audit')).map((r) => r.key),
  };
}

/** Turns Seal Team Ten's demo policies off (learner 3 then has no redeemable policy) for `work`. */
async function withoutSealPolicies(stack: TestStack, work: () => Promise<void>): Promise<void> {
  const db = learnerCreditDb(stack);
  const active = await db
    .selectFrom('subsidy_access_policy')
    .select('uuid')
    .where('enterpriseCustomerUuid', '=', SEAL)
    .where('active', '=', true)
    .execute();
  const uuids = active.map((p) => p.uuid);
  if (uuids.length)
    await db.updateTable('subsidy_access_policy').set({ active: false }).where('uuid', 'in', uuids).execute();
  try {
    await work();
  } finally {
    if (uuids.length)
      await db.updateTable('subsidy_access_policy').set({ active: true }).where('uuid', 'in', uuids).execute();
  }
}

describeEachDialect('enrollInCourse: self-enrollment with the learner portal subsidy order', (stack) => {
  // After every test (parallel requests included): stored aggregates equal their recomputation.
  afterEach(() => assertAggregatesConsistent(stack()));

  let runs: { audit: string[]; noAudit: string[] };

  it('finds current runs with and without audit in the demo catalog', async () => {
    runs = await sealRuns(stack());
    assert.ok(runs.audit.length >= 6, `audit runs: ${runs.audit.length}`);
    assert.ok(runs.noAudit.length >= 2, `runs without audit: ${runs.noAudit.length}`);
  });

  it('enrolls with an ACTIVATED license; revoking it moves the audit run to audit and ends the other', async () => {
    const plan = await createTestPlan(stack(), {
      holders: [{ email: 'admin@sealteamten.example.com', status: 'ACTIVATED', lmsUserId: 2 }],
    });
    const { uuid: licenseUuid } = await subscriptionsDb(stack())
      .selectFrom('license')
      .select('uuid')
      .where('subscriptionPlanUuid', '=', plan.uuid)
      .where('status', '=', 'ACTIVATED')
      .executeTakeFirstOrThrow();
    const me = await adminAsLearner();
    const withAudit = await enrolled(stack(), runs.audit[0]!, me);
    const withoutAudit = await enrolled(stack(), runs.noAudit[0]!, me);
    for (const e of [withAudit, withoutAudit]) {
      assert.deepEqual(
        { mode: e.mode, isActive: e.isActive, source: e.source, fulfillment: e.fulfillment },
        {
          mode: 'verified',
          isActive: true,
          source: 'enterprise_learner_portal',
          fulfillment: { fulfillmentType: 'LICENSE', licenseUuid, transactionUuid: null, isRevoked: false },
        },
      );
    }

    const revoked = await stack().graphql(
      'mutation ($input: BulkRevokeLicensesInput!) { bulkRevokeLicenses(input: $input) { revokedLicenses { licenseUuid } } }',
      { input: { subscriptionPlanUuid: plan.uuid, userEmails: ['admin@sealteamten.example.com'] } },
    );
    assert.equal(revoked.errors, undefined, JSON.stringify(revoked.errors));
    const ENROLLMENTS = `query ($c: ID!) { enterpriseCustomer(uuid: $c) { enrollments(first: 500) { nodes {
      id mode isActive unenrolled fulfillment { isRevoked } } } } }`;
    type Row = Pick<Enrollment, 'id' | 'mode' | 'isActive' | 'unenrolled'> & {
      fulfillment: { isRevoked: boolean } | null;
    };
    let rows: Row[] = [];
    for (let i = 0; i < 400; i++) {
      const result = await stack().graphql<{ enterpriseCustomer: { enrollments: { nodes: Row[] } } }>(ENROLLMENTS, {
        c: SEAL,
      });
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      rows = result.data!.enterpriseCustomer.enrollments.nodes.filter(
        (n) => n.id === withAudit.id || n.id === withoutAudit.id,
      );
      if (rows.length === 2 && rows.every((r) => r.fulfillment?.isRevoked)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const audit = rows.find((r) => r.id === withAudit.id)!;
    const ended = rows.find((r) => r.id === withoutAudit.id)!;
    assert.deepEqual(audit, {
      id: withAudit.id,
      mode: 'audit',
      isActive: true,
      unenrolled: null,
      fulfillment: { isRevoked: true },
    });
    assert.deepEqual(
      { isActive: ended.isActive, unenrolled: ended.unenrolled, fulfillment: ended.fulfillment },
      { isActive: false, unenrolled: true, fulfillment: { isRevoked: true } },
    );
  });

  it('redeems an ALLOCATED assignment through its policy, charging the allocated price', async () => {
    // Learner 3 holds a demo license, which would come first: its admin revokes it.
    const mine = await stack().graphql<{ myLicenses: { nodes: { subscriptionPlan: { uuid: string } }[] } }>(
      'query { myLicenses { nodes { subscriptionPlan { uuid } } } }',
      {},
      { token: await learner3() },
    );
    assert.equal(mine.errors, undefined, JSON.stringify(mine.errors));
    for (const plan of new Set(mine.data!.myLicenses.nodes.map((l) => l.subscriptionPlan.uuid))) {
      const revoked = await stack().graphql(
        'mutation ($input: BulkRevokeLicensesInput!) { bulkRevokeLicenses(input: $input) { revokedLicenses { licenseUuid } } }',
        { input: { subscriptionPlanUuid: plan, userEmails: ['learner@sealteamten.example.com'] } },
      );
      assert.equal(revoked.errors, undefined, JSON.stringify(revoked.errors));
    }
    const policy = await createPolicy(learnerCreditDb(stack()), {
      customer: SEAL,
      catalog: DEMO.catalogs.sealTeamTenAll,
      policyType: 'AssignedLearnerCreditAccessPolicy',
      balanceCents: 1_000_000,
      spendLimitCents: 1_000_000,
    });
    const run = runs.audit[1]!;
    const price = await stack().graphql<{ courseRun: { canonicalPriceCents: number } }>(
      'query ($k: String!) { courseRun(key: $k) { canonicalPriceCents } }',
      { k: run },
    );
    const priceCents = price.data!.courseRun.canonicalPriceCents;
    const assignmentUuid = await addAssignment(learnerCreditDb(stack()), policy.configurationUuid!, {
      email: 'learner@sealteamten.example.com',
      lmsUserId: 3,
      contentKey: run,
      priceCents,
    });
    const e = await enrolled(stack(), run, await learner3());
    assert.equal(e.mode, 'verified');
    assert.equal(e.fulfillment!.fulfillmentType, 'LEARNER_CREDIT');
    const tx = await learnerCreditDb(stack())
      .selectFrom('ledger_transaction')
      .select(['uuid', 'subsidyAccessPolicyUuid'])
      .where('uuid', '=', e.fulfillment!.transactionUuid!)
      .executeTakeFirstOrThrow();
    assert.equal(tx.subsidyAccessPolicyUuid, policy.policyUuid);
    assert.equal(await redeemedCents(stack(), policy.policyUuid), priceCents);
    const assignment = await learnerCreditDb(stack())
      .selectFrom('learner_content_assignment')
      .select(['state', 'transactionUuid'])
      .where('uuid', '=', assignmentUuid)
      .executeTakeFirstOrThrow();
    assert.deepEqual(assignment, { state: 'ACCEPTED', transactionUuid: tx.uuid });
  });

  it('redeems with a DIRECT policy; a repeat and parallel calls charge once', async () => {
    const me = await bob();
    const run = runs.audit[2]!;
    const e = await enrolled(stack(), run, me);
    assert.equal(e.fulfillment!.fulfillmentType, 'LEARNER_CREDIT');
    const tx = await learnerCreditDb(stack())
      .selectFrom('ledger_transaction as t')
      .innerJoin('subsidy_access_policy as p', 'p.uuid', 't.subsidyAccessPolicyUuid')
      .select(['t.uuid', 'p.accessMethod', 'p.uuid as policyUuid'])
      .where('t.uuid', '=', e.fulfillment!.transactionUuid!)
      .executeTakeFirstOrThrow();
    assert.equal(tx.accessMethod, 'DIRECT');
    const spent = await redeemedCents(stack(), tx.policyUuid);
    assert.ok(spent > 0);

    const again = await enrolled(stack(), run, me);
    assert.deepEqual(again, e);
    assert.equal(await redeemedCents(stack(), tx.policyUuid), spent);
    assert.equal(await learnerTransactions(stack(), 5, run), 1);

    const parallelRun = runs.audit[3]!;
    const results = await Promise.all([
      enroll(stack(), parallelRun, me),
      enroll(stack(), parallelRun, me),
      enroll(stack(), parallelRun, me),
    ]);
    for (const r of results) assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const ids = new Set(results.map((r) => r.data!.enrollInCourse.enrollment.id));
    assert.equal(ids.size, 1);
    assert.equal(await learnerTransactions(stack(), 5, parallelRun), 1);
  });

  it('falls back to audit when no subsidy covers the run, else CONFLICT with the canRedeem reasons', async () => {
    const me = await learner3();
    await withoutSealPolicies(stack(), async () => {
      const e = await enrolled(stack(), runs.audit[4]!, me);
      assert.deepEqual(
        { mode: e.mode, isActive: e.isActive, fulfillment: e.fulfillment },
        { mode: 'audit', isActive: true, fulfillment: null },
      );
      const status = await stack().graphql<{ me: { enrollmentStatus: { isEnrolled: boolean; mode: string } } }>(
        STATUS,
        { k: runs.audit[4] },
        { token: me },
      );
      assert.deepEqual(status.data!.me.enrollmentStatus, { isEnrolled: true, mode: 'audit' });

      const refused = await enroll(stack(), runs.noAudit[1]!, me);
      assert.deepEqual(errorCodes(refused), ['CONFLICT']);
      const none = await stack().graphql<{ me: { enrollmentStatus: { isEnrolled: boolean } } }>(
        STATUS,
        { k: runs.noAudit[1] },
        { token: me },
      );
      assert.equal(none.data!.me.enrollmentStatus.isEnrolled, false);
    });
    // With a policy that cannot redeem (its subsidy holds too little), the reasons come back.
    await withoutSealPolicies(stack(), async () => {
      await createPolicy(learnerCreditDb(stack()), {
        customer: SEAL,
        catalog: DEMO.catalogs.sealTeamTenAll,
        policyType: 'PerLearnerSpendCreditAccessPolicy',
        balanceCents: 1,
        spendLimitCents: 1_000_000,
      });
      const refused = await enroll(stack(), runs.noAudit[1]!, me);
      assert.deepEqual(errorCodes(refused), ['CONFLICT']);
      const reasons = refused.errors![0]!.extensions!.reasons as { code: string }[];
      assert.ok(
        reasons.some((r) => r.code === 'NOT_ENOUGH_VALUE_IN_SUBSIDY'),
        JSON.stringify(reasons),
      );
      assert.match(refused.errors![0]!.message, /NOT_ENOUGH_VALUE_IN_SUBSIDY/);
    });
  });

  it('refuses without data sharing consent when the customer enforces it, writing nothing', async () => {
    const admin = stack().tokens.sealAdmin;
    const set = (enable: boolean) =>
      stack().graphql(
        'mutation ($i: UpdateEnterpriseCustomerInput!) { updateEnterpriseCustomer(input: $i) { enterpriseCustomer { uuid } } }',
        {
          i: {
            enterpriseCustomerUuid: SEAL,
            enableDataSharingConsent: enable,
            enforceDataSharingConsent: 'AT_ENROLLMENT',
          },
        },
        { token: admin },
      );
    assert.equal((await set(true)).errors, undefined);
    try {
      const me = await bob();
      const run = runs.audit[5]!;
      const refused = await enroll(stack(), run, me);
      assert.deepEqual(errorCodes(refused), ['CONFLICT']);
      assert.equal(refused.errors![0]!.extensions!.reason, 'DATA_SHARING_CONSENT_REQUIRED');
      assert.equal(await learnerTransactions(stack(), 5, run), 0);
      const none = await stack().graphql<{ me: { enrollmentStatus: { isEnrolled: boolean } } }>(
        STATUS,
        { k: run },
        { token: me },
      );
      assert.equal(none.data!.me.enrollmentStatus.isEnrolled, false);

      const courseKey = run.slice('course-v1:'.length).split('+').slice(0, 2).join('+');
      const consent = await stack().graphql(
        'mutation ($i: SetDataSharingConsentInput!) { setDataSharingConsent(input: $i) { granted } }',
        { i: { enterpriseCustomerUuid: SEAL, courseKey, granted: true } },
        { token: me },
      );
      assert.equal(consent.errors, undefined, JSON.stringify(consent.errors));
      const e = await enrolled(stack(), run, me);
      assert.equal(e.isActive, true);
    } finally {
      await set(false);
    }
  });

  it('validates its input and refuses other viewers', async () => {
    const me = await bob();
    assert.deepEqual(errorCodes(await enroll(stack(), runs.audit[0]!, me, 'not-a-uuid')), ['BAD_USER_INPUT']);
    assert.deepEqual(errorCodes(await enroll(stack(), 'edx+tr1012', me)), ['BAD_USER_INPUT']);
    assert.deepEqual(errorCodes(await enroll(stack(), runs.audit[0]!, me, DEMO.customers.foreign)), ['FORBIDDEN']);
    const outsider = await token({
      roles: [`enterprise_learner:${DEMO.customers.foreign}`],
      userId: 90,
      email: 'worker@umbrella.example.com',
    });
    assert.deepEqual(errorCodes(await enroll(stack(), runs.audit[0]!, outsider)), ['FORBIDDEN']);
  });
});
