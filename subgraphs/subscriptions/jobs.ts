import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import { startPoller } from '../../lib/background.js';
import { logger } from '../../lib/observability/logger.js';
import { mintServiceToken } from '../../lib/auth/token.js';
import type { Viewer } from '../../lib/auth/viewer.js';
import { settings } from '../../lib/config.js';
import { badInput, DomainError, notFound } from '../../lib/errors.js';
import { callSubgraph } from '../../lib/subgraph-client.js';
import { emailList, listSize, LIMITS, nonEmptyString, uuidArg } from '../../lib/validate.js';
import { claimNextJob, completeJob, countPlansOfCustomer, failJobAttempt, findEnrollableLicenses, insertJob } from './store.js';
import type { BulkEnrollmentJobRow, BulkEnrollmentOutcome, BulkEnrollmentResults, SubscriptionsDatabase } from './tables.js';

type DB = Kysely<SubscriptionsDatabase>;

const SERVICE = 'subscriptions';
/** DOMAIN 2/4: at most 1000 (email, course run) pairs per bulk enrollment. */
export const MAX_ENROLLMENT_PAIRS = 1000;
/** A runner holds a job this long; a job whose runner died is resumed once it passes. */
const LEASE_MS = 5 * 60_000;
/** Attempts before a job that keeps failing (e.g. the customers subgraph is down) is FAILED. */
const MAX_ATTEMPTS = 3;
const RETRY_BACKOFF_MS = 10_000;
/** Aliases per catalog query: each asks one (catalog, run) membership. */
const CATALOG_ALIASES_PER_CALL = 50;
export const MISSING_SUBSCRIPTION =
  'missing subscription: no assigned or activated license in a current plan whose catalog contains this course run';

/** New jobs wake the runners of this process at once instead of waiting for the next poll. */
const jobQueued = new EventEmitter();
jobQueued.setMaxListeners(0);

export interface BulkLicenseEnrollmentArgs {
  enterpriseCustomerUuid: string;
  emails: readonly string[];
  courseRunKeys: readonly string[];
  notify: boolean;
}

/**
 * Validates and persists a bulk license enrollment job (PENDING) and returns it at once; the
 * runner processes it after commit. Admins of the customer and operators only.
 */
export async function enqueueBulkLicenseEnrollment(db: DB, viewer: Viewer, args: BulkLicenseEnrollmentArgs): Promise<BulkEnrollmentJobRow> {
  const customer = uuidArg(args.enterpriseCustomerUuid, 'enterpriseCustomerUuid');
  listSize(args.emails, LIMITS.emails, 'emails', 1);
  const emails = emailList(args.emails, 'emails');
  listSize(args.courseRunKeys, LIMITS.contentKeys, 'courseRunKeys', 1);
  const courseRunKeys = [...new Set(args.courseRunKeys.map((k) => nonEmptyString(k, 'courseRunKeys')))];
  if (emails.length * courseRunKeys.length > MAX_ENROLLMENT_PAIRS) {
    throw badInput(`Too many enrollments: ${emails.length} emails x ${courseRunKeys.length} course runs exceeds ${MAX_ENROLLMENT_PAIRS}`, {
      argument: 'input',
    });
  }
  viewer.assertAdminOf(customer);
  // license-manager answers 404 when the customer has no subscriptions at all.
  if ((await countPlansOfCustomer(db, customer)) === 0) {
    throw notFound(`Enterprise customer ${customer} has no subscription plans`, { enterpriseCustomerUuid: customer });
  }
  const now = new Date();
  const job: BulkEnrollmentJobRow = {
    uuid: randomUUID(),
    enterpriseCustomerUuid: customer,
    lmsUserId: viewer.lmsUserId,
    requestedByEmail: viewer.email,
    emails,
    courseRunKeys,
    notify: args.notify,
    status: 'PENDING',
    results: null,
    error: null,
    attempts: 0,
    lockedUntil: null,
    created: now,
    modified: now,
    completedAt: null,
  };
  await insertJob(db, job);
  jobQueued.emit('queued');
  return job;
}

