import type { Kysely } from 'kysely';
import { DEMO } from '../../../lib/demo-ids.js';
import { newUnassignedLicense } from '../rules.js';
import {
  findLicenseUuidsByPlan,
  findPlansByUuids,
  findRenewalUuids,
  insertLicenses,
  insertPlans,
  insertRenewals,
} from '../store/index.js';
import type { LicenseStatus, LicenseTable, RenewalRow, SubscriptionPlanRow, SubscriptionsDatabase } from '../tables.js';

const CREATED = new Date('2023-01-01T00:00:00Z');

/** Licenses the customers subgraph's demo enrollments name as their fulfillment. */
export const DEMO_LICENSES = {
  /** alice@sealteamten (LMS user 4), activated in Seal Team Ten's current plan. */
  aliceSeal: '5ea17ea0-0000-4000-8000-00000000e001',
  /** peter@initech (LMS user 20), activated in the plan the seed's example plan renewed from. */
  peterInitech: '5ea17ea0-0000-4000-8000-00000000e020',
} as const;

/** Ids of the demo plans other code and tests refer to. */
export const DEMO_PLANS = {
  /** The seed's example plan and the two plans of its prior renewal chain. */
  example: DEMO.plans.example,
  examplePrior: '4b27b24a-48f5-4266-448e-47d5b7deacb2',
  exampleRenewedFromPrior: '59f50cb8-4b22-4e21-9119-e0022955f9cb',
  /** Seal Team Ten: last year's plan, this year's (licenses in every status), next year's renewal. */
  sealLastYear: '5ea17ea0-0000-4000-8000-0000000000b0',
  sealCurrent: '5ea17ea0-0000-4000-8000-0000000000b1',
  sealNextYear: '5ea17ea0-0000-4000-8000-0000000000b2',
  /** Current dates but switched off by an admin: never selected by `current: true`. */
  sealInactive: '5ea17ea0-0000-4000-8000-0000000000b3',
  foreign: 'f0f0f0f0-0000-4000-8000-0000000000b1',
} as const;

function plan(
  values: Pick<
    SubscriptionPlanRow,
    'uuid' | 'title' | 'startDate' | 'expirationDate' | 'enterpriseCustomerUuid' | 'enterpriseCatalogUuid'
  > &
    Partial<SubscriptionPlanRow>,
): SubscriptionPlanRow {
  return {
    isActive: true,
    created: CREATED,
    modified: CREATED,
    isRevocationCapEnabled: false,
    revokeMaxPercentage: 5,
    numRevocationsApplied: 0,
    shouldAutoApplyLicenses: false,
    planType: 'Subscription',
    salesforceOpportunityLineItem: null,
    ...values,
  };
}

