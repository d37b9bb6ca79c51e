import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { describeEachDialect, errorCodes, token, type GraphQLResult } from './support/stack.js';
import {
  createTestPlan,
  outboxRows,
  planLicenses,
  subscriptionsDb,
  type TestPlanOptions,
} from './support/subscriptions-fixtures.js';

const ASSIGN = /* GraphQL */ `
  mutation ($input: AssignLicensesInput!) {
    assignLicenses(input: $input) {
      numSuccessfulAssignments
      numAlreadyAssociated
      licenseAssignments {
        userEmail
        licenseUuid
        license {
          uuid
          status
          userEmail
          assignedDate
          lastRemindDate
          activationDate
          subscriptionPlan {
            uuid
          }
        }
      }
    }
  }
`;
const REVOKE = /* GraphQL */ `
  mutation ($input: BulkRevokeLicensesInput!) {
    bulkRevokeLicenses(input: $input) {
      revokedLicenses {
        licenseUuid
        originalStatus
        userEmail
        license {
          uuid
          status
          revokedDate
          userEmail
          lmsUserId
        }
      }
    }
  }
`;
const COUNTS = /* GraphQL */ `
  query ($u: ID!) {
    subscriptionPlan(uuid: $u) {
      licenseCounts {
        activated
        assigned
        unassigned
        revoked
        total
        allocated
      }
      revocations {
        total
        used
        remaining
      }
    }
  }
`;

interface Counts {
  activated: number;
  assigned: number;
  unassigned: number;
  revoked: number;
  total: number;
  allocated: number;
}
interface Assigned {
  assignLicenses: {
    numSuccessfulAssignments: number;
    numAlreadyAssociated: number;
    licenseAssignments: {
      userEmail: string;
      licenseUuid: string;
      license: {
        uuid: string;
        status: string;
        userEmail: string;
        assignedDate: string;
        lastRemindDate: string;
        activationDate: null;
        subscriptionPlan: { uuid: string };
      };
    }[];
  };
}
interface Revoked {
  bulkRevokeLicenses: {
    revokedLicenses: {
      licenseUuid: string;
      originalStatus: string;
      userEmail: string;
      license: { uuid: string; status: string; revokedDate: string; userEmail: string; lmsUserId: number | null };
    }[];
  };
}

/** The named keys of an error's extensions (the gateway adds its own, e.g. serviceName). */
function pick(extensions: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, extensions?.[k]]));
}