/** Wakes this process's runners (after a job was written by other means than the mutation). */
export function wakeBulkEnrollmentRunners(): void {
  jobQueued.emit('queued');
}

/** Who may read a job: admins of its customer, operators and whoever queued it. */
export function canViewJob(viewer: Viewer, job: BulkEnrollmentJobRow): boolean {
  return viewer.isAdminOf(job.enterpriseCustomerUuid) || (job.lmsUserId !== null && viewer.lmsUserId === job.lmsUserId);
}

// ---------------------------------------------------------------------------------------------
// The runner

/**
 * Starts the background runner on `db`: it processes queued jobs one at a time, polls for jobs
 * queued by other processes or left RUNNING by a runner that died (resumed after a restart), and
 * wakes at once when this process queues one. Returns a stopper that waits for the current job.
 */
export function startBulkEnrollmentRunner(db: DB, pollMs = settings.subscriptionsJobPollMs()): () => Promise<void> {
  let stopped = false;
  const drain = async () => {
    while (!stopped) {
      const now = new Date();
      const job = await claimNextJob(db, now, new Date(now.getTime() + LEASE_MS));
      if (!job) return;
      await processJob(db, job);
    }
  };
  const stop = startPoller({ name: 'subscriptions bulk enrollment runner', work: drain, pollMs, wake: { emitter: jobQueued, event: 'queued' } });
  return async () => {
    stopped = true;
    await stop();
  };
}

async function processJob(db: DB, job: BulkEnrollmentJobRow): Promise<void> {
  const authorization = `JWT ${await mintServiceToken(SERVICE)}`;
  logger.info({ piece: 'subscriptions', job: job.uuid, attempt: job.attempts }, `[subscriptions] bulk enrollment job ${job.uuid} (attempt ${job.attempts}): acting as service "${SERVICE}"`);
  try {
    const results = await enrollJob(db, job, authorization);
    await completeJob(db, job.uuid, results, new Date());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A refusal by another subgraph will not change on retry; an outage may.
    const retryable = !(error instanceof DomainError) && job.attempts < MAX_ATTEMPTS;
    logger.error({ piece: 'subscriptions', job: job.uuid, err: error }, `[subscriptions] bulk enrollment job ${job.uuid} failed${retryable ? ', will retry' : ''}: ${message}`);
    await failJobAttempt(db, job.uuid, message, retryable ? new Date(Date.now() + RETRY_BACKOFF_MS) : null, new Date());
  }
}

/**
 * Decides each (email, run) pair: enrollable when the learner holds an ASSIGNED or ACTIVATED
 * license in an active, current plan of the customer whose catalog contains the run (asked of the
 * catalog subgraph); the enrollable ones go to the customers subgraph's enrollLearners, which
 * answers successes / pending / failures; the others fail as "missing subscription".
 */
async function enrollJob(db: DB, job: BulkEnrollmentJobRow, authorization: string): Promise<BulkEnrollmentResults> {
  const licenses = await findEnrollableLicenses(db, job.enterpriseCustomerUuid, job.emails, new Date());
  const catalogs = [...new Set(licenses.map((l) => l.enterpriseCatalogUuid))];
  const contains = await catalogMembership(catalogs, job.courseRunKeys, authorization);

  const results: BulkEnrollmentResults = { successes: [], pending: [], failures: [] };
  const emailsByRun = new Map<string, string[]>();
  /** The license that pays for each enrollable pair: the first match, latest plan expiration first. */
  const paidBy = new Map<string, string>();
  for (const run of job.courseRunKeys) {
    for (const email of job.emails) {
      const license = licenses.find((l) => l.userEmail === email && contains.has(membershipKey(l.enterpriseCatalogUuid, run)));
      if (license) {
        emailsByRun.set(run, [...(emailsByRun.get(run) ?? []), email]);
        paidBy.set(pairKey(email, run), license.uuid);
      } else {
        results.failures.push({ email, courseRunKey: run, reason: MISSING_SUBSCRIPTION });
      }
    }
  }
  // Runs with the same learners go in one call (emails x runs), so a uniform job is one call.
  const calls = new Map<string, { emails: string[]; runs: string[] }>();
  for (const [run, emails] of emailsByRun) {
    const key = emails.join('\n');
    const call = calls.get(key);
    if (call) call.runs.push(run);
    else calls.set(key, { emails, runs: [run] });
  }
  for (const call of calls.values()) {
    // The customers subgraph records the license as the enrollment's fulfillment (licenses_info).
    const fulfillments = call.emails.flatMap((email) =>
      call.runs.map((courseRunKey) => ({ email, courseRunKey, fulfillmentType: 'LICENSE' as const, licenseUuid: paidBy.get(pairKey(email, courseRunKey))! })),
    );
    const outcome = await enrollLearners(
      { enterpriseCustomerUuid: job.enterpriseCustomerUuid, emails: call.emails, courseRunKeys: call.runs, notify: job.notify, fulfillments },
      authorization,
    );
    results.successes.push(...outcome.successes);
    results.pending.push(...outcome.pending);
    results.failures.push(...outcome.failures);
  }
  return results;
}

