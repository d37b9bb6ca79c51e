import type { Kysely, Transaction } from 'kysely';
import { rowDecoder } from '../../lib/db/codec.js';
import { forUpdate } from '../../lib/db/locking.js';
import { containsInsensitive } from '../../lib/db/search.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../lib/pagination.js';
import type {
  CustomersDatabase,
  EnterpriseCourseEnrollmentRow,
  EnterpriseCustomerRow,
  EnterpriseCustomerUserRow,
  IdentityProviderRow,
  LearnerProgressTable,
  LmsUserRow,
  PendingEnrollmentTable,
  PendingEnterpriseCustomerUserRow,
} from './tables.js';

type DB = Kysely<CustomersDatabase>;
type Trx = Transaction<CustomersDatabase>;

export const decodeCustomer = rowDecoder<EnterpriseCustomerRow>({
  booleans: [
    'active',
    'enableLearnerPortal',
    'enableDataSharingConsent',
    'enableUniversalLink',
    'enableBrowseAndRequest',
    'enableAuditEnrollment',
    'hideCourseOriginalPrice',
    'enablePortalLearnerCreditManagementScreen',
    'enablePortalSubscriptionManagementScreen',
  ],
  dates: ['created', 'modified'],
});

export async function findCustomersByUuids(db: DB, uuids: readonly string[]): Promise<EnterpriseCustomerRow[]> {
  if (uuids.length === 0) return [];
  const rows = await db.selectFrom('enterprise_customer').selectAll().where('uuid', 'in', uuids).execute();
  return rows.map(decodeCustomer);
}

export async function findCustomerBySlug(db: DB, slug: string): Promise<EnterpriseCustomerRow | undefined> {
  const row = await db.selectFrom('enterprise_customer').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row && decodeCustomer(row);
}

const CUSTOMER_ORDER: SortKey<EnterpriseCustomerRow>[] = [
  { column: 'name', direction: 'asc', value: (r) => r.name },
  { column: 'uuid', direction: 'asc', value: (r) => r.uuid },
];

export interface CustomerListFilter {
  search?: string | null;
  active?: boolean | null;
  /** Restricts to these customers; undefined means all (operators). */
  uuids?: readonly string[];
}

export function listCustomers(db: DB, filter: CustomerListFilter, page: PageArgs): Promise<Connection<EnterpriseCustomerRow>> {
  let query = db.selectFrom('enterprise_customer');
  if (filter.uuids) query = query.where('uuid', 'in', filter.uuids.length ? filter.uuids : ['']);
  if (filter.active != null) query = query.where('active', '=', filter.active);
  if (filter.search) {
    const search = filter.search;
    query = query.where((eb) => eb.or([containsInsensitive('name', search), containsInsensitive('slug', search)]));
  }
  return paginate(query.selectAll(), page, CUSTOMER_ORDER, decodeCustomer, () => countRows(query));
}

export async function countCustomers(db: DB): Promise<number> {
  return countRows(db.selectFrom('enterprise_customer'));
}

const decodeIdentityProvider = rowDecoder<IdentityProviderRow>({ booleans: ['defaultProvider'], dates: ['created'] });

export async function findIdentityProvidersByCustomers(db: DB, uuids: readonly string[]): Promise<IdentityProviderRow[]> {
  if (uuids.length === 0) return [];
  const rows = await db
    .selectFrom('enterprise_customer_identity_provider')
    .selectAll()
    .where('enterpriseCustomerUuid', 'in', uuids)
    .orderBy('providerId')
    .execute();
  return rows.map(decodeIdentityProvider);
}

// ---------------------------------------------------------------------------------------------
// LMS users and learner links

const decodeLmsUser = rowDecoder<LmsUserRow>({ dates: ['dateJoined'] });

export async function findLmsUsersByEmails(db: DB | Trx, emails: readonly string[]): Promise<LmsUserRow[]> {
  if (emails.length === 0) return [];
  const rows = await db.selectFrom('lms_user').selectAll().where('email', 'in', emails).execute();
  return rows.map(decodeLmsUser);
}

