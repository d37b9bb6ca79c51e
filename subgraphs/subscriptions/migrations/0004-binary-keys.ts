import type { Kysely } from 'kysely';
import { collateColumns, inTableCollation, type ColumnCollations } from '../../../lib/db/migrate.js';

/**
 * Uuid, key, email and status columns compare byte by byte on MySQL/MariaDB (lib/db/migrate.ts
 * KEY_COLLATION): license counts scan (plan, status, uuid) index entries, 2-5x cheaper than under
 * `utf8mb4_unicode_ci`; activation keys are looked up exactly. Titles, plan types and the renewal's
 * license-type choice keep the table's collation. The keyset orders already have their indexes:
 * licenses (plan, status, uuid), plans (customer, start_date, uuid).
 */
const COLUMNS: ColumnCollations = {
  subscription_plan: {
    keys: ['uuid', 'enterprise_customer_uuid', 'enterprise_catalog_uuid', 'salesforce_opportunity_line_item'],
    text: ['title', 'plan_type'],
  },
  license: { keys: ['uuid', 'subscription_plan_uuid', 'status', 'user_email', 'activation_key', 'user_sfid'] },
  subscription_plan_renewal: {
    keys: ['uuid', 'prior_subscription_plan_uuid', 'renewed_subscription_plan_uuid'],
    text: ['license_types_to_copy'],
  },
  bulk_enrollment_job: { keys: ['uuid', 'enterprise_customer_uuid', 'requested_by_email', 'status'] },
  subscriptions_outbox: { keys: ['id', 'event_type', 'aggregate_key', 'status'] },
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await collateColumns(db, COLUMNS);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await collateColumns(db, inTableCollation(COLUMNS));
}
