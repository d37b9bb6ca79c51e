import type { BusRoute } from '../../lib/deliveries/event-bus.js';
import { TOPICS } from '../../lib/deliveries/topics.js';
import { badInput } from '../../lib/errors.js';
import { payloadField } from '../../lib/outbox-relay.js';
import { EVENTS } from './events.js';

/**
 * How the learner-credit subgraph's events go on the Open edX event bus (README, "Events and
 * email"): the ledger's transactions as openedx-events' `subsidy_ledger_transaction.*` events,
 * on enterprise-subsidy's topic; the payload is already their `{ ledger_transaction }` data.
 */
export const BUS_ROUTES: Record<string, BusRoute> = Object.fromEntries(
  [EVENTS.transactionCreated, EVENTS.transactionCommitted, EVENTS.transactionFailed, EVENTS.transactionReversed].map(
    (type) => [type, { topic: TOPICS.transactions, data: ledgerTransactionData }],
  ),
);

function ledgerTransactionData(event: { payload: unknown }): Record<string, unknown> {
  const transaction = payloadField(event.payload, 'ledger_transaction');
  if (transaction === null || typeof transaction !== 'object')
    throw badInput('event payload has no ledger_transaction');
  return { ledger_transaction: transaction };
}
