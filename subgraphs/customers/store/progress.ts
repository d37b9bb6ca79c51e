import { type Kysely, type RawBuilder, sql, type SqlBool, type Transaction } from 'kysely';
import { rowDecoder, toBoolean, toDate } from '../../../lib/db/codec.js';
import { forUpdate } from '../../../lib/db/locking.js';
import { containsInsensitive } from '../../../lib/db/search.js';
import {
  countRows,
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
  type CursorSlot,
  type PageArgs,
  type SortKey,
} from '../../../lib/pagination.js';
import { findProgressCount } from './aggregates.js';
import type { CustomersDatabase, LearnerProgressRow, LearnerProgressTable, ProgressStatusValue } from '../tables.js';

type DB = Kysely<CustomersDatabase>;
type Trx = Transaction<CustomersDatabase>;

// ---------------------------------------------------------------------------------------------
// Learner progress (learner-summary report)

export type ProgressOrderField =
  | 'LAST_ACTIVITY_DATE'
  | 'ENROLLMENT_DATE'
  | 'PASSED_DATE'
  | 'COURSE_START'
  | 'COURSE_END'
  | 'UNENROLLMENT_DATE'
  | 'UNENROLLMENT_END_WITHIN_DATE'
  | 'USER_ACCOUNT_CREATION_DATE'
  | 'CREATED'
  | 'USER_EMAIL'
  | 'COURSE_TITLE'
  | 'PROGRESS_STATUS';

const PROGRESS_ORDER_COLUMNS: Record<ProgressOrderField, keyof LearnerProgressRow> = {
  LAST_ACTIVITY_DATE: 'lastActivityDate',
  ENROLLMENT_DATE: 'enrollmentDate',
  PASSED_DATE: 'passedDate',
  COURSE_START: 'courseStart',
  COURSE_END: 'courseEnd',
  UNENROLLMENT_DATE: 'unenrollmentDate',
  UNENROLLMENT_END_WITHIN_DATE: 'unenrollmentEndWithinDate',
  USER_ACCOUNT_CREATION_DATE: 'userAccountCreationDate',
  CREATED: 'created',
  USER_EMAIL: 'userEmail',
  COURSE_TITLE: 'courseTitle',
  PROGRESS_STATUS: 'progressStatus',
};

/** What a cursor may hold for each order (nulls sort lowest, so nullable columns accept null). */
const PROGRESS_ORDER_TYPES: Record<ProgressOrderField, CursorSlot> = {
  LAST_ACTIVITY_DATE: { type: 'date', nullable: true },
  ENROLLMENT_DATE: { type: 'date' },
  PASSED_DATE: { type: 'date', nullable: true },
  COURSE_START: { type: 'date', nullable: true },
  COURSE_END: { type: 'date', nullable: true },
  UNENROLLMENT_DATE: { type: 'date', nullable: true },
  UNENROLLMENT_END_WITHIN_DATE: { type: 'date', nullable: true },
  USER_ACCOUNT_CREATION_DATE: { type: 'date', nullable: true },
  CREATED: { type: 'date' },
  USER_EMAIL: { type: 'string' },
  COURSE_TITLE: { type: 'string', nullable: true },
  PROGRESS_STATUS: { type: 'string' },
};

export interface ProgressFilter {
  search?: string | null;
  courseKey?: string | null;
  progressStatus?: ProgressStatusValue | null;
  hasPassed?: boolean | null;
  /** YYYY-MM-DD, inclusive. */
  enrollmentDateFrom?: string | null;
  enrollmentDateTo?: string | null;
  learnerActivity?: 'ACTIVE_PAST_WEEK' | 'INACTIVE_PAST_WEEK' | 'INACTIVE_PAST_MONTH' | null;
  /** A learner sees only its own rows. */
  onlyLmsUserId?: number;
}

export interface ProgressOrder {
  field: ProgressOrderField;
  direction: 'ASC' | 'DESC';
}

const decodeProgress = rowDecoder<LearnerProgressRow>({
  booleans: ['isRefunded', 'hasPassed', 'isConsentGranted'],
  dates: [
    'userAccountCreationDate',
    'courseStart',
    'courseEnd',
    'passedDate',
    'lastActivityDate',
    'enrollmentDate',
    'unenrollmentDate',
    'unenrollmentEndWithinDate',
    'created',
  ],
});

const DAY_MS = 86_400_000;

/** Learner-summary rows: what filters and counts start from. */
function progressBase(db: DB | Trx) {
  return db.selectFrom('learner_progress as lp');
}

/**
 * The report's columns: every stored field plus `progressStatus` and `isConsentGranted`, computed
 * at read time. The consent join is (customer, user, course)-unique, so it never changes how many
 * rows match: counts leave it out.
 */
