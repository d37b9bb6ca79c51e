import { type Kysely, sql, type SqlBool } from 'kysely';
import { differences, type AggregateDifference } from '../../../lib/aggregates.js';
import type { AssignmentState, LearnerCreditDatabase, LedgerTransactionTable } from '../tables.js';
import { toNumber } from './shared.js';

type DB = Kysely<LearnerCreditDatabase>;

// ---------------------------------------------------------------------------------------------
// Stored money aggregates (migration 0007). Invariants, enforced by the writes in this store:
// - ledger.balance_cents  = sum of the ledger's non-failed transactions plus their reversals;
// - ledger.deposits_cents = the same over its COMMITTED deposits;
// - subsidy_access_policy.redeemed_cents  = the policy's non-failed transactions plus reversals;
// - subsidy_access_policy.allocated_cents = its configuration's ALLOCATED content quantities.
// Every writer of those rows holds the policy lock and then the ledger lock (lockPolicy,
// lockLedger), and the updates are relative (`x = x + ?`), so concurrent writers serialize in the
// database and never lose an update.

/** Whether a transaction counts in a balance or a redeemed total (a reversal counts with it). */
const counts = (tx: Pick<LedgerTransactionTable, 'state'>) => tx.state !== 'FAILED';
const countsAsDeposit = (tx: Pick<LedgerTransactionTable, 'state' | 'isDeposit'>) =>
  tx.state === 'COMMITTED' && tx.isDeposit;

/** Adds a transaction's (or its reversal's) `quantity` to the ledger and the policy it belongs to. */
export async function addToMoneyAggregates(
  db: DB,
  tx: Pick<LedgerTransactionTable, 'ledgerUuid' | 'subsidyAccessPolicyUuid' | 'state' | 'isDeposit'>,
  quantity: number,
): Promise<void> {
  if (!counts(tx) || quantity === 0) return;
  const deposit = countsAsDeposit(tx) ? quantity : 0;
  await db
    .updateTable('ledger')
    .set((eb) => ({
      balanceCents: eb('balanceCents', '+', quantity),
      ...(deposit ? { depositsCents: eb('depositsCents', '+', deposit) } : {}),
    }))
    .where('uuid', '=', tx.ledgerUuid)
    .execute();
  if (tx.subsidyAccessPolicyUuid)
    await db
      .updateTable('subsidy_access_policy')
      .set((eb) => ({ redeemedCents: eb('redeemedCents', '+', quantity) }))
      .where('uuid', '=', tx.subsidyAccessPolicyUuid)
      .execute();
}

/** Adds to the allocated total of each configuration's policy (deltas by configuration uuid, <= 0 adds spend). */
export async function addToAllocated(db: DB, deltas: ReadonlyMap<string, number>): Promise<void> {
  // Configuration order: a fixed lock order when one call touches several policies.
  for (const [configurationUuid, delta] of [...deltas].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (delta === 0) continue;
    await db
      .updateTable('subsidy_access_policy')
      .set((eb) => ({ allocatedCents: eb('allocatedCents', '+', delta) }))
      .where(
        'uuid',
        '=',
        db
          .selectFrom('assignment_configuration')
          .select('subsidyAccessPolicyUuid')
          .where('uuid', '=', configurationUuid),
      )
      .execute();
  }
}

/** ALLOCATED content quantities of some assignments, per configuration (what addToAllocated adds). */
export async function allocatedOfAssignments(db: DB, uuids: readonly string[]): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  if (!uuids.length) return totals;
  const rows = await db
    .selectFrom('learner_content_assignment')
    .select(['assignmentConfigurationUuid', (eb) => eb.fn.sum<number>('contentQuantity').as('total')])
    .where('uuid', 'in', uuids)
    .where('state', '=', 'ALLOCATED' satisfies AssignmentState)
    .groupBy('assignmentConfigurationUuid')
    .execute();
  for (const row of rows) totals.set(row.assignmentConfigurationUuid, toNumber(row.total));
  return totals;
}

// ---------------------------------------------------------------------------------------------
// Recompute from the rows: the check and the repair

