import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { Kysely } from 'kysely';
import { DEMO } from '../lib/demo-ids.js';
import { createOutboxTable, enqueueEvents, type OutboxTable } from '../lib/outbox.js';
import { addRelayColumns, backoffDelay, OutboxRelay, relaySettings, type RelaySettings } from '../lib/outbox-relay.js';
import { createRelay as learnerCreditRelay } from '../subgraphs/learner-credit/relay.js';
import { createRelay as subscriptionsRelay } from '../subgraphs/subscriptions/relay.js';
import { addAssignment, createPolicy, learnerCreditDb } from './support/learner-credit-fixtures.js';
import { describeEachDialect, type TestStack } from './support/stack.js';
import { createTestPlan, subscriptionsDb } from './support/subscriptions-fixtures.js';

const SEAL = DEMO.customers.sealTeamTen;
const BLUTH = DEMO.customers.policyExample;

const REDEEM = 'mutation ($input: RedeemInput!) { redeem(input: $input) { transaction { uuid } } }';
const REVERSE =
  'mutation ($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { transaction { uuid } } }';
const ENROLLMENTS = `query ($c: ID!) { enterpriseCustomer(uuid: $c) { enrollments(first: 500) { nodes {
  id courseRunKey unenrolled learner { lmsUserId } fulfillment { fulfillmentType licenseUuid transactionUuid isRevoked } } } } }`;

interface Enrollment {
  id: string;
  courseRunKey: string;
  unenrolled: boolean | null;
  learner: { lmsUserId: number };
  fulfillment: {
    fulfillmentType: string;
    licenseUuid: string | null;
    transactionUuid: string | null;
    isRevoked: boolean;
  } | null;
}

type RelayDb = Kysely<Record<string, OutboxTable>>;
/** Any outbox table, as the relay sees it (the test reads statuses and forges leases). */
function outboxDb(stack: TestStack): RelayDb {
  return stack.database.db as RelayDb;
}

async function enrollments(stack: TestStack, customer: string): Promise<Enrollment[]> {
  const result = await stack.graphql<{ enterpriseCustomer: { enrollments: { nodes: Enrollment[] } } }>(ENROLLMENTS, {
    c: customer,
  });
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.enterpriseCustomer.enrollments.nodes;
}

