import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunCheck, RunInfo } from '../subgraphs/customers/remote.js';
import {
  ENROLLMENT_CHUNK,
  bulkEnrollmentRequest,
  checkFulfillmentReferences,
  consentEnforcement,
  type CustomerSettings,
  pickEnrollmentStatus,
  planActiveLink,
  planCustomerUpdate,
  fulfillmentType,
  planBulkEnrollment,
  planEnrollments,
  planLinks,
} from '../subgraphs/customers/rules/index.js';
import type {
  ConsentEnforcementValue,
  EnterpriseCourseEnrollmentRow,
  EnterpriseCustomerUserRow,
  FulfillmentTypeValue,
  LmsUserRow,
} from '../subgraphs/customers/tables.js';

// The plan steps of linking and enrolling over plain data: no database, no catalog subgraph.

const NOW = new Date('2026-06-01T12:00:00Z');
const run = (key: string): RunInfo => ({
  key,
  title: key,
  courseKey: key.replace('course-v1:', '').replace(/\+[^+]*$/, ''),
  courseTitle: null,
  start: null,
  end: null,
});
const user = (id: number): LmsUserRow => ({
  id,
  email: `u${id}@example.com`,
  username: `u${id}`,
  country: null,
  dateJoined: NOW,
});
const link = (values: Partial<EnterpriseCustomerUserRow>): EnterpriseCustomerUserRow => ({
  id: 1,
  enterpriseCustomerUuid: 'c1',
  lmsUserId: 1,
  active: true,
  linked: true,
  isRelinkable: true,
  inviteKeyUuid: null,
  created: NOW,
  modified: NOW,
  email: 'u1@example.com',
  username: 'u1',
  country: null,
  dateJoined: NOW,
  ...values,
});

describe('customers rules: enum-like columns', () => {
  it('maps every stored value and fails on one it does not know', () => {
    assert.equal(consentEnforcement('at_enrollment'), 'AT_ENROLLMENT');
    assert.equal(consentEnforcement('externally_managed'), 'EXTERNALLY_MANAGED');
    assert.deepEqual((['license', 'learner_credit', 'coupon_code'] as const).map(fulfillmentType), [
      'LICENSE',
      'LEARNER_CREDIT',
      'COUPON_CODE',
    ]);
    // A row written by hand or by a newer version: no silent default.
    assert.throws(
      () => consentEnforcement('data_sharing_consent_required' as ConsentEnforcementValue),
      /Unexpected enforce_data_sharing_consent value/,
    );
    assert.throws(() => fulfillmentType('voucher' as FulfillmentTypeValue), /Unexpected fulfillment_type value/);
  });
});

describe('customers rules: planLinks', () => {
  it('keeps linked links, refuses non-relinkable ones, relinks the rest and creates missing ones', () => {
    const links = [
      link({ id: 11, lmsUserId: 1 }),
      link({ id: 12, lmsUserId: 2, linked: false, isRelinkable: false }),
      link({ id: 13, lmsUserId: 3, linked: false }),
      link({ id: 14, lmsUserId: 4, enterpriseCustomerUuid: 'c2' }),
    ];
    const plan = planLinks('c1', [1, 2, 3, 4].map(user), links, false);
    assert.deepEqual(
      [...plan.decided],
      [
        [1, { learnerId: 11, outcome: 'alreadyLinked' }],
        [2, { learnerId: 12, outcome: 'notRelinkable' }],
      ],
    );
    assert.deepEqual(
      plan.relink.map((l) => l.id),
      [13],
    );
    assert.deepEqual(plan.create, [4]);
  });

  it('with activate, makes an inactive linked link the active one', () => {
    const plan = planLinks('c1', [user(1)], [link({ id: 11, lmsUserId: 1, active: false })], true);
    assert.deepEqual(
      plan.relink.map((l) => l.id),
      [11],
    );
  });
});