export async function findLmsUsersByIds(db: DB | Trx, ids: readonly number[]): Promise<LmsUserRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('lms_user').selectAll().where('id', 'in', ids).execute();
  return rows.map(decodeLmsUser);
}

export async function insertLmsUser(trx: Trx, user: LmsUserRow): Promise<void> {
  await trx.insertInto('lms_user').values(user).execute();
}

const decodeLearner = rowDecoder<EnterpriseCustomerUserRow>({
  booleans: ['active', 'linked', 'isRelinkable'],
  dates: ['created', 'modified', 'dateJoined'],
});

/** Learner links joined with their LMS accounts: every `EnterpriseCustomerUser` read starts here. */
function learnerQuery(db: DB | Trx) {
  return db
    .selectFrom('enterprise_customer_user as ecu')
    .innerJoin('lms_user as u', 'u.id', 'ecu.lmsUserId')
    .select([
      'ecu.id',
      'ecu.enterpriseCustomerUuid',
      'ecu.lmsUserId',
      'ecu.active',
      'ecu.linked',
      'ecu.isRelinkable',
      'ecu.inviteKeyUuid',
      'ecu.created',
      'ecu.modified',
      'u.email',
      'u.username',
      'u.country',
      'u.dateJoined',
    ]);
}

export async function findLearnersByIds(db: DB, ids: readonly number[]): Promise<EnterpriseCustomerUserRow[]> {
  if (ids.length === 0) return [];
  return (await learnerQuery(db).where('ecu.id', 'in', ids).execute()).map(decodeLearner);
}

/** Links of these customers for these LMS users (callers pick the exact pairs they asked for). */
export async function findLearnersByCustomersAndUsers(
  db: DB | Trx,
  customerUuids: readonly string[],
  lmsUserIds: readonly number[],
): Promise<EnterpriseCustomerUserRow[]> {
  if (customerUuids.length === 0 || lmsUserIds.length === 0) return [];
  const rows = await learnerQuery(db)
    .where('ecu.enterpriseCustomerUuid', 'in', customerUuids)
    .where('ecu.lmsUserId', 'in', lmsUserIds)
    .execute();
  return rows.map(decodeLearner);
}

export async function findLearnersByCustomersAndEmails(
  db: DB,
  customerUuids: readonly string[],
  emails: readonly string[],
): Promise<EnterpriseCustomerUserRow[]> {
  if (customerUuids.length === 0 || emails.length === 0) return [];
  const rows = await learnerQuery(db).where('ecu.enterpriseCustomerUuid', 'in', customerUuids).where('u.email', 'in', emails).execute();
  return rows.map(decodeLearner);
}

/** Every link of these users, locked: the one-active rule rewrites them. */
export async function lockLearnersOfUsers(trx: Trx, lmsUserIds: readonly number[]): Promise<EnterpriseCustomerUserRow[]> {
  if (lmsUserIds.length === 0) return [];
  const rows = await forUpdate(trx, learnerQuery(trx).where('ecu.lmsUserId', 'in', lmsUserIds)).execute();
  return rows.map(decodeLearner);
}

