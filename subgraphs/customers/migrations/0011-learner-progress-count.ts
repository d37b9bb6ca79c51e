import { type Kysely, sql } from 'kysely';
import { columnTypes } from '../../../lib/db/migrate.js';

/**
 * The learner-summary report's row count per customer, stored (README "Stored aggregates"):
 * `learnerProgress.totalCount` without filters counted every progress row of the customer's
 * linked learners on each read (120-150 ms for 100,000 rows at bench scale 1). One row per
 * customer, kept by the progress inserts and the link changes that move rows in and out of the
 * report (store/aggregates.ts). Its own table, not a customer column: unlinking locks the customer
 * row before the learners and enrolling locks the learners first, so a counter on the customer row
 * would deadlock them. Backfilled from the rows here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('learner_progress_count')
    .addColumn('enterprise_customer_uuid', t.uuid, (c) => c.primaryKey())
    .addColumn('linked_rows', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`insert into learner_progress_count (enterprise_customer_uuid, linked_rows)
    select c.uuid, (select count(*) from learner_progress lp
      where lp.enterprise_customer_uuid = c.uuid
        and not exists (select 1 from enterprise_customer_user ecu
          where ecu.id = lp.enterprise_customer_user_id and ecu.linked = ${false}))
    from enterprise_customer c`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('learner_progress_count').execute();
}
