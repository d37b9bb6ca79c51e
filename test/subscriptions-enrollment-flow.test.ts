import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { DEMO_PLANS } from '../subgraphs/subscriptions/demo/index.js';
import { MISSING_SUBSCRIPTION } from '../subgraphs/subscriptions/jobs.js';
import { describeEachDialect } from './support/stack.js';
import { ENROLL, finished, OTHER_RUN, RUN, seal, sorted, type Outcome } from './support/subscriptions-fixtures.js';

process.env.SUBSCRIPTIONS_JOB_POLL_MS = '200';

describeEachDialect('subscriptions: bulk license enrollment through the catalog and customers subgraphs', (stack) => {
  const enroll = (input: Record<string, unknown>, tokenValue = stack().tokens.sealAdmin) =>
    stack().graphql<{ bulkLicenseEnrollment: { jobId: string; job: { jobId: string; status: string } } }>(
      ENROLL,
      { input },
      { token: tokenValue },
    );

  it('queues a job that enrolls licensed learners through the customers subgraph and reports successes, pending and failures', async () => {
    const queued = await enroll({
      enterpriseCustomerUuid: seal,
      emails: [
        DEMO.users.learnerEmail,
        'Bob@SealTeamTen.example.com',
        'newhire@sealteamten.example.com',
        'former@sealteamten.example.com',
        'nolicense@sealteamten.example.com',
      ],
      courseRunKeys: [RUN, OTHER_RUN],
      notify: false,
    });
    assert.equal(queued.errors, undefined, JSON.stringify(queued.errors));
    const { jobId, job } = queued.data!.bulkLicenseEnrollment;
    assert.equal(job.jobId, jobId);
    assert.equal(job.status, 'PENDING');
    const done = await finished(stack(), jobId);
    assert.equal(done.status, 'SUCCEEDED');
    assert.equal(done.error, null);
    assert.equal(typeof done.completedAt, 'string');
    const pairs = (o: Outcome[]) => sorted(o).map((x) => [x.email, x.courseRunKey]);
    // Activated (learner) and assigned (bob) licenses in the current plan: enrolled.
    assert.deepEqual(pairs(done.successes), [
      ['bob@sealteamten.example.com', OTHER_RUN],
      ['bob@sealteamten.example.com', RUN],
      [DEMO.users.learnerEmail, OTHER_RUN],
      [DEMO.users.learnerEmail, RUN],
    ]);
    // Assigned but no LMS account yet: pending enrollments.
    assert.deepEqual(pairs(done.pending), [
      ['newhire@sealteamten.example.com', OTHER_RUN],
      ['newhire@sealteamten.example.com', RUN],
    ]);
    // A revoked license and no license at all: missing subscription.
    assert.deepEqual(sorted(done.failures), [
      { email: 'former@sealteamten.example.com', courseRunKey: OTHER_RUN, reason: MISSING_SUBSCRIPTION },
      { email: 'former@sealteamten.example.com', courseRunKey: RUN, reason: MISSING_SUBSCRIPTION },
      { email: 'nolicense@sealteamten.example.com', courseRunKey: OTHER_RUN, reason: MISSING_SUBSCRIPTION },
      { email: 'nolicense@sealteamten.example.com', courseRunKey: RUN, reason: MISSING_SUBSCRIPTION },
    ]);
    // The customers subgraph recorded bob's (new) enrollment as paid by his license; the learner
    // was already enrolled there (a success, nothing changed).
    const bobsLicense = await stack().graphql<{ subscriptionPlan: { licenses: { nodes: { uuid: string }[] } } }>(
      `query ($u: ID!) { subscriptionPlan(uuid: $u) { licenses(search: "bob@", status: [ASSIGNED]) { nodes { uuid } } } }`,
      { u: DEMO_PLANS.sealCurrent },
    );
    const enrollments = await stack().graphql<{
      enterpriseCustomer: {
        enrollments: {
          nodes: {
            source: string;
            learner: { email: string };
            fulfillment: { fulfillmentType: string; licenseUuid: string; isRevoked: boolean } | null;
          }[];
        };
      };
    }>(
      `query ($c: ID!, $run: String!) { enterpriseCustomer(uuid: $c) { enrollments(courseRunKey: $run, first: 100) { nodes { source learner { email } fulfillment { fulfillmentType licenseUuid isRevoked } } } } }`,
      { c: seal, run: OTHER_RUN },
    );
    assert.equal(enrollments.errors, undefined, JSON.stringify(enrollments.errors));
    const bobs = enrollments.data!.enterpriseCustomer.enrollments.nodes.find(
      (n) => n.learner.email === 'bob@sealteamten.example.com',
    );
    assert.deepEqual(bobs, {
      source: 'enrollment_task',
      learner: { email: 'bob@sealteamten.example.com' },
      fulfillment: {
        fulfillmentType: 'LICENSE',
        licenseUuid: bobsLicense.data!.subscriptionPlan.licenses.nodes[0]!.uuid,
        isRevoked: false,
      },
    });
  });

  it('fails the pairs whose run is not in the catalog of any plan the learner holds a license in', async () => {
    const queued = await enroll({
      enterpriseCustomerUuid: seal,
      emails: [DEMO.users.learnerEmail],
      courseRunKeys: ['course-v1:nobody+nothing+2099'],
      notify: true,
    });
    const done = await finished(stack(), queued.data!.bulkLicenseEnrollment.jobId);
    assert.equal(done.status, 'SUCCEEDED');
    assert.deepEqual(done.successes, []);
    assert.deepEqual(done.failures, [
      { email: DEMO.users.learnerEmail, courseRunKey: 'course-v1:nobody+nothing+2099', reason: MISSING_SUBSCRIPTION },
    ]);
  });
});
