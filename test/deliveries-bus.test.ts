import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { createClient } from '@redis/client';
import type { Kysely } from 'kysely';
import { dropDatabase, type Database, type DialectName } from '../lib/db/database.js';
import { ensureGroup, readEvents } from '../lib/deliveries/consumer.js';
import { eventBusChannel, streamName, type EventBusSettings } from '../lib/deliveries/event-bus.js';
import { DeliveryRelay } from '../lib/deliveries/relay.js';
import { TOPICS } from '../lib/deliveries/topics.js';
import { DEMO } from '../lib/demo-ids.js';
import { registerOutbox } from '../lib/observability/metrics.js';
import type { Selectable } from 'kysely';
import { enqueueEvents, type OutboxDeliveryTable, type OutboxEvent, type OutboxTable } from '../lib/outbox.js';
import { relaySettings, wakeOutboxRelays, type RelaySettings } from '../lib/outbox-relay.js';
import { prepareDatabase } from '../scripts/stack.js';
import { BUS_ROUTES } from '../subgraphs/learner-credit/bus.js';
import {
  CHANNELS,
  EVENTS,
  OUTBOX,
  redemptionEvents,
  transactionEventPayload,
  writeEvents,
} from '../subgraphs/learner-credit/events.js';
import { insertTransaction } from '../subgraphs/learner-credit/store/index.js';
import type { LedgerTransactionRow } from '../subgraphs/learner-credit/tables.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { deletePrefix, PrivateRedis, readStream, SHARED_REDIS_URL, uniquePrefix } from './support/event-bus.js';
import { createPolicy, learnerCreditDb } from './support/learner-credit-fixtures.js';
import { startPiece } from './support/pieces.js';
import { freePort, waitFor } from './support/processes.js';
import { DIALECTS, describeEachDialect, freshDatabaseUrl, type TestStack } from './support/stack.js';

// The stacks of this file publish to the shared Redis, each under a prefix of its own.
process.env.EVENT_BUS_REDIS_URL = SHARED_REDIS_URL;
const PREFIXES: Record<DialectName, string> = { sqlite: uniquePrefix('bus-sqlite'), mysql: uniquePrefix('bus-mysql') };

const SEAL = DEMO.customers.sealTeamTen;
const HEADER_FIELDS = ['type', 'id', 'source', 'time', 'minorversion', 'sourcehost', 'sourcelib', 'event_data'];

const REDEEM = `mutation ($input: RedeemInput!) { redeem(input: $input) { transaction {
  uuid quantity lmsUserId contentKey fulfillmentIdentifier } } }`;
const REVERSE =
  'mutation ($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { transaction { uuid } } }';

after(async () => {
  for (const prefix of Object.values(PREFIXES)) await deletePrefix(SHARED_REDIS_URL, prefix);
});

type Deliveries = Kysely<{ d: OutboxDeliveryTable; o: OutboxTable }>;
function deliveriesOf(db: unknown, outbox: string) {
  const k = db as Deliveries;
  return {
    rows: (where: (r: Selectable<OutboxDeliveryTable>) => boolean = () => true) =>
      k
        .selectFrom(`${outbox}_delivery` as 'd')
        .selectAll()
        .orderBy('seq')
        .execute()
        .then((rows) => rows.filter(where)),
    outbox: () =>
      k
        .selectFrom(outbox as 'o')
        .selectAll()
        .execute(),
    db: k,
  };
}

function ledgerOf(entry: { data: Record<string, unknown> }) {
  return entry.data.ledger_transaction as Record<string, unknown> & { reversal: Record<string, unknown> | null };
}

