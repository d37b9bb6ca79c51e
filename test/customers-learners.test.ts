import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect, errorCodes, token } from './support/stack.js';

const LEARNER = /* GraphQL */ `
  query ($customer: ID!, $id: Int, $email: String) {
    enterpriseCustomer(uuid: $customer) {
      learner(lmsUserId: $id, email: $email) { id lmsUserId email username active linked enterpriseCustomer { uuid } }
    }
  }
`;

interface LearnerResult {
  enterpriseCustomer: { learner: { lmsUserId: number; email: string; username: string; active: boolean; linked: boolean; enterpriseCustomer: { uuid: string } } | null };
}

describeEachDialect('customers: learner lookup', (stack) => {
  it('finds a demo learner by LMS user id and by email (any case) for the admin', async () => {
    const byId = await stack().graphql<LearnerResult>(LEARNER, { customer: DEMO.customers.sealTeamTen, id: 4 }, { token: stack().tokens.sealAdmin });
    assert.equal(byId.errors, undefined);
    const learner = byId.data!.enterpriseCustomer.learner!;
    assert.deepEqual(
      { lmsUserId: learner.lmsUserId, email: learner.email, active: learner.active, linked: learner.linked, customer: learner.enterpriseCustomer.uuid },
      { lmsUserId: 4, email: 'alice@sealteamten.example.com', active: true, linked: true, customer: DEMO.customers.sealTeamTen },
    );
    const byEmail = await stack().graphql<LearnerResult>(LEARNER, { customer: DEMO.customers.sealTeamTen, email: ' Alice@SealTeamTen.example.com ' }, { token: stack().tokens.sealAdmin });
    assert.equal(byEmail.data!.enterpriseCustomer.learner!.lmsUserId, 4);
  });

  it('answers null for a user who is not a learner of the customer', async () => {
    const other = await stack().graphql<LearnerResult>(LEARNER, { customer: DEMO.customers.sealTeamTen, id: 10 });
    assert.deepEqual(other.data, { enterpriseCustomer: { learner: null } });
  });

  it('shows a learner only its own record', async () => {
    const self = await stack().graphql<LearnerResult>(LEARNER, { customer: DEMO.customers.sealTeamTen, id: DEMO.users.learnerId }, { token: stack().tokens.sealLearner });
    assert.equal(self.data!.enterpriseCustomer.learner!.email, DEMO.users.learnerEmail);
    const other = await stack().graphql<LearnerResult>(LEARNER, { customer: DEMO.customers.sealTeamTen, id: 4 }, { token: stack().tokens.sealLearner });
    assert.deepEqual(other.data, { enterpriseCustomer: { learner: null } });
  });

  it('forbids another customer admin and rejects malformed arguments', async () => {
    const foreign = await stack().graphql(LEARNER, { customer: DEMO.customers.sealTeamTen, id: 4 }, { token: stack().tokens.foreignAdmin });
    assert.deepEqual(errorCodes(foreign), ['FORBIDDEN']);
    const both = await stack().graphql(LEARNER, { customer: DEMO.customers.sealTeamTen, id: 4, email: 'a@b.co' });
    assert.deepEqual(errorCodes(both), ['BAD_USER_INPUT']);
    const bad = await stack().graphql(LEARNER, { customer: DEMO.customers.sealTeamTen, email: 'not-an-email' });
    assert.deepEqual(errorCodes(bad), ['BAD_USER_INPUT']);
  });

  it('lets a service token look learners up', async () => {
    const service = await token({ roles: ['enterprise_openedx_operator:*'], service: 'learner-credit' });
    const result = await stack().graphql<LearnerResult>(LEARNER, { customer: DEMO.customers.policyExample, email: 'gob@bluth.example.com' }, { token: service });
    assert.equal(result.data!.enterpriseCustomer.learner!.lmsUserId, 10);
  });
});
