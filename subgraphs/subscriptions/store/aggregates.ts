import { type Kysely, sql } from 'kysely';
import { differences, type AggregateDifference } from '../../../lib/aggregates.js';
import type { LicenseStatus, SubscriptionsDatabase } from '../tables.js';

type DB = Kysely<SubscriptionsDatabase>;

// ---------------------------------------------------------------------------------------------
// Stored license counts (migration 0006): subscription_plan.<status>_licenses = how many of the
// plan's licenses have that status. Every license write takes the plan lock first (lockPlan) and
// changes them with a relative update in the same transaction (store/licenses.ts).

/** The plan column that counts each status. */
export const COUNT_COLUMN = {
  UNASSIGNED: 'unassignedLicenses',
  ASSIGNED: 'assignedLicenses',
  ACTIVATED: 'activatedLicenses',
  REVOKED: 'revokedLicenses',
} as const satisfies Record<LicenseStatus, string>;

const STATUSES = Object.keys(COUNT_COLUMN) as LicenseStatus[];

/** Adds `deltas` (by status) to the plan's stored counts. */
export async function addToLicenseCounts(
  db: DB,
  planUuid: string,
  deltas: Partial<Record<LicenseStatus, number>>,
): Promise<void> {
  const changed = STATUSES.filter((status) => deltas[status]);
  if (!changed.length) return;
  await db
    .updateTable('subscription_plan')
    .set((eb) =>
      Object.fromEntries(
        changed.map((status) => [COUNT_COLUMN[status], eb(COUNT_COLUMN[status], '+', deltas[status] ?? 0)]),
      ),
    )
    .where('uuid', '=', planUuid)
    .execute();
}

function actualCount(db: DB, status: LicenseStatus) {
  return db
    .selectFrom('license as l')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(sql<boolean>`${sql.ref('l.subscriptionPlanUuid')} = ${sql.ref('subscription_plan.uuid')}`)
    .where('l.status', '=', status);
}

/** Every stored license count that differs from the licenses' statuses. */
export async function checkAggregates(db: DB): Promise<AggregateDifference[]> {
  const rows = await db
    .selectFrom('subscription_plan')
    .select([
      'uuid',
      ...STATUSES.map((status) => COUNT_COLUMN[status]),
      // Aliases without capitals: CamelCasePlugin would not map `actualUNASSIGNED` back.
      ...STATUSES.map((status, i) => actualCount(db, status).as(`actual${i}`)),
    ])
    .execute();
  return STATUSES.flatMap((status, i) =>
    differences(
      `subscription_plan.${status.toLowerCase()}_licenses`,
      rows.map((row) => {
        const values = row as Record<string, unknown>;
        return { key: row.uuid, stored: values[COUNT_COLUMN[status]], actual: values[`actual${i}`] };
      }),
    ),
  );
}

/** Rewrites every plan's stored license counts from its licenses. */
export async function repairAggregates(db: DB): Promise<void> {
  await db
    .updateTable('subscription_plan')
    .set(Object.fromEntries(STATUSES.map((status) => [COUNT_COLUMN[status], actualCount(db, status)])))
    .execute();
}
