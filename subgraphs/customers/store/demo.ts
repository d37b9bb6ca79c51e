import type { Insertable, Kysely, Transaction } from 'kysely';
import type {
  CustomersDatabase,
  DataSharingConsentTable,
  EnrollmentFulfillmentTable,
  EnterpriseCourseEnrollmentTable,
  EnterpriseCustomerTable,
  EnterpriseCustomerUserTable,
  IdentityProviderTable,
  InviteKeyTable,
  LmsUserTable,
  PendingEnterpriseCustomerUserTable,
} from '../tables.js';
import { insertProgressCounters } from './aggregates.js';

/*
 * The demo data's writes (demo/index.ts decides the rows): each inserts only what is missing, so
 * seeding twice changes nothing.
 */

type Trx = Transaction<CustomersDatabase>;

/** Runs the demo seeding in one transaction. */
export function inDemoTransaction(db: Kysely<CustomersDatabase>, work: (trx: Trx) => Promise<void>): Promise<void> {
  return db.transaction().execute(work);
}

function missing<T>(rows: readonly T[], existing: ReadonlySet<string>, keyOf: (row: T) => string): T[] {
  return rows.filter((row) => !existing.has(keyOf(row)));
}

export async function insertMissingCustomers(trx: Trx, rows: readonly EnterpriseCustomerTable[]): Promise<void> {
  const existing = new Set((await trx.selectFrom('enterprise_customer').select('uuid').execute()).map((r) => r.uuid));
  const add = missing(rows, existing, (r) => r.uuid);
  if (add.length) await trx.insertInto('enterprise_customer').values(add).execute();
  await insertProgressCounters(
    trx,
    add.map((r) => r.uuid),
  );
}

export async function insertMissingIdentityProviders(
  trx: Trx,
  rows: readonly Insertable<IdentityProviderTable>[],
): Promise<void> {
  const existing = new Set(
    (await trx.selectFrom('enterprise_customer_identity_provider').select('providerId').execute()).map(
      (r) => r.providerId,
    ),
  );
  const add = missing(rows, existing, (r) => r.providerId);
  if (add.length) await trx.insertInto('enterprise_customer_identity_provider').values(add).execute();
}

export async function insertMissingLmsUsers(trx: Trx, rows: readonly LmsUserTable[]): Promise<void> {
  const existing = new Set((await trx.selectFrom('lms_user').select('id').execute()).map((r) => String(r.id)));
  const add = missing(rows, existing, (r) => String(r.id));
  if (add.length) await trx.insertInto('lms_user').values(add).execute();
}

export async function insertMissingInviteKeys(trx: Trx, rows: readonly InviteKeyTable[]): Promise<void> {
  const existing = new Set(
    (await trx.selectFrom('enterprise_customer_invite_key').select('uuid').execute()).map((r) => r.uuid),
  );
  const add = missing(rows, existing, (r) => r.uuid);
  if (add.length) await trx.insertInto('enterprise_customer_invite_key').values(add).execute();
}

/** Inserts the missing learner links and returns every link's id by `customer:lmsUserId`. */
export async function insertMissingLinks(
  trx: Trx,
  rows: readonly Insertable<EnterpriseCustomerUserTable>[],
): Promise<Map<string, number>> {
  const links = async () =>
    new Map(
      (
        await trx.selectFrom('enterprise_customer_user').select(['id', 'enterpriseCustomerUuid', 'lmsUserId']).execute()
      ).map((r) => [`${r.enterpriseCustomerUuid}:${r.lmsUserId}`, r.id]),
    );
  const existing = await links();
  const add = rows.filter((r) => !existing.has(`${r.enterpriseCustomerUuid}:${r.lmsUserId}`));
  if (add.length) await trx.insertInto('enterprise_customer_user').values(add).execute();
  return add.length ? links() : existing;
}

/**
 * The enrollment of a learner in a run, inserted (with its fulfillment) when missing; returns its id.
 * `fulfillment` builds the fulfillment row from the new enrollment's id (null: none).
 */
export async function ensureEnrollment(
  trx: Trx,
  row: Insertable<EnterpriseCourseEnrollmentTable>,
  fulfillment: (enrollmentId: number) => EnrollmentFulfillmentTable | null,
): Promise<number> {
  const found = await trx
    .selectFrom('enterprise_course_enrollment')
    .select('id')
    .where('enterpriseCustomerUserId', '=', row.enterpriseCustomerUserId)
    .where('courseRunKey', '=', row.courseRunKey)
    .executeTakeFirst();
  if (found) return found.id;
  const result = await trx.insertInto('enterprise_course_enrollment').values(row).executeTakeFirstOrThrow();
  const id = Number(result.insertId);
  const paidBy = fulfillment(id);
  if (paidBy) await trx.insertInto('enrollment_fulfillment').values(paidBy).execute();
  return id;
}

/** Enrollment ids that already have their learner-summary row. */
export async function enrollmentIdsWithProgress(trx: Trx): Promise<Set<number>> {
  return new Set(
    (await trx.selectFrom('learner_progress').select('enterpriseEnrollmentId').execute()).map(
      (r) => r.enterpriseEnrollmentId,
    ),
  );
}

export async function insertMissingConsents(
  trx: Trx,
  rows: readonly Insertable<DataSharingConsentTable>[],
): Promise<void> {
  const existing = new Set(
    (
      await trx
        .selectFrom('data_sharing_consent')
        .select(['enterpriseCustomerUuid', 'lmsUserId', 'courseKey'])
        .execute()
    ).map((r) => `${r.enterpriseCustomerUuid}:${r.lmsUserId}:${r.courseKey}`),
  );
  const add = missing(rows, existing, (r) => `${r.enterpriseCustomerUuid}:${r.lmsUserId}:${r.courseKey}`);
  if (add.length) await trx.insertInto('data_sharing_consent').values(add).execute();
}

/** Inserts the missing pending learners; returns the ids of the ones it inserted, by email. */
export async function insertMissingPendingLearners(
  trx: Trx,
  rows: readonly Insertable<PendingEnterpriseCustomerUserTable>[],
): Promise<Map<string, number>> {
  const existing = new Set(
    (
      await trx.selectFrom('pending_enterprise_customer_user').select(['enterpriseCustomerUuid', 'userEmail']).execute()
    ).map((r) => `${r.enterpriseCustomerUuid}:${r.userEmail}`),
  );
  const inserted = new Map<string, number>();
  for (const row of missing(rows, existing, (r) => `${r.enterpriseCustomerUuid}:${r.userEmail}`)) {
    const result = await trx.insertInto('pending_enterprise_customer_user').values(row).executeTakeFirstOrThrow();
    inserted.set(row.userEmail, Number(result.insertId));
  }
  return inserted;
}
