import type { Kysely } from 'kysely';
import { rowDecoder } from '../../lib/db/codec.js';
import { containsInsensitive } from '../../lib/db/search.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../lib/pagination.js';
import type { CustomersDatabase, EnterpriseCustomerRow } from './tables.js';

type DB = Kysely<CustomersDatabase>;

export const decodeCustomer = rowDecoder<EnterpriseCustomerRow>({
  booleans: ['active', 'enableLearnerPortal'],
  dates: ['created', 'modified'],
});

export async function findCustomersByUuids(db: DB, uuids: readonly string[]): Promise<EnterpriseCustomerRow[]> {
  if (uuids.length === 0) return [];
  const rows = await db.selectFrom('enterprise_customer').selectAll().where('uuid', 'in', uuids).execute();
  return rows.map(decodeCustomer);
}

export async function findCustomerBySlug(db: DB, slug: string): Promise<EnterpriseCustomerRow | undefined> {
  const row = await db.selectFrom('enterprise_customer').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row && decodeCustomer(row);
}

const CUSTOMER_ORDER: SortKey<EnterpriseCustomerRow>[] = [
  { column: 'name', direction: 'asc', value: (r) => r.name },
  { column: 'uuid', direction: 'asc', value: (r) => r.uuid },
];

export interface CustomerListFilter {
  search?: string | null;
  active?: boolean | null;
  /** Restricts to these customers; undefined means all (operators). */
  uuids?: readonly string[];
}

export function listCustomers(db: DB, filter: CustomerListFilter, page: PageArgs): Promise<Connection<EnterpriseCustomerRow>> {
  let query = db.selectFrom('enterprise_customer');
  if (filter.uuids) query = query.where('uuid', 'in', filter.uuids.length ? filter.uuids : ['']);
  if (filter.active != null) query = query.where('active', '=', filter.active);
  if (filter.search) {
    const search = filter.search;
    query = query.where((eb) => eb.or([containsInsensitive('name', search), containsInsensitive('slug', search)]));
  }
  return paginate(query.selectAll(), page, CUSTOMER_ORDER, decodeCustomer, () => countRows(query));
}

export async function countCustomers(db: DB): Promise<number> {
  return countRows(db.selectFrom('enterprise_customer'));
}
