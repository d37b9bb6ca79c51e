import type { Kysely } from 'kysely';
import { DEMO } from '../../lib/demo-ids.js';
import type { LearnerCreditDatabase, SubsidyAccessPolicyTable } from './tables.js';

const CREATED = new Date('2023-01-01T00:00:00Z');

const POLICIES: SubsidyAccessPolicyTable[] = [
  {
    uuid: DEMO.policies.example,
    policyType: 'AssignedLearnerCreditAccessPolicy',
    displayName: 'Assigned Learner Credit',
    active: true,
    enterpriseCustomerUuid: DEMO.customers.policyExample,
    catalogUuid: DEMO.catalogs.policyExample,
    spendLimitCents: 100_000_000,
    created: CREATED,
    modified: CREATED,
  },
  {
    uuid: '5ea17ea0-0000-4000-8000-0000000000a1',
    policyType: 'PerLearnerSpendCreditAccessPolicy',
    displayName: 'Seal Team Ten learner credit',
    active: true,
    enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
    catalogUuid: DEMO.catalogs.sealTeamTenAll,
    spendLimitCents: 5_000_000,
    created: CREATED,
    modified: CREATED,
  },
  {
    uuid: 'f0f0f0f0-0000-4000-8000-0000000000a1',
    policyType: 'PerLearnerEnrollmentCreditAccessPolicy',
    displayName: 'Umbrella enrollment credit',
    active: true,
    enterpriseCustomerUuid: DEMO.customers.foreign,
    catalogUuid: DEMO.catalogs.foreign,
    spendLimitCents: 1_000_000,
    created: CREATED,
    modified: CREATED,
  },
];

/** Inserts the demo policies that are missing (idempotent). */
export async function seedDemoData(db: Kysely<LearnerCreditDatabase>): Promise<void> {
  const existing = new Set((await db.selectFrom('subsidy_access_policy').select('uuid').execute()).map((r) => r.uuid));
  const missing = POLICIES.filter((p) => !existing.has(p.uuid));
  if (missing.length) await db.insertInto('subsidy_access_policy').values(missing).execute();
}