describeEachDialect(
  'event bus: the ledger, enrollments and revocations on Redis Streams',
  (stack) => {
    const stream = (topic: string) => streamName(topic, PREFIXES[stack().dialect]);

    async function redeemAndReverse(s: TestStack) {
      const policy = await createPolicy(learnerCreditDb(s), {
        customer: SEAL,
        catalog: DEMO.catalogs.sealTeamTenAll,
        policyType: 'PerLearnerSpendCreditAccessPolicy',
        balanceCents: 1_000_000,
        spendLimitCents: 1_000_000,
      });
      const redeemed = await s.graphql<{
        redeem: {
          transaction: {
            uuid: string;
            quantity: number;
            lmsUserId: number;
            contentKey: string;
            fulfillmentIdentifier: string;
          };
        };
      }>(
        REDEEM,
        { input: { policyUuid: policy.policyUuid, lmsUserId: 3, contentKey: 'BerkeleyX+CLOU102' } },
        { token: s.tokens.sealLearner },
      );
      assert.equal(redeemed.errors, undefined, JSON.stringify(redeemed.errors));
      const tx = redeemed.data!.redeem.transaction;
      // The enrollment must exist before its fulfillment can be revoked.
      await waitFor('the redemption enrollment on the bus', async () =>
        (await readStream(SHARED_REDIS_URL, stream(TOPICS.courseEnrollments))).some(
          (e) => (e.data.enrollment as { user: { id: number } }).user.id === 3,
        ),
      );
      const reversed = await s.graphql(REVERSE, { input: { transactionUuid: tx.uuid } });
      assert.equal(reversed.errors, undefined, JSON.stringify(reversed.errors));
      return { tx, policy };
    }

    // After every test: the stored ledger and policy totals equal their recomputation from the rows.
    afterEach(() => assertAggregatesConsistent(stack()));

    let redemption: Awaited<ReturnType<typeof redeemAndReverse>> | undefined;
    const redeemedOnce = async () => (redemption ??= await redeemAndReverse(stack()));

    it('a redemption and its reversal are on enterprise-subsidies-transaction-lifecycle with every field, in order, decodable with the .avsc', async () => {
      const { tx, policy } = await redeemedOnce();
      const entries = await waitFor('created, committed and reversed on the stream', async () => {
        const mine = (await readStream(SHARED_REDIS_URL, stream(TOPICS.transactions))).filter(
          (e) => ledgerOf(e).uuid === tx.uuid,
        );
        return mine.length >= 3 && mine;
      });
      assert.deepEqual(
        entries.map((e) => e.fields.type),
        [
          'org.openedx.enterprise.subsidy_ledger_transaction.created.v1',
          'org.openedx.enterprise.subsidy_ledger_transaction.committed.v1',
          'org.openedx.enterprise.subsidy_ledger_transaction.reversed.v1',
        ],
      );
      const outbox = await deliveriesOf(learnerCreditDb(stack()), OUTBOX).outbox();
      for (const entry of entries) {
        assert.deepEqual(entry.fieldNames, HEADER_FIELDS);
        const row = outbox.find((r) => r.id === entry.fields.id);
        assert.ok(row, 'the message id is the outbox row id');
        assert.equal(row.aggregateKey, tx.uuid);
        assert.equal(entry.fields.source, 'openedx/enterprise-graph-learner-credit/web');
        assert.ok(!Number.isNaN(Date.parse(entry.fields.time!)));
        assert.equal(entry.fields.minorversion, '0');
        assert.ok(entry.fields.sourcehost);
        assert.match(entry.fields.sourcelib!, /^\d+\.\d+\.\d+$/);
        const ledger = ledgerOf(entry);
        assert.equal(ledger.quantity, tx.quantity);
        assert.ok(tx.quantity < 0);
        assert.equal(ledger.lms_user_id, 3);
        assert.equal(ledger.content_key, 'BerkeleyX+CLOU102');
        assert.equal(ledger.subsidy_access_policy_uuid, policy.policyUuid);
        assert.equal(ledger.ledger_uuid, policy.ledgerUuid);
        assert.equal(ledger.fulfillment_identifier, tx.fulfillmentIdentifier);
      }
      assert.deepEqual(
        entries.map((e) => ledgerOf(e).state),
        ['created', 'committed', 'committed'],
      );
      const reversal = ledgerOf(entries[2]!).reversal;
      assert.ok(reversal);
      assert.equal(reversal.quantity, -tx.quantity);
      assert.equal(reversal.state, 'committed');
      assert.equal(ledgerOf(entries[0]!).reversal, null);
    });

    it('the enrollment it paid for and its revocation are on the enrollment and learner-credit topics', async () => {
      const { tx } = await redeemedOnce();
      const revoked = await waitFor('learner_credit_course_enrollment.revoked', async () =>
        (await readStream(SHARED_REDIS_URL, stream(TOPICS.learnerCreditEnrollments))).find(
          (e) =>
            (e.data.learner_credit_course_enrollment as { transaction_id: string } | undefined)?.transaction_id ===
            tx.uuid,
        ),
      );
      assert.deepEqual(revoked.fieldNames, HEADER_FIELDS);
      assert.equal(revoked.fields.type, 'org.openedx.enterprise.learner_credit_course_enrollment.revoked.v1');
      assert.equal(revoked.fields.source, 'openedx/enterprise-graph-customers/web');
      const fulfillment = revoked.data.learner_credit_course_enrollment as {
        uuid: string;
        is_revoked: boolean;
        fulfillment_type: string;
        enterprise_course_enrollment: {
          course_id: string;
          enterprise_customer_user: { user_id: number; enterprise_customer_uuid: string; linked: boolean };
        };
      };
      assert.equal(fulfillment.is_revoked, true);
      assert.equal(fulfillment.fulfillment_type, 'learner_credit');
      assert.equal(fulfillment.uuid.length, 36);
      assert.equal(fulfillment.enterprise_course_enrollment.enterprise_customer_user.user_id, 3);
      assert.equal(fulfillment.enterprise_course_enrollment.enterprise_customer_user.enterprise_customer_uuid, SEAL);
      const run = fulfillment.enterprise_course_enrollment.course_id;
      assert.match(run, /^course-v1:BerkeleyX\+CLOU102\+/);

      const enrollment = await waitFor('course.enrollment.created and course.unenrollment.completed', async () => {
        const mine = (await readStream(SHARED_REDIS_URL, stream(TOPICS.courseEnrollments))).filter((e) => {
          const data = e.data.enrollment as { user: { id: number }; course: { course_key: string } };
          return data.user.id === 3 && data.course.course_key === run;
        });
        return mine.length >= 2 && mine;
      });
      assert.deepEqual(
        enrollment.map((e) => e.fields.type),
        ['org.openedx.learning.course.enrollment.created.v1', 'org.openedx.learning.course.unenrollment.completed.v1'],
      );
      const [created, ended] = enrollment.map(
        (e) =>
          e.data.enrollment as {
            user: { pii: { email: string; username: string } };
            course: { display_name: string; start: string | null };
            is_active: boolean;
            mode: string;
          },
      );
      assert.equal(created!.is_active, true);
      assert.equal(ended!.is_active, false);
      assert.ok(created!.user.pii.email.includes('@'));
      assert.ok(created!.user.pii.username);
      assert.notEqual(created!.course.display_name, run, 'the course title, not its key');
      assert.ok(created!.mode);
    });

    it('a consumer group reads the same events, pending first, and acknowledges them (what events:tail does)', async () => {
      const { tx } = await redeemedOnce();
      await waitFor('the reversal on the stream', async () =>
        (await readStream(SHARED_REDIS_URL, stream(TOPICS.transactions))).some(
          (e) => ledgerOf(e).uuid === tx.uuid && ledgerOf(e).reversal,
        ),
      );
      const client = createClient({ url: SHARED_REDIS_URL });
      await client.connect();
      try {
        const group = `tail-${randomUUID()}`;
        await ensureGroup(client, [stream(TOPICS.transactions)], group);
        // The first read is delivered but, as after a crash, never acknowledged by "crashed".
        await client.xReadGroup(group, 'crashed', { key: stream(TOPICS.transactions), id: '>' }, { COUNT: 1 });
        const first = await readEvents(client, [stream(TOPICS.transactions)], group, 'crashed');
        assert.equal(first.length, 1, 'the pending message comes back first');
        const rest = [];
        for (;;) {
          const batch = await readEvents(client, [stream(TOPICS.transactions)], group, 'crashed');
          if (batch.length === 0) break;
          rest.push(...batch);
        }
        const all = [...first, ...rest];
        const mine = all.filter((e) => (e.data?.ledger_transaction as { uuid: string } | undefined)?.uuid === tx.uuid);
        assert.equal(mine.length, 3);
        assert.ok(all.every((e) => e.error === undefined && e.data));
        const pending = await client.xPending(stream(TOPICS.transactions), group);
        assert.equal(pending.pending, 0, 'every message acknowledged');
      } finally {
        await client.close();
      }
    });

    it('a redemption the LMS refuses to fulfil fails: subsidy_ledger_transaction.failed on the bus, the spend back on the policy', async () => {
      const s = stack();
      const policy = await createPolicy(learnerCreditDb(s), {
        customer: SEAL,
        catalog: DEMO.catalogs.sealTeamTenAll,
        policyType: 'PerLearnerSpendCreditAccessPolicy',
        balanceCents: 1_000_000,
        spendLimitCents: 1_000_000,
      });
      const spent = async () => {
        const result = await s.graphql<{ subsidyAccessPolicy: { aggregates: { amountRedeemedUsdCents: number } } }>(
          'query ($u: ID!) { subsidyAccessPolicy(uuid: $u) { aggregates { amountRedeemedUsdCents } } }',
          { u: policy.policyUuid },
        );
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        return result.data!.subsidyAccessPolicy.aggregates.amountRedeemedUsdCents;
      };
      // A committed redemption of content the catalog cannot enroll anyone in (written as redeem
      // writes it: the transaction and its events in one database transaction).
      const now = new Date();
      const row: LedgerTransactionRow = {
        uuid: randomUUID(),
        ledgerUuid: policy.ledgerUuid,
        idempotencyKey: `test-refused-${randomUUID()}`,
        quantity: -5000,
        state: 'COMMITTED',
        lmsUserId: 3,
        lmsUserEmail: null,
        contentKey: 'NoSuchX+NONE101',
        parentContentKey: null,
        contentTitle: null,
        fulfillmentIdentifier: randomUUID(),
        subsidyAccessPolicyUuid: policy.policyUuid,
        isDeposit: false,
        created: now,
        modified: now,
      };
      await learnerCreditDb(s)
        .transaction()
        .execute(async (trx) => {
          await insertTransaction(trx, row);
          await writeEvents(trx, redemptionEvents(row, { uuid: policy.policyUuid, enterpriseCustomerUuid: SEAL }));
        });
      assert.equal(await spent(), 5000);
      wakeOutboxRelays();
      const tx = row;
      const failed = await waitFor('subsidy_ledger_transaction.failed on the stream', async () =>
        (await readStream(SHARED_REDIS_URL, stream(TOPICS.transactions))).find(
          (e) => ledgerOf(e).uuid === tx.uuid && e.fields.type?.endsWith('.failed.v1'),
        ),
      );
      assert.equal(ledgerOf(failed).state, 'failed');
      assert.equal(ledgerOf(failed).quantity, tx.quantity);
      const state = await s.graphql<{ ledgerTransaction: { state: string } }>(
        'query ($u: ID!) { ledgerTransaction(uuid: $u) { state } }',
        { u: tx.uuid },
      );
      assert.equal(state.data?.ledgerTransaction.state, 'FAILED');
      assert.equal(await spent(), 0, 'the failed transaction no longer counts as redeemed');
      const request = (await deliveriesOf(learnerCreditDb(s), OUTBOX).outbox()).find(
        (r) => r.aggregateKey === tx.uuid && r.eventType.endsWith('enrollment.requested.v1'),
      );
      assert.equal(request?.status, 'FAILED', 'the refused request stays FAILED with its reason for the operator');
      assert.ok(request.lastError);
    });

    it('a row sent again after a crash before its mark is not a second message on the stream', async () => {
      const { tx } = await redeemedOnce();
      const deliveries = deliveriesOf(learnerCreditDb(stack()), OUTBOX);
      const mine = await waitFor('the bus deliveries of the transaction', async () => {
        const rows = await deliveries.rows((r) => r.aggregateKey === tx.uuid && r.channel === 'bus');
        return rows.length === 3 && rows.every((r) => r.status === 'DELIVERED') && rows;
      });
      // The state a relay leaves when it dies after the XADD and before the mark: claimed, lease expired.
      await deliveries.db
        .updateTable(`${OUTBOX}_delivery` as 'd')
        .set({
          status: 'PENDING',
          deliveredAt: null,
          claimedBy: 'relay-that-died',
          claimedUntil: new Date(Date.now() - 1000),
        })
        .where(
          'seq',
          'in',
          mine.map((r) => r.seq),
        )
        .execute();
      const channel = eventBusChannel('learner-credit', BUS_ROUTES);
      const relay = new DeliveryRelay(learnerCreditDb(stack()), OUTBOX, channel);
      try {
        await waitFor('the redelivery', async () => {
          await relay.drain();
          const rows = await deliveries.rows((r) => mine.some((m) => m.seq === r.seq));
          return rows.every((r) => r.status === 'DELIVERED');
        });
      } finally {
        await channel.close();
      }
      const entries = await readStream(SHARED_REDIS_URL, stream(TOPICS.transactions));
      const resent = entries.filter((e) => mine.some((m) => m.outboxId === e.fields.id));
      assert.equal(resent.length, 3, 'each of the three resent ids is on the stream once: no message added');
      const ids = entries.map((e) => e.fields.id);
      assert.equal(new Set(ids).size, ids.length, 'every id once');
    });
  },
  {
    beforeStart: (dialect) => {
      process.env.EVENT_BUS_TOPIC_PREFIX = PREFIXES[dialect];
    },
  },
);

