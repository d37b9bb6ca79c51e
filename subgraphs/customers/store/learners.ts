import type { Kysely, Transaction } from 'kysely';
import { rowDecoder } from '../../../lib/db/codec.js';
import { forUpdate } from '../../../lib/db/locking.js';
import { containsInsensitive } from '../../../lib/db/search.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../../lib/pagination.js';
import type {
  CustomersDatabase,
  EnterpriseCustomerUserRow,
  LmsUserRow,
  PendingEnrollmentRow,
  PendingEnrollmentTable,
  PendingEnterpriseCustomerUserRow,
} from '../tables.js';
import { addToProgressCounts, progressRowsOfLearners } from './aggregates.js';
import { lockCustomer } from './customers.js';

type DB = Kysely<CustomersDatabase>;
type Trx = Transaction<CustomersDatabase>;

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

export async function findLearnersByIds(db: DB | Trx, ids: readonly number[]): Promise<EnterpriseCustomerUserRow[]> {
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
  const rows = await learnerQuery(db)
    .where('ecu.enterpriseCustomerUuid', 'in', customerUuids)
    .where('u.email', 'in', emails)
    .execute();
  return rows.map(decodeLearner);
}

/**
 * Locks the LMS user rows: every link change of a user (the one-active rule) and every enrollment
 * of it runs under this lock, so concurrent calls for one user serialize even before it has links.
 */
export async function lockLmsUsers(trx: Trx, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await forUpdate(trx, trx.selectFrom('lms_user').select('id').where('id', 'in', ids)).execute();
}

/** Every link of these users, locked: the one-active rule rewrites them. */
export async function lockLearnersOfUsers(
  trx: Trx,
  lmsUserIds: readonly number[],
): Promise<EnterpriseCustomerUserRow[]> {
  if (lmsUserIds.length === 0) return [];
  const rows = await forUpdate(trx, learnerQuery(trx).where('ecu.lmsUserId', 'in', lmsUserIds)).execute();
  return rows.map(decodeLearner);
}

/** Inserts new links (active, linked) and returns their ids by LMS user id. */
export async function insertLearners(
  trx: Trx,
  customerUuid: string,
  lmsUserIds: readonly number[],
  now: Date,
  inviteKeyUuid: string | null = null,
): Promise<Map<number, number>> {
  if (lmsUserIds.length === 0) return new Map();
  await trx
    .insertInto('enterprise_customer_user')
    .values(
      lmsUserIds.map((lmsUserId) => ({
        enterpriseCustomerUuid: customerUuid,
        lmsUserId,
        active: true,
        linked: true,
        isRelinkable: true,
        inviteKeyUuid,
        created: now,
        modified: now,
      })),
    )
    .execute();
  // Multi-row inserts report one id at most: read the new ids back by the unique (customer, user).
  const rows = await trx
    .selectFrom('enterprise_customer_user')
    .select(['id', 'lmsUserId'])
    .where('enterpriseCustomerUuid', '=', customerUuid)
    .where('lmsUserId', 'in', lmsUserIds)
    .execute();
  return new Map(rows.map((r) => [r.lmsUserId, r.id]));
}

export async function updateLearners(
  trx: Trx,
  ids: readonly number[],
  changes: { active?: boolean; linked?: boolean; isRelinkable?: boolean; inviteKeyUuid?: string },
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  // Links whose `linked` flips take all their progress rows into or out of the report's stored count.
  const flipping =
    changes.linked === undefined
      ? []
      : // A locking read: the latest committed flags, not this transaction's snapshot.
        (
          await forUpdate(
            trx,
            trx
              .selectFrom('enterprise_customer_user')
              .select('id')
              .where('id', 'in', ids)
              .where('linked', '<>', changes.linked),
          ).execute()
        ).map((r) => r.id);
  await trx
    .updateTable('enterprise_customer_user')
    .set({ ...changes, modified: now })
    .where('id', 'in', ids)
    .execute();
  if (!flipping.length) return;
  const moved = await progressRowsOfLearners(trx, flipping);
  const sign = changes.linked ? 1 : -1;
  await addToProgressCounts(trx, new Map([...moved].map(([customer, n]) => [customer, sign * n])));
}

// ---------------------------------------------------------------------------------------------
// Pending learners and pending enrollments

const decodePendingLearner = rowDecoder<PendingEnterpriseCustomerUserRow>({ dates: ['created', 'modified'] });
const decodePendingEnrollment = rowDecoder<PendingEnrollmentRow>({ dates: ['created', 'courseStart', 'courseEnd'] });

export async function findPendingLearners(
  db: DB | Trx,
  customerUuid: string,
  emails: readonly string[],
): Promise<PendingEnterpriseCustomerUserRow[]> {
  if (emails.length === 0) return [];
  const rows = await db
    .selectFrom('pending_enterprise_customer_user')
    .selectAll()
    .where('enterpriseCustomerUuid', '=', customerUuid)
    .where('userEmail', 'in', emails)
    .execute();
  return rows.map(decodePendingLearner);
}

