import type { Kysely } from 'kysely';
import type { AssignmentRow, AssignmentExpiryWarningTable, LearnerCreditDatabase } from '../tables.js';
import { decodeAssignmentRow } from './shared.js';

type DB = Kysely<LearnerCreditDatabase>;

/** An ALLOCATED assignment of an active configuration, with its customer. */
export type WarnableAssignment = Pick<
  AssignmentRow,
  | 'uuid'
  | 'assignmentConfigurationUuid'
  | 'learnerEmail'
  | 'lmsUserId'
  | 'contentKey'
  | 'contentQuantity'
  | 'preferredCourseRunKey'
  | 'allocatedAt'
  | 'state'
> & { enterpriseCustomerUuid: string };

const WARNABLE_COLUMNS = [
  'a.uuid',
  'a.assignmentConfigurationUuid',
  'a.learnerEmail',
  'a.lmsUserId',
  'a.contentKey',
  'a.contentQuantity',
  'a.preferredCourseRunKey',
  'a.allocatedAt',
  'a.state',
  'c.enterpriseCustomerUuid',
] as const;

/**
 * ALLOCATED assignments of active configurations whose current allocation has not been warned
 * about yet (no warning, or one about an earlier allocation), oldest allocation first.
 */
export async function findUnwarnedAllocatedAssignments(
  db: DB,
  limit: number,
  after?: { allocatedAt: Date; uuid: string },
): Promise<WarnableAssignment[]> {
  let query = db
    .selectFrom('learner_content_assignment as a')
    .innerJoin('assignment_configuration as c', 'c.uuid', 'a.assignmentConfigurationUuid')
    .leftJoin('assignment_expiry_warning as w', 'w.assignmentUuid', 'a.uuid')
    .select(WARNABLE_COLUMNS)
    .where('a.state', '=', 'ALLOCATED')
    .where('c.active', '=', true)
    .where((eb) => eb.or([eb('w.assignmentUuid', 'is', null), eb('w.allocatedAt', '<', eb.ref('a.allocatedAt'))]));
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('a.allocatedAt', '>', after.allocatedAt),
        eb.and([eb('a.allocatedAt', '=', after.allocatedAt), eb('a.uuid', '>', after.uuid)]),
      ]),
    );
  }
  const rows = await query.orderBy('a.allocatedAt').orderBy('a.uuid').limit(limit).execute();
  return rows.map((r) => decodeAssignmentRow(r) as unknown as WarnableAssignment);
}

/** The given assignments, read again under their locks, that are still ALLOCATED and unwarned for this allocation. */
export async function findStillUnwarned(db: DB, uuids: readonly string[]): Promise<WarnableAssignment[]> {
  if (!uuids.length) return [];
  const rows = await db
    .selectFrom('learner_content_assignment as a')
    .innerJoin('assignment_configuration as c', 'c.uuid', 'a.assignmentConfigurationUuid')
    .leftJoin('assignment_expiry_warning as w', 'w.assignmentUuid', 'a.uuid')
    .select(WARNABLE_COLUMNS)
    .where('a.uuid', 'in', uuids)
    .where('a.state', '=', 'ALLOCATED')
    .where((eb) => eb.or([eb('w.assignmentUuid', 'is', null), eb('w.allocatedAt', '<', eb.ref('a.allocatedAt'))]))
    .execute();
  return rows.map((r) => decodeAssignmentRow(r) as unknown as WarnableAssignment);
}

/** Records the warnings (replacing ones about earlier allocations). */
export async function recordExpiryWarnings(db: DB, rows: readonly AssignmentExpiryWarningTable[]): Promise<void> {
  if (!rows.length) return;
  await db
    .deleteFrom('assignment_expiry_warning')
    .where(
      'assignmentUuid',
      'in',
      rows.map((r) => r.assignmentUuid),
    )
    .execute();
  await db
    .insertInto('assignment_expiry_warning')
    .values([...rows])
    .execute();
}
