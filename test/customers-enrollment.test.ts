import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import type { Kysely } from 'kysely';
import { DEMO } from '../lib/demo-ids.js';
import { DEMO_LICENSES } from '../subgraphs/subscriptions/demo/index.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { describeEachDialect, errorCodes, token, type TestStack } from './support/stack.js';

const SEAL = DEMO.customers.sealTeamTen;
const TR = DEMO.content.courseRunKey;
/** The catalog demo's current run of the seed's HarvardX course (in Seal Team Ten's catalogs, not Dusenbery's). */
const FIH = 'course-v1:HarvardX+FIH+1T2026';
const UNKNOWN = 'course-v1:nobody+nothing+1T2020';

const ENROLL = /* GraphQL */ `
  mutation ($input: EnrollLearnersInput!) {
    enrollLearners(input: $input) {
      successes {
        email
        courseRunKey
        reason
      }
      pending {
        email
        courseRunKey
        reason
      }
      failures {
        email
        courseRunKey
        reason
      }
    }
  }
`;
const ENROLLMENTS = /* GraphQL */ `
  query ($c: ID!, $run: String) {
    enterpriseCustomer(uuid: $c) {
      enrollments(courseRunKey: $run, first: 500) {
        totalCount
        nodes {
          id
          courseRunKey
          source
          savedForLater
          unenrolled
          learner {
            email
          }
          fulfillment {
            fulfillmentType
            licenseUuid
            transactionUuid
            isRevoked
          }
        }
      }
    }
  }
`;

interface Entry {
  email: string;
  courseRunKey: string;
  reason: string | null;
}
interface EnrollResult {
  enrollLearners: { successes: Entry[]; pending: Entry[]; failures: Entry[] };
}
interface EnrollmentsResult {
  enterpriseCustomer: {
    enrollments: {
      totalCount: number;
      nodes: {
        id: string;
        courseRunKey: string;
        source: string;
        savedForLater: boolean;
        unenrolled: boolean | null;
        learner: { email: string };
        fulfillment: {
          fulfillmentType: string;
          licenseUuid: string | null;
          transactionUuid: string | null;
          isRevoked: boolean;
        } | null;
      }[];
    };
  };
}

async function enroll(stack: TestStack, input: Record<string, unknown>, tokenValue?: string) {
  const result = await stack.graphql<EnrollResult>(ENROLL, { input }, tokenValue ? { token: tokenValue } : {});
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.enrollLearners;
}

async function enrollments(stack: TestStack, customer: string, run?: string) {
  const result = await stack.graphql<EnrollmentsResult>(ENROLLMENTS, { c: customer, run });
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.enterpriseCustomer.enrollments;
}

async function rowCounts(stack: TestStack) {
  const db = stack.subgraphs.customers.app.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const count = async (table: string) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    );
  return {
    enrollments: await count('enterprise_course_enrollment'),
    pending: await count('pending_enrollment'),
    progress: await count('learner_progress'),
    outbox: await count('customers_outbox'),
  };
}

const byPair = (entries: Entry[]) => entries.map((e) => `${e.email} ${e.courseRunKey}: ${e.reason}`).sort();

