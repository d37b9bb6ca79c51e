import type { Kysely } from 'kysely';
import type { AnyKysely } from '../../../lib/db/database.js';
import { forUpdate } from '../../../lib/db/locking.js';
import { type Connection, countRows, type PageArgs, paginate, type SortKey } from '../../../lib/pagination.js';
import type {
  LearnerCreditDatabase,
  LedgerRow,
  PolicyGroupAssociationTable,
  SubsidyAccessPolicyRow,
  SubsidyRow,
} from '../tables.js';
import { decodeLedger, decodePolicy, decodeSubsidy, toNumber } from './shared.js';

type DB = Kysely<LearnerCreditDatabase>;

// ---------------------------------------------------------------------------------------------
// Policies

export async function findPoliciesByUuids(db: DB, uuids: readonly string[]): Promise<SubsidyAccessPolicyRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('subsidy_access_policy').selectAll().where('uuid', 'in', uuids).execute()).map(
    decodePolicy,
  );
}

/** Reads the policy and locks its row until the transaction ends: every spend or allocation from it starts here. */
export async function lockPolicy(trx: DB, uuid: string): Promise<SubsidyAccessPolicyRow | null> {
  const row = await forUpdate(
    trx as AnyKysely,
    trx.selectFrom('subsidy_access_policy').selectAll().where('uuid', '=', uuid),
  ).executeTakeFirst();
  return row ? decodePolicy(row) : null;
}

const POLICY_ORDER: SortKey<SubsidyAccessPolicyRow>[] = [
  { column: 'displayName', direction: 'asc', type: 'string', value: (r) => r.displayName ?? '' },
  { column: 'uuid', direction: 'asc', type: 'string', value: (r) => r.uuid },
];

export interface PolicyFilter {
  enterpriseCustomerUuid: string;
  active?: boolean | null;
  policyType?: string | null;
  /** Learners see active policies only (inactive ones are soft-deleted). */
  onlyActive?: boolean;
}

export function listPolicies(
  db: DB,
  filter: PolicyFilter,
  page: PageArgs,
): Promise<Connection<SubsidyAccessPolicyRow>> {
  let query = db
    .selectFrom('subsidy_access_policy')
    .where('enterpriseCustomerUuid', '=', filter.enterpriseCustomerUuid);
  if (filter.active != null) query = query.where('active', '=', filter.active);
  if (filter.onlyActive) query = query.where('active', '=', true);
  if (filter.policyType != null)
    query = query.where('policyType', '=', filter.policyType as SubsidyAccessPolicyRow['policyType']);
  return paginate(query.selectAll(), page, POLICY_ORDER, decodePolicy, () => countRows(query));
}

export async function countSubsidies(db: DB): Promise<number> {
  return countRows(db.selectFrom('subsidy'));
}

/** Spend limits of the active policies per subsidy (null limits count as 0). */
export async function sumSpendLimitsBySubsidies(
  db: DB,
  subsidyUuids: readonly string[],
): Promise<{ subsidyUuid: string; total: number }[]> {
  if (!subsidyUuids.length) return [];
  const rows = await db
    .selectFrom('subsidy_access_policy')
    .select(['subsidyUuid', (eb) => eb.fn.sum<number>('spendLimitCents').as('total')])
    .where('subsidyUuid', 'in', subsidyUuids)
    .where('active', '=', true)
    .groupBy('subsidyUuid')
    .execute();
  return rows.map((r) => ({ subsidyUuid: r.subsidyUuid, total: toNumber(r.total) }));
}

export async function findGroupAssociationsByPolicyUuids(
  db: DB,
  uuids: readonly string[],
): Promise<PolicyGroupAssociationTable[]> {
  if (!uuids.length) return [];
  return db
    .selectFrom('policy_group_association')
    .selectAll()
    .where('subsidyAccessPolicyUuid', 'in', uuids)
    .orderBy('enterpriseGroupUuid')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Subsidies and ledgers

export async function findSubsidiesByUuids(db: DB, uuids: readonly string[]): Promise<SubsidyRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('subsidy').selectAll().where('uuid', 'in', uuids).execute()).map(decodeSubsidy);
}

export async function findLedgersByUuids(db: DB, uuids: readonly string[]): Promise<LedgerRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('ledger').selectAll().where('uuid', 'in', uuids).execute()).map(decodeLedger);
}

/**
 * Locks the ledger row: the balance check and the insert of a spend happen under it, so
 * sibling policies of one subsidy cannot overdraw it together. Lock order everywhere: policy,
 * then ledger, then assignments.
 */
export async function lockLedger(trx: DB, uuid: string): Promise<LedgerRow | null> {
  const row = await forUpdate(
    trx as AnyKysely,
    trx.selectFrom('ledger').selectAll().where('uuid', '=', uuid),
  ).executeTakeFirst();
  return row ? decodeLedger(row) : null;
}

/** openedx-ledger balance (every non-failed transaction plus its reversal), stored on the ledger row. */
export async function sumLedgerBalances(
  db: DB,
  ledgerUuids: readonly string[],
): Promise<{ ledgerUuid: string; balance: number }[]> {
  if (!ledgerUuids.length) return [];
  const rows = await db
    .selectFrom('ledger')
    .select(['uuid', 'balanceCents'])
    .where('uuid', 'in', ledgerUuids)
    .execute();
  return rows.map((r) => ({ ledgerUuid: r.uuid, balance: toNumber(r.balanceCents) }));
}

/** Committed deposits per ledger (their reversals included), stored on the ledger row. */
export async function sumLedgerDeposits(
  db: DB,
  ledgerUuids: readonly string[],
): Promise<{ ledgerUuid: string; total: number }[]> {
  if (!ledgerUuids.length) return [];
  const rows = await db
    .selectFrom('ledger')
    .select(['uuid', 'depositsCents'])
    .where('uuid', 'in', ledgerUuids)
    .execute();
  return rows.map((r) => ({ ledgerUuid: r.uuid, total: toNumber(r.depositsCents) }));
}

/** Per policy: the sum of its non-failed transactions net of reversals (<= 0), stored on the policy row. */
export async function sumRedeemedByPolicies(
  db: DB,
  policyUuids: readonly string[],
): Promise<{ policyUuid: string; total: number }[]> {
  if (!policyUuids.length) return [];
  const rows = await db
    .selectFrom('subsidy_access_policy')
    .select(['uuid', 'redeemedCents'])
    .where('uuid', 'in', policyUuids)
    .execute();
  return rows.map((r) => ({ policyUuid: r.uuid, total: toNumber(r.redeemedCents) }));
}
