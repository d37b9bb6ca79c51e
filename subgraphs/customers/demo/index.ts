import type { Kysely } from 'kysely';
import { DEMO } from '../../../lib/demo-ids.js';
import {
  enrollmentIdsWithProgress,
  ensureEnrollment,
  inDemoTransaction,
  insertLearnerProgress,
  insertMissingConsents,
  insertMissingCustomers,
  insertMissingIdentityProviders,
  insertMissingInviteKeys,
  insertMissingLinks,
  insertMissingLmsUsers,
  insertMissingPendingLearners,
  insertPendingEnrollments,
} from '../store/index.js';
import { present } from '../rules/index.js';
import type { CustomersDatabase, EnterpriseCustomerTable, LmsUserTable } from '../tables.js';

const CREATED = new Date('2023-01-01T00:00:00Z');
const DAY = 86_400_000;

type CustomerSeed = Pick<
  EnterpriseCustomerTable,
  'uuid' | 'name' | 'slug' | 'country' | 'contactEmail' | 'enableLearnerPortal'
> &
  Partial<EnterpriseCustomerTable>;

/** A demo customer with edx-enterprise's defaults for every setting not given. */
function customer(seed: CustomerSeed): EnterpriseCustomerTable {
  return {
    active: true,
    created: CREATED,
    modified: CREATED,
    senderAlias: null,
    replyTo: null,
    defaultLanguage: null,
    customerType: 'Enterprise',
    brandingLogoUrl: null,
    brandingPrimaryColor: null,
    brandingSecondaryColor: null,
    brandingTertiaryColor: null,
    enforceDataSharingConsent: 'at_enrollment',
    enableDataSharingConsent: true,
    enableUniversalLink: false,
    enableBrowseAndRequest: false,
    enableAuditEnrollment: false,
    hideCourseOriginalPrice: false,
    enablePortalLearnerCreditManagementScreen: false,
    enablePortalSubscriptionManagementScreen: false,
    enablePortalCodeManagementScreen: false,
    enablePortalReportingConfigScreen: false,
    enablePortalSamlConfigurationScreen: false,
    enablePortalLmsConfigurationsScreen: false,
    enableAnalyticsScreen: false,
    ...seed,
  };
}

export const DEMO_CUSTOMERS: EnterpriseCustomerTable[] = [
  customer({
    uuid: DEMO.customers.sealTeamTen,
    name: 'Seal Team Ten',
    slug: 'seal-team-ten',
    country: 'US',
    contactEmail: 'admin@sealteamten.example.com',
    enableLearnerPortal: true,
    senderAlias: 'Seal Team Ten Learning',
    replyTo: 'learning@sealteamten.example.com',
    defaultLanguage: 'en',
    brandingLogoUrl: 'https://sealteamten.example.com/static/logo.png',
    brandingPrimaryColor: '#1B365D',
    brandingSecondaryColor: '#FFFFFF',
    brandingTertiaryColor: '#C8102E',
    enableUniversalLink: true,
    enableBrowseAndRequest: true,
    enableAuditEnrollment: true,
    // Seal Team Ten's admin page shows "Enable data sharing consent" unchecked.
    enableDataSharingConsent: false,
    enablePortalLearnerCreditManagementScreen: true,
    enablePortalSubscriptionManagementScreen: true,
  }),
  customer({
    uuid: DEMO.customers.dusenberyDevices,
    name: 'Dusenbery Devices',
    slug: 'dusenbery-devices',
    country: 'US',
    contactEmail: 'learning@dusenbery.example.com',
    enableLearnerPortal: false,
  }),
  customer({
    uuid: DEMO.customers.policyExample,
    name: 'Bluth Company',
    slug: 'bluth-company',
    country: 'US',
    contactEmail: 'learning@bluth.example.com',
    enableLearnerPortal: true,
    enablePortalLearnerCreditManagementScreen: true,
  }),
  customer({
    uuid: DEMO.customers.planExample,
    name: 'Initech',
    slug: 'initech',
    country: 'GB',
    contactEmail: 'training@initech.example.com',
    enableLearnerPortal: true,
    enablePortalSubscriptionManagementScreen: true,
  }),
  customer({
    uuid: DEMO.customers.summaryExample,
    name: 'Acme Learning',
    slug: 'acme-learning',
    country: 'CA',
    contactEmail: 'people@acme.example.com',
    enableLearnerPortal: true,
    enforceDataSharingConsent: 'externally_managed',
  }),
  customer({
    uuid: DEMO.customers.foreign,
    name: 'Umbrella Corporation',
    slug: 'umbrella-corporation',
    country: 'DE',
    contactEmail: 'hr@umbrella.example.com',
    enableLearnerPortal: true,
  }),
];

