import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { describeEachDialect, errorCodes, token, type TestStack } from './support/stack.js';

const ACME = DEMO.customers.summaryExample;
const SEAL = DEMO.customers.sealTeamTen;

const PROGRESS = /* GraphQL */ `
  query ($customer: ID!, $filter: LearnerProgressFilter, $orderBy: LearnerProgressOrder, $first: Int, $after: String) {
    enterpriseCustomer(uuid: $customer) {
      learnerProgress(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          enrollmentId
          enterpriseEnrollmentId
          userEmail
          courseKey
          courserunKey
          courseTitle
          progressStatus
          hasPassed
          currentGrade
          letterGrade
          lastActivityDate
          enrollmentDate
          passedDate
          isConsentGranted
          enterpriseName
          courseEnd
          courseListPrice
          courseListPriceCents
          courseApiUrl
          enterpriseCustomerUuid
          enterpriseUserId
        }
      }
    }
  }
`;

interface Row {
  enrollmentId: number;
  enterpriseEnrollmentId: number;
  userEmail: string;
  courseKey: string;
  courserunKey: string;
  courseTitle: string;
  progressStatus: string;
  hasPassed: boolean;
  lastActivityDate: string | null;
  enrollmentDate: string;
  passedDate: string | null;
  isConsentGranted: boolean;
  enterpriseName: string;
  courseEnd: string;
  courseListPrice: number;
  courseListPriceCents: number;
  courseApiUrl: string;
  enterpriseUserId: number;
  letterGrade: string | null;
}
interface Page {
  enterpriseCustomer: {
    learnerProgress: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Row[] };
  };
}

async function progress(stack: TestStack, variables: Record<string, unknown>, token?: string) {
  const result = await stack.graphql<Page>(PROGRESS, { customer: ACME, ...variables }, token ? { token } : {});
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.enterpriseCustomer.learnerProgress;
}

async function walk(stack: TestStack, variables: Record<string, unknown>, pageSize: number): Promise<Row[]> {
  const rows: Row[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await progress(stack, { ...variables, first: pageSize, after });
    rows.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return rows;
    after = page.pageInfo.endCursor;
  }
}

const isSorted = <T>(values: T[], compare: (a: T, b: T) => number) =>
  values.every((v, i) => i === 0 || compare(values[i - 1]!, v) <= 0);

