import type { Kysely } from 'kysely';

/**
 * Covering indexes for the money aggregates: a ledger's balance and a policy's redeemed total
 * are sums read on every policy page and every canRedeem. With these the sums are answered from
 * the index alone instead of reading each transaction row (the bench's scale-1 EXPLAIN showed
 * 290-420 ms cold for 20 ledgers without them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('ledger_transaction_balance')
    .on('ledger_transaction')
    .columns(['ledger_uuid', 'state', 'is_deposit', 'quantity'])
    .execute();
  await db.schema
    .createIndex('ledger_transaction_policy_spend')
    .on('ledger_transaction')
    .columns(['subsidy_access_policy_uuid', 'state', 'quantity'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('ledger_transaction_policy_spend').on('ledger_transaction').execute();
  await db.schema.dropIndex('ledger_transaction_balance').on('ledger_transaction').execute();
}
