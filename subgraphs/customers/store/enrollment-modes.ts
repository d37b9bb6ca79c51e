import type { Kysely, Transaction } from 'kysely';
import type { CustomersDatabase } from '../tables.js';

type Trx = Transaction<CustomersDatabase>;

/** Sets an enrollment's LMS mode (an audit self-enrollment; a revoked license moving it to audit). */
export async function setEnrollmentMode(trx: Trx, enrollmentId: number, mode: string, now: Date): Promise<void> {
  await trx
    .updateTable('enterprise_course_enrollment')
    .set({ mode, modified: now })
    .where('id', '=', enrollmentId)
    .execute();
}

/** Revokes an enrollment's live fulfillment and keeps the enrollment, now in audit mode. */
export async function moveToAudit(trx: Trx, enrollmentId: number, now: Date): Promise<void> {
  await setEnrollmentMode(trx, enrollmentId, 'audit', now);
  await trx
    .updateTable('enrollment_fulfillment')
    .set({ isRevoked: true, modified: now })
    .where('enterpriseCourseEnrollmentId', '=', enrollmentId)
    .where('isRevoked', '=', false)
    .execute();
}

/** Run keys of the customer's enrollments with a live fulfillment naming one of these licenses. */
export async function findLicensedRunKeys(
  db: Kysely<CustomersDatabase>,
  customerUuid: string,
  licenseUuids: readonly string[],
): Promise<string[]> {
  const rows = await db
    .selectFrom('enrollment_fulfillment as f')
    .innerJoin('enterprise_course_enrollment as e', 'e.id', 'f.enterpriseCourseEnrollmentId')
    .select('e.courseRunKey')
    .distinct()
    .where('e.enterpriseCustomerUuid', '=', customerUuid)
    .where('f.isRevoked', '=', false)
    .where('f.licenseUuid', 'in', [...licenseUuids])
    .execute();
  return rows.map((r) => r.courseRunKey);
}