function withProgressColumns(query: ReturnType<typeof progressBase>, now: Date) {
  return query
    .leftJoin('data_sharing_consent as dsc', (join) =>
      join
        .onRef('dsc.enterpriseCustomerUuid', '=', 'lp.enterpriseCustomerUuid')
        .onRef('dsc.lmsUserId', '=', 'lp.enterpriseUserId')
        .onRef('dsc.courseKey', '=', 'lp.courseKey'),
    )
    .selectAll('lp')
    .select([
      sql<ProgressStatusValue>`case when ${sql.ref('lp.hasPassed')} = ${true} then 'PASSED' when ${sql.ref('lp.courseEnd')} < ${now} then 'FAILED' else 'IN_PROGRESS' end`.as(
        'progressStatus',
      ),
      sql<number>`case when ${sql.ref('dsc.granted')} = ${true} then 1 else 0 end`.as('isConsentGranted'),
    ]);
}

export async function findLearnerProgressRow(
  db: DB | Trx,
  enrollmentId: number,
  now: Date,
): Promise<LearnerProgressRow | undefined> {
  const row = await withProgressColumns(
    progressBase(db).where('lp.enterpriseEnrollmentId', '=', enrollmentId),
    now,
  ).executeTakeFirst();
  return row && decodeProgress(row);
}

export async function lockLearnerProgress(trx: Trx, enrollmentId: number): Promise<{ hasPassed: boolean } | undefined> {
  const row = await forUpdate(
    trx,
    trx.selectFrom('learner_progress').select('hasPassed').where('enterpriseEnrollmentId', '=', enrollmentId),
  ).executeTakeFirst();
  // Undecoded: SQLite hands the flag back as 0/1.
  return row && { hasPassed: toBoolean(row.hasPassed) };
}

export async function updateLearnerProgress(
  trx: Trx,
  enrollmentId: number,
  changes: Partial<
    Pick<LearnerProgressTable, 'currentGrade' | 'letterGrade' | 'hasPassed' | 'passedDate' | 'lastActivityDate'>
  >,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('learner_progress')
    .set({ ...changes, created: now })
    .where('enterpriseEnrollmentId', '=', enrollmentId)
    .execute();
}

export async function updateSavedForLater(
  trx: Trx,
  enrollmentId: number,
  savedForLater: boolean,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('enterprise_course_enrollment')
    .set({ savedForLater, modified: now })
    .where('id', '=', enrollmentId)
    .execute();
}

/**
 * One page of the learner-summary report. Rows of unlinked learners are excluded (edx-enterprise-
 * data); `progressStatus` and `isConsentGranted` are computed in SQL at read time, so they are
 * never stale and can be filtered and ordered on. Keyset pagination on (order column,
 * enterpriseEnrollmentId), both in the requested direction; nulls sort lowest on both dialects.
 */
