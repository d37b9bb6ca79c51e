import type { Kysely } from 'kysely';
import { type Connection, countRows, type PageArgs, paginate, type SortKey } from '../../../lib/pagination.js';
import type {
  LearnerCreditDatabase,
  LedgerReversalRow,
  LedgerReversalTable,
  LedgerTransactionRow,
  LedgerTransactionTable,
  TransactionState,
} from '../tables.js';
import { addToMoneyAggregates } from './aggregates.js';
import { decodeReversal, decodeTransaction } from './shared.js';

type DB = Kysely<LearnerCreditDatabase>;

// ---------------------------------------------------------------------------------------------
// Transactions and reversals

export async function findTransactionsByUuids(db: DB, uuids: readonly string[]): Promise<LedgerTransactionRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('ledger_transaction').selectAll().where('uuid', 'in', uuids).execute()).map(
    decodeTransaction,
  );
}

export async function findReversalsByTransactionUuids(db: DB, uuids: readonly string[]): Promise<LedgerReversalRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('ledger_reversal').selectAll().where('transactionUuid', 'in', uuids).execute()).map(
    decodeReversal,
  );
}

export async function findTransactionByKey(
  db: DB,
  ledgerUuid: string,
  idempotencyKey: string,
): Promise<LedgerTransactionRow | null> {
  const row = await db
    .selectFrom('ledger_transaction')
    .selectAll()
    .where('ledgerUuid', '=', ledgerUuid)
    .where('idempotencyKey', '=', idempotencyKey)
    .executeTakeFirst();
  return row ? decodeTransaction(row) : null;
}

/** A learner's transaction with what the redeemability checks need of its reversal. */
export interface LearnerTransaction extends LedgerTransactionRow {
  reversalQuantity: number | null;
  reversalState: TransactionState | null;
}

/** Every transaction of one learner in one ledger (any state, any policy), with reversals. */
export async function findLearnerTransactions(
  db: DB,
  ledgerUuid: string,
  lmsUserId: number,
): Promise<LearnerTransaction[]> {
  const rows = await db
    .selectFrom('ledger_transaction as t')
    .leftJoin('ledger_reversal as r', 'r.transactionUuid', 't.uuid')
    .selectAll('t')
    .select(['r.quantity as reversalQuantity', 'r.state as reversalState'])
    .where('t.ledgerUuid', '=', ledgerUuid)
    .where('t.lmsUserId', '=', lmsUserId)
    .orderBy('t.created')
    .orderBy('t.uuid')
    .execute();
  return rows.map((raw) => {
    const row = decodeTransaction(raw) as LearnerTransaction;
    return { ...row, reversalQuantity: raw.reversalQuantity };
  });
}

const TRANSACTION_ORDER: SortKey<LedgerTransactionRow>[] = [
  { column: 'created', direction: 'desc', type: 'date', value: (r) => r.created },
  { column: 'uuid', direction: 'desc', type: 'string', value: (r) => r.uuid },
];

/** A policy's transactions, newest first; `lmsUserId` narrows to one learner's. */
export function listPolicyTransactions(
  db: DB,
  policyUuid: string,
  lmsUserId: number | null,
  page: PageArgs,
): Promise<Connection<LedgerTransactionRow>> {
  let query = db.selectFrom('ledger_transaction').where('subsidyAccessPolicyUuid', '=', policyUuid);
  if (lmsUserId !== null) query = query.where('lmsUserId', '=', lmsUserId);
  return paginate(query.selectAll(), page, TRANSACTION_ORDER, decodeTransaction, () => countRows(query));
}

/** Inserts a transaction and adds it to its ledger's and policy's stored aggregates (hold the ledger lock). */
export async function insertTransaction(db: DB, row: LedgerTransactionTable): Promise<void> {
  await db.insertInto('ledger_transaction').values(row).execute();
  await addToMoneyAggregates(db, row, row.quantity);
}

/** Inserts the reversal of `tx` and adds it to the stored aggregates `tx` counts in (hold the ledger lock). */
export async function insertReversal(
  db: DB,
  row: LedgerReversalTable,
  tx: Pick<LedgerTransactionTable, 'ledgerUuid' | 'subsidyAccessPolicyUuid' | 'state' | 'isDeposit'>,
): Promise<void> {
  await db.insertInto('ledger_reversal').values(row).execute();
  await addToMoneyAggregates(db, tx, row.quantity);
}

/**
 * A committed, unreversed redemption that could not be fulfilled: FAILED, so it no longer counts
 * against the ledger and the policy (their stored totals give its quantity back, in this transaction).
 */
export async function markTransactionFailed(
  db: DB,
  tx: Pick<LedgerTransactionTable, 'uuid' | 'ledgerUuid' | 'subsidyAccessPolicyUuid' | 'isDeposit' | 'quantity'>,
  now: Date,
): Promise<void> {
  const result = await db
    .updateTable('ledger_transaction')
    .set({ state: 'FAILED', modified: now })
    .where('uuid', '=', tx.uuid)
    .where('state', '=', 'COMMITTED')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) await addToMoneyAggregates(db, { ...tx, state: 'COMMITTED' }, -tx.quantity);
}
