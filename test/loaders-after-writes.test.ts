import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { createPolicy, learnerCreditDb } from './support/learner-credit-fixtures.js';
import { describeEachDialect } from './support/stack.js';
import { createTestPlan } from './support/subscriptions-fixtures.js';

/*
 * A DataLoader caches what it read for the whole request. Every mutation runs through
 * lib/mutation.ts's runMutation, which clears the request's loaders after its transaction, so a
 * payload read back through the graph (and the next mutation field of the same operation) shows
 * the rows as they are after the write. Each test runs two mutation fields in one operation: the
 * first fills the loaders, the second must not answer from them. (The catalog has no mutations.)
 */

describeEachDialect('loaders after writes: a payload read through the graph is fresh', (stack) => {
  it('learner credit: the second of two redeem fields reports the policy total with both redemptions', async () => {
    const policy = await createPolicy(learnerCreditDb(stack()), {
      customer: DEMO.customers.sealTeamTen,
      catalog: DEMO.catalogs.sealTeamTenAll,
      policyType: 'PerLearnerSpendCreditAccessPolicy',
      balanceCents: 1_000_000,
      spendLimitCents: 1_000_000,
    });
    const fields = '{ transaction { quantity subsidyAccessPolicy { aggregates { amountRedeemedUsdCents } } } }';
    const result = await stack().graphql<
      Record<
        'a' | 'b',
        { transaction: { quantity: number; subsidyAccessPolicy: { aggregates: { amountRedeemedUsdCents: number } } } }
      >
    >(
      `mutation ($p: ID!) {
        a: redeem(input: { policyUuid: $p, lmsUserId: 4, contentKey: "BerkeleyX+CLOU102" }) ${fields}
        b: redeem(input: { policyUuid: $p, lmsUserId: 4, contentKey: "BerkeleyX+FINA114" }) ${fields}
      }`,
      { p: policy.policyUuid },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.equal(result.data!.a.transaction.quantity, -9900);
    assert.equal(result.data!.a.transaction.subsidyAccessPolicy.aggregates.amountRedeemedUsdCents, 9900);
    assert.equal(result.data!.b.transaction.subsidyAccessPolicy.aggregates.amountRedeemedUsdCents, 19800);
    const fresh = await stack().graphql<{ subsidyAccessPolicy: { aggregates: { amountRedeemedUsdCents: number } } }>(
      'query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { aggregates { amountRedeemedUsdCents } } }',
      { p: policy.policyUuid },
    );
    assert.equal(fresh.data!.subsidyAccessPolicy.aggregates.amountRedeemedUsdCents, 19800);
  });

  it("customers: the second of two setSavedForLater fields reads the learner's enrollments as they are now", async () => {
    const list = await stack().graphql<{ enterpriseCustomer: { enrollments: { nodes: { id: string }[] } } }>(
      'query ($c: ID!) { enterpriseCustomer(uuid: $c) { enrollments(first: 1) { nodes { id } } } }',
      { c: DEMO.customers.sealTeamTen },
    );
    const id = list.data!.enterpriseCustomer.enrollments.nodes[0]!.id;
    const fields = '{ enrollment { id savedForLater learner { enrollments { nodes { id savedForLater } } } } }';
    interface Payload {
      enrollment: {
        id: string;
        savedForLater: boolean;
        learner: { enrollments: { nodes: { id: string; savedForLater: boolean }[] } };
      };
    }
    const result = await stack().graphql<Record<'a' | 'b', Payload>>(
      `mutation ($id: ID!) {
        a: setSavedForLater(input: { enrollmentId: $id, savedForLater: true }) ${fields}
        b: setSavedForLater(input: { enrollmentId: $id, savedForLater: false }) ${fields}
      }`,
      { id },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const savedIn = (payload: Payload) =>
      payload.enrollment.learner.enrollments.nodes.find((e) => e.id === id)?.savedForLater;
    assert.equal(savedIn(result.data!.a), true);
    assert.equal(result.data!.b.enrollment.savedForLater, false);
    assert.equal(savedIn(result.data!.b), false);
  });

  it("subscriptions: the second of two assignLicenses fields reads the plan's counts with both assignments", async () => {
    const plan = await createTestPlan(stack(), { unassigned: 3 });
    const fields =
      '{ licenseAssignments { license { status subscriptionPlan { licenseCounts { assigned unassigned } } } } }';
    interface Payload {
      licenseAssignments: {
        license: { status: string; subscriptionPlan: { licenseCounts: { assigned: number; unassigned: number } } };
      }[];
    }
    const result = await stack().graphql<Record<'a' | 'b', Payload>>(
      `mutation ($p: ID!) {
        a: assignLicenses(input: { subscriptionPlanUuid: $p, userEmails: ["first.fresh@example.com"], notifyUsers: false }) ${fields}
        b: assignLicenses(input: { subscriptionPlanUuid: $p, userEmails: ["second.fresh@example.com"], notifyUsers: false }) ${fields}
      }`,
      { p: plan.uuid },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data!.a.licenseAssignments[0]!.license.subscriptionPlan.licenseCounts, {
      assigned: 1,
      unassigned: 2,
    });
    assert.deepEqual(result.data!.b.licenseAssignments[0]!.license.subscriptionPlan.licenseCounts, {
      assigned: 2,
      unassigned: 1,
    });
  });
});
