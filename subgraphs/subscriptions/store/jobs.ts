import type { Kysely } from 'kysely';
import { rowDecoder, toJson } from '../../../lib/db/codec.js';
import type {
  BulkEnrollmentJobRow,
  BulkEnrollmentJobTable,
  BulkEnrollmentResults,
  SubscriptionsDatabase,
} from '../tables.js';

type DB = Kysely<SubscriptionsDatabase>;

// ---------------------------------------------------------------------------------------------
// Bulk enrollment jobs

const decodeJobColumns = rowDecoder<BulkEnrollmentJobRow>({
  booleans: ['notify'],
  dates: ['lockedUntil', 'created', 'modified', 'completedAt'],
  json: ['emails', 'courseRunKeys', 'results'],
});

export function decodeJob(raw: unknown): BulkEnrollmentJobRow {
  return decodeJobColumns(raw);
}

export async function insertJob(db: DB, row: BulkEnrollmentJobRow): Promise<void> {
  const values: BulkEnrollmentJobTable = {
    ...row,
    emails: JSON.stringify(row.emails),
    courseRunKeys: JSON.stringify(row.courseRunKeys),
    results: toJson(row.results),
  };
  await db.insertInto('bulk_enrollment_job').values(values).execute();
}

export async function findJobsByUuids(db: DB, uuids: readonly string[]): Promise<BulkEnrollmentJobRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('bulk_enrollment_job').selectAll().where('uuid', 'in', uuids).execute()).map(decodeJob);
}

/**
 * Claims the oldest unfinished job whose lease has passed: PENDING ones, and RUNNING ones whose
 * runner died (a restart resumes them). The conditional UPDATE is the claim, so two runners on
 * one database never process a job at the same time.
 */
export async function claimNextJob(db: DB, now: Date, leaseUntil: Date): Promise<BulkEnrollmentJobRow | null> {
  for (;;) {
    // One transaction per attempt: its reads go to the primary (never a lagging replica), and a
    // lost race starts over with a fresh snapshot.
    const outcome = await db.transaction().execute(async (trx) => {
      const candidate = await trx
        .selectFrom('bulk_enrollment_job')
        .select('uuid')
        .where('status', 'in', ['PENDING', 'RUNNING'])
        .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<=', now)]))
        .orderBy('created')
        .orderBy('uuid')
        .limit(1)
        .executeTakeFirst();
      if (!candidate) return { job: null };
      const claimed = await trx
        .updateTable('bulk_enrollment_job')
        .set((eb) => ({ status: 'RUNNING', lockedUntil: leaseUntil, attempts: eb('attempts', '+', 1), modified: now }))
        .where('uuid', '=', candidate.uuid)
        .where('status', 'in', ['PENDING', 'RUNNING'])
        .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<=', now)]))
        .executeTakeFirst();
      // Another runner took it between the two statements: look for the next one.
      if (Number(claimed.numUpdatedRows) !== 1) return 'raced' as const;
      return { job: (await findJobsByUuids(trx, [candidate.uuid]))[0] ?? null };
    });
    if (outcome !== 'raced') return outcome.job;
  }
}

export async function completeJob(db: DB, uuid: string, results: BulkEnrollmentResults, now: Date): Promise<void> {
  await db
    .updateTable('bulk_enrollment_job')
    .set({
      status: 'SUCCEEDED',
      results: toJson(results),
      error: null,
      lockedUntil: null,
      completedAt: now,
      modified: now,
    })
    .where('uuid', '=', uuid)
    .execute();
}

/** A failed attempt: back to PENDING after `retryAt`, or FAILED for good when `retryAt` is null. */
export async function failJobAttempt(
  db: DB,
  uuid: string,
  error: string,
  retryAt: Date | null,
  now: Date,
): Promise<void> {
  await db
    .updateTable('bulk_enrollment_job')
    .set(
      retryAt
        ? { status: 'PENDING', error, lockedUntil: retryAt, modified: now }
        : { status: 'FAILED', error, lockedUntil: null, completedAt: now, modified: now },
    )
    .where('uuid', '=', uuid)
    .execute();
}
