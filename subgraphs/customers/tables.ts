import type { OutboxTable } from '../../lib/outbox.js';

/** `enterprise_customer`: columns are snake_case in SQL, camelCase here (Kysely CamelCasePlugin). */
export interface EnterpriseCustomerTable {
  uuid: string;
  name: string;
  slug: string;
  active: boolean;
  country: string | null;
  contactEmail: string | null;
  enableLearnerPortal: boolean;
  created: Date;
  modified: Date;
}

export interface CustomersDatabase {
  enterprise_customer: EnterpriseCustomerTable;
  customers_outbox: OutboxTable;
}

/** A customer as resolvers see it (decoded: booleans and dates are JS values on both dialects). */
export type EnterpriseCustomerRow = EnterpriseCustomerTable;