function pairKey(email: string, run: string): string {
  return `${email}\n${run}`;
}

function membershipKey(catalogUuid: string, run: string): string {
  return `${catalogUuid.toLowerCase()}\n${run}`;
}

/** The (catalog, run) pairs that are members, asked with one aliased query per 50 pairs. */
async function catalogMembership(catalogs: readonly string[], runs: readonly string[], authorization: string): Promise<Set<string>> {
  const pairs = catalogs.flatMap((catalog) => runs.map((run) => ({ catalog, run })));
  const members = new Set<string>();
  for (let i = 0; i < pairs.length; i += CATALOG_ALIASES_PER_CALL) {
    const batch = pairs.slice(i, i + CATALOG_ALIASES_PER_CALL);
    const params = batch.map((_, j) => `$c${j}: ID!, $k${j}: [String!]!`).join(', ');
    const fields = batch.map((_, j) => `m${j}: enterpriseCatalog(uuid: $c${j}) { containsContent(keys: $k${j}) }`).join('\n');
    const variables = Object.fromEntries(batch.flatMap((p, j) => [[`c${j}`, p.catalog], [`k${j}`, [p.run]]]));
    const data = await callSubgraph<Record<string, { containsContent: boolean } | null>>(
      'catalog',
      `query CatalogMembership(${params}) {\n${fields}\n}`,
      variables,
      authorization,
    );
    batch.forEach((p, j) => {
      if (data[`m${j}`]?.containsContent) members.add(membershipKey(p.catalog, p.run));
    });
  }
  return members;
}

interface EnrollLearnersResult {
  enrollLearners: Record<'successes' | 'pending' | 'failures', { email: string; courseRunKey: string; reason?: string | null }[]>;
}

const ENROLL_LEARNERS = /* GraphQL */ `
  mutation BulkLicenseEnrollment($input: EnrollLearnersInput!) {
    enrollLearners(input: $input) {
      successes { email courseRunKey reason }
      pending { email courseRunKey reason }
      failures { email courseRunKey reason }
    }
  }
`;

interface EnrollLearnersInput {
  enterpriseCustomerUuid: string;
  emails: string[];
  courseRunKeys: string[];
  notify: boolean;
  fulfillments: { email: string; courseRunKey: string; fulfillmentType: 'LICENSE'; licenseUuid: string }[];
}

async function enrollLearners(input: EnrollLearnersInput, authorization: string): Promise<BulkEnrollmentResults> {
  const data = await callSubgraph<EnrollLearnersResult>('customers', ENROLL_LEARNERS, { input }, authorization);
  const outcome = (list: EnrollLearnersResult['enrollLearners']['successes']): BulkEnrollmentOutcome[] =>
    list.map((o) => ({ email: o.email, courseRunKey: o.courseRunKey, reason: o.reason ?? null }));
  return {
    successes: outcome(data.enrollLearners.successes),
    pending: outcome(data.enrollLearners.pending),
    failures: outcome(data.enrollLearners.failures),
  };
}
