import type { Kysely, Transaction } from 'kysely';
import { rowDecoder, toBoolean } from '../../../lib/db/codec.js';
import { forUpdate } from '../../../lib/db/locking.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../../lib/pagination.js';
import type {
  CustomersDatabase,
  EnrollmentFulfillmentRow,
  EnterpriseCourseEnrollmentRow,
  LearnerProgressTable,
} from '../tables.js';
import { addToProgressCounts } from './aggregates.js';

type DB = Kysely<CustomersDatabase>;
type Trx = Transaction<CustomersDatabase>;

// ---------------------------------------------------------------------------------------------
// Enrollments and learner progress

const decodeEnrollment = rowDecoder<EnterpriseCourseEnrollmentRow>({
  booleans: ['savedForLater', 'unenrolled', 'isActive'],
  dates: ['created', 'modified', 'unenrolledAt'],
});

export async function findEnrollmentsOfLearners(
  db: DB | Trx,
  learnerIds: readonly number[],
  runKeys: readonly string[],
): Promise<EnterpriseCourseEnrollmentRow[]> {
  if (learnerIds.length === 0 || runKeys.length === 0) return [];
  const rows = await db
    .selectFrom('enterprise_course_enrollment')
    .selectAll()
    .where('enterpriseCustomerUserId', 'in', learnerIds)
    .where('courseRunKey', 'in', runKeys)
    .execute();
  return rows.map(decodeEnrollment);
}

/** Inserts new enrollments of one customer's learners and returns them with their ids. */
export async function insertEnrollments(
  trx: Trx,
  customerUuid: string,
  pairs: readonly { learnerId: number; courseRunKey: string; source: string; mode?: string }[],
  now: Date,
): Promise<EnterpriseCourseEnrollmentRow[]> {
  if (pairs.length === 0) return [];
  await trx
    .insertInto('enterprise_course_enrollment')
    .values(
      pairs.map((p) => ({
        enterpriseCustomerUserId: p.learnerId,
        enterpriseCustomerUuid: customerUuid,
        courseRunKey: p.courseRunKey,
        savedForLater: false,
        source: p.source,
        unenrolled: null,
        unenrolledAt: null,
        // Admin and subsidized enrollments are verified (edx-enterprise's default paid mode).
        mode: p.mode ?? 'verified',
        isActive: true,
        created: now,
        modified: now,
      })),
    )
    .execute();
  const wanted = new Set(pairs.map((p) => `${p.learnerId}:${p.courseRunKey}`));
  const rows = await findEnrollmentsOfLearners(
    trx,
    [...new Set(pairs.map((p) => p.learnerId))],
    [...new Set(pairs.map((p) => p.courseRunKey))],
  );
  return rows.filter((r) => wanted.has(`${r.enterpriseCustomerUserId}:${r.courseRunKey}`));
}

/** Re-enrollment (edx-enterprise `set_unenrolled(False)`): fulfillments stay revoked. */
export async function reenroll(trx: Trx, enrollmentIds: readonly number[], now: Date): Promise<void> {
  if (enrollmentIds.length === 0) return;
  await trx
    .updateTable('enterprise_course_enrollment')
    .set({ savedForLater: false, unenrolled: false, unenrolledAt: null, isActive: true, modified: now })
    .where('id', 'in', enrollmentIds)
    .execute();
  await trx
    .updateTable('learner_progress')
    .set({ unenrollmentDate: null })
    .where('enterpriseEnrollmentId', 'in', enrollmentIds)
    .execute();
}

/**
 * Inserts progress rows (new enrollments get one at once) and adds the rows of linked learners to
 * their customers' stored report counts (store/aggregates.ts). Call under the users' locks.
 */
export async function insertLearnerProgress(trx: Trx, rows: readonly LearnerProgressTable[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('learner_progress')
    .values([...rows])
    .execute();
  // A locking read of the links: a concurrent unlink either committed before (its flag is seen) or
  // waits for this transaction (and then counts these rows among the ones it moves).
  const unlinked = new Set(
    (
      await forUpdate(
        trx,
        trx
          .selectFrom('enterprise_customer_user')
          .select(['id', 'linked'])
          .where('id', 'in', [...new Set(rows.map((r) => r.enterpriseCustomerUserId))]),
      ).execute()
    )
      .filter((r) => !toBoolean(r.linked))
      .map((r) => r.id),
  );
  const deltas = new Map<string, number>();
  for (const row of rows)
    if (!unlinked.has(row.enterpriseCustomerUserId))
      deltas.set(row.enterpriseCustomerUuid, (deltas.get(row.enterpriseCustomerUuid) ?? 0) + 1);
  await addToProgressCounts(trx, deltas);
}

const ENROLLMENT_ORDER: SortKey<EnterpriseCourseEnrollmentRow>[] = [
  { column: 'ece.id', direction: 'asc', type: 'int', value: (r) => r.id },
];

export interface EnrollmentListFilter {
  courseRunKey?: string | null;
  onlyLmsUserId?: number;
}

/** Enrollments of the customer's linked learners (unlinked learners' enrollments are hidden). */
export function listEnrollments(
  db: DB,
  customerUuid: string,
  filter: EnrollmentListFilter,
  page: PageArgs,
): Promise<Connection<EnterpriseCourseEnrollmentRow>> {
  let query = db
    .selectFrom('enterprise_course_enrollment as ece')
    .innerJoin('enterprise_customer_user as ecu', 'ecu.id', 'ece.enterpriseCustomerUserId')
    .where('ece.enterpriseCustomerUuid', '=', customerUuid)
    .where('ecu.linked', '=', true);
  if (filter.courseRunKey) query = query.where('ece.courseRunKey', '=', filter.courseRunKey);
  if (filter.onlyLmsUserId !== undefined) query = query.where('ecu.lmsUserId', '=', filter.onlyLmsUserId);
  return paginate(query.selectAll('ece'), page, ENROLLMENT_ORDER, decodeEnrollment, () => countRows(query));
}

/** Enrollments of an LMS user across every customer it is linked to (`me.enrollments`), oldest first. */
export function listEnrollmentsOfUser(
  db: DB,
  lmsUserId: number,
  filter: { courseRunKey?: string },
  page: PageArgs,
): Promise<Connection<EnterpriseCourseEnrollmentRow>> {
  let query = db
    .selectFrom('enterprise_course_enrollment as ece')
    .innerJoin('enterprise_customer_user as ecu', 'ecu.id', 'ece.enterpriseCustomerUserId')
    .where('ecu.lmsUserId', '=', lmsUserId)
    .where('ecu.linked', '=', true);
  if (filter.courseRunKey) query = query.where('ece.courseRunKey', '=', filter.courseRunKey);
  return paginate(query.selectAll('ece'), page, ENROLLMENT_ORDER, decodeEnrollment, () => countRows(query));
}

export async function findEnrollmentsByLearnerIds(
  db: DB | Trx,
  ids: readonly number[],
): Promise<EnterpriseCourseEnrollmentRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('enterprise_course_enrollment')
    .selectAll()
    .where('enterpriseCustomerUserId', 'in', ids)
    .orderBy('id')
    .execute();
  return rows.map(decodeEnrollment);
}