const IDENTITY_PROVIDERS = [
  {
    providerId: 'seal-team-ten-saml',
    enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
    defaultProvider: true,
    created: CREATED,
  },
  {
    providerId: 'seal-team-ten-azure',
    enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
    defaultProvider: false,
    created: CREATED,
  },
];

const COUNTRY: Record<string, string> = {
  [DEMO.customers.sealTeamTen]: 'US',
  [DEMO.customers.policyExample]: 'US',
  [DEMO.customers.planExample]: 'GB',
  [DEMO.customers.dusenberyDevices]: 'US',
  [DEMO.customers.foreign]: 'DE',
};

/** LMS accounts of the demo learners (lib/demo-ids.ts), usernames from their emails. */
export const DEMO_LMS_USERS: LmsUserTable[] = DEMO.learners.map((l) => ({
  id: l.lmsUserId,
  email: l.email,
  username:
    l.email.replace(/@.*$/, '').replace(/[^a-z0-9_]/g, '_') +
    (l.email.includes('sealteamten') ? '' : `_${l.lmsUserId}`),
  country: COUNTRY[l.customer] ?? null,
  dateJoined: new Date(CREATED.getTime() + l.lmsUserId * 86_400_000),
}));

/** The "Manage Learners" page of Seal Team Ten: two linked learners (with their linked dates) and two pending. */
const SEAL_SEED_USERS: (LmsUserTable & { linked: Date })[] = [
  {
    id: 6,
    email: 'seal_ten_alpha@example.com',
    username: 'SealTenAlpha',
    country: 'US',
    dateJoined: new Date('2016-12-01T08:00:00Z'),
    linked: new Date('2016-12-23T05:13:00Z'),
  },
  {
    id: 7,
    email: 'qwe@asd.com',
    username: 'QWE',
    country: 'US',
    dateJoined: new Date('2017-01-20T12:00:00Z'),
    linked: new Date('2017-01-23T10:10:00Z'),
  },
];
const SEAL_SEED_PENDING = [
  {
    enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
    userEmail: 'qwe@ad.com',
    created: new Date('2017-01-13T09:28:00Z'),
    modified: new Date('2017-01-13T09:28:00Z'),
  },
  {
    enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
    userEmail: 'asd@asd.com',
    created: new Date('2017-01-13T09:31:00Z'),
    modified: new Date('2017-01-13T09:31:00Z'),
  },
];

/** Learners of Acme Learning, the customer of the seeds' learner-summary example (local to this subgraph). */
const ACME_USERS: LmsUserTable[] = [
  {
    id: 40,
    email: 'wile.coyote@acme.example.com',
    username: 'wile_coyote',
    country: 'CA',
    dateJoined: new Date('2022-03-14T09:00:00Z'),
  },
  {
    id: 41,
    email: 'road.runner@acme.example.com',
    username: 'road_runner',
    country: 'CA',
    dateJoined: new Date('2022-05-02T12:30:00Z'),
  },
  {
    id: 42,
    email: 'elmer.fudd@acme.example.com',
    username: 'elmer_fudd',
    country: 'US',
    dateJoined: new Date('2023-01-20T16:45:00Z'),
  },
];

interface DemoEnrollment {
  customer: string;
  lmsUserId: number;
  run: string;
  courseKey: string;
  title: string;
  start: string;
  end: string;
  source: string;
  enrolled: string;
  /** Days before seeding (so activity filters have rows on either side of a week and a month). */
  activeDaysAgo: number;
  passed?: { date: string; grade: number; letter: string };
  grade?: number;
  fulfillment?: { type: 'license' | 'learner_credit'; license?: string; transaction?: string };
  /** LMS enrollment mode; verified unless given. */
  mode?: string;
}