describeEachDialect('customers: bulk enrollment', (stack) => {
  // After every enrollment (pending ones applied at registration included): stored counts hold.
  afterEach(() => assertAggregatesConsistent(stack()));

  it('reports every (email, run) pair as a success, a pending enrollment or a failure with its reason', async () => {
    const before = await rowCounts(stack());
    const result = await enroll(
      stack(),
      {
        enterpriseCustomerUuid: SEAL,
        emails: ['Alice@SealTeamTen.example.com', 'newbie@example.com', 'not an email'],
        courseRunKeys: [TR, FIH, UNKNOWN],
        notify: true,
      },
      stack().tokens.sealAdmin,
    );
    assert.deepEqual(byPair(result.successes), [
      `alice@sealteamten.example.com ${FIH}: enrolled`,
      `alice@sealteamten.example.com ${TR}: already enrolled`,
    ]);
    assert.deepEqual(byPair(result.pending), [
      `newbie@example.com ${FIH}: no LMS account yet: enrolled when the learner registers`,
      `newbie@example.com ${TR}: no LMS account yet: enrolled when the learner registers`,
    ]);
    assert.deepEqual(byPair(result.failures), [
      `alice@sealteamten.example.com ${UNKNOWN}: course run not found`,
      `newbie@example.com ${UNKNOWN}: course run not found`,
      `not an email ${FIH}: invalid email address`,
      `not an email ${TR}: invalid email address`,
      `not an email ${UNKNOWN}: invalid email address`,
    ]);
    const after = await rowCounts(stack());
    assert.deepEqual(
      {
        enrollments: after.enrollments - before.enrollments,
        pending: after.pending - before.pending,
        progress: after.progress - before.progress,
        outbox: after.outbox - before.outbox,
      },
      // One enrollment (with its progress row, its created event and its notification), two pending enrollments.
      { enrollments: 1, pending: 2, progress: 1, outbox: 2 },
    );
  });

  it('gives a new enrollment its learner-progress row at once', async () => {
    const result = await stack().graphql<{
      enterpriseCustomer: {
        learnerProgress: {
          nodes: {
            courserunKey: string;
            courseKey: string;
            courseTitle: string;
            progressStatus: string;
            enrollmentDate: string;
            lastActivityDate: string;
            coursePacingType: string | null;
            courseListPriceCents: number | null;
          }[];
        };
      };
    }>(
      `query ($c: ID!) { enterpriseCustomer(uuid: $c) { learnerProgress(filter: { search: "alice@" }) { nodes { courserunKey courseKey courseTitle progressStatus enrollmentDate lastActivityDate coursePacingType courseListPriceCents } } } }`,
      { c: SEAL },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const today = new Date().toISOString().slice(0, 10);
    // The newest activity first: the enrollment made in the previous test, with the catalog's run details.
    assert.deepEqual(result.data!.enterpriseCustomer.learnerProgress.nodes[0], {
      courserunKey: FIH,
      courseKey: 'HarvardX+FIH',
      courseTitle: 'Harvard VPAL FinTech online short course',
      progressStatus: 'IN_PROGRESS',
      enrollmentDate: today,
      lastActivityDate: today,
      coursePacingType: 'instructor_paced',
      courseListPriceCents: 279500,
    });
  });

  it('is idempotent: repeating a call enrolls nobody twice', async () => {
    const before = await rowCounts(stack());
    const again = await enroll(stack(), {
      enterpriseCustomerUuid: SEAL,
      emails: ['alice@sealteamten.example.com', 'newbie@example.com'],
      courseRunKeys: [TR, FIH],
    });
    assert.deepEqual(byPair(again.successes), [
      `alice@sealteamten.example.com ${FIH}: already enrolled`,
      `alice@sealteamten.example.com ${TR}: already enrolled`,
    ]);
    assert.equal(again.pending.length, 2);
    assert.deepEqual(await rowCounts(stack()), before);
  });

  it("fails runs that are in none of the customer's catalogs", async () => {
    const result = await enroll(
      stack(),
      {
        enterpriseCustomerUuid: DEMO.customers.dusenberyDevices,
        emails: ['learner@dusenbery.example.com'],
        courseRunKeys: [TR, FIH],
      },
      stack().tokens.dusenberyAdmin,
    );
    assert.deepEqual(byPair(result.successes), [`learner@dusenbery.example.com ${TR}: already enrolled`]);
    assert.deepEqual(byPair(result.failures), [
      `learner@dusenbery.example.com ${FIH}: course run is not in any of the customer's catalogs`,
    ]);
  });

  it('applies pending enrollments when the user registers, and links an existing unlinked user it enrolls', async () => {
    const registered = await stack().graphql<{
      registerLmsUser: {
        learners: { enterpriseCustomerUuid: string }[];
        enrollments: { courseRunKey: string; source: string }[];
      };
    }>(
      'mutation ($i: RegisterLmsUserInput!) { registerLmsUser(input: $i) { learners { enterpriseCustomerUuid } enrollments { courseRunKey source } } }',
      { i: { lmsUserId: 3001, email: 'newbie@example.com', username: 'newbie' } },
    );
    assert.equal(registered.errors, undefined, JSON.stringify(registered.errors));
    assert.deepEqual(registered.data!.registerLmsUser.learners, [{ enterpriseCustomerUuid: SEAL }]);
    assert.deepEqual(registered.data!.registerLmsUser.enrollments.map((e) => e.courseRunKey).sort(), [TR, FIH].sort());
    const progress = await stack().graphql<{ enterpriseCustomer: { learnerProgress: { totalCount: number } } }>(
      'query ($c: ID!) { enterpriseCustomer(uuid: $c) { learnerProgress(filter: { search: "newbie" }) { totalCount } } }',
      { c: SEAL },
    );
    assert.equal(progress.data!.enterpriseCustomer.learnerProgress.totalCount, 2);

    // Gob (Bluth) is enrolled by Seal Team Ten: linked there, which becomes his active customer.
    const gob = await enroll(stack(), {
      enterpriseCustomerUuid: SEAL,
      emails: ['gob@bluth.example.com'],
      courseRunKeys: [FIH],
    });
    assert.equal(gob.successes.length, 1);
    const learner = await stack().graphql<{ enterpriseCustomer: { learner: { lmsUserId: number; active: boolean } } }>(
      'query ($c: ID!) { enterpriseCustomer(uuid: $c) { learner(email: "gob@bluth.example.com") { lmsUserId active } } }',
      { c: SEAL },
    );
    assert.deepEqual(learner.data!.enterpriseCustomer.learner, { lmsUserId: 10, active: true });
  });

  it("hides an unlinked learner's enrollments and progress rows", async () => {
    await stack().graphql('mutation ($i: RegisterLmsUserInput!) { registerLmsUser(input: $i) { lmsUserId } }', {
      i: { lmsUserId: 3003, email: 'shortstay@example.com', username: 'shortstay' },
    });
    await enroll(stack(), { enterpriseCustomerUuid: SEAL, emails: ['shortstay@example.com'], courseRunKeys: [TR] });
    const PROGRESS =
      'query ($c: ID!) { enterpriseCustomer(uuid: $c) { learnerProgress(filter: { search: "shortstay" }) { totalCount } } }';
    const count = async () =>
      (
        await stack().graphql<{ enterpriseCustomer: { learnerProgress: { totalCount: number } } }>(PROGRESS, {
          c: SEAL,
        })
      ).data!.enterpriseCustomer.learnerProgress.totalCount;
    const mine = async () =>
      (await enrollments(stack(), SEAL, TR)).nodes.filter((n) => n.learner.email === 'shortstay@example.com').length;
    assert.deepEqual([await count(), await mine()], [1, 1]);
    await stack().graphql('mutation ($i: UnlinkLearnersInput!) { unlinkLearners(input: $i) { notFound } }', {
      i: { enterpriseCustomerUuid: SEAL, emails: ['shortstay@example.com'] },
    });
    assert.deepEqual([await count(), await mine()], [0, 0]);
  });

  it('records the fulfillment, and unenrolling revokes it', async () => {
    await stack().graphql('mutation ($i: RegisterLmsUserInput!) { registerLmsUser(input: $i) { lmsUserId } }', {
      i: { lmsUserId: 3002, email: 'licensed@example.com', username: 'licensed' },
    });
    // A real license of the customer: fulfillments are checked with the subscriptions subgraph.
    const license = DEMO_LICENSES.peterInitech;
    const service = await token({ roles: ['enterprise_openedx_operator:*'], service: 'subscriptions' });
    const result = await enroll(
      stack(),
      {
        enterpriseCustomerUuid: DEMO.customers.planExample,
        emails: ['licensed@example.com'],
        courseRunKeys: [TR],
        fulfillments: [{ email: 'licensed@example.com', fulfillmentType: 'LICENSE', licenseUuid: license }],
      },
      service,
    );
    assert.equal(result.successes.length, 1);
    const [enrollment] = (await enrollments(stack(), DEMO.customers.planExample, TR)).nodes.filter(
      (n) => n.learner.email === 'licensed@example.com',
    );
    assert.deepEqual(
      { source: enrollment!.source, fulfillment: enrollment!.fulfillment },
      {
        source: 'enrollment_task',
        fulfillment: { fulfillmentType: 'LICENSE', licenseUuid: license, transactionUuid: null, isRevoked: false },
      },
    );

    const UNENROLL =
      'mutation ($i: UnenrollInput!) { unenroll(input: $i) { enrollment { savedForLater unenrolled fulfillment { isRevoked } } } }';
    const other = await stack().graphql(
      UNENROLL,
      { i: { enrollmentId: enrollment!.id } },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(errorCodes(other), ['FORBIDDEN']);
    const own = await token({
      roles: [`enterprise_learner:${DEMO.customers.planExample}`],
      userId: 3002,
      email: 'licensed@example.com',
    });
    const done = await stack().graphql<{ unenroll: unknown }>(
      UNENROLL,
      { i: { enrollmentId: enrollment!.id } },
      { token: own },
    );
    assert.deepEqual(done.data!.unenroll, {
      enrollment: { savedForLater: true, unenrolled: true, fulfillment: { isRevoked: true } },
    });
  });

  it('rejects more than 1000 pairs, malformed input and other customers, writing nothing', async () => {
    const before = await rowCounts(stack());
    const emails = Array.from({ length: 501 }, (_, i) => `bulk${i}@example.com`);
    const tooMany = await stack().graphql(ENROLL, {
      input: { enterpriseCustomerUuid: SEAL, emails, courseRunKeys: [TR, FIH] },
    });
    assert.deepEqual(errorCodes(tooMany), ['BAD_USER_INPUT']);
    const pairs1001 = await stack().graphql(ENROLL, {
      input: {
        enterpriseCustomerUuid: SEAL,
        emails: [...emails, ...emails.map((e) => `x${e}`)].slice(0, 1001),
        courseRunKeys: [TR],
      },
    });
    assert.deepEqual(errorCodes(pairs1001), ['BAD_USER_INPUT']);
    const badUuid = await stack().graphql(ENROLL, {
      input: { enterpriseCustomerUuid: 'nope', emails: ['a@example.com'], courseRunKeys: [TR] },
    });
    assert.deepEqual(errorCodes(badUuid), ['BAD_USER_INPUT']);
    const badFulfillment = await stack().graphql(ENROLL, {
      input: {
        enterpriseCustomerUuid: SEAL,
        emails: ['a@example.com'],
        courseRunKeys: [TR],
        fulfillments: [{ email: 'a@example.com', fulfillmentType: 'LICENSE' }],
      },
    });
    assert.deepEqual(errorCodes(badFulfillment), ['BAD_USER_INPUT']);
    for (const t of [stack().tokens.foreignAdmin, stack().tokens.sealLearner]) {
      const denied = await stack().graphql(
        ENROLL,
        { input: { enterpriseCustomerUuid: SEAL, emails: ['a@example.com'], courseRunKeys: [TR] } },
        { token: t },
      );
      assert.deepEqual(errorCodes(denied), ['FORBIDDEN']);
    }
    assert.deepEqual(await rowCounts(stack()), before);
  });

  it('accepts exactly 1000 pairs in one call', async () => {
    const emails = Array.from({ length: 500 }, (_, i) => `thousand${i}@example.com`);
    const result = await enroll(stack(), { enterpriseCustomerUuid: SEAL, emails, courseRunKeys: [TR, FIH] });
    assert.equal(result.pending.length, 1000);
  });
});

describeEachDialect('customers: concurrent linking and enrollment', (stack) => {
  // After every test (parallel requests included): stored aggregates equal their recomputation.
  afterEach(() => assertAggregatesConsistent(stack()));

  it('enrolls a learner once when the same enrollment arrives in parallel', async () => {
    const before = (await enrollments(stack(), SEAL, FIH)).totalCount;
    const calls = Array.from({ length: 6 }, () =>
      enroll(stack(), {
        enterpriseCustomerUuid: SEAL,
        emails: ['bob@sealteamten.example.com', 'race.pending@example.com'],
        courseRunKeys: [FIH, TR],
      }),
    );
    const results = await Promise.all(calls);
    for (const r of results) {
      assert.deepEqual(
        [r.successes.length, r.pending.length, r.failures.length],
        [2, 2, 0],
        JSON.stringify(r.failures),
      );
    }
    assert.equal(
      (await enrollments(stack(), SEAL, FIH)).totalCount,
      before,
      'bob was already enrolled in the current FinTech run',
    );
    assert.equal(
      results.flatMap((r) => r.successes).filter((s) => s.reason === 'enrolled').length,
      1,
      'exactly one call enrolled bob in Trench Run',
    );
  });

  it('keeps one active customer when a new user is linked to two customers in parallel', async () => {
    await stack().graphql('mutation ($i: RegisterLmsUserInput!) { registerLmsUser(input: $i) { lmsUserId } }', {
      i: { lmsUserId: 4001, email: 'racer@example.com', username: 'racer' },
    });
    const LINK = 'mutation ($i: LinkLearnersInput!) { linkLearners(input: $i) { linked { id } } }';
    const results = await Promise.all(
      [SEAL, DEMO.customers.planExample, DEMO.customers.policyExample].map((c) =>
        stack().graphql(LINK, { i: { enterpriseCustomerUuid: c, emails: ['racer@example.com'] } }),
      ),
    );
    for (const r of results) assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const me = await stack().graphql<{ me: { enterpriseCustomers: unknown[]; activeEnterpriseCustomer: unknown } }>(
      '{ me { enterpriseCustomers { uuid } activeEnterpriseCustomer { uuid } } }',
      {},
      { token: await token({ roles: [], userId: 4001, email: 'racer@example.com' }) },
    );
    assert.equal(me.data!.me.enterpriseCustomers.length, 3);
    const actives = await Promise.all(
      [SEAL, DEMO.customers.planExample, DEMO.customers.policyExample].map(async (c) => {
        const r = await stack().graphql<{ enterpriseCustomer: { learners: { nodes: { active: boolean }[] } } }>(
          'query ($c: ID!) { enterpriseCustomer(uuid: $c) { learners(search: "racer@") { nodes { active } } } }',
          { c },
        );
        return r.data!.enterpriseCustomer.learners.nodes[0]!.active;
      }),
    );
    assert.equal(actives.filter(Boolean).length, 1);
  });
});

describeEachDialect('customers: bulk enrollment cost', (stack) => {
  it('costs the same number of statements for two learners as for three', async () => {
    const cost = (emails: string[]) =>
      stack().countStatements('customers', async () => {
        const result = await enroll(stack(), { enterpriseCustomerUuid: SEAL, emails, courseRunKeys: [FIH] });
        assert.equal(result.successes.filter((s) => s.reason === 'enrolled').length, emails.length);
      });
    const two = await cost(['admin@sealteamten.example.com', 'seal_ten_alpha@example.com']);
    const three = await cost(['qwe@asd.com', 'alice@sealteamten.example.com', 'learner@sealteamten.example.com']);
    assert.equal(three, two);
  });
});