describe('customers rules: planEnrollments and planBulkEnrollment', () => {
  const enrollment = (values: Partial<EnterpriseCourseEnrollmentRow>): EnterpriseCourseEnrollmentRow => ({
    id: 100,
    enterpriseCustomerUserId: 1,
    enterpriseCustomerUuid: 'c1',
    courseRunKey: 'course-v1:a+b+1',
    savedForLater: false,
    source: 'customer_admin',
    unenrolled: null,
    unenrolledAt: null,
    mode: 'verified',
    isActive: true,
    created: NOW,
    modified: NOW,
    ...values,
  });

  it('is idempotent per (learner, run) and re-enrolls an unenrolled enrollment', () => {
    const runs = [run('course-v1:a+b+1'), run('course-v1:a+c+1')];
    const plan = planEnrollments(
      [1, 2],
      runs,
      [enrollment({ id: 100 }), enrollment({ id: 101, enterpriseCustomerUserId: 2, unenrolled: true })],
      'customer_admin',
    );
    assert.deepEqual(plan.reenroll, [101]);
    assert.deepEqual(plan.create, [
      { learnerId: 1, courseRunKey: 'course-v1:a+c+1', source: 'customer_admin' },
      { learnerId: 2, courseRunKey: 'course-v1:a+c+1', source: 'customer_admin' },
    ]);
    assert.deepEqual(plan.outcomes.get(1), [
      { courseRunKey: 'course-v1:a+b+1', enrollmentId: 100, reason: 'already enrolled' },
    ]);
    assert.deepEqual(plan.outcomes.get(2), [
      { courseRunKey: 'course-v1:a+b+1', enrollmentId: 101, reason: 're-enrolled' },
    ]);
  });

  it('fails every pair that cannot succeed before any write and orders the rest by LMS user id', () => {
    const { emails, runKeys } = bulkEnrollmentRequest({
      enterpriseCustomerUuid: 'c1',
      emails: ['B@example.com', 'not-an-email', 'a@example.com', 'new@example.com'],
      courseRunKeys: ['r1', 'r2', 'r3'],
    });
    const checks: RunCheck[] = [
      { run: run('r1'), inCustomerCatalog: true },
      { run: null, inCustomerCatalog: false },
      { run: run('r3'), inCustomerCatalog: false },
    ];
    const plan = planBulkEnrollment(
      emails,
      runKeys,
      checks,
      new Map([
        ['b@example.com', 9],
        ['a@example.com', 3],
      ]),
    );
    assert.deepEqual(
      plan.runs.map((r) => r.key),
      ['r1'],
    );
    assert.deepEqual(plan.chunks, [['new@example.com', 'a@example.com', 'b@example.com']]);
    assert.deepEqual(
      plan.failures.filter((f) => f.email === 'not-an-email').map((f) => f.reason),
      ['invalid email address', 'invalid email address', 'invalid email address'],
    );
    assert.deepEqual(
      plan.failures.filter((f) => f.email === 'a@example.com').map((f) => [f.courseRunKey, f.reason]),
      [
        ['r2', 'course run not found'],
        ['r3', "course run is not in any of the customer's catalogs"],
      ],
    );
  });

  it(`writes at most ${ENROLLMENT_CHUNK} learners per transaction`, () => {
    const emails = Array.from({ length: ENROLLMENT_CHUNK + 1 }, (_, i) => `l${i}@example.com`);
    const plan = planBulkEnrollment(emails, ['r1'], [{ run: run('r1'), inCustomerCatalog: true }], new Map());
    assert.deepEqual(
      plan.chunks.map((c) => c.length),
      [ENROLLMENT_CHUNK, 1],
    );
  });
});

describe('customers rules: planActiveLink', () => {
  it('activates the chosen linked link and deactivates every other active one', () => {
    const links = [
      link({ id: 1, enterpriseCustomerUuid: 'c1', active: true }),
      link({ id: 2, enterpriseCustomerUuid: 'c2', active: false }),
      link({ id: 3, enterpriseCustomerUuid: 'c3', active: true }),
    ];
    const plan = planActiveLink('c2', links);
    assert.deepEqual([plan.activate?.id, plan.deactivate], [2, [1, 3]]);
  });
  it('refuses an unlinked or missing link', () => {
    assert.equal(planActiveLink('c2', [link({ id: 2, enterpriseCustomerUuid: 'c2', linked: false })]).activate, null);
    assert.equal(planActiveLink('c9', [link({})]).activate, null);
  });
});

