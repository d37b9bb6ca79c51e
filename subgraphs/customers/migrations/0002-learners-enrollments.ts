import type { Kysely } from 'kysely';
import { columnTypes } from '../../../lib/db/migrate.js';

/**
 * Learners, enrollments, consent, learner progress and invite keys (edx-enterprise models), plus
 * the customer settings the contract exposes. `lms_user` is the local mirror of LMS accounts:
 * there is no LMS in this system, so linking and enrollment resolve emails against it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);

  // Customer settings (edx-enterprise EnterpriseCustomer) and its one-to-one branding configuration.
  for (const [name, type] of [
    ['sender_alias', t.key],
    ['reply_to', t.key],
    ['default_language', 'varchar(16)'],
    ['branding_logo_url', 'varchar(1024)'],
    ['branding_primary_color', 'varchar(7)'],
    ['branding_secondary_color', 'varchar(7)'],
    ['branding_tertiary_color', 'varchar(7)'],
  ] as const) {
    await db.schema.alterTable('enterprise_customer').addColumn(name, type).execute();
  }
  await db.schema
    .alterTable('enterprise_customer')
    .addColumn('customer_type', 'varchar(64)', (c) => c.notNull().defaultTo('Enterprise'))
    .execute();
  await db.schema
    .alterTable('enterprise_customer')
    .addColumn('enforce_data_sharing_consent', 'varchar(32)', (c) => c.notNull().defaultTo('at_enrollment'))
    .execute();
  for (const [name, value] of [
    ['enable_data_sharing_consent', true],
    ['enable_universal_link', false],
    ['enable_browse_and_request', false],
    ['enable_audit_enrollment', false],
    ['hide_course_original_price', false],
    ['enable_portal_learner_credit_management_screen', false],
    ['enable_portal_subscription_management_screen', false],
  ] as const) {
    await db.schema
      .alterTable('enterprise_customer')
      .addColumn(name, 'boolean', (c) => c.notNull().defaultTo(value))
      .execute();
  }

  await db.schema
    .createTable('enterprise_customer_identity_provider')
    // provider_id is globally unique (edx-enterprise): one IdP belongs to one customer.
    .addColumn('provider_id', t.key, (c) => c.primaryKey())
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('default_provider', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created', t.datetime, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ec_idp_customer')
    .on('enterprise_customer_identity_provider')
    .columns(['enterprise_customer_uuid', 'provider_id'])
    .execute();

  await db.schema
    .createTable('lms_user')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('email', t.key, (c) => c.notNull().unique())
    .addColumn('username', t.key, (c) => c.notNull().unique())
    .addColumn('country', 'varchar(2)')
    .addColumn('date_joined', t.datetime, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('enterprise_customer_invite_key')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('usage_limit', 'integer', (c) => c.notNull())
    .addColumn('expiration_date', t.datetime, (c) => c.notNull())
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  // Keyset order of `inviteKeys` (created desc, uuid) and the per-customer count.
  await db.schema
    .createIndex('invite_key_customer_created')
    .on('enterprise_customer_invite_key')
    .columns(['enterprise_customer_uuid', 'created', 'uuid'])
    .execute();

  await db.schema
    .createTable('enterprise_customer_user')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('lms_user_id', 'integer', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('linked', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('is_relinkable', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('invite_key_uuid', t.uuid)
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  // One link per (customer, user); also the keyset path of `learners` is (customer, id).
  await db.schema
    .createIndex('ecu_customer_user')
    .on('enterprise_customer_user')
    .columns(['enterprise_customer_uuid', 'lms_user_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('ecu_customer_id')
    .on('enterprise_customer_user')
    .columns(['enterprise_customer_uuid', 'id'])
    .execute();
  // The one-active rule and `me` read every link of a user.
  await db.schema.createIndex('ecu_user').on('enterprise_customer_user').columns(['lms_user_id', 'active']).execute();
  await db.schema.createIndex('ecu_invite_key').on('enterprise_customer_user').columns(['invite_key_uuid']).execute();

  await db.schema
    .createTable('pending_enterprise_customer_user')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('user_email', t.key, (c) => c.notNull())
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pecu_customer_email')
    .on('pending_enterprise_customer_user')
    .columns(['enterprise_customer_uuid', 'user_email'])
    .unique()
    .execute();
  await db.schema
    .createIndex('pecu_customer_id')
    .on('pending_enterprise_customer_user')
    .columns(['enterprise_customer_uuid', 'id'])
    .execute();
  // A user appearing looks up every pending row of its email.
  await db.schema.createIndex('pecu_email').on('pending_enterprise_customer_user').columns(['user_email']).execute();

  await db.schema
    .createTable('pending_enrollment')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('pending_user_id', 'integer', (c) => c.notNull())
    .addColumn('course_run_key', t.key, (c) => c.notNull())
    .addColumn('source', 'varchar(64)', (c) => c.notNull())
    .addColumn('license_uuid', t.uuid)
    // Snapshot of the run (from the catalog at request time) for the progress row written on apply.
    .addColumn('course_key', t.key)
    .addColumn('course_title', t.key)
    .addColumn('course_start', t.datetime)
    .addColumn('course_end', t.datetime)
    .addColumn('created', t.datetime, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pending_enrollment_user_run')
    .on('pending_enrollment')
    .columns(['pending_user_id', 'course_run_key'])
    .unique()
    .execute();

  await db.schema
    .createTable('enterprise_course_enrollment')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('enterprise_customer_user_id', 'integer', (c) => c.notNull())
    // Denormalized from the learner link so customer-wide lists use one index.
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('course_run_key', t.key, (c) => c.notNull())
    .addColumn('saved_for_later', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('source', 'varchar(64)', (c) => c.notNull())
    .addColumn('unenrolled', 'boolean')
    .addColumn('unenrolled_at', t.datetime)
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ece_learner_run')
    .on('enterprise_course_enrollment')
    .columns(['enterprise_customer_user_id', 'course_run_key'])
    .unique()
    .execute();
  await db.schema
    .createIndex('ece_customer_id')
    .on('enterprise_course_enrollment')
    .columns(['enterprise_customer_uuid', 'id'])
    .execute();
  await db.schema
    .createIndex('ece_customer_run_id')
    .on('enterprise_course_enrollment')
    .columns(['enterprise_customer_uuid', 'course_run_key', 'id'])
    .execute();

  await db.schema
    .createTable('enrollment_fulfillment')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('enterprise_course_enrollment_id', 'integer', (c) => c.notNull().unique())
    .addColumn('fulfillment_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('license_uuid', t.uuid)
    .addColumn('transaction_uuid', t.uuid)
    .addColumn('is_revoked', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('data_sharing_consent')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('lms_user_id', 'integer', (c) => c.notNull())
    .addColumn('course_key', t.key, (c) => c.notNull())
    .addColumn('granted', 'boolean')
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('dsc_customer_user_course')
    .on('data_sharing_consent')
    .columns(['enterprise_customer_uuid', 'lms_user_id', 'course_key'])
    .unique()
    .execute();

  // The learner-summary report (edx-enterprise-data `enterprise_learner_enrollment`): one row per
  // enterprise enrollment, written when the enrollment is created and updated as progress arrives.
  await db.schema
    .createTable('learner_progress')
    .addColumn('enterprise_enrollment_id', 'integer', (c) => c.primaryKey())
    .addColumn('enrollment_id', 'integer', (c) => c.notNull())
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('enterprise_customer_user_id', 'integer', (c) => c.notNull())
    .addColumn('enterprise_user_id', 'integer', (c) => c.notNull())
    .addColumn('enterprise_sso_uid', t.key)
    .addColumn('user_email', t.key, (c) => c.notNull())
    .addColumn('user_username', t.key)
    .addColumn('user_country', 'varchar(2)')
    .addColumn('user_account_creation_date', t.datetime)
    .addColumn('user_current_enrollment_mode', 'varchar(32)')
    .addColumn('course_key', t.key)
    .addColumn('courserun_key', t.key, (c) => c.notNull())
    .addColumn('course_title', t.key)
    .addColumn('course_pacing_type', 'varchar(32)')
    .addColumn('course_start', t.datetime)
    .addColumn('course_end', t.datetime)
    .addColumn('course_duration', 'integer')
    .addColumn('course_min_effort', 'integer')
    .addColumn('course_max_effort', 'integer')
    .addColumn('course_primary_program', t.key)
    .addColumn('course_primary_subject', t.key)
    .addColumn('course_list_price_cents', 'bigint')
    .addColumn('amount_learner_paid_cents', 'bigint')
    .addColumn('paid_by', 'varchar(64)')
    .addColumn('seat_delivery_method', 'varchar(64)')
    .addColumn('contract_id', t.key)
    .addColumn('coupon_code', t.key)
    .addColumn('coupon_name', t.key)
    .addColumn('offer_name', t.key)
    .addColumn('offer_type', t.key)
    .addColumn('is_refunded', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('has_passed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('passed_date', t.datetime)
    .addColumn('current_grade', 'double precision')
    .addColumn('letter_grade', 'varchar(16)')
    .addColumn('last_activity_date', t.datetime)
    .addColumn('enrollment_date', t.datetime, (c) => c.notNull())
    .addColumn('unenrollment_date', t.datetime)
    .addColumn('unenrollment_end_within_date', t.datetime)
    .addColumn('created', t.datetime, (c) => c.notNull())
    .execute();
  // Keyset paths: the default order and each orderable column, always within one customer.
  for (const column of [
    'last_activity_date',
    'enrollment_date',
    'passed_date',
    'course_start',
    'course_end',
    'unenrollment_date',
    'created',
    'user_email',
    'course_title',
  ]) {
    await db.schema
      .createIndex(`lpr_customer_${column}`)
      .on('learner_progress')
      .columns(['enterprise_customer_uuid', column, 'enterprise_enrollment_id'])
      .execute();
  }
  await db.schema
    .createIndex('lpr_customer_course_key')
    .on('learner_progress')
    .columns(['enterprise_customer_uuid', 'course_key'])
    .execute();
  await db.schema
    .createIndex('lpr_customer_user')
    .on('learner_progress')
    .columns(['enterprise_customer_uuid', 'enterprise_user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'learner_progress',
    'data_sharing_consent',
    'enrollment_fulfillment',
    'enterprise_course_enrollment',
    'pending_enrollment',
    'pending_enterprise_customer_user',
    'enterprise_customer_user',
    'enterprise_customer_invite_key',
    'lms_user',
    'enterprise_customer_identity_provider',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  for (const column of [
    'sender_alias',
    'reply_to',
    'default_language',
    'customer_type',
    'branding_logo_url',
    'branding_primary_color',
    'branding_secondary_color',
    'branding_tertiary_color',
    'enforce_data_sharing_consent',
    'enable_data_sharing_consent',
    'enable_universal_link',
    'enable_browse_and_request',
    'enable_audit_enrollment',
    'hide_course_original_price',
    'enable_portal_learner_credit_management_screen',
    'enable_portal_subscription_management_screen',
  ]) {
    await db.schema.alterTable('enterprise_customer').dropColumn(column).execute();
  }
}
