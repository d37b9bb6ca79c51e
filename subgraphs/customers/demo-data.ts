import type { Kysely } from 'kysely';
import { DEMO } from '../../lib/demo-ids.js';
import type { CustomersDatabase, EnterpriseCustomerTable, LmsUserTable } from './tables.js';

const CREATED = new Date('2023-01-01T00:00:00Z');

type CustomerSeed = Pick<EnterpriseCustomerTable, 'uuid' | 'name' | 'slug' | 'country' | 'contactEmail' | 'enableLearnerPortal'> &
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
    enablePortalLearnerCreditManagementScreen: true,
    enablePortalSubscriptionManagementScreen: true,
  }),
  customer({ uuid: DEMO.customers.dusenberyDevices, name: 'Dusenbery Devices', slug: 'dusenbery-devices', country: 'US', contactEmail: 'learning@dusenbery.example.com', enableLearnerPortal: false }),
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
  customer({ uuid: DEMO.customers.summaryExample, name: 'Acme Learning', slug: 'acme-learning', country: 'CA', contactEmail: 'people@acme.example.com', enableLearnerPortal: true, enforceDataSharingConsent: 'externally_managed' }),
  customer({ uuid: DEMO.customers.foreign, name: 'Umbrella Corporation', slug: 'umbrella-corporation', country: 'DE', contactEmail: 'hr@umbrella.example.com', enableLearnerPortal: true }),
];

const IDENTITY_PROVIDERS = [
  { providerId: 'seal-team-ten-saml', enterpriseCustomerUuid: DEMO.customers.sealTeamTen, defaultProvider: true, created: CREATED },
  { providerId: 'seal-team-ten-azure', enterpriseCustomerUuid: DEMO.customers.sealTeamTen, defaultProvider: false, created: CREATED },
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
  username: l.email.split('@')[0]!.replace(/[^a-z0-9_]/g, '_') + (l.email.includes('sealteamten') ? '' : `_${l.lmsUserId}`),
  country: COUNTRY[l.customer] ?? null,
  dateJoined: new Date(CREATED.getTime() + l.lmsUserId * 86_400_000),
}));

/** Inserts the demo data that is missing (idempotent). */
export async function seedDemoData(db: Kysely<CustomersDatabase>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const existing = new Set((await trx.selectFrom('enterprise_customer').select('uuid').execute()).map((r) => r.uuid));
    const missing = DEMO_CUSTOMERS.filter((c) => !existing.has(c.uuid));
    if (missing.length) await trx.insertInto('enterprise_customer').values(missing).execute();

    const providers = new Set((await trx.selectFrom('enterprise_customer_identity_provider').select('providerId').execute()).map((r) => r.providerId));
    const newProviders = IDENTITY_PROVIDERS.filter((p) => !providers.has(p.providerId));
    if (newProviders.length) await trx.insertInto('enterprise_customer_identity_provider').values(newProviders).execute();

    const users = new Set((await trx.selectFrom('lms_user').select('id').execute()).map((r) => Number(r.id)));
    const newUsers = DEMO_LMS_USERS.filter((u) => !users.has(u.id));
    if (newUsers.length) await trx.insertInto('lms_user').values(newUsers).execute();

    const links = new Set(
      (await trx.selectFrom('enterprise_customer_user').select(['enterpriseCustomerUuid', 'lmsUserId']).execute()).map((r) => `${r.enterpriseCustomerUuid}:${r.lmsUserId}`),
    );
    const newLinks = DEMO.learners
      .filter((l) => !links.has(`${l.customer}:${l.lmsUserId}`))
      .map((l) => {
        const joined = DEMO_LMS_USERS.find((u) => u.id === l.lmsUserId)!.dateJoined;
        return { enterpriseCustomerUuid: l.customer, lmsUserId: l.lmsUserId, active: true, linked: true, isRelinkable: true, inviteKeyUuid: null, created: joined, modified: joined };
      });
    if (newLinks.length) await trx.insertInto('enterprise_customer_user').values(newLinks).execute();

    const pending = await trx
      .selectFrom('pending_enterprise_customer_user')
      .select('id')
      .where('enterpriseCustomerUuid', '=', DEMO.customers.policyExample)
      .where('userEmail', '=', DEMO.pendingLearnerEmail)
      .executeTakeFirst();
    if (!pending) {
      await trx
        .insertInto('pending_enterprise_customer_user')
        .values({ enterpriseCustomerUuid: DEMO.customers.policyExample, userEmail: DEMO.pendingLearnerEmail, created: CREATED, modified: CREATED })
        .execute();
    }
  });
}
