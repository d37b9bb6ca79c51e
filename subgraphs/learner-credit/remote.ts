import DataLoader from 'dataloader';
import { MAX_BATCH_SIZE } from '../../lib/loaders.js';
import { callSubgraphBatch, callSubgraphOperation } from '../../lib/subgraph-client.js';
import {
  LearnerCreditCatalogContentDocument,
  LearnerCreditContentDocument,
  RelayAdvertisedRunDocument,
  type LearnerCreditContentQuery,
} from './__generated__/catalog-operations.js';
import { emailCustomerFrom, type EmailCustomer } from '../../lib/email/layout.js';
import {
  LearnerCreditEmailCustomerDocument,
  LearnerCreditLearnersDocument,
  RelayEnrollWithFulfillmentDocument,
  RelayRevokeTransactionFulfillmentsDocument,
} from './__generated__/customers-operations.js';

/**
 * What learner credit needs from the other subgraphs, through their public GraphQL APIs (never
 * their tables: each subgraph owns its data), with the caller's token. Each loader sends one request per
 * tick, one alias per key. The operations live in remote.<callee>.graphql, typed against the
 * callee's SDL.
 */

/** Runs are `course-v1:` keys; everything else we are given is a course key. */
export function isCourseRunKey(key: string): boolean {
  return key.startsWith('course-v1:');
}

type RemoteRun = NonNullable<LearnerCreditContentQuery['run']>;
type RemoteCourse = NonNullable<LearnerCreditContentQuery['course']>;

/** A course or run as learner credit sees it. */
export interface ContentInfo {
  key: string;
  /** The course key (the key itself for a course, the run's course for a run). */
  courseKey: string;
  /** The course for a run key, else null (LearnerContentAssignment.parentContentKey). */
  parentContentKey: string | null;
  title: string | null;
  /** Canonical price, null when the catalog has none. */
  priceCents: number | null;
  /** The run whose enrollment deadline applies: the run itself, or the course's advertised run. */
  runKey: string | null;
  /** Enroll-by date of that run, null when open-ended. */
  enrollBy: Date | null;
}

/** Membership and metadata of one key in one catalog. */
export interface CatalogContent {
  inCatalog: boolean;
  content: ContentInfo | null;
}

function toDateOrNull(value: string | null | undefined): Date | null {
  return value ? new Date(value) : null;
}

function fromRun(run: RemoteRun): ContentInfo {
  return {
    key: run.key,
    courseKey: run.course.key,
    parentContentKey: run.course.key,
    title: run.title,
    priceCents: run.canonicalPriceCents,
    runKey: run.key,
    enrollBy: toDateOrNull(run.enrollmentEnd),
  };
}

function fromCourse(course: RemoteCourse): ContentInfo {
  return {
    key: course.key,
    courseKey: course.key,
    parentContentKey: null,
    title: course.title,
    priceCents: course.canonicalPriceCents,
    runKey: course.advertisedCourseRun?.key ?? null,
    enrollBy: toDateOrNull(course.advertisedCourseRun?.enrollmentEnd),
  };
}

/** A one-key response: the run when the key is a run, else the course (remote.catalog.graphql). */
function toContent(
  found: { run?: RemoteRun | null; course?: RemoteCourse | null } | null,
  key: string,
): ContentInfo | null {
  if (!found) return null;
  if (isCourseRunKey(key)) return found.run ? fromRun(found.run) : null;
  return found.course ? fromCourse(found.course) : null;
}

export interface CatalogKey {
  catalogUuid: string;
  contentKey: string;
}

/** Catalog membership (containsContent) and the catalog-scoped course or run, for (catalog, key) pairs. */
async function fetchCatalogContent(pairs: readonly CatalogKey[], authorization: string): Promise<CatalogContent[]> {
  const found = await callSubgraphBatch(
    'catalog',
    LearnerCreditCatalogContentDocument,
    pairs,
    (pair) => ({ catalog: pair.catalogUuid, key: pair.contentKey, isRun: isCourseRunKey(pair.contentKey) }),
    authorization,
  );
  return found.map(({ key: pair, data: { enterpriseCatalog: entry } }) => ({
    inCatalog: Boolean(entry?.contains),
    content: entry ? toContent(entry, pair.contentKey) : null,
  }));
}

/** Courses and runs by key, outside any catalog (enroll-by dates for expirations). */
async function fetchContent(keys: readonly string[], authorization: string): Promise<(ContentInfo | null)[]> {
  const found = await callSubgraphBatch(
    'catalog',
    LearnerCreditContentDocument,
    keys,
    (key) => ({ key, isRun: isCourseRunKey(key) }),
    authorization,
  );
  return found.map(({ key, data }) => toContent(data, key));
}

/** A linked, active learner of a customer as the customers subgraph reports it. */
export interface RemoteLearner {
  lmsUserId: number | null;
  email: string | null;
}

export interface LearnerKey {
  customerUuid: string;
  lmsUserId?: number;
  email?: string;
}

