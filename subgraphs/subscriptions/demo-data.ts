import type { Kysely } from 'kysely';
import { DEMO } from '../../lib/demo-ids.js';
import type { SubscriptionPlanTable, SubscriptionsDatabase } from './tables.js';

const CREATED = new Date('2023-01-01T00:00:00Z');

const PLANS: SubscriptionPlanTable[] = [
  {
    uuid: DEMO.plans.example,
    title: 'Enterprise Subscription',
    startDate: new Date('2023-01-01T00:00:00Z'),
    expirationDate: new Date('2024-01-01T00:00:00Z'),
    isActive: true,
    enterpriseCustomerUuid: DEMO.customers.planExample,
    enterpriseCatalogUuid: DEMO.catalogs.planExample,
    created: CREATED,
    modified: CREATED,
  },
  {
    uuid: '5ea17ea0-0000-4000-8000-0000000000b1',
    title: 'Seal Team Ten 2026 subscription',
    startDate: new Date('2026-01-01T00:00:00Z'),
    expirationDate: new Date('2027-01-01T00:00:00Z'),
    isActive: true,
    enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
    enterpriseCatalogUuid: DEMO.catalogs.sealTeamTenAll,
    created: CREATED,
    modified: CREATED,
  },
  {
    uuid: 'f0f0f0f0-0000-4000-8000-0000000000b1',
    title: 'Umbrella subscription',
    startDate: new Date('2026-01-01T00:00:00Z'),
    expirationDate: new Date('2027-01-01T00:00:00Z'),
    isActive: true,
    enterpriseCustomerUuid: DEMO.customers.foreign,
    enterpriseCatalogUuid: DEMO.catalogs.foreign,
    created: CREATED,
    modified: CREATED,
  },
];

/** Inserts the demo plans that are missing (idempotent). */
export async function seedDemoData(db: Kysely<SubscriptionsDatabase>): Promise<void> {
  const existing = new Set((await db.selectFrom('subscription_plan').select('uuid').execute()).map((r) => r.uuid));
  const missing = PLANS.filter((p) => !existing.has(p.uuid));
  if (missing.length) await db.insertInto('subscription_plan').values(missing).execute();
}