describeEachDialect('subscriptions: assigning and revoking licenses', (stack) => {
  // After every test (parallel requests included): stored aggregates equal their recomputation.
  afterEach(() => assertAggregatesConsistent(stack()));

  const admin = () => stack().tokens.sealAdmin;
  const plan = (options: TestPlanOptions) => createTestPlan(stack(), options);
  const counts = async (uuid: string) => {
    const result = await stack().graphql<{
      subscriptionPlan: {
        licenseCounts: Counts;
        revocations: { total: number; used: number; remaining: number } | null;
      };
    }>(COUNTS, { u: uuid });
    assert.equal(result.errors, undefined);
    return result.data!.subscriptionPlan;
  };
  const assign = (input: Record<string, unknown>, tokenValue: string = admin()) =>
    stack().graphql<Assigned>(ASSIGN, { input }, { token: tokenValue });
  const revoke = (input: Record<string, unknown>, tokenValue: string = admin()) =>
    stack().graphql<Revoked>(REVOKE, { input }, { token: tokenValue });
  /** Runs `fn` and asserts that the plan's licenses, its counts and the outbox are exactly as before. */
  const unchanged = async (planUuid: string, fn: () => Promise<void>) => {
    const licensesBefore = await planLicenses(stack(), planUuid);
    const outboxBefore = (await outboxRows(stack())).length;
    const countsBefore = await counts(planUuid);
    await fn();
    assert.deepEqual(await planLicenses(stack(), planUuid), licensesBefore);
    assert.equal((await outboxRows(stack())).length, outboxBefore);
    assert.deepEqual(await counts(planUuid), countsBefore);
  };
  /** Asserts that a mutation fails with `code` and writes nothing. */
  const assertNothingWritten = (planUuid: string, attempt: () => Promise<GraphQLResult<unknown>>, code: string) =>
    unchanged(planUuid, async () => {
      const result = await attempt();
      assert.deepEqual(errorCodes(result), [code], JSON.stringify(result.errors));
    });

  it('assigns one unassigned license per new email, normalizing emails and writing the events in the same transaction', async () => {
    const p = await plan({
      unassigned: 5,
      holders: [{ email: 'kept@example.com', status: 'ACTIVATED', lmsUserId: 70 }],
    });
    const result = await assign({
      subscriptionPlanUuid: p.uuid.toUpperCase(),
      userEmails: ['  New.One@Example.com', 'new.one@example.com', 'two@example.com', 'KEPT@example.com'],
      greeting: 'Hello',
      closing: 'Bye',
    });
    assert.equal(result.errors, undefined);
    const payload = result.data!.assignLicenses;
    assert.equal(payload.numSuccessfulAssignments, 2);
    assert.equal(payload.numAlreadyAssociated, 1);
    assert.deepEqual(
      payload.licenseAssignments.map((a) => a.userEmail),
      ['new.one@example.com', 'two@example.com'],
    );
    for (const a of payload.licenseAssignments) {
      assert.equal(a.licenseUuid, a.license.uuid);
      assert.equal(a.license.status, 'ASSIGNED');
      assert.equal(a.license.userEmail, a.userEmail);
      assert.equal(a.license.assignedDate, a.license.lastRemindDate);
      assert.equal(a.license.activationDate, null);
      assert.equal(a.license.subscriptionPlan.uuid, p.uuid);
    }
    assert.deepEqual((await counts(p.uuid)).licenseCounts, {
      activated: 1,
      assigned: 2,
      unassigned: 3,
      revoked: 0,
      total: 6,
      allocated: 3,
    });
    const events = (await outboxRows(stack())).filter((e) =>
      payload.licenseAssignments.some((a) => e.payload.license_uuid === a.licenseUuid),
    );
    assert.deepEqual(events.map((e) => [e.eventType, e.payload.user_email]).sort(), [
      ['org.openedx.enterprise.learner_link.requested.v1', 'new.one@example.com'],
      ['org.openedx.enterprise.learner_link.requested.v1', 'two@example.com'],
      ['org.openedx.enterprise.subscription_license.assigned.v1', 'new.one@example.com'],
      ['org.openedx.enterprise.subscription_license.assigned.v1', 'two@example.com'],
      ['org.openedx.enterprise.subscription_license.assignment_email.requested.v1', 'new.one@example.com'],
      ['org.openedx.enterprise.subscription_license.assignment_email.requested.v1', 'two@example.com'],
    ]);
    const email = events.find((e) => e.eventType.endsWith('assignment_email.requested.v1'))!;
    assert.equal(email.payload.greeting, 'Hello');
    assert.equal(email.payload.closing, 'Bye');
    assert.equal(email.payload.enterprise_customer_uuid, DEMO.customers.sealTeamTen);
    assert.equal(typeof email.payload.activation_key, 'string');
  });

  it('skips the email only when every email already holds a license, and sends no email when notifyUsers is false', async () => {
    const p = await plan({ unassigned: 2, holders: [{ email: 'a@example.com', status: 'ASSIGNED' }] });
    const none = await assign({ subscriptionPlanUuid: p.uuid, userEmails: ['a@example.com'] });
    assert.deepEqual(none.data!.assignLicenses, {
      numSuccessfulAssignments: 0,
      numAlreadyAssociated: 1,
      licenseAssignments: [],
    });
    const quiet = await assign({ subscriptionPlanUuid: p.uuid, userEmails: ['b@example.com'], notifyUsers: false });
    const uuid = quiet.data!.assignLicenses.licenseAssignments[0]!.licenseUuid;
    const events = (await outboxRows(stack()))
      .filter((e) => e.payload.license_uuid === uuid)
      .map((e) => e.eventType)
      .sort();
    assert.deepEqual(events, [
      'org.openedx.enterprise.learner_link.requested.v1',
      'org.openedx.enterprise.subscription_license.assigned.v1',
    ]);
  });

  it('gives a previously revoked email a fresh license', async () => {
    const p = await plan({ unassigned: 1, holders: [{ email: 'back@example.com', status: 'REVOKED', lmsUserId: 71 }] });
    const result = await assign({ subscriptionPlanUuid: p.uuid, userEmails: ['back@example.com'] });
    assert.equal(result.data!.assignLicenses.numSuccessfulAssignments, 1);
    const rows = (await planLicenses(stack(), p.uuid))
      .filter((l) => l.userEmail === 'back@example.com')
      .map((l) => l.status)
      .sort();
    assert.deepEqual(rows, ['ASSIGNED', 'REVOKED']);
  });

  it('refuses with CONFLICT and assigns nothing when fewer unassigned licenses remain than emails', async () => {
    const p = await plan({ unassigned: 2 });
    await assertNothingWritten(
      p.uuid,
      () =>
        assign({ subscriptionPlanUuid: p.uuid, userEmails: ['x1@example.com', 'x2@example.com', 'x3@example.com'] }),
      'CONFLICT',
    );
    const result = await assign({
      subscriptionPlanUuid: p.uuid,
      userEmails: ['x1@example.com', 'x2@example.com', 'x3@example.com'],
    });
    assert.deepEqual(pick(result.errors![0]!.extensions, ['code', 'requested', 'available']), {
      code: 'CONFLICT',
      requested: 3,
      available: 2,
    });
  });

  it('validates assignLicenses input and writes nothing when it is invalid', async () => {
    const p = await plan({ unassigned: 3 });
    const bad: Record<string, unknown>[] = [
      { subscriptionPlanUuid: p.uuid, userEmails: [] },
      { subscriptionPlanUuid: p.uuid, userEmails: ['ok@example.com', 'not-an-email'] },
      { subscriptionPlanUuid: p.uuid, userEmails: Array.from({ length: 1001 }, (_, i) => `u${i}@example.com`) },
      {
        subscriptionPlanUuid: p.uuid,
        userEmails: ['a@example.com', 'b@example.com'],
        userSfids: ['001OE000001f26OXZP'],
      },
      { subscriptionPlanUuid: p.uuid, userEmails: ['a@example.com'], userSfids: ['short'] },
      { subscriptionPlanUuid: 'not-a-uuid', userEmails: ['a@example.com'] },
      { subscriptionPlanUuid: p.uuid, userEmails: ['a@example.com'], greeting: 'x'.repeat(5001) },
    ];
    for (const input of bad) await assertNothingWritten(p.uuid, () => assign(input), 'BAD_USER_INPUT');
    const missing = await assign({
      subscriptionPlanUuid: '00000000-0000-4000-8000-000000000000',
      userEmails: ['a@example.com'],
    });
    assert.deepEqual(errorCodes(missing), ['NOT_FOUND']);
    // Matching sfids (blank allowed) are accepted and stored with the license.
    const ok = await assign({
      subscriptionPlanUuid: p.uuid,
      userEmails: ['a@example.com', 'b@example.com'],
      userSfids: ['001OE000001f26OXZP', ''],
    });
    assert.equal(ok.data!.assignLicenses.numSuccessfulAssignments, 2);
    const sfids = (await planLicenses(stack(), p.uuid))
      .filter((l) => l.userEmail)
      .map((l) => [l.userEmail, l.userSfid])
      .sort();
    assert.deepEqual(sfids, [
      ['a@example.com', '001OE000001f26OXZP'],
      ['b@example.com', null],
    ]);
  });

  it("lets only admins of the plan's customer and operators assign or revoke", async () => {
    const p = await plan({ unassigned: 3, holders: [{ email: 'held@example.com', status: 'ASSIGNED' }] });
    const learner = stack().tokens.sealLearner;
    const foreign = stack().tokens.foreignAdmin;
    for (const t of [learner, foreign]) {
      await assertNothingWritten(
        p.uuid,
        () => assign({ subscriptionPlanUuid: p.uuid, userEmails: ['z@example.com'] }, t),
        'FORBIDDEN',
      );
      await assertNothingWritten(
        p.uuid,
        () => revoke({ subscriptionPlanUuid: p.uuid, userEmails: ['held@example.com'] }, t),
        'FORBIDDEN',
      );
    }
    const operator = await assign(
      { subscriptionPlanUuid: p.uuid, userEmails: ['z@example.com'] },
      stack().tokens.operator,
    );
    assert.equal(operator.data!.assignLicenses.numSuccessfulAssignments, 1);
  });

  it('revokes assigned and activated licenses, adding one unassigned license for each: total unchanged, allocated down by one each', async () => {
    const p = await plan({
      unassigned: 3,
      holders: [
        { email: 'act@example.com', status: 'ACTIVATED', lmsUserId: 72 },
        { email: 'asg@example.com', status: 'ASSIGNED' },
        { email: 'stay@example.com', status: 'ACTIVATED', lmsUserId: 73 },
      ],
    });
    const before = (await counts(p.uuid)).licenseCounts;
    assert.deepEqual(before, { activated: 2, assigned: 1, unassigned: 3, revoked: 0, total: 6, allocated: 3 });
    const result = await revoke({ subscriptionPlanUuid: p.uuid, userEmails: ['ACT@example.com'] });
    assert.equal(result.errors, undefined);
    const [one] = result.data!.bulkRevokeLicenses.revokedLicenses;
    assert.equal(one!.originalStatus, 'ACTIVATED');
    assert.deepEqual(
      { ...one!.license, revokedDate: typeof one!.license.revokedDate },
      { uuid: one!.licenseUuid, status: 'REVOKED', revokedDate: 'string', userEmail: 'act@example.com', lmsUserId: 72 },
    );
    const afterOne = (await counts(p.uuid)).licenseCounts;
    assert.equal(afterOne.total, before.total);
    assert.equal(afterOne.allocated, before.allocated - 1);
    assert.deepEqual(afterOne, { activated: 1, assigned: 1, unassigned: 4, revoked: 1, total: 6, allocated: 2 });

    const second = await revoke({ subscriptionPlanUuid: p.uuid, userEmails: ['asg@example.com'] });
    assert.equal(second.data!.bulkRevokeLicenses.revokedLicenses[0]!.originalStatus, 'ASSIGNED');
    assert.deepEqual((await counts(p.uuid)).licenseCounts, {
      activated: 1,
      assigned: 0,
      unassigned: 5,
      revoked: 2,
      total: 6,
      allocated: 1,
    });

    const events = (await outboxRows(stack())).filter((e) => e.payload.license_uuid === one!.licenseUuid);
    assert.deepEqual(events.map((e) => e.eventType).sort(), [
      'org.openedx.enterprise.licensed_enterprise_course_enrollment.revoked.v1',
      'org.openedx.enterprise.subscription_license.revoked.v1',
    ]);
    const fulfillment = events.find((e) => e.eventType.includes('licensed_enterprise_course_enrollment'))!.payload;
    assert.equal(fulfillment.fulfillment_type, 'license');
    assert.equal(fulfillment.is_revoked, true);
    assert.equal(fulfillment.lms_user_id, 72);
    // An assigned license paid for nothing: only the revocation event.
    const asgUuid = second.data!.bulkRevokeLicenses.revokedLicenses[0]!.licenseUuid;
    assert.deepEqual(
      (await outboxRows(stack())).filter((e) => e.payload.license_uuid === asgUuid).map((e) => e.eventType),
      ['org.openedx.enterprise.subscription_license.revoked.v1'],
    );
  });

  it('revokes nothing when one email has no assigned or activated license (NOT_FOUND), including an already revoked one', async () => {
    const p = await plan({
      unassigned: 2,
      holders: [
        { email: 'r1@example.com', status: 'ACTIVATED', lmsUserId: 74 },
        { email: 'r2@example.com', status: 'ASSIGNED' },
        { email: 'gone@example.com', status: 'REVOKED', lmsUserId: 75 },
      ],
    });
    await assertNothingWritten(
      p.uuid,
      () =>
        revoke({
          subscriptionPlanUuid: p.uuid,
          userEmails: ['r1@example.com', 'r2@example.com', 'nobody@example.com'],
        }),
      'NOT_FOUND',
    );
    await assertNothingWritten(
      p.uuid,
      () => revoke({ subscriptionPlanUuid: p.uuid, userEmails: ['r1@example.com', 'gone@example.com'] }),
      'NOT_FOUND',
    );
    const result = await revoke({ subscriptionPlanUuid: p.uuid, userEmails: ['r1@example.com', 'nobody@example.com'] });
    assert.deepEqual(pick(result.errors![0]!.extensions, ['code', 'emails']), {
      code: 'NOT_FOUND',
      emails: ['nobody@example.com'],
    });
  });

  it('enforces the revocation cap on activated licenses only, all or nothing', async () => {
    // ceil(20 x 10 / 100) = 2 slots.
    const p = await plan({
      unassigned: 16,
      cap: { percentage: 10 },
      holders: [
        { email: 'c1@example.com', status: 'ACTIVATED', lmsUserId: 80 },
        { email: 'c2@example.com', status: 'ACTIVATED', lmsUserId: 81 },
        { email: 'c3@example.com', status: 'ACTIVATED', lmsUserId: 82 },
        { email: 'c4@example.com', status: 'ASSIGNED' },
      ],
    });
    assert.deepEqual((await counts(p.uuid)).revocations, { total: 2, used: 0, remaining: 2 });
    await assertNothingWritten(
      p.uuid,
      () =>
        revoke({ subscriptionPlanUuid: p.uuid, userEmails: ['c1@example.com', 'c2@example.com', 'c3@example.com'] }),
      'CONFLICT',
    );
    const two = await revoke({ subscriptionPlanUuid: p.uuid, userEmails: ['c1@example.com', 'c2@example.com'] });
    assert.equal(two.errors, undefined);
    assert.deepEqual((await counts(p.uuid)).revocations, { total: 2, used: 2, remaining: 0 });
    // Assigned licenses never use a slot, even with none left.
    const assigned = await revoke({ subscriptionPlanUuid: p.uuid, userEmails: ['c4@example.com'] });
    assert.equal(assigned.errors, undefined);
    assert.deepEqual((await counts(p.uuid)).revocations, { total: 2, used: 2, remaining: 0 });
    await assertNothingWritten(
      p.uuid,
      () => revoke({ subscriptionPlanUuid: p.uuid, userEmails: ['c3@example.com'] }),
      'CONFLICT',
    );
    const refused = await revoke({ subscriptionPlanUuid: p.uuid, userEmails: ['c3@example.com'] });
    assert.deepEqual(pick(refused.errors![0]!.extensions, ['code', 'requested', 'remaining']), {
      code: 'CONFLICT',
      requested: 1,
      remaining: 0,
    });
  });

  it('revokes the licenses matching filters (email substring and statuses), never unassigned or revoked ones', async () => {
    const p = await plan({
      unassigned: 2,
      holders: [
        { email: 'al.one@example.com', status: 'ACTIVATED', lmsUserId: 83 },
        { email: 'al.two@example.com', status: 'ASSIGNED' },
        { email: 'bo@example.com', status: 'ASSIGNED' },
        { email: 'al.gone@example.com', status: 'REVOKED', lmsUserId: 84 },
      ],
    });
    const byStatus = await revoke({
      subscriptionPlanUuid: p.uuid,
      filters: { userEmail: 'AL', statusIn: ['ASSIGNED', 'UNASSIGNED', 'REVOKED'] },
    });
    assert.deepEqual(
      byStatus.data!.bulkRevokeLicenses.revokedLicenses.map((r) => [r.userEmail, r.originalStatus]),
      [['al.two@example.com', 'ASSIGNED']],
    );
    const byEmail = await revoke({ subscriptionPlanUuid: p.uuid, filters: { userEmail: 'al' } });
    assert.deepEqual(
      byEmail.data!.bulkRevokeLicenses.revokedLicenses.map((r) => [r.userEmail, r.originalStatus]),
      [['al.one@example.com', 'ACTIVATED']],
    );
    const nothing = await revoke({ subscriptionPlanUuid: p.uuid, filters: { statusIn: ['UNASSIGNED'] } });
    assert.deepEqual(nothing.data!.bulkRevokeLicenses.revokedLicenses, []);
    assert.deepEqual((await counts(p.uuid)).licenseCounts, {
      activated: 0,
      assigned: 1,
      unassigned: 4,
      revoked: 3,
      total: 5,
      allocated: 1,
    });
  });

  it('validates bulkRevokeLicenses input and writes nothing when it is invalid', async () => {
    const p = await plan({ unassigned: 1, holders: [{ email: 'v@example.com', status: 'ASSIGNED' }] });
    const bad: Record<string, unknown>[] = [
      { subscriptionPlanUuid: p.uuid },
      { subscriptionPlanUuid: p.uuid, userEmails: ['v@example.com'], filters: { userEmail: 'v' } },
      { subscriptionPlanUuid: p.uuid, userEmails: [] },
      { subscriptionPlanUuid: p.uuid, userEmails: ['v@example.com', 'bad email'] },
      { subscriptionPlanUuid: p.uuid, filters: {} },
      { subscriptionPlanUuid: p.uuid, filters: { statusIn: [] } },
      { subscriptionPlanUuid: 'nope', userEmails: ['v@example.com'] },
    ];
    for (const input of bad) await assertNothingWritten(p.uuid, () => revoke(input), 'BAD_USER_INPUT');
    const missing = await revoke({
      subscriptionPlanUuid: '00000000-0000-4000-8000-000000000000',
      userEmails: ['v@example.com'],
    });
    assert.deepEqual(errorCodes(missing), ['NOT_FOUND']);
  });

  it('lets the learner activate its assigned license once, with its LMS user id, and refuses revoked, foreign and expired ones', async () => {
    const ACTIVATE =
      'mutation ($key: ID!) { activateLicense(input: { activationKey: $key }) { license { uuid status lmsUserId userEmail activationDate } } }';
    interface Activated {
      activateLicense: {
        license: {
          uuid: string;
          status: string;
          lmsUserId: number | null;
          userEmail: string;
          activationDate: string | null;
        };
      };
    }
    const p = await plan({
      unassigned: 1,
      holders: [
        { email: 'act.me@example.com', status: 'ASSIGNED' },
        { email: 'was@example.com', status: 'REVOKED' },
      ],
    });
    const rows = await planLicenses(stack(), p.uuid);
    const mine = rows.find((l) => l.userEmail === 'act.me@example.com')!;
    const revoked = rows.find((l) => l.userEmail === 'was@example.com')!;
    const learner = await token({
      roles: [`enterprise_learner:${DEMO.customers.sealTeamTen}`],
      userId: 77,
      email: 'Act.Me@example.com',
    });
    const other = await token({
      roles: [`enterprise_learner:${DEMO.customers.sealTeamTen}`],
      userId: 78,
      email: 'other@example.com',
    });
    const activate = (key: string, t: string) => stack().graphql<Activated>(ACTIVATE, { key }, { token: t });

    await assertNothingWritten(p.uuid, () => activate(mine.activationKey!, other), 'NOT_FOUND');
    await assertNothingWritten(p.uuid, () => activate('not-a-key', learner), 'BAD_USER_INPUT');
    const first = await activate(mine.activationKey!.toUpperCase(), learner);
    assert.equal(first.errors, undefined);
    const license = first.data!.activateLicense.license;
    assert.deepEqual(
      { ...license, activationDate: typeof license.activationDate },
      {
        uuid: mine.uuid,
        status: 'ACTIVATED',
        lmsUserId: 77,
        userEmail: 'act.me@example.com',
        activationDate: 'string',
      },
    );
    assert.deepEqual((await counts(p.uuid)).licenseCounts, {
      activated: 1,
      assigned: 0,
      unassigned: 1,
      revoked: 1,
      total: 2,
      allocated: 1,
    });
    const events = (await outboxRows(stack()))
      .filter((e) => e.payload.license_uuid === mine.uuid)
      .map((e) => e.eventType);
    assert.deepEqual(events, ['org.openedx.enterprise.subscription_license.activated.v1']);
    // Activating again changes nothing and answers the same license.
    await unchanged(p.uuid, async () => {
      const again = await activate(mine.activationKey!, learner);
      assert.deepEqual(again.data!.activateLicense.license, license);
    });

    const was = await token({ roles: [], userId: 79, email: 'was@example.com' });
    await assertNothingWritten(p.uuid, () => activate(revoked.activationKey!, was), 'CONFLICT');

    const expired = await plan({
      startDate: new Date(Date.now() - 100 * 86_400_000),
      expirationDate: new Date(Date.now() - 86_400_000),
      holders: [{ email: 'late@example.com', status: 'ASSIGNED' }],
    });
    const lateKey = (await planLicenses(stack(), expired.uuid))[0]!.activationKey!;
    const late = await token({ roles: [], userId: 80, email: 'late@example.com' });
    await assertNothingWritten(expired.uuid, () => activate(lateKey, late), 'NOT_FOUND');
  });

  it('serializes activation and revocation of the same license: either activated then revoked, or revoked and never activated', async () => {
    const ACTIVATE = 'mutation ($key: ID!) { activateLicense(input: { activationKey: $key }) { license { status } } }';
    const holders = Array.from({ length: 6 }, (_, i) => ({
      email: `racing${i}@example.com`,
      status: 'ASSIGNED' as const,
    }));
    const p = await plan({ unassigned: 0, holders });
    const rows = await planLicenses(stack(), p.uuid);
    const pairs = await Promise.all(
      rows.map(async (license, i) => {
        const learner = await token({ roles: [], userId: 700 + i, email: license.userEmail! });
        return Promise.all([
          stack().graphql(ACTIVATE, { key: license.activationKey }, { token: learner }),
          revoke({ subscriptionPlanUuid: p.uuid, userEmails: [license.userEmail] }),
        ]);
      }),
    );
    for (const [activation, revocation] of pairs) {
      assert.equal(revocation.errors, undefined);
      const original = revocation.data!.bulkRevokeLicenses.revokedLicenses[0]!.originalStatus;
      if (original === 'ACTIVATED') assert.equal(activation.errors, undefined);
      else assert.deepEqual([original, errorCodes(activation)], ['ASSIGNED', ['CONFLICT']]);
    }
    assert.deepEqual((await counts(p.uuid)).licenseCounts, {
      activated: 0,
      assigned: 0,
      unassigned: 6,
      revoked: 6,
      total: 6,
      allocated: 0,
    });
  });

  it('never assigns a license twice nor two licenses to one email when many requests race for too few licenses', async () => {
    const p = await plan({ unassigned: 10 });
    // 12 requests x 2 emails; 3 emails are shared by several requests; only 10 licenses.
    const requests = Array.from({ length: 12 }, (_, i) => [`racer${i}@example.com`, `shared${i % 3}@example.com`]);
    const results = await Promise.all(
      requests.map((emails) => assign({ subscriptionPlanUuid: p.uuid, userEmails: emails })),
    );
    const succeeded = results.filter((r) => !r.errors);
    const failed = results.filter((r) => r.errors);
    for (const r of failed) assert.deepEqual(errorCodes(r), ['CONFLICT']);
    assert.ok(succeeded.length > 0);
    const assignments = succeeded.flatMap((r) => r.data!.assignLicenses.licenseAssignments);
    const licenseUuids = assignments.map((a) => a.licenseUuid);
    assert.equal(new Set(licenseUuids).size, licenseUuids.length, 'a license was handed out twice');
    const emails = assignments.map((a) => a.userEmail);
    assert.equal(new Set(emails).size, emails.length, 'an email got two licenses');

    const rows = await planLicenses(stack(), p.uuid);
    const held = rows.filter((l) => l.status === 'ASSIGNED' || l.status === 'ACTIVATED');
    assert.equal(new Set(held.map((l) => l.userEmail)).size, held.length);
    assert.deepEqual(held.map((l) => l.uuid).sort(), [...licenseUuids].sort());
    const c = (await counts(p.uuid)).licenseCounts;
    assert.equal(c.total, 10);
    assert.equal(c.allocated, assignments.length);
    assert.equal(c.assigned + c.unassigned, 10);
    // Every refused request asked for more than was left when its turn came; every success is counted.
    assert.equal(
      succeeded.reduce((n, r) => n + r.data!.assignLicenses.numSuccessfulAssignments, 0),
      assignments.length,
    );
  });

  it('never spends more revocation slots than the cap allows when revocations race', async () => {
    // ceil(30 x 10 / 100) = 3 slots for 8 activated licenses, each revoked by its own request.
    const holders = Array.from({ length: 8 }, (_, i) => ({
      email: `capped${i}@example.com`,
      status: 'ACTIVATED' as const,
      lmsUserId: 500 + i,
    }));
    const p = await plan({ unassigned: 22, cap: { percentage: 10 }, holders });
    const results = await Promise.all(
      holders.map((h) => revoke({ subscriptionPlanUuid: p.uuid, userEmails: [h.email] })),
    );
    const succeeded = results.filter((r) => !r.errors);
    assert.equal(succeeded.length, 3);
    for (const r of results.filter((x) => x.errors)) assert.deepEqual(errorCodes(r), ['CONFLICT']);
    const after = await counts(p.uuid);
    assert.deepEqual(after.revocations, { total: 3, used: 3, remaining: 0 });
    assert.deepEqual(after.licenseCounts, {
      activated: 5,
      assigned: 0,
      unassigned: 25,
      revoked: 3,
      total: 30,
      allocated: 5,
    });
  });

  it('delivers the learner-link requests of an assignment to the customers subgraph after commit', async () => {
    const p = await plan({ unassigned: 2 });
    const result = await assign({
      subscriptionPlanUuid: p.uuid,
      userEmails: ['link.me@example.com', DEMO.users.adminEmail],
    });
    assert.equal(result.data!.assignLicenses.numSuccessfulAssignments, 2);
    const linkEvents = async () =>
      subscriptionsDb(stack())
        .selectFrom('subscriptions_outbox')
        .select(['aggregateKey', 'deliveredAt'])
        .where('eventType', '=', 'org.openedx.enterprise.learner_link.requested.v1')
        .where('aggregateKey', 'in', [
          `${DEMO.customers.sealTeamTen}:link.me@example.com`,
          `${DEMO.customers.sealTeamTen}:${DEMO.users.adminEmail}`,
        ])
        .execute();
    let events = await linkEvents();
    for (let i = 0; i < 200 && events.some((e) => e.deliveredAt === null); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      events = await linkEvents();
    }
    assert.equal(events.length, 2);
    assert.ok(
      events.every((e) => e.deliveredAt !== null),
      'learner-link requests were not delivered',
    );
    // No LMS account yet: a pending learner of the customer; the admin was linked already.
    const pending = await stack().graphql<{
      enterpriseCustomer: { pendingLearners: { nodes: { userEmail: string }[] } };
    }>('query ($c: ID!) { enterpriseCustomer(uuid: $c) { pendingLearners(first: 500) { nodes { userEmail } } } }', {
      c: DEMO.customers.sealTeamTen,
    });
    assert.equal(pending.errors, undefined, JSON.stringify(pending.errors));
    const emails = pending.data!.enterpriseCustomer.pendingLearners.nodes.map((n) => n.userEmail);
    assert.ok(emails.includes('link.me@example.com'));
    assert.ok(!emails.includes(DEMO.users.adminEmail));
  });

  it('refuses a token without a role in the customer to see licenses', async () => {
    const p = await plan({ unassigned: 1 });
    const stranger = await token({ roles: [], userId: 999, email: 'stranger@example.com' });
    const result = await stack().graphql(
      'query ($u: ID!) { subscriptionPlan(uuid: $u) { licenses { totalCount } } }',
      { u: p.uuid },
      { token: stranger },
    );
    assert.deepEqual(errorCodes(result), ['FORBIDDEN']);
  });
});
