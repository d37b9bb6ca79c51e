import type { LedgerTransactionTable } from './tables.js';

/**
 * The committed deposit that opens a subsidy's ledger with its starting balance
 * (enterprise-subsidy's idempotency key format, so re-seeding never deposits twice).
 */
export function initialDeposit(args: {
  uuid: string;
  ledgerUuid: string;
  subsidyUuid: string;
  balanceCents: number;
  at: Date;
}): LedgerTransactionTable {
  return {
    uuid: args.uuid,
    ledgerUuid: args.ledgerUuid,
    idempotencyKey: `ledger-for-subsidy-${args.subsidyUuid}-${args.balanceCents}-initial-deposit`,
    quantity: args.balanceCents,
    state: 'COMMITTED',
    lmsUserId: null,
    lmsUserEmail: null,
    contentKey: null,
    parentContentKey: null,
    contentTitle: null,
    fulfillmentIdentifier: null,
    subsidyAccessPolicyUuid: null,
    isDeposit: true,
    created: args.at,
    modified: args.at,
  };
}
