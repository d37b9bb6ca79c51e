import type { Kysely } from 'kysely';

/**
 * The admin portal's screen flags the customer did not have yet (edx-enterprise
 * `EnterpriseCustomer`): code management, reporting configuration, SAML, LMS configurations and
 * analytics. All off by default, as upstream.
 */
const FLAGS = [
  'enable_portal_code_management_screen',
  'enable_portal_reporting_config_screen',
  'enable_portal_saml_configuration_screen',
  'enable_portal_lms_configurations_screen',
  'enable_analytics_screen',
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const name of FLAGS) {
    await db.schema
      .alterTable('enterprise_customer')
      .addColumn(name, 'boolean', (c) => c.notNull().defaultTo(false))
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of FLAGS) await db.schema.alterTable('enterprise_customer').dropColumn(name).execute();
}