/** A committed ledger transaction event, as redeem writes it. */
function ledgerEvent(key: string, n: number): OutboxEvent {
  const now = new Date();
  const tx: LedgerTransactionRow = {
    uuid: key,
    ledgerUuid: randomUUID(),
    idempotencyKey: `test-${key}-${n}`,
    quantity: -(100 + n),
    state: 'COMMITTED',
    lmsUserId: 1000 + n,
    lmsUserEmail: null,
    contentKey: `edX+T${n}`,
    parentContentKey: null,
    contentTitle: null,
    fulfillmentIdentifier: null,
    subsidyAccessPolicyUuid: randomUUID(),
    isDeposit: false,
    created: now,
    modified: now,
  };
  return { eventType: EVENTS.transactionCommitted, aggregateKey: key, payload: transactionEventPayload(tx, null) };
}

async function writeLedgerEvents(db: Database['db'], keys: number, perKey: number): Promise<string[]> {
  const uuids = Array.from({ length: keys }, () => randomUUID());
  // Interleaved per key, as concurrent redemptions of different transactions write them.
  for (let round = 0; round < perKey; round++) {
    await enqueueEvents(
      db as never,
      OUTBOX,
      uuids.map((key, i) => ledgerEvent(key, round * keys + i)),
      CHANNELS,
    );
  }
  return uuids;
}

