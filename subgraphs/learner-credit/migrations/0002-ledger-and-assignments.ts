import type { Kysely } from 'kysely';
import { columnTypes } from '../../../lib/db/migrate.js';

/**
 * Subsidies with their ledgers (transactions, reversals), the remaining policy columns of the
 * REST response, assignment configurations, assignments and their actions.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);

  // Columns added to a landed table are nullable or defaulted so existing rows stay valid.
  await db.schema.alterTable('subsidy_access_policy').addColumn('subsidy_uuid', t.uuid).execute();
  await db.schema
    .alterTable('subsidy_access_policy')
    .addColumn('description', 'varchar(512)', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('subsidy_access_policy')
    .addColumn('retired', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema.alterTable('subsidy_access_policy').addColumn('retired_at', t.datetime).execute();
  await db.schema
    .alterTable('subsidy_access_policy')
    .addColumn('access_method', 'varchar(16)', (c) => c.notNull().defaultTo('DIRECT'))
    .execute();
  await db.schema.alterTable('subsidy_access_policy').addColumn('per_learner_enrollment_limit', 'integer').execute();
  await db.schema.alterTable('subsidy_access_policy').addColumn('per_learner_spend_limit_cents', 'bigint').execute();
  await db.schema.alterTable('subsidy_access_policy').addColumn('late_redemption_allowed_until', t.datetime).execute();
  await db.schema
    .createIndex('subsidy_access_policy_subsidy')
    .on('subsidy_access_policy')
    .columns(['subsidy_uuid', 'active'])
    .execute();
  await db.schema
    .createIndex('subsidy_access_policy_customer_type')
    .on('subsidy_access_policy')
    .columns(['enterprise_customer_uuid', 'policy_type', 'display_name', 'uuid'])
    .execute();

  await db.schema
    .createTable('ledger')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('idempotency_key', t.key, (c) => c.notNull().unique())
    .addColumn('unit', 'varchar(16)', (c) => c.notNull())
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('subsidy')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('title', t.key, (c) => c.notNull())
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('ledger_uuid', t.uuid, (c) => c.notNull().unique())
    .addColumn('unit', 'varchar(16)', (c) => c.notNull())
    .addColumn('starting_balance_cents', 'bigint', (c) => c.notNull())
    .addColumn('active_datetime', t.datetime, (c) => c.notNull())
    .addColumn('expiration_datetime', t.datetime, (c) => c.notNull())
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subsidy_customer').on('subsidy').columns(['enterprise_customer_uuid']).execute();

  await db.schema
    .createTable('ledger_transaction')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('ledger_uuid', t.uuid, (c) => c.notNull())
    .addColumn('idempotency_key', t.key, (c) => c.notNull())
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('lms_user_id', 'integer')
    .addColumn('lms_user_email', t.key)
    .addColumn('content_key', t.key)
    .addColumn('parent_content_key', t.key)
    .addColumn('content_title', t.key)
    .addColumn('fulfillment_identifier', t.key)
    .addColumn('subsidy_access_policy_uuid', t.uuid)
    .addColumn('is_deposit', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    // Idempotency keys are unique per ledger: the database, not a check, stops duplicates.
    .addUniqueConstraint('ledger_transaction_idempotency', ['ledger_uuid', 'idempotency_key'])
    .execute();
  await db.schema
    .createIndex('ledger_transaction_learner')
    .on('ledger_transaction')
    .columns(['ledger_uuid', 'lms_user_id', 'content_key'])
    .execute();
  await db.schema
    .createIndex('ledger_transaction_content')
    .on('ledger_transaction')
    .columns(['ledger_uuid', 'content_key'])
    .execute();
  await db.schema
    .createIndex('ledger_transaction_policy')
    .on('ledger_transaction')
    .columns(['subsidy_access_policy_uuid', 'created', 'uuid'])
    .execute();
  await db.schema
    .createIndex('ledger_transaction_policy_learner')
    .on('ledger_transaction')
    .columns(['subsidy_access_policy_uuid', 'lms_user_id', 'created', 'uuid'])
    .execute();

  await db.schema
    .createTable('ledger_reversal')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    // 1:1 with the transaction: a transaction is reversed at most once, in full.
    .addColumn('transaction_uuid', t.uuid, (c) => c.notNull().unique())
    .addColumn('idempotency_key', t.key, (c) => c.notNull())
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('assignment_configuration')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('subsidy_access_policy_uuid', t.uuid, (c) => c.notNull().unique())
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('learner_content_assignment')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('assignment_configuration_uuid', t.uuid, (c) => c.notNull())
    .addColumn('learner_email', t.key, (c) => c.notNull())
    .addColumn('lms_user_id', 'integer')
    .addColumn('content_key', t.key, (c) => c.notNull())
    .addColumn('parent_content_key', t.key)
    .addColumn('content_title', t.key)
    .addColumn('content_quantity', 'bigint', (c) => c.notNull())
    .addColumn('preferred_course_run_key', t.key)
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('allocated_at', t.datetime, (c) => c.notNull())
    .addColumn('accepted_at', t.datetime)
    .addColumn('cancelled_at', t.datetime)
    .addColumn('expired_at', t.datetime)
    .addColumn('errored_at', t.datetime)
    .addColumn('reversed_at', t.datetime)
    .addColumn('transaction_uuid', t.uuid)
    .addColumn('allocation_batch_id', t.uuid)
    .addColumn('admin_lms_user_id', 'integer')
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    // One record per learner and content per configuration, re-used across its lifecycle.
    .addUniqueConstraint('assignment_learner_content', [
      'assignment_configuration_uuid',
      'learner_email',
      'content_key',
    ])
    .execute();
  await db.schema
    .createIndex('assignment_config_user')
    .on('learner_content_assignment')
    .columns(['assignment_configuration_uuid', 'lms_user_id', 'content_key'])
    .execute();
  await db.schema
    .createIndex('assignment_config_state')
    .on('learner_content_assignment')
    .columns(['assignment_configuration_uuid', 'state', 'content_quantity'])
    .execute();
  await db.schema
    .createIndex('assignment_config_content')
    .on('learner_content_assignment')
    .columns(['assignment_configuration_uuid', 'content_key'])
    .execute();
  await db.schema
    .createIndex('assignment_config_allocated')
    .on('learner_content_assignment')
    .columns(['assignment_configuration_uuid', 'allocated_at', 'uuid'])
    .execute();
  await db.schema
    .createIndex('assignment_transaction')
    .on('learner_content_assignment')
    .columns(['transaction_uuid'])
    .execute();

  await db.schema
    .createTable('assignment_action')
    .addColumn('uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('assignment_uuid', t.uuid, (c) => c.notNull())
    .addColumn('action_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('completed_at', t.datetime)
    .addColumn('error_reason', 'varchar(32)')
    .addColumn('created', t.datetime, (c) => c.notNull())
    .addColumn('modified', t.datetime, (c) => c.notNull())
    .execute();
  // Serves the learner-state and recent-action subqueries and the actions loader.
  await db.schema
    .createIndex('assignment_action_type')
    .on('assignment_action')
    .columns(['assignment_uuid', 'action_type', 'completed_at'])
    .execute();

  await db.schema
    .createTable('policy_group_association')
    .addColumn('subsidy_access_policy_uuid', t.uuid, (c) => c.notNull())
    .addColumn('enterprise_group_uuid', t.uuid, (c) => c.notNull())
    .addPrimaryKeyConstraint('policy_group_association_pk', ['subsidy_access_policy_uuid', 'enterprise_group_uuid'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'policy_group_association',
    'assignment_action',
    'learner_content_assignment',
    'assignment_configuration',
    'ledger_reversal',
    'ledger_transaction',
    'subsidy',
    'ledger',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex('subsidy_access_policy_customer_type').on('subsidy_access_policy').execute();
  await db.schema.dropIndex('subsidy_access_policy_subsidy').on('subsidy_access_policy').execute();
  for (const column of [
    'late_redemption_allowed_until',
    'per_learner_spend_limit_cents',
    'per_learner_enrollment_limit',
    'access_method',
    'retired_at',
    'retired',
    'description',
    'subsidy_uuid',
  ]) {
    await db.schema.alterTable('subsidy_access_policy').dropColumn(column).execute();
  }
}
