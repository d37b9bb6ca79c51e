import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { listen } from '../lib/server/http.js';
import { createSubgraphApp } from '../lib/server/subgraph-server.js';
import { resolveSubgraphUrl, setSubgraphUrls } from '../lib/subgraph-client.js';
import { subscriptionsSubgraph } from '../subgraphs/subscriptions/index.js';
import { MISSING_SUBSCRIPTION, wakeBulkEnrollmentRunners } from '../subgraphs/subscriptions/jobs.js';
import { insertJob } from '../subgraphs/subscriptions/store/index.js';
import { describeEachDialect, errorCodes } from './support/stack.js';
import {
  ENROLL,
  finished,
  jobRow,
  jobRowsCount,
  OTHER_RUN,
  RUN,
  seal,
  subscriptionsDb,
} from './support/subscriptions-fixtures.js';

// Jobs written straight into the table (as a crashed process leaves them) are found by the poll.
process.env.SUBSCRIPTIONS_JOB_POLL_MS = '200';

describeEachDialect('subscriptions: bulk license enrollment jobs', (stack) => {
  const enroll = (input: Record<string, unknown>, tokenValue = stack().tokens.sealAdmin) =>
    stack().graphql<{ bulkLicenseEnrollment: { jobId: string; job: { jobId: string; status: string } } }>(
      ENROLL,
      { input },
      { token: tokenValue },
    );

  it('validates the input and writes no job when it is invalid', async () => {
    const before = await jobRowsCount(stack());
    const bad: Record<string, unknown>[] = [
      { enterpriseCustomerUuid: seal, emails: [], courseRunKeys: [RUN], notify: true },
      { enterpriseCustomerUuid: seal, emails: ['not an email'], courseRunKeys: [RUN], notify: true },
      { enterpriseCustomerUuid: seal, emails: [DEMO.users.learnerEmail], courseRunKeys: [], notify: true },
      { enterpriseCustomerUuid: seal, emails: [DEMO.users.learnerEmail], courseRunKeys: ['  '], notify: true },
      {
        enterpriseCustomerUuid: seal,
        emails: [DEMO.users.learnerEmail],
        courseRunKeys: Array.from({ length: 101 }, (_, i) => `course-v1:x+y+${i}`),
        notify: true,
      },
      {
        enterpriseCustomerUuid: seal,
        emails: Array.from({ length: 501 }, (_, i) => `u${i}@example.com`),
        courseRunKeys: [RUN, OTHER_RUN],
        notify: true,
      },
      { enterpriseCustomerUuid: 'nope', emails: [DEMO.users.learnerEmail], courseRunKeys: [RUN], notify: true },
    ];
    for (const input of bad)
      assert.deepEqual(errorCodes(await enroll(input)), ['BAD_USER_INPUT'], JSON.stringify(input).slice(0, 80));
    // A customer without subscriptions is NOT_FOUND.
    const noPlans = await enroll(
      {
        enterpriseCustomerUuid: DEMO.customers.dusenberyDevices,
        emails: ['a@example.com'],
        courseRunKeys: [RUN],
        notify: true,
      },
      stack().tokens.operator,
    );
    assert.deepEqual(errorCodes(noPlans), ['NOT_FOUND']);
    assert.equal(await jobRowsCount(stack()), before);
    // 1000 pairs exactly is allowed (500 emails, duplicates by case collapse, x 2 runs).
    const emails = [...Array.from({ length: 500 }, (_, i) => `limit${i}@example.com`), 'LIMIT0@example.com'];
    const atLimit = await enroll({
      enterpriseCustomerUuid: seal,
      emails,
      courseRunKeys: [RUN, OTHER_RUN, RUN],
      notify: false,
    });
    assert.equal(atLimit.errors, undefined, JSON.stringify(atLimit.errors));
    const done = await finished(stack(), atLimit.data!.bulkLicenseEnrollment.jobId);
    assert.deepEqual(
      [done.status, done.failures.length, done.emails.length, done.courseRunKeys],
      ['SUCCEEDED', 1000, 500, [RUN, OTHER_RUN]],
    );
  });

  it('lets only admins of the customer and operators queue jobs, and shows a job to them and its creator only', async () => {
    const before = await jobRowsCount(stack());
    for (const t of [stack().tokens.sealLearner, stack().tokens.foreignAdmin]) {
      assert.deepEqual(
        errorCodes(
          await enroll(
            { enterpriseCustomerUuid: seal, emails: ['x@example.com'], courseRunKeys: [RUN], notify: false },
            t,
          ),
        ),
        ['FORBIDDEN'],
      );
    }
    assert.equal(await jobRowsCount(stack()), before);
    const queued = await enroll(
      { enterpriseCustomerUuid: seal, emails: ['x@example.com'], courseRunKeys: [RUN], notify: false },
      stack().tokens.operator,
    );
    const jobId = queued.data!.bulkLicenseEnrollment.jobId;
    await finished(stack(), jobId);
    const read = (t: string) =>
      stack().graphql<{ bulkEnrollmentJob: { jobId: string } | null }>(
        'query ($id: ID!) { bulkEnrollmentJob(jobId: $id) { jobId } }',
        { id: jobId },
        { token: t },
      );
    assert.deepEqual((await read(stack().tokens.sealAdmin)).data, { bulkEnrollmentJob: { jobId } });
    assert.deepEqual(errorCodes(await read(stack().tokens.foreignAdmin)), ['FORBIDDEN']);
    assert.deepEqual(errorCodes(await read(stack().tokens.sealLearner)), ['FORBIDDEN']);
    const unknown = await stack().graphql(
      'query { bulkEnrollmentJob(jobId: "00000000-0000-4000-8000-000000000000") { jobId } }',
    );
    assert.deepEqual(unknown.data, { bulkEnrollmentJob: null });
  });

  it('retries a job whose dependency is down, and marks it FAILED with the error after its last attempt', async () => {
    const catalogUrl = resolveSubgraphUrl('catalog');
    setSubgraphUrls({ catalog: 'http://127.0.0.1:9/graphql' });
    try {
      const db = subscriptionsDb(stack());
      const retried = jobRow({ emails: [DEMO.users.learnerEmail], courseRunKeys: [RUN] });
      const lastTry = jobRow({ emails: [DEMO.users.learnerEmail], courseRunKeys: [RUN], attempts: 2 });
      await insertJob(db, retried);
      await insertJob(db, lastTry);
      wakeBulkEnrollmentRunners();
      const failed = await finished(stack(), lastTry.uuid);
      assert.equal(failed.status, 'FAILED');
      assert.match(failed.error!, /catalog subgraph is unreachable/);
      assert.deepEqual([failed.successes, failed.pending, failed.failures], [[], [], []]);
      let row: { status: string; attempts: number; error: string | null } | undefined;
      // Claiming a job marks it RUNNING and counts the attempt at once: wait for the failed attempt
      // to be written back (an error recorded), not just counted.
      for (let i = 0; i < 200 && !(row?.attempts === 1 && row.error !== null); i++) {
        row = await db
          .selectFrom('bulk_enrollment_job')
          .select(['status', 'attempts', 'error'])
          .where('uuid', '=', retried.uuid)
          .executeTakeFirst();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // Back in the queue, with its lease pushed out as the backoff.
      assert.equal(row!.status, 'PENDING');
      assert.equal(row!.attempts, 1);
      assert.match(row!.error!, /unreachable/);
      await db.deleteFrom('bulk_enrollment_job').where('uuid', '=', retried.uuid).execute();
    } finally {
      setSubgraphUrls({ catalog: catalogUrl });
    }
  });

  it('resumes pending and interrupted jobs when the subgraph restarts on the same database', async () => {
    const running = stack().subgraphs.subscriptions;
    const port = running.http.port;
    await running.http.close();
    await running.app.stop();
    // While it is down: a job queued and never started, and one a crashed runner left RUNNING.
    const db = subscriptionsDb(stack());
    const queued = jobRow({ emails: ['nolicense@sealteamten.example.com'], courseRunKeys: [RUN, OTHER_RUN] });
    const interrupted = jobRow({
      emails: ['nolicense2@sealteamten.example.com'],
      courseRunKeys: [RUN],
      status: 'RUNNING',
      attempts: 1,
      lockedUntil: new Date(Date.now() - 1000),
    });
    await insertJob(db, queued);
    await insertJob(db, interrupted);

    const app = await createSubgraphApp(subscriptionsSubgraph, stack().database.db);
    const http = await listen(app.app, port);
    stack().subgraphs.subscriptions = { app: app as never, http };
    const first = await finished(stack(), queued.uuid);
    const second = await finished(stack(), interrupted.uuid);
    assert.equal(first.status, 'SUCCEEDED');
    assert.deepEqual(first.failures.map((f) => f.courseRunKey).sort(), [RUN, OTHER_RUN].sort());
    assert.equal(second.status, 'SUCCEEDED');
    assert.deepEqual(second.failures, [
      { email: 'nolicense2@sealteamten.example.com', courseRunKey: RUN, reason: MISSING_SUBSCRIPTION },
    ]);
  });
});