const TR_RUN = DEMO.content.courseRunKey;
/** The seed's HarvardX run (it ended in December 2023) and the catalog demo's current run of that course. */
const FIH_2023 = DEMO.content.harvardRunKey;
const FIH_NOW = 'course-v1:HarvardX+FIH+1T2026';
/** An archived run of the catalog's demo (it ended about 300 days before seeding): FAILED rows. */
const DATA_2024 = 'course-v1:HarvardX+DATA100+1T2024';
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
// Course snapshots as the catalog's demo describes the runs.
const TR = { courseKey: DEMO.content.courseKey, title: 'Trench Run 10', start: '2022-04-12', end: '2090-09-15' };
const FINTECH = 'Harvard VPAL FinTech online short course';
const FIH_OLD = { courseKey: 'HarvardX+FIH', title: FINTECH, start: '2023-11-09', end: '2023-12-18' };
const FIH_CURRENT = { courseKey: 'HarvardX+FIH', title: FINTECH, start: daysFromNow(-14), end: daysFromNow(30) };
const DATA_OLD = {
  courseKey: 'HarvardX+DATA100',
  title: 'Introduction to Data Science',
  start: daysFromNow(-500),
  end: daysFromNow(-300),
};

const DEMO_ENROLLMENTS: DemoEnrollment[] = [
  {
    customer: DEMO.customers.sealTeamTen,
    lmsUserId: 3,
    run: TR_RUN,
    ...TR,
    source: 'customer_admin',
    enrolled: '2024-02-01',
    activeDaysAgo: 2,
    grade: 0.41,
  },
  {
    customer: DEMO.customers.sealTeamTen,
    lmsUserId: 3,
    run: FIH_2023,
    ...FIH_OLD,
    source: 'enrollment_url',
    enrolled: '2023-11-01',
    activeDaysAgo: 40,
    passed: { date: '2023-12-15', grade: 0.92, letter: 'A' },
  },
  {
    customer: DEMO.customers.sealTeamTen,
    lmsUserId: 4,
    run: TR_RUN,
    ...TR,
    source: 'enrollment_task',
    enrolled: '2024-04-05',
    activeDaysAgo: 45,
    grade: 0.2,
    fulfillment: { type: 'license', license: '5ea17ea0-0000-4000-8000-00000000e001' },
  },
  {
    customer: DEMO.customers.sealTeamTen,
    lmsUserId: 5,
    run: FIH_NOW,
    ...FIH_CURRENT,
    source: 'customer_admin',
    enrolled: daysFromNow(-20),
    activeDaysAgo: 10,
    grade: 0.55,
  },
  {
    customer: DEMO.customers.sealTeamTen,
    lmsUserId: 5,
    run: DATA_2024,
    ...DATA_OLD,
    source: 'management_command',
    enrolled: daysFromNow(-520),
    activeDaysAgo: 320,
    grade: 0.31,
    mode: 'audit',
  },
  {
    customer: DEMO.customers.policyExample,
    lmsUserId: 10,
    run: TR_RUN,
    ...TR,
    source: 'enrollment_task',
    enrolled: '2024-07-01',
    activeDaysAgo: 3,
    grade: 0.66,
    fulfillment: { type: 'learner_credit', transaction: '5ea17ea0-0000-4000-8000-00000000f001' },
  },
  {
    customer: DEMO.customers.planExample,
    lmsUserId: 20,
    run: TR_RUN,
    ...TR,
    source: 'enrollment_task',
    enrolled: '2024-08-12',
    activeDaysAgo: 5,
    grade: 0.7,
    fulfillment: { type: 'license', license: '5ea17ea0-0000-4000-8000-00000000e020' },
  },
  {
    customer: DEMO.customers.dusenberyDevices,
    lmsUserId: 30,
    run: TR_RUN,
    ...TR,
    source: 'enrollment_url',
    enrolled: '2024-01-15',
    activeDaysAgo: 20,
    passed: { date: '2024-04-30', grade: 0.88, letter: 'B' },
  },
  {
    customer: DEMO.customers.summaryExample,
    lmsUserId: 40,
    run: TR_RUN,
    ...TR,
    source: 'customer_admin',
    enrolled: '2023-03-01',
    activeDaysAgo: 1,
    grade: 0.35,
  },
  {
    customer: DEMO.customers.summaryExample,
    lmsUserId: 40,
    run: DATA_2024,
    ...DATA_OLD,
    source: 'customer_admin',
    enrolled: '2020-02-01',
    activeDaysAgo: 310,
    grade: 0.12,
  },
  {
    customer: DEMO.customers.summaryExample,
    lmsUserId: 41,
    run: FIH_2023,
    ...FIH_OLD,
    source: 'enrollment_url',
    enrolled: '2023-09-05',
    activeDaysAgo: 6,
    passed: { date: '2023-12-15', grade: 0.97, letter: 'A' },
  },
  {
    customer: DEMO.customers.summaryExample,
    lmsUserId: 41,
    run: TR_RUN,
    ...TR,
    source: 'enrollment_url',
    enrolled: '2023-10-01',
    activeDaysAgo: 35,
    grade: 0.5,
  },
  {
    customer: DEMO.customers.summaryExample,
    lmsUserId: 42,
    run: FIH_NOW,
    ...FIH_CURRENT,
    source: 'management_command',
    enrolled: '2023-11-11',
    activeDaysAgo: 14,
    grade: 0.25,
  },
  {
    customer: DEMO.customers.foreign,
    lmsUserId: 90,
    run: FIH_NOW,
    ...FIH_CURRENT,
    source: 'customer_admin',
    enrolled: '2024-02-02',
    activeDaysAgo: 4,
    grade: 0.6,
  },
];

