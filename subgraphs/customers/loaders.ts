import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { notFound } from '../../lib/errors.js';
import { uuidArg } from '../../lib/validate.js';
import { groupLoader, MAX_BATCH_SIZE, rowLoader } from '../../lib/loaders.js';
import { createRunCheckLoader } from './remote.js';
import {
  findConsentsByCustomersAndUsers,
  findCustomersByUuids,
  findEnrolledCourseKeys,
  findEnrollmentsByLearnerIds,
  findFulfillmentsByEnrollmentIds,
  findIdentityProvidersByCustomers,
  findLearnersByCustomersAndEmails,
  findLearnersByCustomersAndUsers,
  findLearnersByIds,
  findLinksOfUsers,
  findLmsUsersByEmails,
  findPendingEnrollmentsByPendingUsers,
} from './store/index.js';
import type { CustomersContext } from './context.js';
import type { CustomersDatabase, DataSharingConsentView, EnterpriseCustomerRow } from './tables.js';

const SEP = '\u0000';

/** Key of a (customer, learner) lookup: `pairKey(customer, 3)` or `pairKey(customer, 'a@b.c')`. */
export function pairKey(customerUuid: string, learner: number | string): string {
  return `${customerUuid.toLowerCase()}${SEP}${learner}`;
}

function splitPairs(keys: readonly string[]): { customers: string[]; learners: string[] } {
  const customers = new Set<string>();
  const learners = new Set<string>();
  for (const key of keys) {
    const [customer, learner] = key.split(SEP) as [string, string];
    customers.add(customer);
    learners.add(learner);
  }
  return { customers: [...customers], learners: [...learners] };
}

/**
 * Consents of (customer, LMS user) pairs as the API shows them: stored rows, plus a "no answer
 * yet" record (granted null, exists true) for each enrolled course without one (edx-enterprise
 * `exists`). Two statements per batch, sorted by course key.
 */
function consentLoader(db: Kysely<CustomersDatabase>): DataLoader<string, DataSharingConsentView[]> {
  return new DataLoader<string, DataSharingConsentView[]>(
    async (keys) => {
      const { customers, learners } = splitPairs(keys);
      const users = learners.map(Number);
      const [stored, enrolled] = await Promise.all([
        findConsentsByCustomersAndUsers(db, customers, users),
        findEnrolledCourseKeys(db, customers, users),
      ]);
      const byPair = new Map<string, Map<string, DataSharingConsentView>>();
      const bucket = (customer: string, user: number) => {
        const key = pairKey(customer, user);
        let map = byPair.get(key);
        if (!map) byPair.set(key, (map = new Map<string, DataSharingConsentView>()));
        return map;
      };
      for (const row of stored) {
        bucket(row.enterpriseCustomerUuid, row.lmsUserId).set(row.courseKey, {
          enterpriseCustomerUuid: row.enterpriseCustomerUuid,
          lmsUserId: row.lmsUserId,
          courseKey: row.courseKey,
          granted: row.granted,
          exists: true,
          created: row.created,
          modified: row.modified,
        });
      }
      for (const row of enrolled) {
        const map = bucket(row.enterpriseCustomerUuid, row.enterpriseUserId);
        if (!map.has(row.courseKey)) {
          map.set(row.courseKey, {
            enterpriseCustomerUuid: row.enterpriseCustomerUuid,
            lmsUserId: row.enterpriseUserId,
            courseKey: row.courseKey,
            granted: null,
            exists: true,
            created: null,
            modified: null,
          });
        }
      }
      return keys.map((key) =>
        [...(byPair.get(key)?.values() ?? [])].sort((a, b) =>
          a.courseKey < b.courseKey ? -1 : a.courseKey > b.courseKey ? 1 : 0,
        ),
      );
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );
}

/** Per-request loaders of the customers subgraph. */
export function createLoaders(db: Kysely<CustomersDatabase>, authorization: string) {
  return {
    customer: rowLoader(
      (uuids: readonly string[]) => findCustomersByUuids(db, uuids),
      (row) => row.uuid,
      (k) => k.toLowerCase(),
    ),
    identityProviders: groupLoader(
      (uuids: readonly string[]) => findIdentityProvidersByCustomers(db, uuids),
      (row) => row.enterpriseCustomerUuid,
    ),
    learner: rowLoader(
      (ids: readonly number[]) => findLearnersByIds(db, ids),
      (row) => row.id,
    ),
    /** (customer, LMS user id) -> link; one statement per tick for any number of pairs. */
    learnerByUser: rowLoader(
      (keys: readonly string[]) => {
        const { customers, learners } = splitPairs(keys);
        return findLearnersByCustomersAndUsers(db, customers, learners.map(Number));
      },
      (row) => pairKey(row.enterpriseCustomerUuid, row.lmsUserId),
    ),
    /** (customer, email) -> link. */
    learnerByEmail: rowLoader(
      (keys: readonly string[]) => {
        const { customers, learners } = splitPairs(keys);
        return findLearnersByCustomersAndEmails(db, customers, learners);
      },
      (row) => pairKey(row.enterpriseCustomerUuid, row.email),
    ),
    /** Linked links of an LMS user, any customer (`me`). */
    linksOfUser: groupLoader(
      (ids: readonly number[]) => findLinksOfUsers(db, ids),
      (row) => row.lmsUserId,
    ),
    lmsUserByEmail: rowLoader(
      (emails: readonly string[]) => findLmsUsersByEmails(db, emails),
      (row) => row.email,
    ),
    pendingEnrollments: groupLoader(
      (ids: readonly number[]) => findPendingEnrollmentsByPendingUsers(db, ids),
      (row) => row.pendingUserId,
    ),
    enrollmentsOfLearner: groupLoader(
      (ids: readonly number[]) => findEnrollmentsByLearnerIds(db, ids),
      (row) => row.enterpriseCustomerUserId,
    ),
    fulfillment: rowLoader(
      (ids: readonly number[]) => findFulfillmentsByEnrollmentIds(db, ids),
      (row) => row.enterpriseCourseEnrollmentId,
    ),
    /** pairKey(customer, lmsUserId) -> consents. */
    consents: consentLoader(db),
    runCheck: createRunCheckLoader(authorization),
  };
}

export type CustomersLoaders = ReturnType<typeof createLoaders>;

/** Loads a customer a mutation names: FORBIDDEN unless admin/operator, NOT_FOUND when missing. */
export async function customerForAdmin(
  ctx: CustomersContext,
  uuidInput: string,
  name = 'enterpriseCustomerUuid',
): Promise<EnterpriseCustomerRow> {
  const uuid = uuidArg(uuidInput, name);
  ctx.viewer.assertAdminOf(uuid);
  const customer = await ctx.loaders.customer.load(uuid);
  if (!customer) throw notFound(`Enterprise customer ${uuid} does not exist`);
  return customer;
}

/** The viewer's own LMS account (by the token's user id, else its email), or null. */
export async function viewerLmsUserId(ctx: CustomersContext): Promise<number | null> {
  if (ctx.viewer.lmsUserId != null) return ctx.viewer.lmsUserId;
  if (!ctx.viewer.email) return null;
  return (await ctx.loaders.lmsUserByEmail.load(ctx.viewer.email))?.id ?? null;
}
