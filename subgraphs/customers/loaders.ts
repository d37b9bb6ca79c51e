import type { Kysely } from 'kysely';
import { groupLoader, rowLoader } from '../../lib/loaders.js';
import { createRunCheckLoader } from './catalog-client.js';
import {
  findCustomersByUuids,
  findIdentityProvidersByCustomers,
  findLearnersByCustomersAndEmails,
  findLearnersByCustomersAndUsers,
  findLearnersByIds,
} from './store.js';
import type { CustomersDatabase } from './tables.js';

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

/** Per-request loaders of the customers subgraph. */
export function createLoaders(db: Kysely<CustomersDatabase>, authorization: string) {
  return {
    customer: rowLoader((uuids: readonly string[]) => findCustomersByUuids(db, uuids), (row) => row.uuid, (k) => k.toLowerCase()),
    identityProviders: groupLoader((uuids: readonly string[]) => findIdentityProvidersByCustomers(db, uuids), (row) => row.enterpriseCustomerUuid),
    learner: rowLoader((ids: readonly number[]) => findLearnersByIds(db, ids), (row) => row.id),
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
    runCheck: createRunCheckLoader(authorization),
  };
}

export type CustomersLoaders = ReturnType<typeof createLoaders>;
