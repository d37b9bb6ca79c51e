import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fulfillmentSpecArg,
  planFulfilledEnrollment,
  revocationArg,
  type FulfillmentSpec,
} from '../subgraphs/customers/rules/index.js';

// enrollWithFulfillment's and revokeFulfillments' decisions over plain data (the outbox relays'
// idempotency rests on them).

const TX = '7a000000-0000-4000-8000-000000000001';
const OTHER_TX = '7a000000-0000-4000-8000-000000000002';
const LICENSE = '4ce00000-0000-4000-8000-000000000001';
const credit: FulfillmentSpec = { fulfillmentType: 'LEARNER_CREDIT', licenseUuid: null, transactionUuid: TX };
const fulfillment = (transactionUuid: string | null, isRevoked: boolean, licenseUuid: string | null = null) => ({
  fulfillmentType: licenseUuid ? ('license' as const) : ('learner_credit' as const),
  licenseUuid,
  transactionUuid,
  isRevoked,
});

describe('customers rules: planFulfilledEnrollment', () => {
  it('creates a missing enrollment', () => {
    assert.equal(planFulfilledEnrollment(undefined, undefined, credit), 'create');
  });
  it('is a repeat when the enrollment already carries this fulfillment, revoked or not', () => {
    assert.equal(planFulfilledEnrollment({ unenrolled: false }, fulfillment(TX, false), credit), 'repeat');
    // A redelivered redemption after its reversal must not revive the enrollment.
    assert.equal(planFulfilledEnrollment({ unenrolled: true }, fulfillment(TX, true), credit), 'repeat');
  });
  it('re-enrolls an ended enrollment, attaches to an unpaid active one, keeps one paid by another live fulfillment', () => {
    assert.equal(planFulfilledEnrollment({ unenrolled: true }, fulfillment(OTHER_TX, true), credit), 'reenroll');
    assert.equal(planFulfilledEnrollment({ unenrolled: null }, undefined, credit), 'attach');
    assert.equal(planFulfilledEnrollment({ unenrolled: false }, fulfillment(OTHER_TX, true), credit), 'attach');
    assert.equal(planFulfilledEnrollment({ unenrolled: false }, fulfillment(null, false, LICENSE), credit), 'keep');
  });
});

describe('customers rules: fulfillment and revocation arguments', () => {
  it('needs exactly the uuid its fulfillment type names', () => {
    assert.deepEqual(fulfillmentSpecArg({ fulfillmentType: 'LICENSE', licenseUuid: LICENSE }), {
      fulfillmentType: 'LICENSE',
      licenseUuid: LICENSE,
      transactionUuid: null,
    });
    for (const bad of [
      { fulfillmentType: 'LICENSE' as const },
      { fulfillmentType: 'LICENSE' as const, licenseUuid: LICENSE, transactionUuid: TX },
      { fulfillmentType: 'LEARNER_CREDIT' as const, licenseUuid: LICENSE },
      { fulfillmentType: 'LEARNER_CREDIT' as const, transactionUuid: 'nope' },
      { fulfillmentType: 'COUPON_CODE' as const },
    ]) {
      assert.throws(
        () => fulfillmentSpecArg(bad),
        (e: Error & { extensions?: { code?: string } }) => e.extensions?.code === 'BAD_USER_INPUT',
        JSON.stringify(bad),
      );
    }
  });
  it('takes exactly one non-empty list of uuids', () => {
    assert.deepEqual(revocationArg({ licenseUuids: [LICENSE] }), { licenseUuids: [LICENSE], transactionUuids: [] });
    for (const bad of [
      {},
      { licenseUuids: [LICENSE], transactionUuids: [TX] },
      { licenseUuids: [] },
      { transactionUuids: ['x'] },
    ]) {
      assert.throws(
        () => revocationArg(bad),
        (e: Error & { extensions?: { code?: string } }) => e.extensions?.code === 'BAD_USER_INPUT',
        JSON.stringify(bad),
      );
    }
  });
});