export async function findEnrollmentsByIds(
  db: DB | Trx,
  ids: readonly number[],
): Promise<EnterpriseCourseEnrollmentRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('enterprise_course_enrollment')
    .selectAll()
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
  return rows.map(decodeEnrollment);
}

const decodeFulfillment = rowDecoder<EnrollmentFulfillmentRow>({
  booleans: ['isRevoked'],
  dates: ['created', 'modified'],
});

export async function findFulfillmentsByEnrollmentIds(
  db: DB,
  ids: readonly number[],
): Promise<EnrollmentFulfillmentRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('enrollment_fulfillment')
    .selectAll()
    .where('enterpriseCourseEnrollmentId', 'in', ids)
    .execute();
  return rows.map(decodeFulfillment);
}

export async function insertFulfillments(trx: Trx, rows: readonly EnrollmentFulfillmentRow[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('enrollment_fulfillment')
    .values([...rows])
    .execute();
}

export async function lockEnrollment(trx: Trx, id: number): Promise<EnterpriseCourseEnrollmentRow | undefined> {
  const row = await forUpdate(
    trx,
    trx.selectFrom('enterprise_course_enrollment').selectAll().where('id', '=', id),
  ).executeTakeFirst();
  return row && decodeEnrollment(row);
}

/** edx-enterprise `set_unenrolled(True)`: the enrollment, its fulfillment and its progress row. */
export async function markUnenrolled(trx: Trx, enrollmentId: number, now: Date): Promise<void> {
  await trx
    .updateTable('enterprise_course_enrollment')
    .set({ savedForLater: true, unenrolled: true, unenrolledAt: now, isActive: false, modified: now })
    .where('id', '=', enrollmentId)
    .execute();
  await trx
    .updateTable('enrollment_fulfillment')
    .set({ isRevoked: true, modified: now })
    .where('enterpriseCourseEnrollmentId', '=', enrollmentId)
    .where('isRevoked', '=', false)
    .execute();
  await trx
    .updateTable('learner_progress')
    .set({ unenrollmentDate: now })
    .where('enterpriseEnrollmentId', '=', enrollmentId)
    .execute();
}

export async function findFulfillmentOfEnrollment(
  trx: Trx,
  enrollmentId: number,
): Promise<EnrollmentFulfillmentRow | undefined> {
  const row = await trx
    .selectFrom('enrollment_fulfillment')
    .selectAll()
    .where('enterpriseCourseEnrollmentId', '=', enrollmentId)
    .executeTakeFirst();
  return row && decodeFulfillment(row);
}

/** Unrevoked fulfillments of one customer's enrollments naming any of these licenses or transactions, locked. */
export async function lockLiveFulfillments(
  trx: Trx,
  customerUuid: string,
  refs: { licenseUuids: readonly string[]; transactionUuids: readonly string[] },
): Promise<EnrollmentFulfillmentRow[]> {
  const query = trx
    .selectFrom('enrollment_fulfillment as f')
    .innerJoin('enterprise_course_enrollment as e', 'e.id', 'f.enterpriseCourseEnrollmentId')
    .selectAll('f')
    .where('e.enterpriseCustomerUuid', '=', customerUuid)
    .where('f.isRevoked', '=', false)
    .where((eb) =>
      eb.or([
        ...(refs.licenseUuids.length ? [eb('f.licenseUuid', 'in', [...refs.licenseUuids])] : []),
        ...(refs.transactionUuids.length ? [eb('f.transactionUuid', 'in', [...refs.transactionUuids])] : []),
      ]),
    )
    .orderBy('f.enterpriseCourseEnrollmentId');
  return (await forUpdate(trx, query).execute()).map(decodeFulfillment);
}

/** Makes `row` the enrollment's one fulfillment: replaces a revoked one in place, or inserts it. */
export async function replaceFulfillment(trx: Trx, row: EnrollmentFulfillmentRow): Promise<void> {
  const updated = await trx
    .updateTable('enrollment_fulfillment')
    .set({
      fulfillmentType: row.fulfillmentType,
      licenseUuid: row.licenseUuid,
      transactionUuid: row.transactionUuid,
      isRevoked: false,
      modified: row.modified,
    })
    .where('enterpriseCourseEnrollmentId', '=', row.enterpriseCourseEnrollmentId)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) await insertFulfillments(trx, [row]);
}