/** A deterministic license uuid per plan and index, so reseeding inserts only what is missing. */
function licenseUuid(planUuid: string, index: number): string {
  return `${planUuid.slice(0, 8)}-${planUuid.slice(-4)}-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

interface HolderSpec {
  status: Exclude<LicenseStatus, 'UNASSIGNED'>;
  email: string;
  lmsUserId: number | null;
  /** A uuid other subgraphs' demo data already points at (e.g. an enrollment's fulfillment). */
  uuid?: string;
}

function licenses(planUuid: string, holders: readonly HolderSpec[], unassigned: number, at: Date): LicenseTable[] {
  const day = 86_400_000;
  const held = holders.map((h, i): LicenseTable => {
    const assignedDate = new Date(at.getTime() + (i + 1) * day);
    const activated = h.status === 'ACTIVATED' || (h.status === 'REVOKED' && h.lmsUserId !== null);
    return {
      uuid: h.uuid ?? licenseUuid(planUuid, i + 1),
      subscriptionPlanUuid: planUuid,
      status: h.status,
      userEmail: h.email,
      lmsUserId: activated ? h.lmsUserId : null,
      activationKey: licenseUuid(planUuid, 0x100000 + i),
      userSfid: null,
      assignedDate,
      activationDate: activated ? new Date(assignedDate.getTime() + day) : null,
      revokedDate: h.status === 'REVOKED' ? new Date(assignedDate.getTime() + 20 * day) : null,
      lastRemindDate: assignedDate,
      created: at,
      modified: at,
    };
  });
  const free = Array.from({ length: unassigned }, (_, i): LicenseTable => ({
    ...newUnassignedLicense(planUuid, at),
    uuid: licenseUuid(planUuid, 0x1000 + i),
  }));
  return [...held, ...free];
}

/**
 * The demo dataset. Seal Team Ten's chain is anchored on the current year so that the demo stays
 * live (a current plan with a future renewal) whenever it is loaded.
 */
export function demoDataset(now = new Date()): {
  plans: SubscriptionPlanRow[];
  licenses: LicenseTable[];
  renewals: RenewalRow[];
} {
  const year = now.getUTCFullYear();
  const jan1 = (y: number) => new Date(Date.UTC(y, 0, 1));
  const seal = DEMO.customers.sealTeamTen;
  const learner = (email: string) => {
    const found = DEMO.learners.find((l) => l.email === email);
    if (!found) throw new Error(`No demo learner ${email}`);
    return found.lmsUserId;
  };
  const plans = [
    // The plan the edX Enterprise API reference shows, with its values: cap enabled with 0 of 0 revocations, 100 unassigned.
    plan({
      uuid: DEMO_PLANS.example,
      title: 'Enterprise Subscription',
      startDate: new Date('2023-01-01T00:00:00Z'),
      expirationDate: new Date('2024-01-01T00:00:00Z'),
      enterpriseCustomerUuid: DEMO.customers.planExample,
      enterpriseCatalogUuid: DEMO.catalogs.planExample,
      isRevocationCapEnabled: true,
      revokeMaxPercentage: 0,
      shouldAutoApplyLicenses: true,
    }),
    plan({
      uuid: DEMO_PLANS.examplePrior,
      title: 'Enterprise Subscription 2021 pilot',
      startDate: new Date('2021-01-01T00:00:00Z'),
      expirationDate: new Date('2021-07-01T00:00:00Z'),
      enterpriseCustomerUuid: DEMO.customers.planExample,
      enterpriseCatalogUuid: DEMO.catalogs.planExample,
      created: new Date('2020-12-01T00:00:00Z'),
      modified: new Date('2020-12-01T00:00:00Z'),
    }),
    plan({
      uuid: DEMO_PLANS.exampleRenewedFromPrior,
      title: 'Enterprise Subscription 2021 pilot - Renewal 2021',
      startDate: new Date('2021-07-01T00:00:00Z'),
      expirationDate: new Date('2023-01-01T00:00:00Z'),
      enterpriseCustomerUuid: DEMO.customers.planExample,
      enterpriseCatalogUuid: DEMO.catalogs.planExample,
      created: new Date('2021-06-01T00:00:00Z'),
      modified: new Date('2021-06-01T00:00:00Z'),
    }),
    plan({
      uuid: DEMO_PLANS.sealLastYear,
      title: `Seal Team Ten ${year - 1} subscription`,
      startDate: jan1(year - 1),
      expirationDate: jan1(year),
      enterpriseCustomerUuid: seal,
      enterpriseCatalogUuid: DEMO.catalogs.sealTeamTenAll,
      created: jan1(year - 1),
      modified: jan1(year - 1),
    }),
    plan({
      uuid: DEMO_PLANS.sealCurrent,
      title: `Seal Team Ten ${year} subscription`,
      startDate: jan1(year),
      expirationDate: jan1(year + 1),
      enterpriseCustomerUuid: seal,
      enterpriseCatalogUuid: DEMO.catalogs.sealTeamTenAll,
      isRevocationCapEnabled: true,
      revokeMaxPercentage: 10,
      numRevocationsApplied: 1,
      created: new Date(jan1(year).getTime() - 30 * 86_400_000),
      modified: jan1(year),
    }),
    plan({
      uuid: DEMO_PLANS.sealNextYear,
      title: `Seal Team Ten ${year} subscription - Renewal ${year + 1}`,
      startDate: jan1(year + 1),
      expirationDate: jan1(year + 2),
      enterpriseCustomerUuid: seal,
      enterpriseCatalogUuid: DEMO.catalogs.sealTeamTenAll,
      created: jan1(year),
      modified: jan1(year),
    }),
    plan({
      uuid: DEMO_PLANS.sealInactive,
      title: `Seal Team Ten ${year} business pilot (switched off)`,
      startDate: jan1(year),
      expirationDate: jan1(year + 1),
      isActive: false,
      enterpriseCustomerUuid: seal,
      enterpriseCatalogUuid: DEMO.catalogs.sealTeamTenBusiness,
      created: jan1(year),
      modified: jan1(year),
    }),
    plan({
      uuid: DEMO_PLANS.foreign,
      title: 'Umbrella subscription',
      startDate: jan1(year),
      expirationDate: jan1(year + 1),
      enterpriseCustomerUuid: DEMO.customers.foreign,
      enterpriseCatalogUuid: DEMO.catalogs.foreign,
    }),
  ];
  const learnerEmail = DEMO.users.learnerEmail;
  const allLicenses = [
    ...licenses(DEMO_PLANS.example, [], 100, CREATED),
    ...licenses(
      DEMO_PLANS.exampleRenewedFromPrior,
      [
        {
          status: 'ACTIVATED',
          email: 'peter@initech.example.com',
          lmsUserId: learner('peter@initech.example.com'),
          uuid: DEMO_LICENSES.peterInitech,
        },
      ],
      9,
      new Date('2021-07-01T00:00:00Z'),
    ),
    ...licenses(
      DEMO_PLANS.sealLastYear,
      [
        { status: 'ACTIVATED', email: learnerEmail, lmsUserId: learner(learnerEmail) },
        {
          status: 'ACTIVATED',
          email: 'alice@sealteamten.example.com',
          lmsUserId: learner('alice@sealteamten.example.com'),
        },
      ],
      3,
      jan1(year - 1),
    ),
    // Every status: two activated, two assigned (one without an LMS account yet), one revoked.
    ...licenses(
      DEMO_PLANS.sealCurrent,
      [
        { status: 'ACTIVATED', email: learnerEmail, lmsUserId: learner(learnerEmail) },
        {
          status: 'ACTIVATED',
          email: 'alice@sealteamten.example.com',
          lmsUserId: learner('alice@sealteamten.example.com'),
          uuid: DEMO_LICENSES.aliceSeal,
        },
        { status: 'ASSIGNED', email: 'bob@sealteamten.example.com', lmsUserId: learner('bob@sealteamten.example.com') },
        { status: 'ASSIGNED', email: 'newhire@sealteamten.example.com', lmsUserId: null },
        { status: 'REVOKED', email: 'former@sealteamten.example.com', lmsUserId: 6 },
      ],
      20,
      jan1(year),
    ),
    ...licenses(DEMO_PLANS.sealNextYear, [], 30, jan1(year)),
    ...licenses(DEMO_PLANS.sealInactive, [], 5, jan1(year)),
    ...licenses(
      DEMO_PLANS.foreign,
      [{ status: 'ACTIVATED', email: 'worker@umbrella.example.com', lmsUserId: 90 }],
      4,
      jan1(year),
    ),
  ];
  const renewal = (
    uuid: string,
    prior: SubscriptionPlanRow,
    renewed: SubscriptionPlanRow,
    numberOfLicenses: number,
    processed: boolean,
  ): RenewalRow => ({
    uuid,
    priorSubscriptionPlanUuid: prior.uuid,
    renewedSubscriptionPlanUuid: renewed.uuid,
    numberOfLicenses,
    effectiveDate: renewed.startDate,
    renewedExpirationDate: renewed.expirationDate,
    licenseTypesToCopy: 'ASSIGNED_AND_ACTIVATED',
    processed,
    processedDatetime: processed ? renewed.startDate : null,
    created: prior.created,
    modified: processed ? renewed.startDate : prior.created,
  });
  const byUuid = new Map(plans.map((p) => [p.uuid, p]));
  const get = (uuid: string) => {
    const plan = byUuid.get(uuid);
    if (!plan) throw new Error(`No demo plan ${uuid}`);
    return plan;
  };
  const renewals = [
    renewal(
      '4b27b24a-0000-4000-8000-00000000aa01',
      get(DEMO_PLANS.examplePrior),
      get(DEMO_PLANS.exampleRenewedFromPrior),
      100,
      true,
    ),
    renewal(
      '59f50cb8-0000-4000-8000-00000000aa02',
      get(DEMO_PLANS.exampleRenewedFromPrior),
      get(DEMO_PLANS.example),
      100,
      true,
    ),
    renewal(
      '5ea17ea0-0000-4000-8000-00000000aa01',
      get(DEMO_PLANS.sealLastYear),
      get(DEMO_PLANS.sealCurrent),
      25,
      true,
    ),
    renewal(
      '5ea17ea0-0000-4000-8000-00000000aa02',
      get(DEMO_PLANS.sealCurrent),
      get(DEMO_PLANS.sealNextYear),
      30,
      false,
    ),
  ];
  return { plans, licenses: allLicenses, renewals };
}

/** Inserts the demo plans, licenses and renewals that are missing (idempotent). */
export async function seedDemoData(db: Kysely<SubscriptionsDatabase>): Promise<void> {
  const data = demoDataset();
  const existingPlans = new Set(
    (
      await findPlansByUuids(
        db,
        data.plans.map((p) => p.uuid),
      )
    ).map((p) => p.uuid),
  );
  await insertPlans(
    db,
    data.plans.filter((p) => !existingPlans.has(p.uuid)),
  );
  const existingLicenses = new Set<string>();
  for (const planUuid of new Set(data.licenses.map((l) => l.subscriptionPlanUuid))) {
    for (const uuid of await findLicenseUuidsByPlan(db, planUuid)) existingLicenses.add(uuid);
  }
  await insertLicenses(
    db,
    data.licenses.filter((l) => !existingLicenses.has(l.uuid)),
  );
  const existingRenewals = new Set(
    await findRenewalUuids(
      db,
      data.renewals.map((r) => r.uuid),
    ),
  );
  await insertRenewals(
    db,
    data.renewals.filter((r) => !existingRenewals.has(r.uuid)),
  );
}