const NET = sql<number>`coalesce(sum(t.quantity + coalesce(r.quantity, 0)), 0)`;

function actualBalance(db: DB, ledgerRef: string, depositsOnly: boolean) {
  let query = db
    .selectFrom('ledger_transaction as t')
    .leftJoin('ledger_reversal as r', 'r.transactionUuid', 't.uuid')
    .select(NET.as('total'))
    .where(sql<SqlBool>`${sql.ref('t.ledgerUuid')} = ${sql.ref(ledgerRef)}`);
  query = depositsOnly
    ? query.where('t.state', '=', 'COMMITTED').where('t.isDeposit', '=', true)
    : query.where('t.state', '<>', 'FAILED');
  return query;
}

function actualRedeemed(db: DB, policyRef: string) {
  return db
    .selectFrom('ledger_transaction as t')
    .leftJoin('ledger_reversal as r', 'r.transactionUuid', 't.uuid')
    .select(NET.as('total'))
    .where(sql<SqlBool>`${sql.ref('t.subsidyAccessPolicyUuid')} = ${sql.ref(policyRef)}`)
    .where('t.state', '<>', 'FAILED');
}

function actualAllocated(db: DB, policyRef: string) {
  return db
    .selectFrom('learner_content_assignment as a')
    .innerJoin('assignment_configuration as c', 'c.uuid', 'a.assignmentConfigurationUuid')
    .select(sql<number>`coalesce(sum(a.content_quantity), 0)`.as('total'))
    .where(sql<SqlBool>`${sql.ref('c.subsidyAccessPolicyUuid')} = ${sql.ref(policyRef)}`)
    .where('a.state', '=', 'ALLOCATED');
}

/** Every stored money aggregate that differs from its recomputation from the rows. */
export async function checkAggregates(db: DB): Promise<AggregateDifference[]> {
  const ledgers = await db
    .selectFrom('ledger')
    .select([
      'uuid as key',
      'balanceCents',
      'depositsCents',
      actualBalance(db, 'ledger.uuid', false).as('actualBalance'),
      actualBalance(db, 'ledger.uuid', true).as('actualDeposits'),
    ])
    .execute();
  const policies = await db
    .selectFrom('subsidy_access_policy')
    .select([
      'uuid as key',
      'redeemedCents',
      'allocatedCents',
      actualRedeemed(db, 'subsidy_access_policy.uuid').as('actualRedeemed'),
      actualAllocated(db, 'subsidy_access_policy.uuid').as('actualAllocated'),
    ])
    .execute();
  return [
    ...differences(
      'ledger.balance_cents',
      ledgers.map((r) => ({ key: r.key, stored: r.balanceCents, actual: r.actualBalance })),
    ),
    ...differences(
      'ledger.deposits_cents',
      ledgers.map((r) => ({ key: r.key, stored: r.depositsCents, actual: r.actualDeposits })),
    ),
    ...differences(
      'subsidy_access_policy.redeemed_cents',
      policies.map((r) => ({ key: r.key, stored: r.redeemedCents, actual: r.actualRedeemed })),
    ),
    ...differences(
      'subsidy_access_policy.allocated_cents',
      policies.map((r) => ({ key: r.key, stored: r.allocatedCents, actual: r.actualAllocated })),
    ),
  ];
}

/**
 * Rewrites every stored money aggregate from the rows (`db:check-aggregates --repair`, bulk
 * loaders). Run it where no writer runs, or in a transaction: it takes no locks of its own.
 */
export async function repairAggregates(db: DB): Promise<void> {
  await db
    .updateTable('ledger')
    .set(() => ({
      balanceCents: actualBalance(db, 'ledger.uuid', false),
      depositsCents: actualBalance(db, 'ledger.uuid', true),
    }))
    .execute();
  await db
    .updateTable('subsidy_access_policy')
    .set(() => ({
      redeemedCents: actualRedeemed(db, 'subsidy_access_policy.uuid'),
      allocatedCents: actualAllocated(db, 'subsidy_access_policy.uuid'),
    }))
    .execute();
}
