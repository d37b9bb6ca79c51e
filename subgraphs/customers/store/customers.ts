import type { Kysely, Transaction } from 'kysely';
import { rowDecoder } from '../../../lib/db/codec.js';
import { forUpdate } from '../../../lib/db/locking.js';
import { containsInsensitive } from '../../../lib/db/search.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../../lib/pagination.js';
import type {
  CustomersDatabase,
  EnterpriseCustomerRow,
  EnterpriseCustomerTable,
  IdentityProviderRow,
} from '../tables.js';

type DB = Kysely<CustomersDatabase>;
type Trx = Transaction<CustomersDatabase>;

export const decodeCustomer = rowDecoder<EnterpriseCustomerRow>({
  booleans: [
    'active',
    'enableLearnerPortal',
    'enableDataSharingConsent',
    'enableUniversalLink',
    'enableBrowseAndRequest',
    'enableAuditEnrollment',
    'hideCourseOriginalPrice',
    'enablePortalLearnerCreditManagementScreen',
    'enablePortalSubscriptionManagementScreen',
    'enablePortalCodeManagementScreen',
    'enablePortalReportingConfigScreen',
    'enablePortalSamlConfigurationScreen',
    'enablePortalLmsConfigurationsScreen',
    'enableAnalyticsScreen',
  ],
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
  { column: 'name', direction: 'asc', type: 'string', value: (r) => r.name },
  { column: 'uuid', direction: 'asc', type: 'string', value: (r) => r.uuid },
];

export interface CustomerListFilter {
  search?: string | null;
  active?: boolean | null;
  /** Restricts to these customers; undefined means all (operators). */
  uuids?: readonly string[];
  /** Inactive customers are listed only when among these (the viewer administers them). */
  inactiveVisibleFor?: readonly string[];
}

export function listCustomers(
  db: DB,
  filter: CustomerListFilter,
  page: PageArgs,
): Promise<Connection<EnterpriseCustomerRow>> {
  let query = db.selectFrom('enterprise_customer');
  if (filter.uuids) query = query.where('uuid', 'in', filter.uuids.length ? filter.uuids : ['']);
  if (filter.active != null) query = query.where('active', '=', filter.active);
  if (filter.inactiveVisibleFor) {
    const admin = filter.inactiveVisibleFor.length ? filter.inactiveVisibleFor : [''];
    query = query.where((eb) => eb.or([eb('active', '=', true), eb('uuid', 'in', admin)]));
  }
  if (filter.search) {
    const search = filter.search;
    query = query.where((eb) => eb.or([containsInsensitive('name', search), containsInsensitive('slug', search)]));
  }
  return paginate(query.selectAll(), page, CUSTOMER_ORDER, decodeCustomer, () => countRows(query));
}

export async function countCustomers(db: DB): Promise<number> {
  return countRows(db.selectFrom('enterprise_customer'));
}

const decodeIdentityProvider = rowDecoder<IdentityProviderRow>({ booleans: ['defaultProvider'], dates: ['created'] });

export async function findIdentityProvidersByCustomers(
  db: DB,
  uuids: readonly string[],
): Promise<IdentityProviderRow[]> {
  if (uuids.length === 0) return [];
  const rows = await db
    .selectFrom('enterprise_customer_identity_provider')
    .selectAll()
    .where('enterpriseCustomerUuid', 'in', uuids)
    .orderBy('providerId')
    .execute();
  return rows.map(decodeIdentityProvider);
}

/** Locks the customer row: per-customer limits (invite keys) are checked under it. */
export async function lockCustomer(trx: Trx, uuid: string): Promise<EnterpriseCustomerRow | undefined> {
  const row = await forUpdate(
    trx,
    trx.selectFrom('enterprise_customer').selectAll().where('uuid', '=', uuid),
  ).executeTakeFirst();
  return row && decodeCustomer(row);
}

/** The portal settings updateEnterpriseCustomer may change (planCustomerUpdate decides which). */
export type CustomerSettingsChanges = Partial<
  Omit<
    EnterpriseCustomerTable,
    'uuid' | 'name' | 'slug' | 'active' | 'country' | 'customerType' | 'created' | 'modified'
  >
>;

export async function updateCustomer(
  trx: Trx,
  uuid: string,
  changes: CustomerSettingsChanges,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('enterprise_customer')
    .set({ ...changes, modified: now })
    .where('uuid', '=', uuid)
    .execute();
}