async function fetchLearners(keys: readonly LearnerKey[], authorization: string): Promise<(RemoteLearner | null)[]> {
  // Exactly one of lmsUserId and email is sent: an undefined variable leaves its argument out.
  const found = await callSubgraphBatch(
    'customers',
    LearnerCreditLearnersDocument,
    keys,
    (key) =>
      key.lmsUserId !== undefined
        ? { customer: key.customerUuid, lmsUserId: key.lmsUserId }
        : { customer: key.customerUuid, email: key.email },
    authorization,
  );
  return found.map(({ data }) => {
    const learner = data.enterpriseCustomer?.learner ?? null;
    return learner ? { lmsUserId: learner.lmsUserId, email: learner.email.toLowerCase() } : null;
  });
}

// Aliased queries grow with the batch; 100 keys per request keeps documents small.
const REMOTE_BATCH = Math.min(100, MAX_BATCH_SIZE);

/** Per-request loaders over the catalog and customers subgraphs, carrying the caller's token. */
export function createRemoteLoaders(authorization: string) {
  return {
    catalogContent: new DataLoader<CatalogKey, CatalogContent, string>(
      (pairs) => fetchCatalogContent(pairs, authorization),
      {
        cacheKeyFn: (pair) => `${pair.catalogUuid.toLowerCase()}|${pair.contentKey}`,
        maxBatchSize: REMOTE_BATCH,
      },
    ),
    content: new DataLoader<string, ContentInfo | null>((keys) => fetchContent(keys, authorization), {
      maxBatchSize: REMOTE_BATCH,
    }),
    learner: new DataLoader<LearnerKey, RemoteLearner | null, string>((keys) => fetchLearners(keys, authorization), {
      cacheKeyFn: (key) => `${key.customerUuid.toLowerCase()}|${key.lmsUserId ?? ''}|${key.email ?? ''}`,
      maxBatchSize: REMOTE_BATCH,
    }),
  };
}

export type RemoteLoaders = ReturnType<typeof createRemoteLoaders>;

// ---------------------------------------------------------------------------------------------
// The outbox relay's deliveries (relay.ts), with a service token

/** The run a redemption enrolls in: the key itself for a run, the course's advertised run for a course (null: none). */
export async function enrollmentRunOf(contentKey: string, authorization: string): Promise<string | null> {
  if (isCourseRunKey(contentKey)) return contentKey;
  const data = await callSubgraphOperation('catalog', RelayAdvertisedRunDocument, { key: contentKey }, authorization);
  return data.course?.advertisedCourseRun?.key ?? null;
}

/** The learner's enrollment paid by the transaction, through the customers subgraph (idempotent). */
export async function enrollWithTransaction(
  input: { enterpriseCustomerUuid: string; lmsUserId: number; courseRunKey: string; transactionUuid: string },
  authorization: string,
): Promise<{ created: boolean }> {
  const data = await callSubgraphOperation(
    'customers',
    RelayEnrollWithFulfillmentDocument,
    { input: { ...input, fulfillmentType: 'LEARNER_CREDIT' } },
    authorization,
  );
  return { created: data.enrollWithFulfillment.created };
}

/** Revokes the transactions' fulfillments and ends their enrollments, through the customers subgraph (idempotent). */
export async function revokeTransactionFulfillments(
  enterpriseCustomerUuid: string,
  transactionUuids: string[],
  authorization: string,
): Promise<number> {
  const data = await callSubgraphOperation(
    'customers',
    RelayRevokeTransactionFulfillmentsDocument,
    { input: { enterpriseCustomerUuid, transactionUuids } },
    authorization,
  );
  return data.revokeFulfillments.revoked.length;
}

// ---------------------------------------------------------------------------------------------
// The outbox's emails (emails.ts), with a service token

/** The customer as its emails show it (null: no such customer). */
export async function emailCustomerOf(uuid: string, authorization: string): Promise<EmailCustomer | null> {
  const data = await callSubgraphOperation('customers', LearnerCreditEmailCustomerDocument, { uuid }, authorization);
  return emailCustomerFrom(data.enterpriseCustomer);
}

/** A course or run by key (title, enroll-by date), outside any catalog; null when the catalog has none. */
export async function contentOf(key: string, authorization: string): Promise<ContentInfo | null> {
  return (await fetchContent([key], authorization))[0] ?? null;
}

/** Courses and runs by key, one request per 100 keys; null where the catalog has none. */
export async function contentsOf(
  keys: readonly string[],
  authorization: string,
): Promise<Map<string, ContentInfo | null>> {
  const unique = [...new Set(keys)];
  const out = new Map<string, ContentInfo | null>();
  for (let i = 0; i < unique.length; i += REMOTE_BATCH) {
    const batch = unique.slice(i, i + REMOTE_BATCH);
    const found = await fetchContent(batch, authorization);
    batch.forEach((key, j) => out.set(key, found[j] ?? null));
  }
  return out;
}
