import DataLoader from 'dataloader';
import { callSubgraphBatch, callSubgraphOperation } from '../../lib/subgraph-client.js';
import { mintServiceToken } from '../../lib/auth/token.js';
import {
  CatalogContainsDocument,
  CourseKnownDocument,
  RelayCustomerFactsChangedDocument,
  RunChecksDocument,
  RunModesDocument,
} from './__generated__/catalog-operations.js';
import {
  RedeemablePoliciesDocument,
  type RedeemablePoliciesQuery,
  SelfRedeemDocument,
  TransactionOwnerDocument,
} from './__generated__/learner-credit-operations.js';
import { LicenseOwnerDocument, MyLicensesDocument } from './__generated__/subscriptions-operations.js';

/**
 * Every call the customers subgraph makes to another subgraph, through its public GraphQL API
 * (never its tables), with the caller's token. The operations live in remote.<callee>.graphql,
 * typed against the callee's SDL.
 */

/** What the customers subgraph needs to know about a course run, from the catalog subgraph. */
export interface RunInfo {
  key: string;
  title: string | null;
  courseKey: string;
  courseTitle: string | null;
  start: Date | null;
  end: Date | null;
  /** `self_paced` / `instructor_paced` (learner-summary spelling). */
  pacingType?: string | null;
  weeksToComplete?: number | null;
  minEffort?: number | null;
  maxEffort?: number | null;
  /** The run's canonical price: the learner-summary `course_list_price`. */
  priceCents?: number | null;
}

export interface RunCheck {
  /** Null when the catalog does not know the run. */
  run: RunInfo | null;
  /** True when at least one of the customer's catalogs contains the run. */
  inCustomerCatalog: boolean;
}

const SEP = '\u0000';

/** Key of the run-check loader: one customer, one run key. */
export function runCheckKey(customerUuid: string, runKey: string): string {
  return `${customerUuid}${SEP}${runKey}`;
}

/**
 * Existence and catalog membership of course runs, through the catalog subgraph's API (never its
 * tables). One call per customer per tick: every run is an aliased `courseRun`, every membership
 * an aliased `containsContent` on each of the customer's catalogs.
 */
export function createRunCheckLoader(authorization: string): DataLoader<string, RunCheck> {
  return new DataLoader<string, RunCheck>(
    async (keys) => {
      const byCustomer = new Map<string, string[]>();
      for (const key of keys) {
        const [customer, run] = key.split(SEP) as [string, string];
        const runs = byCustomer.get(customer) ?? [];
        if (!runs.includes(run)) runs.push(run);
        byCustomer.set(customer, runs);
      }
      const results = new Map<string, RunCheck>();
      for (const [customer, runs] of byCustomer) {
        const checks = await callSubgraphBatch('catalog', RunChecksDocument, runs, (key) => ({ key }), authorization, {
          customer,
        });
        for (const { key: run, data } of checks) {
          const { courseRun: found, catalogs } = data;
          results.set(runCheckKey(customer, run), {
            run: found
              ? {
                  key: found.key,
                  title: found.title,
                  courseKey: found.course.key,
                  courseTitle: found.course.title,
                  start: found.start ? new Date(found.start) : null,
                  end: found.end ? new Date(found.end) : null,
                  pacingType: found.pacingType?.toLowerCase() ?? null,
                  weeksToComplete: found.weeksToComplete,
                  minEffort: found.minEffort,
                  maxEffort: found.maxEffort,
                  priceCents: found.canonicalPriceCents,
                }
              : null,
            inCustomerCatalog: catalogs.nodes.some((catalog) => catalog.containsContent),
          });
        }
      }
      // Every key was asked above; an Error (DataLoader's per-key failure) would mean a bug here.
      return keys.map((key) => results.get(key) ?? new Error(`No run check for ${key}`));
    },
    { maxBatchSize: 100 },
  );
}

/** Who owns a license or ledger transaction an input names (null: it does not exist). */
export interface ReferenceOwner {
  uuid: string;
  /** The customer of the license's plan, or of the transaction's policy (null: a deposit, no policy). */
  enterpriseCustomerUuid: string | null;
  lmsUserId: number | null;
}

export interface ReferenceOwners {
  licenses: Map<string, ReferenceOwner | null>;
  transactions: Map<string, ReferenceOwner | null>;
}

/**
 * The owners of the licenses and ledger transactions an input names, from their owner subgraphs:
 * one batched request per subgraph. Asked with a service token so that another customer's
 * reference comes back with its owner (FORBIDDEN for the caller) instead of the owner subgraph's
 * own FORBIDDEN, which would not tell a foreign reference from a broken one.
 */
