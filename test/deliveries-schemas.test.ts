import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeEventData, encodeEventData, knownEventTypes, schemaErrors } from '../lib/deliveries/avro.js';
import type { BusRoute } from '../lib/deliveries/event-bus.js';
import { assertRoutes, type DeliveryChannel } from '../lib/deliveries/relay.js';
import type { ChannelsByEventType } from '../lib/outbox.js';
import { busRoutes as customersBusRoutes } from '../subgraphs/customers/bus.js';
import { CHANNELS as CUSTOMERS_CHANNELS } from '../subgraphs/customers/events.js';
import { BUS_ROUTES as LEARNER_CREDIT_BUS_ROUTES } from '../subgraphs/learner-credit/bus.js';
import {
  CHANNELS as LEARNER_CREDIT_CHANNELS,
  EVENTS as LC,
  redemptionEvents,
  transactionEventPayload,
} from '../subgraphs/learner-credit/events.js';
import type { LedgerReversalRow, LedgerTransactionRow } from '../subgraphs/learner-credit/tables.js';
import { CHANNELS as SUBSCRIPTIONS_CHANNELS } from '../subgraphs/subscriptions/events.js';

const now = new Date('2026-12-03T10:00:00.000Z');
const tx: LedgerTransactionRow = {
  uuid: randomUUID(),
  ledgerUuid: randomUUID(),
  idempotencyKey: 'redeem-1',
  quantity: -19900,
  state: 'COMMITTED',
  lmsUserId: 3,
  lmsUserEmail: 'learner@example.com',
  contentKey: 'BerkeleyX+CLOU102',
  parentContentKey: null,
  contentTitle: 'Cloud Computing',
  fulfillmentIdentifier: randomUUID(),
  subsidyAccessPolicyUuid: randomUUID(),
  isDeposit: false,
  created: now,
  modified: now,
};
const reversal: LedgerReversalRow = {
  uuid: randomUUID(),
  transactionUuid: tx.uuid,
  idempotencyKey: 'reverse-1',
  quantity: 19900,
  state: 'COMMITTED',
  created: now,
  modified: now,
};

describe('event schemas (schema/events/*.avsc)', () => {
  it('holds one schema per event type the graph publishes, each a CloudEvent record named after its type', () => {
    const published = new Set<string>();
    const routes: Record<string, BusRoute>[] = [LEARNER_CREDIT_BUS_ROUTES, customersBusRoutes(undefined as never)];
    for (const table of routes) for (const [kind, route] of Object.entries(table)) published.add(route.type ?? kind);
    assert.deepEqual(knownEventTypes(), [...published].sort());
    assert.deepEqual(knownEventTypes(), [
      'org.openedx.enterprise.learner_credit_course_enrollment.revoked.v1',
      'org.openedx.enterprise.subsidy_ledger_transaction.committed.v1',
      'org.openedx.enterprise.subsidy_ledger_transaction.created.v1',
      'org.openedx.enterprise.subsidy_ledger_transaction.failed.v1',
      'org.openedx.enterprise.subsidy_ledger_transaction.reversed.v1',
      'org.openedx.learning.course.enrollment.changed.v1',
      'org.openedx.learning.course.enrollment.created.v1',
      'org.openedx.learning.course.unenrollment.completed.v1',
    ]);
  });

  it("the ledger's payloads (a redemption's created and committed, a reversal) validate and round-trip", () => {
    const events = redemptionEvents(tx, { uuid: tx.subsidyAccessPolicyUuid!, enterpriseCustomerUuid: randomUUID() });
    const published = events.filter((e) =>
      LEARNER_CREDIT_CHANNELS[e.eventType as keyof typeof LEARNER_CREDIT_CHANNELS].includes('bus'),
    );
    assert.deepEqual(
      published.map((e) => e.eventType),
      [LC.transactionCreated, LC.transactionCommitted],
    );
    const reversed = { eventType: LC.transactionReversed, payload: transactionEventPayload(tx, reversal) };
    const failed = {
      eventType: LC.transactionFailed,
      payload: transactionEventPayload({ ...tx, state: 'FAILED' }, null),
    };
    for (const event of [...published, reversed, failed]) {
      const data = event.payload as Record<string, unknown>;
      assert.deepEqual(schemaErrors(event.eventType, data), []);
      const decoded = decodeEventData(event.eventType, encodeEventData(event.eventType, data));
      assert.deepEqual(JSON.parse(JSON.stringify(decoded)), data);
    }
    const back = decodeEventData(LC.transactionReversed, encodeEventData(LC.transactionReversed, reversed.payload));
    assert.equal((back.ledger_transaction as { reversal: { quantity: number } }).reversal.quantity, 19900);
  });

  it('a payload that does not fit is refused with the failing fields named (FAILED at once, not retried)', () => {
    const bad = { ledger_transaction: { ...transactionEventPayload(tx, null).ledger_transaction, quantity: 'lots' } };
    assert.deepEqual(schemaErrors(LC.transactionCommitted, bad), ['ledger_transaction.quantity = "lots"']);
    assert.throws(
      () => encodeEventData(LC.transactionCommitted, bad),
      (error: Error & { extensions?: { code?: string } }) =>
        error.extensions?.code === 'BAD_USER_INPUT' && error.message.includes('ledger_transaction.quantity'),
    );
  });

  it('every event type routed to the bus or email has a sender on that channel, in every subgraph', () => {
    const channel = (name: 'bus' | 'email', routes: object): DeliveryChannel => ({
      name,
      eventTypes: Object.keys(routes),
      deliver: () => Promise.resolve('DELIVERED'),
      close: () => Promise.resolve(),
    });
    const onlyBus = (channels: ChannelsByEventType) =>
      Object.fromEntries(Object.entries(channels).map(([k, v]) => [k, v.filter((c) => c === 'bus')]));
    assertRoutes(onlyBus(LEARNER_CREDIT_CHANNELS), [channel('bus', LEARNER_CREDIT_BUS_ROUTES)]);
    assertRoutes(onlyBus(CUSTOMERS_CHANNELS), [channel('bus', customersBusRoutes(undefined as never))]);
    assertRoutes(onlyBus(SUBSCRIPTIONS_CHANNELS), [channel('bus', {})]);
    assert.throws(() => {
      assertRoutes({ 'x.v1': ['bus'] }, [channel('bus', {})]);
    }, /x\.v1 is routed to bus but no bus sender handles it/);
  });
});
