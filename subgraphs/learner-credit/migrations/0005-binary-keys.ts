import type { Kysely } from 'kysely';
import { collateColumns, inTableCollation, type ColumnCollations } from '../../../lib/db/migrate.js';

/**
 * Uuid, key, email and state columns compare byte by byte on MySQL/MariaDB (lib/db/migrate.ts
 * KEY_COLLATION): the ledger and policy aggregates scan (ledger_uuid | policy_uuid, state, ...)
 * index entries, 2-5x cheaper than under `utf8mb4_unicode_ci`; idempotency keys and content keys
 * are case-sensitive. Display names, titles and descriptions keep the table's collation. Plus the
 * `CONTENT_QUANTITY` assignment order's (configuration, content_quantity, uuid) index (the other
 * two orders sort on derived values no index can hold).
 */
const COLUMNS: ColumnCollations = {
  subsidy_access_policy: {
    keys: ['uuid', 'policy_type', 'enterprise_customer_uuid', 'catalog_uuid', 'subsidy_uuid', 'access_method'],
    text: ['display_name'],
  },
  ledger: { keys: ['uuid', 'idempotency_key', 'unit'] },
  subsidy: { keys: ['uuid', 'enterprise_customer_uuid', 'ledger_uuid', 'unit'], text: ['title'] },
  ledger_transaction: {
    keys: [
      'uuid',
      'ledger_uuid',
      'idempotency_key',
      'state',
      'lms_user_email',
      'content_key',
      'parent_content_key',
      'fulfillment_identifier',
      'subsidy_access_policy_uuid',
    ],
    text: ['content_title'],
  },
  ledger_reversal: { keys: ['uuid', 'transaction_uuid', 'idempotency_key', 'state'] },
  assignment_configuration: { keys: ['uuid', 'subsidy_access_policy_uuid', 'enterprise_customer_uuid'] },
  learner_content_assignment: {
    keys: [
      'uuid',
      'assignment_configuration_uuid',
      'learner_email',
      'content_key',
      'parent_content_key',
      'preferred_course_run_key',
      'state',
      'transaction_uuid',
      'allocation_batch_id',
    ],
    text: ['content_title'],
  },
  assignment_action: { keys: ['uuid', 'assignment_uuid', 'action_type', 'error_reason'] },
  policy_group_association: { keys: ['subsidy_access_policy_uuid', 'enterprise_group_uuid'] },
  learner_credit_outbox: { keys: ['id', 'event_type', 'aggregate_key', 'status'] },
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await collateColumns(db, COLUMNS);
  await db.schema
    .createIndex('assignment_config_quantity')
    .on('learner_content_assignment')
    .columns(['assignment_configuration_uuid', 'content_quantity', 'uuid'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('assignment_config_quantity').on('learner_content_assignment').execute();
  await collateColumns(db, inTableCollation(COLUMNS));
}
