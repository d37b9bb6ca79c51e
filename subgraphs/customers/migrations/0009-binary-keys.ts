import type { Kysely } from 'kysely';
import { collateColumns, inTableCollation, type ColumnCollations } from '../../../lib/db/migrate.js';

/**
 * Uuid, key, email and code columns compare byte by byte on MySQL/MariaDB (lib/db/migrate.ts
 * KEY_COLLATION): emails are stored lower-case (DOMAIN.md) and course keys are case-sensitive, and
 * the per-customer index scans (learner progress, enrollments) are 2-5x cheaper than under
 * `utf8mb4_unicode_ci`. Names, titles and the report's free-text fields keep the table's
 * collation. Plus the two learner-progress orders that had no (customer, column, id) index.
 */
const COLUMNS: ColumnCollations = {
  enterprise_customer: {
    keys: ['uuid', 'slug', 'contact_email', 'reply_to'],
    text: ['name', 'sender_alias'],
  },
  enterprise_customer_identity_provider: { keys: ['provider_id', 'enterprise_customer_uuid'] },
  lms_user: { keys: ['email', 'username'] },
  enterprise_customer_user: { keys: ['enterprise_customer_uuid', 'invite_key_uuid'] },
  pending_enterprise_customer_user: { keys: ['enterprise_customer_uuid', 'user_email'] },
  pending_enrollment: { keys: ['course_run_key', 'license_uuid', 'course_key'], text: ['course_title'] },
  enterprise_course_enrollment: { keys: ['enterprise_customer_uuid', 'course_run_key'] },
  enrollment_fulfillment: { keys: ['uuid', 'license_uuid', 'transaction_uuid'] },
  data_sharing_consent: { keys: ['enterprise_customer_uuid', 'course_key'] },
  enterprise_customer_invite_key: { keys: ['uuid', 'enterprise_customer_uuid'] },
  learner_progress: {
    keys: [
      'enterprise_customer_uuid',
      'enterprise_sso_uid',
      'user_email',
      'user_username',
      'course_key',
      'courserun_key',
      'contract_id',
      'coupon_code',
      'offer_type',
    ],
    text: ['course_title', 'course_primary_program', 'course_primary_subject', 'coupon_name', 'offer_name'],
  },
  customers_outbox: { keys: ['id', 'event_type', 'aggregate_key', 'status'] },
};

/** Keyset orders of `learnerProgress` (customer, column, enterprise_enrollment_id) that lacked an index. */
const PROGRESS_ORDERS = {
  lpr_customer_unenrollment_end_within: 'unenrollment_end_within_date',
  lpr_customer_account_created: 'user_account_creation_date',
} as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await collateColumns(db, COLUMNS);
  for (const [name, column] of Object.entries(PROGRESS_ORDERS)) {
    await db.schema
      .createIndex(name)
      .on('learner_progress')
      .columns(['enterprise_customer_uuid', column, 'enterprise_enrollment_id'])
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of Object.keys(PROGRESS_ORDERS)) await db.schema.dropIndex(name).on('learner_progress').execute();
  await collateColumns(db, inTableCollation(COLUMNS));
}
