import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import { startPoller } from '../../lib/background.js';
import { logger } from '../../lib/observability/logger.js';
import { mintServiceToken } from '../../lib/auth/token.js';
import { settings } from '../../lib/config.js';
import { isRefusal } from '../../lib/errors.js';
import { claimNextJob, completeJob, failJobAttempt, findEnrollableLicenses } from './store/index.js';
import { catalogMembership, enrollLearners, membershipKey } from './remote.js';
import type { BulkEnrollmentJobRow, BulkEnrollmentResults, SubscriptionsDatabase } from './tables.js';

type DB = Kysely<SubscriptionsDatabase>;

const SERVICE = 'subscriptions';
/** A runner holds a job this long; a job whose runner died is resumed once it passes. */
const LEASE_MS = 5 * 60_000;
/** Attempts before a job that keeps failing (e.g. the customers subgraph is down) is FAILED. */
const MAX_ATTEMPTS = 3;
const RETRY_BACKOFF_MS = 10_000;
export const MISSING_SUBSCRIPTION =
  'missing subscription: no assigned or activated license in a current plan whose catalog contains this course run';

/** New jobs wake the runners of this process at once instead of waiting for the next poll. */
const jobQueued = new EventEmitter();
jobQueued.setMaxListeners(0);

/** Wakes this process's runners once a job is written (the mutation, or tests writing one directly). */
export function wakeBulkEnrollmentRunners(): void {
  jobQueued.emit('queued');
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
  const stop = startPoller({
    name: 'subscriptions bulk enrollment runner',
    work: drain,
    pollMs,
    wake: { emitter: jobQueued, event: 'queued' },
  });
  return async () => {
    stopped = true;
    await stop();
  };
}

async function processJob(db: DB, job: BulkEnrollmentJobRow): Promise<void> {
  const authorization = `JWT ${await mintServiceToken(SERVICE)}`;
  logger.info(
    { piece: 'subscriptions', job: job.uuid, attempt: job.attempts },
    `[subscriptions] bulk enrollment job ${job.uuid} (attempt ${job.attempts}): acting as service "${SERVICE}"`,
  );
  try {
    const results = await enrollJob(db, job, authorization);
    await completeJob(db, job.uuid, results, new Date());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A refusal by another subgraph will not change on retry; an outage may.
    const retryable = !isRefusal(error) && job.attempts < MAX_ATTEMPTS;
    logger.error(
      { piece: 'subscriptions', job: job.uuid, err: error },
      `[subscriptions] bulk enrollment job ${job.uuid} failed${retryable ? ', will retry' : ''}: ${message}`,
    );
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
      const license = licenses.find(
        (l) => l.userEmail === email && contains.has(membershipKey(l.enterpriseCatalogUuid, run)),
      );
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
      call.runs.map((courseRunKey) => {
        // Every pair in a call was put there together with its license above.
        const licenseUuid = paidBy.get(pairKey(email, courseRunKey));
        if (!licenseUuid) throw new Error(`No license pays for ${email} in ${courseRunKey}`);
        return { email, courseRunKey, fulfillmentType: 'LICENSE' as const, licenseUuid };
      }),
    );
    const outcome = await enrollLearners(
      {
        enterpriseCustomerUuid: job.enterpriseCustomerUuid,
        emails: call.emails,
        courseRunKeys: call.runs,
        notify: job.notify,
        fulfillments,
      },
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
