import type { Kysely } from 'kysely';
import { groupLoader, rowLoader } from '../../lib/loaders.js';
import {
  countLicensesByPlans,
  findJobsByUuids,
  findLicensesByUuids,
  findPlansByUuids,
  findRenewalsByPriorPlans,
  findRenewalsByRenewedPlans,
} from './store/index.js';
import type { SubscriptionsDatabase } from './tables.js';

const lower = (k: string) => k.toLowerCase();

/** Per-request loaders of the subscriptions subgraph: one statement per entity type and tick. */
export function createLoaders(db: Kysely<SubscriptionsDatabase>) {
  return {
    plan: rowLoader(
      (uuids: readonly string[]) => findPlansByUuids(db, uuids),
      (r) => r.uuid,
      lower,
    ),
    license: rowLoader(
      (uuids: readonly string[]) => findLicensesByUuids(db, uuids),
      (r) => r.uuid,
      lower,
    ),
    /** Per plan: license counts by status. */
    licenseCounts: groupLoader(
      (uuids: readonly string[]) => countLicensesByPlans(db, uuids),
      (r) => r.subscriptionPlanUuid,
    ),
    /** The renewal out of a plan (at most one). */
    renewalByPriorPlan: rowLoader(
      (uuids: readonly string[]) => findRenewalsByPriorPlans(db, uuids),
      (r) => r.priorSubscriptionPlanUuid,
      lower,
    ),
    /** The renewal into a plan (at most one). */
    renewalByRenewedPlan: rowLoader(
      (uuids: readonly string[]) => findRenewalsByRenewedPlans(db, uuids),
      (r) => r.renewedSubscriptionPlanUuid,
      lower,
    ),
    job: rowLoader(
      (uuids: readonly string[]) => findJobsByUuids(db, uuids),
      (r) => r.uuid,
      lower,
    ),
  };
}

export type SubscriptionsLoaders = ReturnType<typeof createLoaders>;