function fastRelay(overrides: Partial<RelaySettings> = {}): RelaySettings {
  return { ...relaySettings(), batchSize: 50, backoffMs: 20, maxBackoffMs: 100, leaseMs: 5000, ...overrides };
}

function busSettings(url: string | undefined, prefix: string): EventBusSettings {
  return { url, topicPrefix: prefix, streamMaxLen: 10_000, timeoutMs: 1000, dedupTtlSeconds: 3600 };
}

for (const dialect of DIALECTS) {
  describe(`event bus delivery: order, outages and restarts [${dialect}]`, () => {
    let database: Database | undefined;
    let url = '';
    const prefix = uniquePrefix('bus-relay');
    const transactions = streamName(TOPICS.transactions, prefix);
    before(async () => {
      url = freshDatabaseUrl(dialect);
      database = await prepareDatabase(url, { subgraphs: ['learner-credit'] });
    });
    after(async () => {
      await database?.destroy();
      await dropDatabase(url);
      await deletePrefix(SHARED_REDIS_URL, prefix);
    });
    const db = () => database!.db;
    const deliveries = () => deliveriesOf(db(), OUTBOX);
    const clear = async () => {
      await deliveries()
        .db.deleteFrom(`${OUTBOX}_delivery` as 'd')
        .execute();
      await deliveries()
        .db.deleteFrom(OUTBOX as 'o')
        .execute();
      await deletePrefix(SHARED_REDIS_URL, prefix);
    };

    it('without EVENT_BUS_REDIS_URL nothing is published and nothing stays pending', async () => {
      await clear();
      await writeLedgerEvents(db(), 3, 2);
      const relay = new DeliveryRelay(
        db(),
        OUTBOX,
        eventBusChannel('learner-credit', BUS_ROUTES, busSettings(undefined, prefix)),
        fastRelay(),
      );
      await relay.drain();
      const rows = await deliveries().rows();
      assert.equal(rows.length, 6);
      assert.ok(rows.every((r) => r.status === 'SKIPPED'));
      assert.equal((await readStream(SHARED_REDIS_URL, transactions)).length, 0);
    });

    it("a key's events go out in commit order even when an earlier one waits for a retry", async () => {
      await clear();
      const [held, free] = await writeLedgerEvents(db(), 2, 3);
      const rows = await deliveries().rows();
      const first = rows.find((r) => r.aggregateKey === held)!;
      // The state after a failed attempt: the first event of `held` waits for its retry.
      await deliveries()
        .db.updateTable(`${OUTBOX}_delivery` as 'd')
        .set({ attempts: 1, nextAttemptAt: new Date(Date.now() + 60_000), lastError: 'earlier failure' })
        .where('seq', '=', first.seq)
        .execute();
      const channel = eventBusChannel('learner-credit', BUS_ROUTES, busSettings(SHARED_REDIS_URL, prefix));
      const relay = new DeliveryRelay(db(), OUTBOX, channel, fastRelay());
      await relay.drain();
      let keys = (await readStream(SHARED_REDIS_URL, transactions)).map((e) => ledgerOf(e).uuid);
      assert.deepEqual(keys, [free, free, free], 'the other key went on; none of the held key overtook its first');
      await deliveries()
        .db.updateTable(`${OUTBOX}_delivery` as 'd')
        .set({ nextAttemptAt: new Date(Date.now() - 1) })
        .where('seq', '=', first.seq)
        .execute();
      await relay.drain();
      const entries = await readStream(SHARED_REDIS_URL, transactions);
      keys = entries.map((e) => ledgerOf(e).uuid);
      assert.deepEqual(keys.filter((k) => k === held).length, 3);
      const heldIds = entries.filter((e) => ledgerOf(e).uuid === held).map((e) => e.fields.id);
      const written = rows.filter((r) => r.aggregateKey === held).map((r) => r.outboxId);
      assert.deepEqual(heldIds, written, 'in the order they were written');
      await channel.close();
    });

    it('Redis down: the backlog grows in the table and in /metrics, and is delivered once Redis is back', async () => {
      await clear();
      const redis = await PrivateRedis.create();
      const privateStream = streamName(TOPICS.transactions, prefix);
      const unregister = registerOutbox(`bus-test-${dialect}`, db() as never, OUTBOX, { deliveries: true });
      const channel = eventBusChannel('learner-credit', BUS_ROUTES, busSettings(redis.url, prefix));
      const relay = new DeliveryRelay(db(), OUTBOX, channel, fastRelay({ maxAttempts: 1000 }));
      try {
        const keys = await writeLedgerEvents(db(), 5, 4);
        await relay.drain();
        const waiting = await deliveries().rows();
        assert.equal(waiting.length, 20);
        assert.ok(waiting.every((r) => r.status === 'PENDING'));
        assert.ok(
          waiting.some((r) => r.attempts >= 1 && r.lastError),
          'the failed attempt is recorded',
        );
        const { register } = await import('prom-client');
        const metrics = await register.getSingleMetricAsString('eg_outbox_delivery_backlog');
        assert.match(
          metrics,
          new RegExp(`eg_outbox_delivery_backlog\\{subgraph="bus-test-${dialect}",channel="bus"\\} 20`),
        );

        await redis.start();
        await waitFor(
          'the backlog delivered',
          async () => {
            await relay.drain();
            return (await deliveries().rows()).every((r) => r.status === 'DELIVERED');
          },
          { timeoutMs: 30_000 },
        );
        const entries = await readStream(redis.url, privateStream);
        assert.equal(entries.length, 20);
        const ids = entries.map((e) => e.fields.id);
        assert.equal(new Set(ids).size, 20, 'no id twice');
        for (const key of keys) {
          const sent = entries.filter((e) => ledgerOf(e).uuid === key).map((e) => e.fields.id);
          const written = waiting.filter((r) => r.aggregateKey === key).map((r) => r.outboxId);
          assert.deepEqual(sent, written, `key ${key} in commit order`);
        }
      } finally {
        unregister();
        await channel.close();
        await redis.stop();
      }
    });

    it('a subgraph killed mid-batch and restarted publishes every event once', async () => {
      await clear();
      const total = 600;
      await writeLedgerEvents(db(), 100, total / 100);
      const port = await freePort();
      const env = {
        DATABASE_URL: url,
        LEARNER_CREDIT_PORT: String(port),
        JWT_SECRET: 'bus-test-secret-0123456789abcdef-0123456789',
        EVENT_BUS_REDIS_URL: SHARED_REDIS_URL,
        EVENT_BUS_TOPIC_PREFIX: prefix,
        OUTBOX_RELAY_BATCH: '20',
        OUTBOX_RELAY_LEASE_MS: '1500',
        OUTBOX_RELAY_POLL_MS: '200',
      };
      const first = await startPiece('learner-credit', env);
      const length = async () => {
        const client = createClient({ url: SHARED_REDIS_URL });
        await client.connect();
        try {
          return await client.xLen(transactions);
        } finally {
          await client.close();
        }
      };
      await waitFor('the first events on the stream', async () => (await length()) >= 40, { intervalMs: 5 });
      first.kill('SIGKILL');
      await first.exited;
      const atKill = await length();
      assert.ok(atKill < total, `killed mid-run (${atKill} of ${total} published)`);
      const second = await startPiece('learner-credit', env);
      try {
        await waitFor(
          'every delivery DELIVERED',
          async () => (await deliveries().rows()).every((r) => r.status === 'DELIVERED'),
          { timeoutMs: 60_000 },
        );
      } finally {
        second.kill('SIGTERM');
        await second.exited;
      }
      const entries = await readStream(SHARED_REDIS_URL, transactions);
      const ids = entries.map((e) => e.fields.id);
      assert.equal(ids.length, total, 'none lost, none twice');
      assert.equal(new Set(ids).size, total);
      const outboxIds = new Set((await deliveries().outbox()).map((r) => r.id));
      assert.ok(ids.every((id) => outboxIds.has(id!)));
    });
  });
}