export async function listLearnerProgress(
  db: DB,
  customerUuid: string,
  filter: ProgressFilter,
  order: ProgressOrder,
  page: PageArgs,
  now: Date,
): Promise<Connection<LearnerProgressRow>> {
  // Unlinked learners' rows are left out. Learner links are never deleted (unlinking keeps the
  // history), so "no unlinked link" equals "a linked link", and the anti-join over the few unlinked
  // learners lets a customer's count run on the (customer, learner link) index alone: about 90 ms
  // instead of 700 ms for 100,000 rows at bench scale 1.
  let filtered = progressBase(db)
    .where('lp.enterpriseCustomerUuid', '=', customerUuid)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('enterprise_customer_user as ecu')
            .select('ecu.id')
            .whereRef('ecu.id', '=', 'lp.enterpriseCustomerUserId')
            .where('ecu.linked', '=', false),
        ),
      ),
    );
  if (filter.onlyLmsUserId !== undefined) filtered = filtered.where('lp.enterpriseUserId', '=', filter.onlyLmsUserId);
  if (filter.search) {
    const search = filter.search;
    filtered = filtered.where((eb) =>
      eb.or([containsInsensitive('lp.userEmail', search), containsInsensitive('lp.courseTitle', search)]),
    );
  }
  if (filter.courseKey) filtered = filtered.where('lp.courseKey', '=', filter.courseKey);
  if (filter.hasPassed != null) filtered = filtered.where('lp.hasPassed', '=', filter.hasPassed);
  const notEnded = sql<SqlBool>`(${sql.ref('lp.courseEnd')} is null or ${sql.ref('lp.courseEnd')} >= ${now})`;
  if (filter.progressStatus === 'PASSED') filtered = filtered.where('lp.hasPassed', '=', true);
  if (filter.progressStatus === 'FAILED')
    filtered = filtered.where('lp.hasPassed', '=', false).where('lp.courseEnd', '<', now);
  if (filter.progressStatus === 'IN_PROGRESS') filtered = filtered.where('lp.hasPassed', '=', false).where(notEnded);
  if (filter.enrollmentDateFrom)
    filtered = filtered.where('lp.enrollmentDate', '>=', new Date(`${filter.enrollmentDateFrom}T00:00:00Z`));
  if (filter.enrollmentDateTo)
    filtered = filtered.where(
      'lp.enrollmentDate',
      '<',
      new Date(Date.parse(`${filter.enrollmentDateTo}T00:00:00Z`) + DAY_MS),
    );
  if (filter.learnerActivity) {
    // "Active enrollments" first (not passed, course not ended), then the activity window.
    filtered = filtered.where('lp.hasPassed', '=', false).where(notEnded);
    const weekAgo = new Date(now.getTime() - 7 * DAY_MS);
    const monthAgo = new Date(now);
    monthAgo.setUTCMonth(monthAgo.getUTCMonth() - 1);
    if (filter.learnerActivity === 'ACTIVE_PAST_WEEK') filtered = filtered.where('lp.lastActivityDate', '>=', weekAgo);
    else {
      const limit = filter.learnerActivity === 'INACTIVE_PAST_WEEK' ? weekAgo : monthAgo;
      filtered = filtered.where((eb) =>
        eb.or([eb('lp.lastActivityDate', 'is', null), eb('lp.lastActivityDate', '<=', limit)]),
      );
    }
  }

  const column = PROGRESS_ORDER_COLUMNS[order.field];
  const direction = order.direction === 'ASC' ? 'asc' : 'desc';
  const keys: SortKey<LearnerProgressRow>[] = [
    {
      column: `r.${column}`,
      direction,
      ...PROGRESS_ORDER_TYPES[order.field],
      value: (r) => r[column],
    },
    { column: 'r.enterpriseEnrollmentId', direction, type: 'int', value: (r) => r.enterpriseEnrollmentId },
  ];
  const size = pageSize(page.first);
  let query = db.selectFrom(withProgressColumns(filtered, now).as('r')).selectAll();
  if (page.after) {
    const [value, id] = decodeCursor(page.after, keys);
    query = query.where(
      nullAwareAfter(sql.ref(`r.${column}`), sql.ref('r.enterpriseEnrollmentId'), direction, value ?? null, id ?? null),
    );
  }
  const rows =
    size === 0
      ? []
      : (
          await query
            .orderBy(sql.ref(`r.${column}`), direction)
            .orderBy(sql.ref('r.enterpriseEnrollmentId'), direction)
            .limit(size + 1)
            .execute()
        ).map(decodeProgress);
  // Without filters the count is the customer's stored one (store/aggregates.ts); any filter counts exactly.
  const unfiltered =
    filter.onlyLmsUserId === undefined &&
    !filter.search &&
    !filter.courseKey &&
    filter.hasPassed == null &&
    !filter.progressStatus &&
    !filter.enrollmentDateFrom &&
    !filter.enrollmentDateTo &&
    !filter.learnerActivity;
  return toConnection(rows, size, Boolean(page.after), keys, () =>
    unfiltered ? findProgressCount(db, customerUuid) : countRows(filtered),
  );
}

/**
 * Rows after the cursor (v, i) in `(column, id)` order where NULL sorts lowest (what both MySQL
 * and SQLite do): ascending puts nulls first, descending last.
 */
function nullAwareAfter(
  column: RawBuilder<unknown>,
  id: RawBuilder<unknown>,
  direction: 'asc' | 'desc',
  value: Date | string | number | boolean | null,
  lastId: Date | string | number | boolean | null,
): RawBuilder<SqlBool> {
  if (direction === 'asc') {
    return value === null
      ? sql<SqlBool>`((${column} is null and ${id} > ${lastId}) or ${column} is not null)`
      : sql<SqlBool>`(${column} > ${value} or (${column} = ${value} and ${id} > ${lastId}))`;
  }
  return value === null
    ? sql<SqlBool>`(${column} is null and ${id} < ${lastId})`
    : sql<SqlBool>`(${column} < ${value} or ${column} is null or (${column} = ${value} and ${id} < ${lastId}))`;
}

/** The course of one enrollment as its notification email names it (the learner-progress row). */
export async function findEnrolledCourse(
  db: DB | Trx,
  key: { customerUuid: string; lmsUserId: number; courseRunKey: string },
): Promise<
  | { courseKey: string | null; courseTitle: string | null; courseStart: Date | null; userUsername: string | null }
  | undefined
> {
  const row = await db
    .selectFrom('learner_progress')
    .select(['courseKey', 'courseTitle', 'courseStart', 'userUsername'])
    .where('enterpriseCustomerUuid', '=', key.customerUuid)
    .where('enterpriseUserId', '=', key.lmsUserId)
    .where('courserunKey', '=', key.courseRunKey)
    .orderBy('enrollmentDate', 'desc')
    .executeTakeFirst();
  return row && { ...row, courseStart: toDate(row.courseStart) };
}
