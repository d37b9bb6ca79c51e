import type { Kysely } from 'kysely';
import { rowDecoder } from '../../../lib/db/codec.js';
import type { RenewalRow, SubscriptionsDatabase } from '../tables.js';

type DB = Kysely<SubscriptionsDatabase>;

// ---------------------------------------------------------------------------------------------
// Renewals

export const decodeRenewal = rowDecoder<RenewalRow>({
  booleans: ['processed'],
  dates: ['effectiveDate', 'renewedExpirationDate', 'processedDatetime', 'created', 'modified'],
});

export async function findRenewalsByPriorPlans(db: DB, planUuids: readonly string[]): Promise<RenewalRow[]> {
  if (!planUuids.length) return [];
  const rows = await db
    .selectFrom('subscription_plan_renewal')
    .selectAll()
    .where('priorSubscriptionPlanUuid', 'in', planUuids)
    .execute();
  return rows.map(decodeRenewal);
}

export async function findRenewalsByRenewedPlans(db: DB, planUuids: readonly string[]): Promise<RenewalRow[]> {
  if (!planUuids.length) return [];
  const rows = await db
    .selectFrom('subscription_plan_renewal')
    .selectAll()
    .where('renewedSubscriptionPlanUuid', 'in', planUuids)
    .execute();
  return rows.map(decodeRenewal);
}

export async function insertRenewals(db: DB, rows: readonly RenewalRow[]): Promise<void> {
  if (rows.length)
    await db
      .insertInto('subscription_plan_renewal')
      .values([...rows])
      .execute();
}

export async function findRenewalUuids(db: DB, uuids: readonly string[]): Promise<string[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('subscription_plan_renewal').select('uuid').where('uuid', 'in', uuids).execute()).map(
    (r) => r.uuid,
  );
}
