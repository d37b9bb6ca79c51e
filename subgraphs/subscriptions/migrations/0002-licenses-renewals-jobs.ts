import type { Kysely } from 'kysely';
import { columnTypes } from '../../../lib/db/migrate.js';

/**
 * Licenses, renewals and bulk enrollment jobs; the plan's cap, auto-apply and product columns.
 * SQLite adds one column per ALTER, so each column is its own statement.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  const plan = () => db.schema.alterTable('subscription_plan');
  await plan()
    .addColumn('is_revocation_cap_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await plan()
    .addColumn('revoke_max_percentage', 'integer', (c) => c.notNull().defaultTo(5))
    .execute();
  await plan()
    .addColumn('num_revocations_applied', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await plan()
    .addColumn('should_auto_apply_licenses', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await plan().addColumn('plan_type', t.key).execute();
  await plan().addColumn('salesforce_opportunity_line_item', t.key).execute();

  await db.schema
    .createTable('license')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('subscription_plan_uuid', t.uuid, (c) => c.notNull())
    .addColumn('status', t.key, (c) => c.notNull())
    .addColumn('user_email', t.key)
    .addColumn('lms_user_id', 'integer')
    .addColumn('activation_key', t.uuid)
    .addColumn('user_sfid', t.key)
    .addColumn('assigned_date', t.datetime)
    .addColumn('activation_date', t.datetime)
    .addColumn('revoked_date', t.datetime)
    .addColumn('last_remind_date', t.datetime)
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  // Listing order (status, uuid), status filters, counts by status and the pick of unassigned ones.
  await db.schema
    .createIndex('license_plan_status')
    .on('license')
    .columns(['subscription_plan_uuid', 'status', 'uuid'])
    .execute();
  // "Does this email already hold a license in this plan" (assign, revoke by email).
  await db.schema
    .createIndex('license_plan_email')
    .on('license')
    .columns(['subscription_plan_uuid', 'user_email'])
    .execute();
  // A learner's own licenses across plans (myLicenses, bulk enrollment).
  await db.schema.createIndex('license_email').on('license').columns(['user_email', 'status']).execute();
  await db.schema.createIndex('license_lms_user').on('license').columns(['lms_user_id', 'status']).execute();
  // License activation looks the license up by the key sent in the assignment email.
  await db.schema.createIndex('license_activation_key').on('license').column('activation_key').execute();

  await db.schema
    .createTable('subscription_plan_renewal')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('prior_subscription_plan_uuid', t.uuid, (c) => c.notNull().unique())
    .addColumn('renewed_subscription_plan_uuid', t.uuid, (c) => c.notNull().unique())
    .addColumn('number_of_licenses', 'integer', (c) => c.notNull())
    .addColumn('effective_date', t.datetime, (c) => c.notNull())
    .addColumn('renewed_expiration_date', t.datetime, (c) => c.notNull())
    .addColumn('license_types_to_copy', t.key, (c) => c.notNull())
    .addColumn('processed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('processed_datetime', t.datetime)
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('bulk_enrollment_job')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('lms_user_id', 'integer')
    .addColumn('requested_by_email', t.key)
    .addColumn('emails', t.json, (c) => c.notNull())
    .addColumn('course_run_keys', t.json, (c) => c.notNull())
    .addColumn('notify', 'boolean', (c) => c.notNull())
    .addColumn('status', t.key, (c) => c.notNull())
    .addColumn('results', t.json)
    .addColumn('error', t.text)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', t.datetime)
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .addColumn('completed_at', t.datetime)
    .execute();
  // The runner's poll: unfinished jobs, oldest first.
  await db.schema
    .createIndex('bulk_enrollment_job_status')
    .on('bulk_enrollment_job')
    .columns(['status', 'created'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('bulk_enrollment_job').execute();
  await db.schema.dropTable('subscription_plan_renewal').execute();
  await db.schema.dropTable('license').execute();
  for (const column of [
    'salesforce_opportunity_line_item',
    'plan_type',
    'should_auto_apply_licenses',
    'num_revocations_applied',
    'revoke_max_percentage',
    'is_revocation_cap_enabled',
  ]) {
    await db.schema.alterTable('subscription_plan').dropColumn(column).execute();
  }
}