describeEachDialect('customers: learner progress (learner-summary)', (stack) => {
  // After every write: stored aggregates equal their recomputation from the rows.
  afterEach(() => assertAggregatesConsistent(stack()));

  it('returns one row per enrollment with every learner-summary field, latest activity first', async () => {
    const page = await progress(stack(), {});
    assert.equal(page.totalCount, 5);
    const dates = page.nodes.map((n) => n.lastActivityDate!);
    assert.ok(
      isSorted(dates, (a, b) => b.localeCompare(a)),
      `descending by lastActivityDate: ${dates.join(', ')}`,
    );
    const passed = page.nodes.find((n) => n.userEmail === 'road.runner@acme.example.com' && n.hasPassed)!;
    assert.deepEqual(
      {
        courseKey: passed.courseKey,
        courserunKey: passed.courserunKey,
        progressStatus: passed.progressStatus,
        passedDate: passed.passedDate,
        letterGrade: passed.letterGrade,
        isConsentGranted: passed.isConsentGranted,
        enterpriseName: passed.enterpriseName,
        courseListPrice: passed.courseListPrice,
        courseListPriceCents: passed.courseListPriceCents,
        courseApiUrl: passed.courseApiUrl,
        enterpriseUserId: passed.enterpriseUserId,
      },
      {
        courseKey: 'HarvardX+FIH',
        courserunKey: DEMO.content.harvardRunKey,
        progressStatus: 'PASSED',
        passedDate: '2023-12-15',
        letterGrade: 'A',
        isConsentGranted: true,
        enterpriseName: 'Acme Learning',
        courseListPrice: 149,
        courseListPriceCents: 14900,
        courseApiUrl: `/enterprise/v1/enterprise-catalogs/${ACME}/courses/${DEMO.content.harvardRunKey}`,
        enterpriseUserId: 41,
      },
    );
    const failed = page.nodes.filter((n) => n.progressStatus === 'FAILED');
    assert.deepEqual(
      failed.map((n) => [n.userEmail, n.courserunKey]),
      [['wile.coyote@acme.example.com', 'course-v1:HarvardX+DATA100+1T2024']],
    );
    assert.ok(failed[0]!.courseEnd < new Date().toISOString().slice(0, 10), 'FAILED: the course ended unpassed');
  });

  it('pages through every row with first/after without gaps or duplicates, in every order', async () => {
    const all = (await progress(stack(), { first: 500 })).nodes.map((n) => n.enrollmentId).sort((a, b) => a - b);
    for (const orderBy of [
      undefined,
      { field: 'LAST_ACTIVITY_DATE', direction: 'ASC' },
      { field: 'PASSED_DATE', direction: 'DESC' },
      { field: 'PASSED_DATE', direction: 'ASC' },
      { field: 'USER_EMAIL', direction: 'ASC' },
      { field: 'COURSE_TITLE', direction: 'DESC' },
      { field: 'PROGRESS_STATUS', direction: 'ASC' },
      { field: 'ENROLLMENT_DATE', direction: 'DESC' },
    ]) {
      const rows = await walk(stack(), orderBy ? { orderBy } : {}, 2);
      assert.deepEqual(
        rows.map((r) => r.enrollmentId).sort((a, b) => a - b),
        all,
        JSON.stringify(orderBy),
      );
    }
  });

  it('orders by email, course title, progress status and dates in both directions (nulls lowest)', async () => {
    const byEmail = await walk(stack(), { orderBy: { field: 'USER_EMAIL', direction: 'ASC' } }, 2);
    assert.ok(
      isSorted(
        byEmail.map((r) => r.userEmail),
        (a, b) => a.localeCompare(b),
      ),
    );
    const byStatus = (await progress(stack(), { orderBy: { field: 'PROGRESS_STATUS', direction: 'DESC' } })).nodes.map(
      (r) => r.progressStatus,
    );
    assert.deepEqual(byStatus, ['PASSED', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'FAILED']);
    const byPassed = (await progress(stack(), { orderBy: { field: 'PASSED_DATE', direction: 'DESC' } })).nodes.map(
      (r) => r.passedDate,
    );
    assert.deepEqual(byPassed, ['2023-12-15', null, null, null, null]);
    const byEnrollment = (
      await progress(stack(), { orderBy: { field: 'ENROLLMENT_DATE', direction: 'ASC' } })
    ).nodes.map((r) => r.enrollmentDate);
    assert.deepEqual(byEnrollment, ['2020-02-01', '2023-03-01', '2023-09-05', '2023-10-01', '2023-11-11']);
  });

  it('filters by search, course key, progress status, passing, enrollment dates and learner activity', async () => {
    const emails = async (filter: Record<string, unknown>) =>
      (await progress(stack(), { filter, orderBy: { field: 'ENROLLMENT_DATE', direction: 'ASC' } })).nodes.map(
        (n) => `${n.userEmail.split('@')[0]}:${n.courseKey}`,
      );
    assert.deepEqual(await emails({ search: 'ROAD' }), ['road.runner:HarvardX+FIH', 'road.runner:edx+tr1012']);
    assert.deepEqual(await emails({ search: 'FinTech' }), ['road.runner:HarvardX+FIH', 'elmer.fudd:HarvardX+FIH']);
    assert.deepEqual(await emails({ courseKey: 'edx+tr1012' }), ['wile.coyote:edx+tr1012', 'road.runner:edx+tr1012']);
    assert.deepEqual(await emails({ progressStatus: 'FAILED' }), ['wile.coyote:HarvardX+DATA100']);
    assert.deepEqual(await emails({ progressStatus: 'IN_PROGRESS', courseKey: 'edx+tr1012' }), [
      'wile.coyote:edx+tr1012',
      'road.runner:edx+tr1012',
    ]);
    assert.deepEqual(await emails({ hasPassed: true }), ['road.runner:HarvardX+FIH']);
    assert.deepEqual(await emails({ enrollmentDateFrom: '2023-09-05', enrollmentDateTo: '2023-10-01' }), [
      'road.runner:HarvardX+FIH',
      'road.runner:edx+tr1012',
    ]);
    // Active enrollments only (not passed, not ended), then by last activity: 1, 14 and 35 days ago.
    assert.deepEqual(await emails({ learnerActivity: 'ACTIVE_PAST_WEEK' }), ['wile.coyote:edx+tr1012']);
    assert.deepEqual(await emails({ learnerActivity: 'INACTIVE_PAST_WEEK' }), [
      'road.runner:edx+tr1012',
      'elmer.fudd:HarvardX+FIH',
    ]);
    assert.deepEqual(await emails({ learnerActivity: 'INACTIVE_PAST_MONTH' }), ['road.runner:edx+tr1012']);
  });

  it('rejects malformed filters and page sizes with BAD_USER_INPUT', async () => {
    for (const variables of [
      { filter: { enrollmentDateFrom: '2024-02-30x' } },
      { filter: { enrollmentDateFrom: '2024-05-01', enrollmentDateTo: '2024-01-01' } },
      { first: 501 },
      { after: 'garbage' },
    ]) {
      const result = await stack().graphql(PROGRESS, { customer: ACME, ...variables });
      assert.deepEqual(errorCodes(result), ['BAD_USER_INPUT'], JSON.stringify(variables));
    }
  });

  it('shows a learner only its own rows and forbids another customer', async () => {
    const own = await stack().graphql<Page>(PROGRESS, { customer: SEAL }, { token: stack().tokens.sealLearner });
    assert.equal(own.errors, undefined);
    const rows = own.data!.enterpriseCustomer.learnerProgress.nodes;
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.userEmail === DEMO.users.learnerEmail));
    const admin = await stack().graphql<Page>(PROGRESS, { customer: SEAL }, { token: stack().tokens.sealAdmin });
    assert.equal(admin.data!.enterpriseCustomer.learnerProgress.totalCount, 5);
    const foreign = await stack().graphql(PROGRESS, { customer: SEAL }, { token: stack().tokens.foreignAdmin });
    assert.deepEqual(errorCodes(foreign), ['FORBIDDEN']);
  });

  it('costs a fixed number of statements per page, whatever its size', async () => {
    const count = (first: number) => stack().countStatements('customers', () => progress(stack(), { first }));
    assert.equal(await count(1), await count(5));
  });

  it('lets operators record grades, passing and activity, which the report shows at once', async () => {
    const rows = await progress(stack(), { filter: { search: 'elmer' } });
    const id = String(rows.nodes[0]!.enterpriseEnrollmentId);
    const RECORD =
      'mutation ($i: RecordLearnerProgressInput!) { recordLearnerProgress(input: $i) { row { enterpriseEnrollmentId progressStatus hasPassed passedDate currentGrade letterGrade lastActivityDate } } }';
    const today = new Date().toISOString().slice(0, 10);
    const passed = await stack().graphql<{ recordLearnerProgress: { row: unknown } }>(RECORD, {
      i: { enrollmentId: id, currentGrade: 0.81, letterGrade: 'B', hasPassed: true, lastActivityDate: today },
    });
    assert.equal(passed.errors, undefined, JSON.stringify(passed.errors));
    assert.deepEqual(passed.data!.recordLearnerProgress.row, {
      enterpriseEnrollmentId: Number(id),
      progressStatus: 'PASSED',
      hasPassed: true,
      passedDate: today,
      currentGrade: 0.81,
      letterGrade: 'B',
      lastActivityDate: today,
    });
    const first = await progress(stack(), { first: 1 });
    assert.equal(first.nodes[0]!.enterpriseEnrollmentId, Number(id), 'the freshest activity comes first');
    assert.deepEqual(errorCodes(await stack().graphql(RECORD, { i: { enrollmentId: id, hasPassed: false } })), [
      'CONFLICT',
    ]);
    assert.deepEqual(errorCodes(await stack().graphql(RECORD, { i: { enrollmentId: id, currentGrade: 1.5 } })), [
      'BAD_USER_INPUT',
    ]);
    assert.deepEqual(
      errorCodes(await stack().graphql(RECORD, { i: { enrollmentId: id, lastActivityDate: '2999-01-01' } })),
      ['BAD_USER_INPUT'],
    );
    assert.deepEqual(errorCodes(await stack().graphql(RECORD, { i: { enrollmentId: '999999', currentGrade: 0.5 } })), [
      'NOT_FOUND',
    ]);
    const admin = await token({ roles: [`enterprise_admin:${ACME}`], userId: 950 });
    assert.deepEqual(
      errorCodes(await stack().graphql(RECORD, { i: { enrollmentId: id, currentGrade: 0.5 } }, { token: admin })),
      ['FORBIDDEN'],
    );
  });

  it("lets a learner save its own enrollment for later, and nobody else's", async () => {
    const SAVE =
      'mutation ($i: SetSavedForLaterInput!) { setSavedForLater(input: $i) { enrollment { savedForLater unenrolled } } }';
    const rows = await progress(stack(), { filter: { search: 'wile.coyote', courseKey: 'edx+tr1012' } });
    const id = String(rows.nodes[0]!.enterpriseEnrollmentId);
    const wile = await token({
      roles: [`enterprise_learner:${ACME}`],
      userId: 40,
      email: 'wile.coyote@acme.example.com',
    });
    const saved = await stack().graphql<{ setSavedForLater: unknown }>(
      SAVE,
      { i: { enrollmentId: id, savedForLater: true } },
      { token: wile },
    );
    assert.deepEqual(saved.data!.setSavedForLater, { enrollment: { savedForLater: true, unenrolled: null } });
    const road = await token({
      roles: [`enterprise_learner:${ACME}`],
      userId: 41,
      email: 'road.runner@acme.example.com',
    });
    assert.deepEqual(
      errorCodes(await stack().graphql(SAVE, { i: { enrollmentId: id, savedForLater: false } }, { token: road })),
      ['FORBIDDEN'],
    );
    assert.deepEqual(
      errorCodes(
        await stack().graphql(
          SAVE,
          { i: { enrollmentId: id, savedForLater: false } },
          { token: stack().tokens.foreignAdmin },
        ),
      ),
      ['FORBIDDEN'],
    );
  });
});