export async function fetchReferenceOwners(
  licenseUuids: readonly string[],
  transactionUuids: readonly string[],
): Promise<ReferenceOwners> {
  if (!licenseUuids.length && !transactionUuids.length) return { licenses: new Map(), transactions: new Map() };
  const authorization = `JWT ${await mintServiceToken('customers')}`;
  const [licenses, transactions] = await Promise.all([
    callSubgraphBatch('subscriptions', LicenseOwnerDocument, licenseUuids, (uuid) => ({ uuid }), authorization),
    callSubgraphBatch(
      'learner-credit',
      TransactionOwnerDocument,
      transactionUuids,
      (uuid) => ({ uuid }),
      authorization,
    ),
  ]);
  return {
    licenses: new Map(
      licenses.map(({ key, data: { license } }) => [
        key,
        license
          ? {
              uuid: license.uuid,
              enterpriseCustomerUuid: license.subscriptionPlan.enterpriseCustomerUuid.toLowerCase(),
              lmsUserId: license.lmsUserId ?? null,
            }
          : null,
      ]),
    ),
    transactions: new Map(
      transactions.map(({ key, data: { ledgerTransaction: tx } }) => [
        key,
        tx
          ? {
              uuid: tx.uuid,
              enterpriseCustomerUuid: tx.subsidyAccessPolicy?.enterpriseCustomerUuid.toLowerCase() ?? null,
              lmsUserId: tx.lmsUserId ?? null,
            }
          : null,
      ]),
    ),
  };
}

/** True when the catalog knows a course with this key (consent answers are per known course). */
export async function isKnownCourse(courseKey: string, authorization: string): Promise<boolean> {
  const data = await callSubgraphOperation('catalog', CourseKnownDocument, { key: courseKey }, authorization);
  return data.course !== null;
}

// Self-enrollment (enrollInCourse) and license revocation: the viewer's licenses, the run's modes,
// the policies that can pay, and the redemption itself.

/** The modes of each run (catalog CourseRun.courseModes): run key -> slugs; unknown runs are absent. */
export async function fetchRunModes(runKeys: readonly string[], authorization: string): Promise<Map<string, string[]>> {
  if (runKeys.length === 0) return new Map();
  const answers = await callSubgraphBatch(
    'catalog',
    RunModesDocument,
    [...new Set(runKeys)],
    (key) => ({ key }),
    authorization,
  );
  const modes = new Map<string, string[]>();
  for (const { key, data } of answers)
    if (data.courseRun)
      modes.set(
        key,
        data.courseRun.courseModes.map((m) => m.slug),
      );
  return modes;
}

/**
 * The viewer's first ACTIVATED license of an active, current plan of the customer whose catalog
 * contains the run (the learner portal's license subsidy), or null.
 */
export async function findLicenseForRun(
  customerUuid: string,
  runKey: string,
  authorization: string,
): Promise<string | null> {
  const data = await callSubgraphOperation(
    'subscriptions',
    MyLicensesDocument,
    { customer: customerUuid },
    authorization,
  );
  const usable = data.myLicenses.nodes.filter(
    (l) => l.status === 'ACTIVATED' && l.subscriptionPlan.isActive && l.subscriptionPlan.isCurrent,
  );
  if (usable.length === 0) return null;
  const catalogs = [...new Set(usable.map((l) => l.subscriptionPlan.enterpriseCatalogUuid))];
  const answers = await callSubgraphBatch(
    'catalog',
    CatalogContainsDocument,
    catalogs,
    (uuid) => ({ uuid, key: runKey }),
    authorization,
  );
  const containing = new Set(answers.filter((a) => a.data.enterpriseCatalog?.containsContent).map((a) => a.key));
  return usable.find((l) => containing.has(l.subscriptionPlan.enterpriseCatalogUuid))?.uuid ?? null;
}

export type PolicyRedeemability = RedeemablePoliciesQuery['subsidyAccessPolicies']['nodes'][number];

/** The customer's active policies with the viewer's canRedeem answer for the content. */
export async function fetchRedeemablePolicies(
  customerUuid: string,
  lmsUserId: number,
  contentKey: string,
  authorization: string,
): Promise<PolicyRedeemability[]> {
  const data = await callSubgraphOperation(
    'learner-credit',
    RedeemablePoliciesDocument,
    { customer: customerUuid, lmsUserId, contentKey },
    authorization,
  );
  return data.subsidyAccessPolicies.nodes;
}

/** Redeems the content with the policy for the viewer (learner-credit `redeem`, idempotent). */
export async function redeemWithPolicy(
  policyUuid: string,
  lmsUserId: number,
  contentKey: string,
  authorization: string,
): Promise<string> {
  const data = await callSubgraphOperation(
    'learner-credit',
    SelfRedeemDocument,
    { input: { policyUuid, lmsUserId, contentKey } },
    authorization,
  );
  return data.redeem.transaction.uuid;
}

/** Tells the catalog these customers changed, so it drops what it keeps of them for URLs (the relay, a service token). */
export async function customerFactsChanged(uuids: string[], authorization: string): Promise<number> {
  const data = await callSubgraphOperation('catalog', RelayCustomerFactsChangedDocument, { uuids }, authorization);
  return data.customerFactsChanged.dropped;
}