/** Polls `probe` until it returns a value (the relay works in the background); fails after ~20 s. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function ok<T>(stack: TestStack, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const result = await stack.graphql<T>(query, variables, token ? { token } : {});
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!;
}

async function rowsOf(stack: TestStack, table: string, where: (row: OutboxTable) => boolean): Promise<OutboxTable[]> {
  return (await outboxDb(stack).selectFrom(table).selectAll().execute()).filter(where);
}

function payloadText(row: OutboxTable): string {
  return typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload);
}

async function countFulfillmentEvents(stack: TestStack, needle: string): Promise<number> {
  return (await rowsOf(stack, 'customers_outbox', (r) => payloadText(r).includes(needle))).length;
}

describeEachDialect('outbox relay: redemption, reversal and license revocation reach the enrollments', (stack) => {
  const sealPolicy = () =>
    createPolicy(learnerCreditDb(stack()), {
      customer: SEAL,
      catalog: DEMO.catalogs.sealTeamTenAll,
      policyType: 'PerLearnerSpendCreditAccessPolicy',
      balanceCents: 1_000_000,
      spendLimitCents: 1_000_000,
    });

  it('redeem enrolls the learner with a LEARNER_CREDIT fulfillment; reverse revokes it and ends the enrollment; redelivery changes nothing', async () => {
    const policy = await sealPolicy();
    const { redeem } = await ok<{ redeem: { transaction: { uuid: string } } }>(
      stack(),
      REDEEM,
      { input: { policyUuid: policy.policyUuid, lmsUserId: 3, contentKey: 'BerkeleyX+CLOU102' } },
      stack().tokens.sealLearner,
    );
    const txUuid = redeem.transaction.uuid;
    const enrolled = await eventually('the redemption enrollment', async () =>
      (await enrollments(stack(), SEAL)).find((e) => e.fulfillment?.transactionUuid === txUuid),
    );
    assert.equal(enrolled.learner.lmsUserId, 3);
    assert.match(enrolled.courseRunKey, /^course-v1:BerkeleyX\+CLOU102\+/);
    assert.equal(enrolled.unenrolled ?? false, false);
    assert.deepEqual(enrolled.fulfillment, {
      fulfillmentType: 'LEARNER_CREDIT',
      licenseUuid: null,
      transactionUuid: txUuid,
      isRevoked: false,
    });
    const request = (
      await rowsOf(
        stack(),
        'learner_credit_outbox',
        (r) => r.aggregateKey === txUuid && r.eventType.endsWith('enrollment.requested.v1'),
      )
    )[0]!;
    assert.equal(request.status, 'DELIVERED');
    assert.ok(request.deliveredAt);

    // A crash after the consumer answered, before the mark: the row is claimed again once its
    // lease expires and delivered again, and the second delivery is a no-op.
    const eventsBefore = await countFulfillmentEvents(stack(), txUuid);
    const past = new Date(Date.now() - 1000);
    await outboxDb(stack())
      .updateTable('learner_credit_outbox')
      .set({ status: 'PENDING', deliveredAt: null, claimedBy: 'relay-that-crashed', claimedUntil: past })
      .where('id', '=', request.id)
      .execute();
    await eventually(
      'the redelivery',
      async () =>
        (await rowsOf(stack(), 'learner_credit_outbox', (r) => r.id === request.id))[0]!.status === 'DELIVERED',
    );
    const mine = (await enrollments(stack(), SEAL)).filter(
      (e) => e.learner.lmsUserId === 3 && e.courseRunKey === enrolled.courseRunKey,
    );
    assert.equal(mine.length, 1);
    assert.deepEqual(mine[0]!.fulfillment, enrolled.fulfillment);
    assert.equal(await countFulfillmentEvents(stack(), txUuid), eventsBefore, 'a redelivery writes no new events');

    await ok(stack(), REVERSE, { input: { transactionUuid: txUuid } });
    const ended = await eventually('the reversal', async () =>
      (await enrollments(stack(), SEAL)).find((e) => e.id === enrolled.id && e.fulfillment?.isRevoked),
    );
    assert.equal(ended.unenrolled, true);
    assert.equal(ended.fulfillment!.transactionUuid, txUuid);

    // Redelivering both the redemption and the reversal (a relay re-run over delivered rows)
    // neither revives the enrollment nor writes events.
    const afterReversal = await countFulfillmentEvents(stack(), txUuid);
    const relay = learnerCreditRelay(learnerCreditDb(stack()));
    await outboxDb(stack())
      .updateTable('learner_credit_outbox')
      .set({ status: 'PENDING', deliveredAt: null })
      .where('aggregateKey', '=', txUuid)
      .where('status', '=', 'DELIVERED')
      .execute();
    await eventually('the second redelivery', async () => {
      await relay.drain();
      return (await rowsOf(stack(), 'learner_credit_outbox', (r) => r.aggregateKey === txUuid)).every(
        (r) => r.status !== 'PENDING',
      );
    });
    const again = (await enrollments(stack(), SEAL)).find((e) => e.id === enrolled.id)!;
    assert.equal(again.unenrolled, true);
    assert.equal(again.fulfillment!.isRevoked, true);
    assert.equal(await countFulfillmentEvents(stack(), txUuid), afterReversal);
  });

  it("an accepted assignment's redemption enrolls the same way", async () => {
    const policy = await createPolicy(learnerCreditDb(stack()), {
      customer: BLUTH,
      catalog: DEMO.catalogs.policyExample,
      policyType: 'AssignedLearnerCreditAccessPolicy',
      balanceCents: 1_000_000,
      spendLimitCents: 1_000_000,
    });
    await addAssignment(learnerCreditDb(stack()), policy.configurationUuid!, {
      email: 'lindsay@bluth.example.com',
      contentKey: DEMO.content.courseKey,
      priceCents: 9_600,
    });
    const { redeem } = await ok<{ redeem: { transaction: { uuid: string } } }>(stack(), REDEEM, {
      input: { policyUuid: policy.policyUuid, lmsUserId: 11, contentKey: DEMO.content.courseKey },
    });
    const enrolled = await eventually('the assignment enrollment', async () =>
      (await enrollments(stack(), BLUTH)).find((e) => e.fulfillment?.transactionUuid === redeem.transaction.uuid),
    );
    assert.equal(enrolled.learner.lmsUserId, 11);
    assert.equal(enrolled.fulfillment!.fulfillmentType, 'LEARNER_CREDIT');
  });

  it('revoking an ACTIVATED license revokes its licensed enrollments and ends them, once', async () => {
    const plan = await createTestPlan(stack(), {
      unassigned: 1,
      holders: [{ email: 'bob@sealteamten.example.com', status: 'ACTIVATED', lmsUserId: 5 }],
    });
    const license = await subscriptionsDb(stack())
      .selectFrom('license')
      .select('uuid')
      .where('subscriptionPlanUuid', '=', plan.uuid)
      .where('status', '=', 'ACTIVATED')
      .executeTakeFirstOrThrow();
    const licenseUuid = license.uuid;
    const run = await ok<{ course: { advertisedCourseRun: { key: string } } }>(
      stack(),
      'query { course(key: "BerkeleyX+FINA114") { advertisedCourseRun { key } } }',
      {},
    );
    const enroll =
      'mutation ($input: EnrollWithFulfillmentInput!) { enrollWithFulfillment(input: $input) { created enrollment { id fulfillment { licenseUuid isRevoked } } } }';
    const input = {
      enterpriseCustomerUuid: SEAL,
      lmsUserId: 5,
      courseRunKey: run.course.advertisedCourseRun.key,
      fulfillmentType: 'LICENSE',
      licenseUuid,
    };
    const first = await ok<{ enrollWithFulfillment: { created: boolean; enrollment: { id: string } } }>(
      stack(),
      enroll,
      { input },
    );
    assert.equal(first.enrollWithFulfillment.created, true);
    // The self-enrollment contract: the same license again is a no-op returning the enrollment.
    const repeat = await ok<{ enrollWithFulfillment: { created: boolean; enrollment: { id: string } } }>(
      stack(),
      enroll,
      { input },
    );
    assert.deepEqual(repeat.enrollWithFulfillment, { ...first.enrollWithFulfillment, created: false });

    const revoked = await stack().graphql(
      'mutation ($input: BulkRevokeLicensesInput!) { bulkRevokeLicenses(input: $input) { revokedLicenses { licenseUuid } } }',
      { input: { subscriptionPlanUuid: plan.uuid, userEmails: ['bob@sealteamten.example.com'] } },
    );
    assert.equal(revoked.errors, undefined, JSON.stringify(revoked.errors));
    const ended = await eventually('the licensed enrollment revoked', async () =>
      (await enrollments(stack(), SEAL)).find(
        (e) => e.id === first.enrollWithFulfillment.enrollment.id && e.fulfillment?.isRevoked,
      ),
    );
    assert.equal(ended.unenrolled, true);
    assert.equal(ended.fulfillment!.licenseUuid, licenseUuid);

    // Redelivered (a restart that re-runs the relay over its delivered rows): nothing more happens.
    const eventsBefore = await countFulfillmentEvents(stack(), licenseUuid);
    await outboxDb(stack())
      .updateTable('subscriptions_outbox')
      .set({ status: 'PENDING', deliveredAt: null })
      .where('aggregateKey', '=', licenseUuid)
      .where('status', '=', 'DELIVERED')
      .execute();
    const relay = subscriptionsRelay(subscriptionsDb(stack()));
    await eventually('the redelivery', async () => {
      await relay.drain();
      return (await rowsOf(stack(), 'subscriptions_outbox', (r) => r.aggregateKey === licenseUuid)).every(
        (r) => r.status !== 'PENDING',
      );
    });
    assert.equal(await countFulfillmentEvents(stack(), licenseUuid), eventsBefore);
    const kinds = (await rowsOf(stack(), 'subscriptions_outbox', (r) => r.aggregateKey === licenseUuid))
      .map((r) => `${r.eventType.split('.').slice(-2, -1)[0]}:${r.status}`)
      .sort();
    assert.deepEqual(kinds, ['revoked:DELIVERED', 'revoked:EXTERNAL']);
  });

  it('a delivery the consumer refuses is FAILED at once with the reason; a learner-credit event nobody consumes is EXTERNAL', async () => {
    const policy = await sealPolicy();
    // LMS user 90 is Umbrella's learner, not Seal Team Ten's: customers refuses the enrollment.
    const tx = randomUUID();
    await enqueueEvents(learnerCreditDb(stack()), 'learner_credit_outbox', [
      {
        eventType: 'org.openedx.enterprise.learner_credit_course_enrollment.requested.v1',
        aggregateKey: tx,
        payload: {
          enterprise_customer_uuid: SEAL,
          lms_user_id: 90,
          course_key: 'BerkeleyX+CLOU102',
          learner_credit_course_enrollment: { transaction_id: tx },
        },
      },
      {
        eventType: 'org.openedx.enterprise.subsidy.redeemed.v1',
        aggregateKey: tx,
        payload: { redemption: { subsidy_identifier: policy.policyUuid } },
      },
    ]);
    const relay = learnerCreditRelay(learnerCreditDb(stack()));
    const rows = await eventually('the refusal', async () => {
      await relay.drain();
      const found = await rowsOf(stack(), 'learner_credit_outbox', (r) => r.aggregateKey === tx);
      return found.every((r) => r.status !== 'PENDING') && found;
    });
    const failed = rows.find((r) => r.eventType.endsWith('requested.v1'))!;
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.attempts, 1);
    assert.match(failed.lastError ?? '', /not a linked learner/);
    assert.equal(rows.find((r) => r.eventType.endsWith('redeemed.v1'))!.status, 'EXTERNAL');
  });
});

describeEachDialect('outbox relay: leases, retries and rollbacks', (stack) => {
  const settings: RelaySettings = {
    ...relaySettings(),
    batchSize: 10,
    leaseMs: 60_000,
    maxAttempts: 3,
    backoffMs: 1000,
    maxBackoffMs: 4000,
  };
  let n = 0;
  /** A table of its own per test, made like every subgraph's outbox (its migrations' two steps). */
  async function table(): Promise<string> {
    const name = `relay_test_${++n}_outbox`;
    await createOutboxTable(stack().database.db, name);
    await addRelayColumns(stack().database.db, name);
    return name;
  }
  const db = () => outboxDb(stack());
  const event = (key: string) => ({ eventType: 'test.event.v1', aggregateKey: key, payload: { key } });

  it('retries a failing consumer with exponential backoff, then leaves it FAILED with the last error', async () => {
    const name = await table();
    await enqueueEvents(db(), name, [event('flaky')]);
    let calls = 0;
    const relay = new OutboxRelay(
      db(),
      name,
      {
        'test.event.v1': {
          consumer: 'a consumer that is down',
          deliver: () => {
            calls++;
            return Promise.reject(new Error(`connection refused #${calls}`));
          },
        },
      },
      settings,
    );
    const row = async () => await db().selectFrom(name).selectAll().executeTakeFirstOrThrow();
    let now = Date.now();
    assert.equal(await relay.runOnce(new Date(now)), 1);
    let state = await row();
    assert.deepEqual([state.status, state.attempts, state.lastError], ['PENDING', 1, 'connection refused #1']);
    assert.ok(state.nextAttemptAt && new Date(state.nextAttemptAt).getTime() >= now + backoffDelay(1, settings) - 50);
    // Not before its retry time.
    assert.equal(await relay.runOnce(new Date(now)), 0);
    now += 10 * 60_000;
    assert.equal(await relay.runOnce(new Date(now)), 1);
    state = await row();
    assert.deepEqual([state.status, state.attempts], ['PENDING', 2]);
    assert.equal(backoffDelay(2, settings), 2 * backoffDelay(1, settings));
    now += 10 * 60_000;
    assert.equal(await relay.runOnce(new Date(now)), 1);
    state = await row();
    assert.deepEqual(
      [state.status, state.attempts, state.lastError, state.nextAttemptAt],
      ['FAILED', 3, 'connection refused #3', null],
    );
    assert.equal(await relay.runOnce(new Date(now + 10 * 60_000)), 0, 'a FAILED row is never claimed again');
    assert.equal(calls, 3);
  });

  it('never claims a row under a live lease, claims it again once the lease expired, and delivers each row once across two relays', async () => {
    const name = await table();
    await enqueueEvents(
      db(),
      name,
      Array.from({ length: 25 }, (_, i) => event(`k${i}`)),
    );
    const delivered: string[] = [];
    const routes = {
      'test.event.v1': {
        consumer: 'recorder',
        deliver: (events: readonly { aggregateKey: string }[]) => {
          delivered.push(...events.map((e) => e.aggregateKey));
          return Promise.resolve(undefined);
        },
      },
    };
    const one = new OutboxRelay(db(), name, routes, settings);
    const two = new OutboxRelay(db(), name, routes, settings);
    // A relay that crashed holds k0's lease for another minute.
    const live = new Date(Date.now() + 60_000);
    await db()
      .updateTable(name)
      .set({ claimedBy: 'crashed', claimedUntil: live })
      .where('aggregateKey', '=', 'k0')
      .execute();
    await Promise.all([one.drain(), two.drain(), one.drain(), two.drain()]);
    assert.deepEqual(
      [...delivered].sort(),
      Array.from({ length: 24 }, (_, i) => `k${i + 1}`).sort(),
      'every free row exactly once',
    );
    assert.equal(
      (await db().selectFrom(name).select('status').where('aggregateKey', '=', 'k0').executeTakeFirstOrThrow()).status,
      'PENDING',
    );
    // After the lease: claimed and delivered.
    assert.equal(await one.runOnce(new Date(live.getTime() + 1)), 1);
    assert.equal(delivered.filter((k) => k === 'k0').length, 1);
    const statuses = await db().selectFrom(name).select('status').execute();
    assert.ok(statuses.every((s) => s.status === 'DELIVERED'));
  });

  it('a rolled-back change leaves no event, so nothing is delivered for it', async () => {
    const name = await table();
    const delivered: string[] = [];
    const relay = new OutboxRelay(
      db(),
      name,
      {
        'test.event.v1': {
          consumer: 'recorder',
          deliver: (events) => (delivered.push(...events.map((e) => e.aggregateKey)), Promise.resolve(undefined)),
        },
      },
      settings,
    );
    await assert.rejects(
      db()
        .transaction()
        .execute(async (trx) => {
          await enqueueEvents(trx, name, [event('rolled-back')]);
          throw new Error('the change failed');
        }),
      /the change failed/,
    );
    await enqueueEvents(db(), name, [event('committed')]);
    await relay.drain();
    assert.deepEqual(delivered, ['committed']);
    assert.equal((await db().selectFrom(name).select('id').execute()).length, 1);
  });

  it('an event kind without a route is FAILED, visible with its reason', async () => {
    const name = await table();
    await enqueueEvents(db(), name, [{ eventType: 'unknown.kind.v1', aggregateKey: 'x', payload: {} }]);
    await new OutboxRelay(db(), name, {}, settings).drain();
    const row = await db().selectFrom(name).selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([row.status, row.lastError], ['FAILED', 'no consumer registered for unknown.kind.v1']);
  });
});
