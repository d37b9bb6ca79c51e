import type { Kysely } from 'kysely';
import { rowDecoder } from '../../lib/db/codec.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../lib/pagination.js';
import type { SubscriptionPlanRow, SubscriptionsDatabase } from './tables.js';

type DB = Kysely<SubscriptionsDatabase>;

export const decodePlan = rowDecoder<SubscriptionPlanRow>({
  booleans: ['isActive'],
  dates: ['startDate', 'expirationDate', 'created', 'modified'],
});

export async function findPlansByUuids(db: DB, uuids: readonly string[]): Promise<SubscriptionPlanRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('subscription_plan').selectAll().where('uuid', 'in', uuids).execute()).map(decodePlan);
}

const PLAN_ORDER: SortKey<SubscriptionPlanRow>[] = [
  { column: 'startDate', direction: 'desc', value: (r) => r.startDate },
  { column: 'uuid', direction: 'desc', value: (r) => r.uuid },
];

export function listPlans(db: DB, enterpriseCustomerUuid: string, page: PageArgs): Promise<Connection<SubscriptionPlanRow>> {
  const query = db.selectFrom('subscription_plan').where('enterpriseCustomerUuid', '=', enterpriseCustomerUuid);
  return paginate(query.selectAll(), page, PLAN_ORDER, decodePlan, () => countRows(query));
}

export async function countPlans(db: DB): Promise<number> {
  return countRows(db.selectFrom('subscription_plan'));
}
