import type { Kysely } from 'kysely';
import { rowDecoder } from '../../lib/db/codec.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../lib/pagination.js';
import type { LearnerCreditDatabase, SubsidyAccessPolicyRow } from './tables.js';

type DB = Kysely<LearnerCreditDatabase>;

export const decodePolicy = rowDecoder<SubsidyAccessPolicyRow>({ booleans: ['active'], dates: ['created', 'modified'] });

export async function findPoliciesByUuids(db: DB, uuids: readonly string[]): Promise<SubsidyAccessPolicyRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('subsidy_access_policy').selectAll().where('uuid', 'in', uuids).execute()).map(decodePolicy);
}

const POLICY_ORDER: SortKey<SubsidyAccessPolicyRow>[] = [
  { column: 'displayName', direction: 'asc', value: (r) => r.displayName ?? '' },
  { column: 'uuid', direction: 'asc', value: (r) => r.uuid },
];

export interface PolicyFilter {
  enterpriseCustomerUuid: string;
  active?: boolean | null;
}

export function listPolicies(db: DB, filter: PolicyFilter, page: PageArgs): Promise<Connection<SubsidyAccessPolicyRow>> {
  let query = db.selectFrom('subsidy_access_policy').where('enterpriseCustomerUuid', '=', filter.enterpriseCustomerUuid);
  if (filter.active != null) query = query.where('active', '=', filter.active);
  return paginate(query.selectAll(), page, POLICY_ORDER, decodePolicy, () => countRows(query));
}

export async function countPolicies(db: DB): Promise<number> {
  return countRows(db.selectFrom('subsidy_access_policy'));
}