describe('customers rules: planCustomerUpdate', () => {
  const current: CustomerSettings = {
    enableLearnerPortal: true,
    enableDataSharingConsent: true,
    enableAuditEnrollment: false,
    hideCourseOriginalPrice: false,
    enablePortalLearnerCreditManagementScreen: false,
    enablePortalSubscriptionManagementScreen: false,
    enablePortalCodeManagementScreen: false,
    enablePortalReportingConfigScreen: false,
    enablePortalSamlConfigurationScreen: false,
    enablePortalLmsConfigurationsScreen: false,
    enableAnalyticsScreen: false,
    enableUniversalLink: false,
    enableBrowseAndRequest: false,
    enforceDataSharingConsent: 'at_enrollment',
    contactEmail: null,
    replyTo: null,
    senderAlias: null,
    defaultLanguage: null,
    brandingLogoUrl: null,
    brandingPrimaryColor: '#000000',
    brandingSecondaryColor: null,
    brandingTertiaryColor: null,
  };
  it('keeps only what changes, normalized', () => {
    const plan = planCustomerUpdate(current, {
      enableLearnerPortal: true,
      enableAnalyticsScreen: true,
      contactEmail: ' A@B.example.com ',
      brandingConfiguration: { primaryColor: '#abcdef', secondaryColor: null },
      enforceDataSharingConsent: 'EXTERNALLY_MANAGED',
    });
    assert.deepEqual(plan.changes, {
      enableAnalyticsScreen: true,
      contactEmail: 'a@b.example.com',
      brandingPrimaryColor: '#ABCDEF',
      enforceDataSharingConsent: 'externally_managed',
    });
    assert.deepEqual(plan.changed.map((c) => c.field).sort(), [
      'brandingPrimaryColor',
      'contactEmail',
      'enableAnalyticsScreen',
      'enforceDataSharingConsent',
    ]);
  });
  it('refuses bad colors, non-https logos, bad emails and languages, null flags and empty input', () => {
    for (const input of [
      { brandingConfiguration: { primaryColor: '#12345G' } },
      { brandingConfiguration: { logoUrl: 'http://x.example.com/a.png' } },
      { brandingConfiguration: { logoUrl: 'not a url' } },
      { replyTo: 'nope' },
      { defaultLanguage: 'en_US!' },
      { enableLearnerPortal: null },
      { brandingConfiguration: null },
      {},
    ]) {
      assert.throws(
        () => planCustomerUpdate(current, input),
        (e: { extensions?: { code?: string } }) => e.extensions?.code === 'BAD_USER_INPUT',
        JSON.stringify(input),
      );
    }
  });
});

describe('customers rules: checkFulfillmentReferences', () => {
  const owners = {
    licenses: new Map([
      ['l-own', { enterpriseCustomerUuid: 'c1' }],
      ['l-other', { enterpriseCustomerUuid: 'c2' }],
      ['l-none', null],
    ]),
    transactions: new Map([['t-deposit', { enterpriseCustomerUuid: null }]]),
  };
  const code = (licenseUuids: string[], transactionUuids: string[] = []) => {
    try {
      checkFulfillmentReferences('c1', { licenseUuids, transactionUuids }, owners);
      return 'ok';
    } catch (error) {
      return (error as { extensions?: { code?: string } }).extensions?.code;
    }
  };
  it('accepts own references, refuses foreign (FORBIDDEN) and missing or non-redemption ones (BAD_USER_INPUT)', () => {
    assert.equal(code(['l-own']), 'ok');
    assert.equal(code(['l-other']), 'FORBIDDEN');
    assert.equal(code(['l-none']), 'BAD_USER_INPUT');
    assert.equal(code(['l-unknown']), 'BAD_USER_INPUT');
    assert.equal(code([], ['t-deposit']), 'BAD_USER_INPUT');
  });
});

describe('customers rules: pickEnrollmentStatus', () => {
  it('reports the active enrollment first, else the latest', () => {
    const a = { id: 1, isActive: false, modified: new Date('2026-01-01') };
    const b = { id: 2, isActive: false, modified: new Date('2026-02-01') };
    const c = { id: 3, isActive: true, modified: new Date('2025-01-01') };
    assert.equal(pickEnrollmentStatus([a, b, c])?.id, 3);
    assert.equal(pickEnrollmentStatus([a, b])?.id, 2);
    assert.equal(pickEnrollmentStatus([]), null);
  });
});
