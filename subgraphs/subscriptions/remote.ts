import { callSubgraphBatch, callSubgraphOperation } from '../../lib/subgraph-client.js';
import { CatalogMembershipDocument } from './__generated__/catalog-operations.js';
import { emailCustomerFrom, type EmailCustomer } from '../../lib/email/layout.js';
import {
  BulkLicenseEnrollmentDocument,
  SubscriptionsEmailCustomerDocument,
  LinkLicensedLearnersDocument,
  RelayRevokeLicenseFulfillmentsDocument,
  type BulkLicenseEnrollmentMutation,
  type EnrollLearnersInput,
} from './__generated__/customers-operations.js';
import type { BulkEnrollmentOutcome, BulkEnrollmentResults } from './tables.js';

/**
 * Every call the subscriptions subgraph makes to another subgraph, through its public GraphQL API
 * (never its tables), with the token it is given (a service token in jobs and the outbox relay).
 * The operations live in remote.<callee>.graphql, typed against the callee's SDL.
 */

/** Aliases per catalog query: each asks one (catalog, run) membership. */
const CATALOG_ALIASES_PER_CALL = 50;

export function membershipKey(catalogUuid: string, run: string): string {
  return `${catalogUuid.toLowerCase()}\n${run}`;
}

/** The (catalog, run) pairs that are members (as membershipKey), asked with one aliased query per 50 pairs. */
export async function catalogMembership(
  catalogs: readonly string[],
  runs: readonly string[],
  authorization: string,
): Promise<Set<string>> {
  const pairs = catalogs.flatMap((catalog) => runs.map((run) => ({ catalog, run })));
  const members = new Set<string>();
  for (let i = 0; i < pairs.length; i += CATALOG_ALIASES_PER_CALL) {
    const batch = pairs.slice(i, i + CATALOG_ALIASES_PER_CALL);
    const found = await callSubgraphBatch(
      'catalog',
      CatalogMembershipDocument,
      batch,
      (p) => ({ catalog: p.catalog, keys: [p.run] }),
      authorization,
    );
    for (const { key: p, data } of found) {
      if (data.enterpriseCatalog?.containsContent) members.add(membershipKey(p.catalog, p.run));
    }
  }
  return members;
}

/** Enrolls through the customers subgraph's enrollLearners (the license is each enrollment's fulfillment). */
export async function enrollLearners(
  input: EnrollLearnersInput,
  authorization: string,
): Promise<BulkEnrollmentResults> {
  const data = await callSubgraphOperation('customers', BulkLicenseEnrollmentDocument, { input }, authorization);
  const outcome = (list: BulkLicenseEnrollmentMutation['enrollLearners']['successes']): BulkEnrollmentOutcome[] =>
    list.map((o) => ({ email: o.email, courseRunKey: o.courseRunKey, reason: o.reason ?? null }));
  return {
    successes: outcome(data.enrollLearners.successes),
    pending: outcome(data.enrollLearners.pending),
    failures: outcome(data.enrollLearners.failures),
  };
}

/** Links learners by email through the customers subgraph's linkLearners (idempotent). */
export async function linkLearners(
  enterpriseCustomerUuid: string,
  emails: string[],
  authorization: string,
): Promise<void> {
  await callSubgraphOperation(
    'customers',
    LinkLicensedLearnersDocument,
    { input: { enterpriseCustomerUuid, emails } },
    authorization,
  );
}

/** Revokes the licenses' fulfillments and ends their enrollments, through the customers subgraph (idempotent). */
export async function revokeLicenseFulfillments(
  enterpriseCustomerUuid: string,
  licenseUuids: string[],
  authorization: string,
): Promise<number> {
  const data = await callSubgraphOperation(
    'customers',
    RelayRevokeLicenseFulfillmentsDocument,
    { input: { enterpriseCustomerUuid, licenseUuids } },
    authorization,
  );
  return data.revokeFulfillments.revoked.length;
}

/** The customer as its emails show it (null: no such customer), for the outbox's emails (emails.ts). */
export async function emailCustomerOf(uuid: string, authorization: string): Promise<EmailCustomer | null> {
  const data = await callSubgraphOperation('customers', SubscriptionsEmailCustomerDocument, { uuid }, authorization);
  return emailCustomerFrom(data.enterpriseCustomer);
}