/** Get-or-create of many pending learners of one customer (under its row lock); returns them all. */
export async function ensurePendingLearners(
  trx: Trx,
  customerUuid: string,
  emails: readonly string[],
  now: Date,
): Promise<PendingEnterpriseCustomerUserRow[]> {
  if (emails.length === 0) return [];
  await lockCustomer(trx, customerUuid);
  const known = new Set((await findPendingLearners(trx, customerUuid, emails)).map((p) => p.userEmail));
  const missing = emails.filter((email) => !known.has(email));
  if (missing.length) {
    await trx
      .insertInto('pending_enterprise_customer_user')
      .values(
        missing.map((userEmail) => ({ enterpriseCustomerUuid: customerUuid, userEmail, created: now, modified: now })),
      )
      .execute();
  }
  return findPendingLearners(trx, customerUuid, emails);
}

export async function insertPendingEnrollments(
  trx: Trx,
  rows: readonly Omit<PendingEnrollmentTable, 'id'>[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('pending_enrollment')
    .values([...rows])
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Lists of one customer (keyset-paginated)

const LEARNER_ORDER: SortKey<EnterpriseCustomerUserRow>[] = [
  { column: 'ecu.id', direction: 'asc', type: 'int', value: (r) => r.id },
];

export interface LearnerListFilter {
  search?: string | null;
  active?: boolean | null;
  /** Restricts to one LMS user (a learner looking at its own customer). */
  onlyLmsUserId?: number;
}

/** Linked learners of a customer (edx-enterprise's default manager hides unlinked ones). */
export function listLearners(
  db: DB,
  customerUuid: string,
  filter: LearnerListFilter,
  page: PageArgs,
): Promise<Connection<EnterpriseCustomerUserRow>> {
  let query = learnerQuery(db).where('ecu.enterpriseCustomerUuid', '=', customerUuid).where('ecu.linked', '=', true);
  if (filter.active != null) query = query.where('ecu.active', '=', filter.active);
  if (filter.onlyLmsUserId !== undefined) query = query.where('ecu.lmsUserId', '=', filter.onlyLmsUserId);
  if (filter.search) {
    const search = filter.search;
    query = query.where((eb) =>
      eb.or([containsInsensitive('u.email', search), containsInsensitive('u.username', search)]),
    );
  }
  return paginate(query, page, LEARNER_ORDER, decodeLearner, () => countRows(query));
}

const PENDING_ORDER: SortKey<PendingEnterpriseCustomerUserRow>[] = [
  { column: 'id', direction: 'asc', type: 'int', value: (r) => r.id },
];

export function listPendingLearners(
  db: DB,
  customerUuid: string,
  page: PageArgs,
): Promise<Connection<PendingEnterpriseCustomerUserRow>> {
  const query = db.selectFrom('pending_enterprise_customer_user').where('enterpriseCustomerUuid', '=', customerUuid);
  return paginate(query.selectAll(), page, PENDING_ORDER, decodePendingLearner, () => countRows(query));
}

export async function findPendingEnrollmentsByPendingUsers(
  db: DB | Trx,
  ids: readonly number[],
): Promise<PendingEnrollmentRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('pending_enrollment')
    .selectAll()
    .where('pendingUserId', 'in', ids)
    .orderBy('id')
    .execute();
  return rows.map(decodePendingEnrollment);
}

// ---------------------------------------------------------------------------------------------
// Pending learners: conversion when the user appears, and removal

export async function findPendingLearnersByEmail(trx: Trx, email: string): Promise<PendingEnterpriseCustomerUserRow[]> {
  const rows = await forUpdate(
    trx,
    trx.selectFrom('pending_enterprise_customer_user').selectAll().where('userEmail', '=', email).orderBy('id'),
  ).execute();
  return rows.map(decodePendingLearner);
}

/** Deletes pending learners and their pending enrollments (the conversion or the unlink is done). */
export async function deletePendingLearners(trx: Trx, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await trx.deleteFrom('pending_enrollment').where('pendingUserId', 'in', ids).execute();
  await trx.deleteFrom('pending_enterprise_customer_user').where('id', 'in', ids).execute();
}

export async function findLmsUserConflicts(
  trx: Trx,
  user: { id: number; email: string; username: string },
): Promise<LmsUserRow[]> {
  const rows = await trx
    .selectFrom('lms_user')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', user.id), eb('email', '=', user.email), eb('username', '=', user.username)]))
    .execute();
  return rows.map(decodeLmsUser);
}

export async function findLinksOfUsers(db: DB, lmsUserIds: readonly number[]): Promise<EnterpriseCustomerUserRow[]> {
  if (lmsUserIds.length === 0) return [];
  return (await learnerQuery(db).where('ecu.lmsUserId', 'in', lmsUserIds).where('ecu.linked', '=', true).execute()).map(
    decodeLearner,
  );
}
