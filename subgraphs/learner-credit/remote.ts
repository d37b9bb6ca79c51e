import DataLoader from 'dataloader';
import { MAX_BATCH_SIZE } from '../../lib/loaders.js';
import { callSubgraph } from '../../lib/subgraph-client.js';

/**
 * What learner credit needs from the other subgraphs, through their public GraphQL APIs (DOMAIN
 * section 0: never their tables), with the caller's token. Each loader sends one request per
 * tick, one alias per key.
 */

/** Runs are `course-v1:` keys; everything else we are given is a course key. */
export function isCourseRunKey(key: string): boolean {
  return key.startsWith('course-v1:');
}

interface RemoteRun {
  key: string;
  title?: string | null;
  start: string | null;
  end: string | null;
  enrollmentStart: string | null;
  enrollmentEnd: string | null;
  canonicalPriceCents?: number | null;
  course?: { key: string } | null;
}

interface RemoteCourse {
  key: string;
  title: string | null;
  canonicalPriceCents: number | null;
  advertisedCourseRun: RemoteRun | null;
}

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

const RUN_FIELDS = 'key title start end enrollmentStart enrollmentEnd canonicalPriceCents course { key }';
const COURSE_FIELDS = 'key title canonicalPriceCents advertisedCourseRun { key start end enrollmentStart enrollmentEnd }';

function toDateOrNull(value: string | null | undefined): Date | null {
  return value ? new Date(value) : null;
}

function fromRun(run: RemoteRun): ContentInfo {
  const courseKey = run.course?.key ?? run.key;
  return {
    key: run.key,
    courseKey,
    parentContentKey: run.course?.key ?? null,
    title: run.title ?? null,
    priceCents: run.canonicalPriceCents ?? null,
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

function contentSelection(alias: string, keyVariable: string, key: string): string {
  return isCourseRunKey(key) ? `${alias}: courseRun(key: $${keyVariable}) { ${RUN_FIELDS} }` : `${alias}: course(key: $${keyVariable}) { ${COURSE_FIELDS} }`;
}

function toContent(value: unknown, key: string): ContentInfo | null {
  if (!value) return null;
  return isCourseRunKey(key) ? fromRun(value as RemoteRun) : fromCourse(value as RemoteCourse);
}

export interface CatalogKey {
  catalogUuid: string;
  contentKey: string;
}

/** Catalog membership (containsContent) and the catalog-scoped course or run, for (catalog, key) pairs. */
async function fetchCatalogContent(pairs: readonly CatalogKey[], authorization: string): Promise<CatalogContent[]> {
  const variables: Record<string, unknown> = {};
  const definitions: string[] = [];
  const selections = pairs.map((pair, i) => {
    variables[`c${i}`] = pair.catalogUuid;
    variables[`k${i}`] = pair.contentKey;
    definitions.push(`$c${i}: ID!`, `$k${i}: String!`);
    return `q${i}: enterpriseCatalog(uuid: $c${i}) { contains: containsContent(keys: [$k${i}]) ${contentSelection('content', `k${i}`, pair.contentKey)} }`;
  });
  const data = await callSubgraph<Record<string, { contains: boolean; content: unknown } | null>>(
    'catalog',
    `query LearnerCreditCatalogContent(${definitions.join(', ')}) { ${selections.join(' ')} }`,
    variables,
    authorization,
  );
  return pairs.map((pair, i) => {
    const entry = data[`q${i}`];
    return { inCatalog: Boolean(entry?.contains), content: entry ? toContent(entry.content, pair.contentKey) : null };
  });
}

/** Courses and runs by key, outside any catalog (enroll-by dates for expirations). */
async function fetchContent(keys: readonly string[], authorization: string): Promise<(ContentInfo | null)[]> {
  const variables: Record<string, unknown> = {};
  const selections = keys.map((key, i) => {
    variables[`k${i}`] = key;
    return contentSelection(`q${i}`, `k${i}`, key);
  });
  const definitions = keys.map((_key, i) => `$k${i}: String!`);
  const data = await callSubgraph<Record<string, unknown>>(
    'catalog',
    `query LearnerCreditContent(${definitions.join(', ')}) { ${selections.join(' ')} }`,
    variables,
    authorization,
  );
  return keys.map((key, i) => toContent(data[`q${i}`], key));
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
  const variables: Record<string, unknown> = {};
  const definitions: string[] = [];
  const selections = keys.map((key, i) => {
    variables[`c${i}`] = key.customerUuid;
    definitions.push(`$c${i}: ID`);
    let argument: string;
    if (key.lmsUserId !== undefined) {
      variables[`u${i}`] = key.lmsUserId;
      definitions.push(`$u${i}: Int`);
      argument = `lmsUserId: $u${i}`;
    } else {
      variables[`e${i}`] = key.email;
      definitions.push(`$e${i}: String`);
      argument = `email: $e${i}`;
    }
    return `q${i}: enterpriseCustomer(uuid: $c${i}) { learner(${argument}) { lmsUserId email } }`;
  });
  const data = await callSubgraph<Record<string, { learner: RemoteLearner | null } | null>>(
    'customers',
    `query LearnerCreditLearners(${definitions.join(', ')}) { ${selections.join(' ')} }`,
    variables,
    authorization,
  );
  return keys.map((_key, i) => {
    const learner = data[`q${i}`]?.learner ?? null;
    return learner ? { lmsUserId: learner.lmsUserId ?? null, email: learner.email?.toLowerCase() ?? null } : null;
  });
}

// Aliased queries grow with the batch; 100 keys per request keeps documents small.
const REMOTE_BATCH = Math.min(100, MAX_BATCH_SIZE);

/** Per-request loaders over the catalog and customers subgraphs, carrying the caller's token. */
export function createRemoteLoaders(authorization: string) {
  return {
    catalogContent: new DataLoader<CatalogKey, CatalogContent, string>((pairs) => fetchCatalogContent(pairs, authorization), {
      cacheKeyFn: (pair) => `${pair.catalogUuid.toLowerCase()}|${pair.contentKey}`,
      maxBatchSize: REMOTE_BATCH,
    }),
    content: new DataLoader<string, ContentInfo | null>((keys) => fetchContent(keys, authorization), { maxBatchSize: REMOTE_BATCH }),
    learner: new DataLoader<LearnerKey, RemoteLearner | null, string>((keys) => fetchLearners(keys, authorization), {
      cacheKeyFn: (key) => `${key.customerUuid.toLowerCase()}|${key.lmsUserId ?? ''}|${key.email ?? ''}`,
      maxBatchSize: REMOTE_BATCH,
    }),
  };
}

export type RemoteLoaders = ReturnType<typeof createRemoteLoaders>;