export async function insertLearner(
  trx: Trx,
  values: { enterpriseCustomerUuid: string; lmsUserId: number; inviteKeyUuid?: string | null; now: Date },
): Promise<number> {
  const result = await trx
    .insertInto('enterprise_customer_user')
    .values({
      enterpriseCustomerUuid: values.enterpriseCustomerUuid,
      lmsUserId: values.lmsUserId,
      active: true,
      linked: true,
      isRelinkable: true,
      inviteKeyUuid: values.inviteKeyUuid ?? null,
      created: values.now,
      modified: values.now,
    })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function updateLearners(
  trx: Trx,
  ids: readonly number[],
  changes: { active?: boolean; linked?: boolean; isRelinkable?: boolean; inviteKeyUuid?: string },
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable('enterprise_customer_user')
    .set({ ...changes, modified: now })
    .where('id', 'in', ids)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Pending learners and pending enrollments

const decodePendingLearner = rowDecoder<PendingEnterpriseCustomerUserRow>({ dates: ['created', 'modified'] });

export async function findPendingLearners(db: DB | Trx, customerUuid: string, emails: readonly string[]): Promise<PendingEnterpriseCustomerUserRow[]> {
  if (emails.length === 0) return [];
  const rows = await db
    .selectFrom('pending_enterprise_customer_user')
    .selectAll()
    .where('enterpriseCustomerUuid', '=', customerUuid)
    .where('userEmail', 'in', emails)
    .execute();
  return rows.map(decodePendingLearner);
}

/** Get-or-create of a pending learner; returns its id. */
export async function ensurePendingLearner(trx: Trx, customerUuid: string, email: string, now: Date): Promise<{ id: number; created: boolean }> {
  const existing = await findPendingLearners(trx, customerUuid, [email]);
  if (existing[0]) return { id: existing[0].id, created: false };
  const result = await trx
    .insertInto('pending_enterprise_customer_user')
    .values({ enterpriseCustomerUuid: customerUuid, userEmail: email, created: now, modified: now })
    .executeTakeFirstOrThrow();
  return { id: Number(result.insertId), created: true };
}

export async function findPendingEnrollmentKeys(trx: Trx, pendingUserId: number): Promise<Set<string>> {
  const rows = await trx.selectFrom('pending_enrollment').select('courseRunKey').where('pendingUserId', '=', pendingUserId).execute();
  return new Set(rows.map((r) => r.courseRunKey));
}

export async function insertPendingEnrollments(trx: Trx, rows: readonly Omit<PendingEnrollmentTable, 'id'>[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.insertInto('pending_enrollment').values([...rows]).execute();
}

// ---------------------------------------------------------------------------------------------
// Enrollments and learner progress

const decodeEnrollment = rowDecoder<EnterpriseCourseEnrollmentRow>({
  booleans: ['savedForLater', 'unenrolled'],
  dates: ['created', 'modified', 'unenrolledAt'],
});

export async function findEnrollmentsOfLearner(db: DB | Trx, learnerId: number, runKeys: readonly string[]): Promise<EnterpriseCourseEnrollmentRow[]> {
  if (runKeys.length === 0) return [];
  const rows = await db
    .selectFrom('enterprise_course_enrollment')
    .selectAll()
    .where('enterpriseCustomerUserId', '=', learnerId)
    .where('courseRunKey', 'in', runKeys)
    .execute();
  return rows.map(decodeEnrollment);
}

export async function insertEnrollment(
  trx: Trx,
  values: { learnerId: number; customerUuid: string; courseRunKey: string; source: string; now: Date },
): Promise<EnterpriseCourseEnrollmentRow> {
  const row = {
    enterpriseCustomerUserId: values.learnerId,
    enterpriseCustomerUuid: values.customerUuid,
    courseRunKey: values.courseRunKey,
    savedForLater: false,
    source: values.source,
    unenrolled: null,
    unenrolledAt: null,
    created: values.now,
    modified: values.now,
  };
  const result = await trx.insertInto('enterprise_course_enrollment').values(row).executeTakeFirstOrThrow();
  return { ...row, id: Number(result.insertId) };
}

/** Re-enrollment (edx-enterprise `set_unenrolled(False)`): fulfillments stay revoked. */
export async function reenroll(trx: Trx, enrollmentId: number, now: Date): Promise<void> {
  await trx
    .updateTable('enterprise_course_enrollment')
    .set({ savedForLater: false, unenrolled: false, unenrolledAt: null, modified: now })
    .where('id', '=', enrollmentId)
    .execute();
  await trx.updateTable('learner_progress').set({ unenrollmentDate: null }).where('enterpriseEnrollmentId', '=', enrollmentId).execute();
}

export async function insertLearnerProgress(trx: Trx, row: LearnerProgressTable): Promise<void> {
  await trx.insertInto('learner_progress').values(row).execute();
}