const DEMO_CONSENTS = [
  {
    enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
    lmsUserId: 3,
    courseKey: DEMO.content.courseKey,
    granted: true,
  },
  { enterpriseCustomerUuid: DEMO.customers.sealTeamTen, lmsUserId: 4, courseKey: 'HarvardX+FIH', granted: false },
  { enterpriseCustomerUuid: DEMO.customers.summaryExample, lmsUserId: 41, courseKey: 'HarvardX+FIH', granted: true },
];

/** Seal Team Ten's invite keys: one valid (bob joined through it), one deactivated. */
export const DEMO_INVITE_KEYS = {
  active: '5ea17ea0-0000-4000-8000-0000000000c1',
  deactivated: '5ea17ea0-0000-4000-8000-0000000000c2',
} as const;

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** Inserts the demo data that is missing (idempotent). */
export async function seedDemoData(db: Kysely<CustomersDatabase>): Promise<void> {
  const now = new Date();
  await inDemoTransaction(db, async (trx) => {
    await insertMissingCustomers(trx, DEMO_CUSTOMERS);
    await insertMissingIdentityProviders(trx, IDENTITY_PROVIDERS);
    await insertMissingLmsUsers(trx, [
      ...DEMO_LMS_USERS,
      ...ACME_USERS,
      ...SEAL_SEED_USERS.map(({ linked: _linked, ...user }) => user),
    ]);
    await insertMissingInviteKeys(trx, [
      {
        uuid: DEMO_INVITE_KEYS.active,
        enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
        usageLimit: 10000,
        expirationDate: new Date(now.getTime() + 365 * DAY),
        isActive: true,
        created: day('2024-01-01'),
        modified: day('2024-01-01'),
      },
      {
        uuid: DEMO_INVITE_KEYS.deactivated,
        enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
        usageLimit: 50,
        expirationDate: day('2024-12-31'),
        isActive: false,
        created: day('2023-06-01'),
        modified: day('2023-12-01'),
      },
    ]);

    const joinedAt = new Map([...DEMO_LMS_USERS, ...ACME_USERS].map((u) => [u.id, u.dateJoined]));
    const allLearners = [
      ...DEMO.learners.map((l) => ({
        customer: l.customer,
        lmsUserId: l.lmsUserId,
        linked: present(joinedAt.get(l.lmsUserId), `join date of LMS user ${l.lmsUserId}`),
      })),
      ...ACME_USERS.map((u) => ({ customer: DEMO.customers.summaryExample, lmsUserId: u.id, linked: u.dateJoined })),
      ...SEAL_SEED_USERS.map((u) => ({ customer: DEMO.customers.sealTeamTen, lmsUserId: u.id, linked: u.linked })),
    ];
    const linkIds = await insertMissingLinks(
      trx,
      allLearners.map((l) => {
        // Bob joined Seal Team Ten through its invite link.
        const inviteKeyUuid = l.lmsUserId === 5 ? DEMO_INVITE_KEYS.active : null;
        return {
          enterpriseCustomerUuid: l.customer,
          lmsUserId: l.lmsUserId,
          active: true,
          linked: true,
          isRelinkable: true,
          inviteKeyUuid,
          created: l.linked,
          modified: l.linked,
        };
      }),
    );
    const progressIds = await enrollmentIdsWithProgress(trx);
    const allUsers = new Map([...DEMO_LMS_USERS, ...ACME_USERS].map((u) => [u.id, u]));
    for (const e of DEMO_ENROLLMENTS) {
      const learnerId = present(
        linkIds.get(`${e.customer}:${e.lmsUserId}`),
        `link of LMS user ${e.lmsUserId} to ${e.customer}`,
      );
      const created = day(e.enrolled);
      const enrollmentId = await ensureEnrollment(
        trx,
        {
          enterpriseCustomerUserId: learnerId,
          enterpriseCustomerUuid: e.customer,
          courseRunKey: e.run,
          savedForLater: false,
          source: e.source,
          unenrolled: null,
          unenrolledAt: null,
          mode: e.mode ?? 'verified',
          isActive: true,
          created,
          modified: created,
        },
        (id) =>
          e.fulfillment
            ? {
                uuid: `5ea17ea0-0000-4000-8000-${String(900000000000 + id)}`,
                enterpriseCourseEnrollmentId: id,
                fulfillmentType: e.fulfillment.type,
                licenseUuid: e.fulfillment.license ?? null,
                transactionUuid: e.fulfillment.transaction ?? null,
                isRevoked: false,
                created,
                modified: created,
              }
            : null,
      );
      if (progressIds.has(enrollmentId)) continue;
      const user = present(allUsers.get(e.lmsUserId), `LMS user ${e.lmsUserId}`);
      const start = day(e.start);
      const end = day(e.end);
      const refund = new Date(Math.max(created.getTime(), start.getTime()) + 14 * DAY);
      await insertLearnerProgress(trx, [
        {
          enterpriseEnrollmentId: enrollmentId,
          enrollmentId,
          enterpriseCustomerUuid: e.customer,
          enterpriseCustomerUserId: learnerId,
          enterpriseUserId: user.id,
          enterpriseSsoUid: e.customer === DEMO.customers.sealTeamTen ? `sso|${user.username}` : null,
          userEmail: user.email,
          userUsername: user.username,
          userCountry: user.country,
          userAccountCreationDate: user.dateJoined,
          userCurrentEnrollmentMode: e.mode ?? 'verified',
          courseKey: e.courseKey,
          courserunKey: e.run,
          courseTitle: e.title,
          coursePacingType: e.courseKey === DEMO.content.courseKey ? 'self_paced' : 'instructor_paced',
          courseStart: start,
          courseEnd: end,
          courseDuration: Math.max(1, Math.round((end.getTime() - start.getTime()) / (7 * DAY))),
          courseMinEffort: 2,
          courseMaxEffort: 5,
          coursePrimaryProgram: e.courseKey === DEMO.content.courseKey ? 'Trench Run Professional Certificate' : null,
          coursePrimarySubject:
            e.courseKey === DEMO.content.courseKey
              ? 'Engineering'
              : e.courseKey === 'HarvardX+FIH'
                ? 'Math'
                : 'Data Science',
          courseListPriceCents: e.courseKey === DEMO.content.courseKey ? 10000 : 14900,
          amountLearnerPaidCents: 0,
          paidBy: 'enterprise',
          seatDeliveryMethod:
            e.fulfillment?.type === 'license'
              ? 'Subscription'
              : e.fulfillment?.type === 'learner_credit'
                ? 'Learner Credit'
                : 'Enterprise',
          contractId: null,
          couponCode: null,
          couponName: null,
          offerName: null,
          offerType: null,
          isRefunded: false,
          hasPassed: e.passed != null,
          passedDate: e.passed ? day(e.passed.date) : null,
          currentGrade: e.passed?.grade ?? e.grade ?? 0,
          letterGrade: e.passed?.letter ?? null,
          lastActivityDate: day(new Date(now.getTime() - e.activeDaysAgo * DAY).toISOString().slice(0, 10)),
          enrollmentDate: created,
          unenrollmentDate: null,
          unenrollmentEndWithinDate: refund,
          created: now,
        },
      ]);
    }

    await insertMissingConsents(
      trx,
      DEMO_CONSENTS.map((c) => ({ ...c, created: CREATED, modified: CREATED })),
    );
    await insertMissingPendingLearners(trx, SEAL_SEED_PENDING);
    const pending = await insertMissingPendingLearners(trx, [
      {
        enterpriseCustomerUuid: DEMO.customers.policyExample,
        userEmail: DEMO.pendingLearnerEmail,
        created: CREATED,
        modified: CREATED,
      },
    ]);
    const pendingUserId = pending.get(DEMO.pendingLearnerEmail);
    if (pendingUserId !== undefined) {
      // Applied when abc@example.com registers (registerLmsUser).
      await insertPendingEnrollments(trx, [
        {
          pendingUserId,
          courseRunKey: TR_RUN,
          source: 'customer_admin',
          licenseUuid: null,
          courseKey: TR.courseKey,
          courseTitle: TR.title,
          courseStart: day(TR.start),
          courseEnd: day(TR.end),
          created: CREATED,
        },
      ]);
    }
  });
}
