import type { Kysely } from 'kysely';
import { DEMO } from '../../lib/demo-ids.js';
import type { CustomersDatabase, EnterpriseCustomerTable } from './tables.js';

const CREATED = new Date('2023-01-01T00:00:00Z');

export const DEMO_CUSTOMERS: EnterpriseCustomerTable[] = [
  { uuid: DEMO.customers.sealTeamTen, name: 'Seal Team Ten', slug: 'seal-team-ten', active: true, country: 'US', contactEmail: 'admin@sealteamten.example.com', enableLearnerPortal: true, created: CREATED, modified: CREATED },
  { uuid: DEMO.customers.dusenberyDevices, name: 'Dusenbery Devices', slug: 'dusenbery-devices', active: true, country: 'US', contactEmail: 'learning@dusenbery.example.com', enableLearnerPortal: false, created: CREATED, modified: CREATED },
  { uuid: DEMO.customers.policyExample, name: 'Bluth Company', slug: 'bluth-company', active: true, country: 'US', contactEmail: 'learning@bluth.example.com', enableLearnerPortal: true, created: CREATED, modified: CREATED },
  { uuid: DEMO.customers.planExample, name: 'Initech', slug: 'initech', active: true, country: 'GB', contactEmail: 'training@initech.example.com', enableLearnerPortal: true, created: CREATED, modified: CREATED },
  { uuid: DEMO.customers.summaryExample, name: 'Acme Learning', slug: 'acme-learning', active: true, country: 'CA', contactEmail: 'people@acme.example.com', enableLearnerPortal: true, created: CREATED, modified: CREATED },
  { uuid: DEMO.customers.foreign, name: 'Umbrella Corporation', slug: 'umbrella-corporation', active: true, country: 'DE', contactEmail: 'hr@umbrella.example.com', enableLearnerPortal: true, created: CREATED, modified: CREATED },
];

/** Inserts the demo customers that are missing (idempotent). */
export async function seedDemoData(db: Kysely<CustomersDatabase>): Promise<void> {
  const existing = new Set((await db.selectFrom('enterprise_customer').select('uuid').execute()).map((r) => r.uuid));
  const missing = DEMO_CUSTOMERS.filter((c) => !existing.has(c.uuid));
  if (missing.length) await db.insertInto('enterprise_customer').values(missing).execute();
}
