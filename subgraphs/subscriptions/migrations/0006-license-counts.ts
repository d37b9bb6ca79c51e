import { type Kysely, sql } from 'kysely';

/**
 * License counts per plan and status stored on the plan row (README "Stored aggregates"): the
 * admin dashboard's `licenseCounts` grouped every license of the customer's plans on each read
 * (~122 ms for 46,530 rows at bench scale 1). Every license write takes the plan lock first, so
 * relative updates there keep them exact. Backfilled from the rows here.
 */
const COLUMNS = {
  unassigned_licenses: 'UNASSIGNED',
  assigned_licenses: 'ASSIGNED',
  activated_licenses: 'ACTIVATED',
  revoked_licenses: 'REVOKED',
} as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of Object.keys(COLUMNS))
    await db.schema
      .alterTable('subscription_plan')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  await sql`update subscription_plan set ${sql.join(
    Object.entries(COLUMNS).map(
      ([column, status]) =>
        sql`${sql.ref(column)} = (select count(*) from license l where l.subscription_plan_uuid = subscription_plan.uuid and l.status = ${status})`,
    ),
  )}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of Object.keys(COLUMNS))
    await db.schema.alterTable('subscription_plan').dropColumn(column).execute();
}
