import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Kysely } from 'kysely';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect, errorCodes, type TestStack } from './support/stack.js';

/** Issue 13 item 7: updateEnterpriseCustomer, validated, one outbox event per changed field. */

const SEAL = DEMO.customers.sealTeamTen;
const FIELDS = `uuid enableLearnerPortal enableDataSharingConsent enforceDataSharingConsent enableAuditEnrollment hideCourseOriginalPrice
  enablePortalLearnerCreditManagementScreen enablePortalSubscriptionManagementScreen enablePortalCodeManagementScreen
  enablePortalReportingConfigScreen enablePortalSamlConfigurationScreen enablePortalLmsConfigurationsScreen enableAnalyticsScreen
  enableUniversalLink enableBrowseAndRequest contactEmail replyTo senderAlias defaultLanguage
  brandingConfiguration { logoUrl primaryColor secondaryColor tertiaryColor }`;
const UPDATE = `mutation ($i: UpdateEnterpriseCustomerInput!) { updateEnterpriseCustomer(input: $i) { enterpriseCustomer { ${FIELDS} } } }`;
const READ = `query ($c: ID!) { enterpriseCustomer(uuid: $c) { ${FIELDS} } }`;

type Db = Kysely<{ customers_outbox: { eventType: string; aggregateKey: string; payload: string } }>;

async function updateEvents(stack: TestStack): Promise<{ field: string; new_value: unknown }[]> {
  const db = stack.subgraphs.customers.app.db as unknown as Db;
  const rows = await db
    .selectFrom('customers_outbox')
    .select(['payload'])
    .where('eventType', '=', 'org.openedx.enterprise.enterprise_customer.updated.v1')
    .where('aggregateKey', '=', SEAL)
    .execute();
  // MySQL's JSON column comes back parsed, SQLite's as text.
  return rows.map(
    (r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { field: string; new_value: unknown },
  );
}

async function read(stack: TestStack) {
  const result = await stack.graphql<{ enterpriseCustomer: Record<string, unknown> }>(READ, { c: SEAL });
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.enterpriseCustomer;
}

describeEachDialect('customers: portal settings', (stack) => {
  it('lets an admin update flags, email settings and branding, announcing each change', async () => {
    const before = await read(stack());
    const result = await stack().graphql<{ updateEnterpriseCustomer: { enterpriseCustomer: Record<string, unknown> } }>(
      UPDATE,
      {
        i: {
          enterpriseCustomerUuid: SEAL,
          enableAuditEnrollment: !before.enableAuditEnrollment,
          enablePortalCodeManagementScreen: true,
          enableAnalyticsScreen: true,
          enforceDataSharingConsent: 'EXTERNALLY_MANAGED',
          contactEmail: 'Ops@SealTeamTen.example.com',
          senderAlias: 'Seal Academy',
          defaultLanguage: 'es-419',
          brandingConfiguration: {
            logoUrl: 'https://cdn.example.com/seal.png',
            primaryColor: '#112233',
            tertiaryColor: null,
          },
          // Unchanged value: no event for it.
          enableLearnerPortal: before.enableLearnerPortal,
        },
      },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const expected = {
      ...before,
      enableAuditEnrollment: !before.enableAuditEnrollment,
      enablePortalCodeManagementScreen: true,
      enableAnalyticsScreen: true,
      enforceDataSharingConsent: 'EXTERNALLY_MANAGED',
      contactEmail: 'ops@sealteamten.example.com',
      senderAlias: 'Seal Academy',
      defaultLanguage: 'es-419',
      brandingConfiguration: {
        ...(before.brandingConfiguration as object),
        logoUrl: 'https://cdn.example.com/seal.png',
        primaryColor: '#112233',
        tertiaryColor: '#D23228',
      },
    };
    assert.deepEqual(result.data!.updateEnterpriseCustomer.enterpriseCustomer, expected);
    assert.deepEqual(await read(stack()), expected);
    const fields = (await updateEvents(stack())).map((e) => e.field).sort();
    const expectedFields = [
      'enableAuditEnrollment',
      'enablePortalCodeManagementScreen',
      'enableAnalyticsScreen',
      'enforceDataSharingConsent',
      'contactEmail',
      'senderAlias',
      'defaultLanguage',
      'brandingLogoUrl',
      'brandingPrimaryColor',
    ];
    // The tertiary color was never configured (null): resetting it is no change.
    if ((before.brandingConfiguration as { tertiaryColor: string }).tertiaryColor !== '#D23228')
      expectedFields.push('brandingTertiaryColor');
    assert.deepEqual(fields, expectedFields.sort());
  });

  it("refuses invalid values and other customers' admins, writing nothing", async () => {
    const before = { customer: await read(stack()), events: (await updateEvents(stack())).length };
    const invalid: Record<string, unknown>[] = [
      { brandingConfiguration: { primaryColor: 'red' } },
      { brandingConfiguration: { secondaryColor: '#12345' } },
      { brandingConfiguration: { logoUrl: 'http://cdn.example.com/logo.png' } },
      { brandingConfiguration: { logoUrl: 'javascript:alert(1)' } },
      { contactEmail: 'not an email' },
      { replyTo: 'a@b' },
      { senderAlias: '  ' },
      { defaultLanguage: 'English!' },
      { enableLearnerPortal: null },
      {},
      // One bad value fails the whole call: the valid flag is not written either.
      { enableBrowseAndRequest: true, brandingConfiguration: { tertiaryColor: '#GGGGGG' } },
    ];
    for (const fields of invalid) {
      const result = await stack().graphql(
        UPDATE,
        { i: { enterpriseCustomerUuid: SEAL, ...fields } },
        { token: stack().tokens.sealAdmin },
      );
      assert.deepEqual(errorCodes(result), ['BAD_USER_INPUT'], JSON.stringify(fields));
    }
    const foreign = await stack().graphql(
      UPDATE,
      { i: { enterpriseCustomerUuid: SEAL, enableBrowseAndRequest: true } },
      { token: stack().tokens.foreignAdmin },
    );
    assert.deepEqual(errorCodes(foreign), ['FORBIDDEN']);
    const learner = await stack().graphql(
      UPDATE,
      { i: { enterpriseCustomerUuid: SEAL, enableBrowseAndRequest: true } },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(errorCodes(learner), ['FORBIDDEN']);
    assert.deepEqual({ customer: await read(stack()), events: (await updateEvents(stack())).length }, before);
  });

  it('lets operators update any customer', async () => {
    const result = await stack().graphql<{
      updateEnterpriseCustomer: { enterpriseCustomer: { enableBrowseAndRequest: boolean } };
    }>(UPDATE, { i: { enterpriseCustomerUuid: DEMO.customers.foreign, enableBrowseAndRequest: true } });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.equal(result.data!.updateEnterpriseCustomer.enterpriseCustomer.enableBrowseAndRequest, true);
  });
});
