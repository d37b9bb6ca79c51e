import type { Kysely } from 'kysely';
import { rowDecoder } from '../../../lib/db/codec.js';
import { forUpdate } from '../../../lib/db/locking.js';
import { type Connection, countRows, type PageArgs, paginate, type SortKey } from '../../../lib/pagination.js';
import type { SubscriptionPlanRow, SubscriptionsDatabase } from '../tables.js';
import { chunks } from './shared.js';

type DB = Kysely<SubscriptionsDatabase>;

// ---------------------------------------------------------------------------------------------
// Plans

export const decodePlan = rowDecoder<SubscriptionPlanRow>({
  booleans: ['isActive', 'isRevocationCapEnabled', 'shouldAutoApplyLicenses'],
  dates: ['startDate', 'expirationDate', 'created', 'modified'],
});

export async function findPlansByUuids(db: DB, uuids: readonly string[]): Promise<SubscriptionPlanRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('subscription_plan').selectAll().where('uuid', 'in', uuids).execute()).map(decodePlan);
}

const PLAN_ORDER: SortKey<SubscriptionPlanRow>[] = [
  { column: 'startDate', direction: 'desc', type: 'date', value: (r) => r.startDate },
  { column: 'uuid', direction: 'desc', type: 'string', value: (r) => r.uuid },
];

/**
 * A customer's plans, newest start first. `current: true` keeps the active plans with
 * start <= now <= expiration; `current: false` everything else.
 */
export function listPlans(
  db: DB,
  enterpriseCustomerUuid: string,
  filter: { current?: boolean | null; now: Date },
  page: PageArgs,
): Promise<Connection<SubscriptionPlanRow>> {
  let query = db.selectFrom('subscription_plan').where('enterpriseCustomerUuid', '=', enterpriseCustomerUuid);
  const { now } = filter;
  if (filter.current === true) {
    query = query.where('isActive', '=', true).where('startDate', '<=', now).where('expirationDate', '>=', now);
  } else if (filter.current === false) {
    query = query.where((eb) =>
      eb.or([eb('isActive', '=', false), eb('startDate', '>', now), eb('expirationDate', '<', now)]),
    );
  }
  return paginate(query.selectAll(), page, PLAN_ORDER, decodePlan, () => countRows(query));
}

export async function countPlans(db: DB): Promise<number> {
  return countRows(db.selectFrom('subscription_plan'));
}

export async function countPlansOfCustomer(db: DB, enterpriseCustomerUuid: string): Promise<number> {
  return countRows(db.selectFrom('subscription_plan').where('enterpriseCustomerUuid', '=', enterpriseCustomerUuid));
}

/** Locks the plan row: every license write of a plan takes this lock first (assign, revoke). */
export async function lockPlan(trx: DB, uuid: string): Promise<SubscriptionPlanRow | null> {
  const row = await forUpdate(
    trx,
    trx.selectFrom('subscription_plan').selectAll().where('uuid', '=', uuid),
  ).executeTakeFirst();
  return row ? decodePlan(row) : null;
}

export async function addRevocationsApplied(trx: DB, uuid: string, count: number, now: Date): Promise<void> {
  if (count === 0) return;
  await trx
    .updateTable('subscription_plan')
    .set((eb) => ({ numRevocationsApplied: eb('numRevocationsApplied', '+', count), modified: now }))
    .where('uuid', '=', uuid)
    .execute();
}

export async function insertPlans(db: DB, rows: readonly SubscriptionPlanRow[]): Promise<void> {
  for (const chunk of chunks(rows)) await db.insertInto('subscription_plan').values(chunk).execute();
}
