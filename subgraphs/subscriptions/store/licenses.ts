import { type Expression, type ExpressionBuilder, type Kysely, sql, type SqlBool } from 'kysely';
import { rowDecoder } from '../../../lib/db/codec.js';
import { forUpdate } from '../../../lib/db/locking.js';
import { containsInsensitive } from '../../../lib/db/search.js';
import { type Connection, countRows, type PageArgs, paginate, type SortKey } from '../../../lib/pagination.js';
import type { LicenseCountsRow, LicenseRow, LicenseStatus, LicenseTable, SubscriptionsDatabase } from '../tables.js';
import { addToLicenseCounts, COUNT_COLUMN } from './aggregates.js';
import { chunks } from './shared.js';

type DB = Kysely<SubscriptionsDatabase>;

// ---------------------------------------------------------------------------------------------
// Licenses

export const decodeLicense = rowDecoder<LicenseRow>({
  dates: ['assignedDate', 'activationDate', 'revokedDate', 'lastRemindDate', 'created', 'modified'],
});

export const ALLOCATED: readonly LicenseStatus[] = ['ASSIGNED', 'ACTIVATED'];

export async function findLicensesByUuids(db: DB, uuids: readonly string[]): Promise<LicenseRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('license').selectAll().where('uuid', 'in', uuids).execute()).map(decodeLicense);
}

/** Licenses per (plan, status), stored on the plan rows (store/aggregates.ts): one statement for any number of plans. */
export async function countLicensesByPlans(db: DB, planUuids: readonly string[]): Promise<LicenseCountsRow[]> {
  if (!planUuids.length) return [];
  const rows = await db
    .selectFrom('subscription_plan')
    .select(['uuid', ...Object.values(COUNT_COLUMN)])
    .where('uuid', 'in', planUuids)
    .execute();
  return rows.flatMap((row) =>
    (Object.keys(COUNT_COLUMN) as LicenseStatus[]).map((status) => ({
      subscriptionPlanUuid: row.uuid,
      status,
      n: row[COUNT_COLUMN[status]] ?? 0,
    })),
  );
}

// ACTIVATED < ASSIGNED < REVOKED < UNASSIGNED, as license-manager's learner-licenses orders them.
const LICENSE_ORDER: SortKey<LicenseRow>[] = [
  { column: 'license.status', direction: 'asc', type: 'string', value: (r) => r.status },
  { column: 'license.uuid', direction: 'asc', type: 'string', value: (r) => r.uuid },
];

/** Whose licenses a learner may see: its LMS user id or its email. */
export interface LicenseOwner {
  lmsUserId: number | null;
  email: string | null;
}

export function listPlanLicenses(
  db: DB,
  planUuid: string,
  filter: { statuses?: readonly LicenseStatus[] | null; search?: string | null; owner?: LicenseOwner },
  page: PageArgs,
): Promise<Connection<LicenseRow>> {
  let query = db.selectFrom('license').where('license.subscriptionPlanUuid', '=', planUuid);
  if (filter.statuses?.length) query = query.where('license.status', 'in', filter.statuses);
  if (filter.search) query = query.where(containsInsensitive('license.user_email', filter.search));
  const owner = filter.owner;
  if (owner) query = query.where((eb) => ownedBy(eb, owner));
  return paginate(query.selectAll('license'), page, LICENSE_ORDER, decodeLicense, () => countRows(query));
}

function ownedBy(eb: ExpressionBuilder<SubscriptionsDatabase, 'license'>, owner: LicenseOwner): Expression<SqlBool> {
  const branches: Expression<SqlBool>[] = [];
  if (owner.lmsUserId !== null) branches.push(eb('license.lmsUserId', '=', owner.lmsUserId));
  if (owner.email !== null) branches.push(eb('license.userEmail', '=', owner.email));
  // A viewer with neither claim owns nothing.
  return branches.length ? eb.or(branches) : sql<SqlBool>`1 = 0`;
}

/** The viewer's own licenses (learner-licenses), optionally of one customer and of current plans only. */
export function listOwnLicenses(
  db: DB,
  owner: LicenseOwner,
  filter: { enterpriseCustomerUuid?: string | null; includeRevoked: boolean; currentPlansOnly: boolean; now: Date },
  page: PageArgs,
): Promise<Connection<LicenseRow>> {
  let query = db
    .selectFrom('license')
    .innerJoin('subscription_plan', 'subscription_plan.uuid', 'license.subscriptionPlanUuid')
    .where((eb) => ownedBy(eb, owner))
    .where('license.status', 'in', filter.includeRevoked ? [...ALLOCATED, 'REVOKED'] : ALLOCATED);
  if (filter.enterpriseCustomerUuid)
    query = query.where('subscription_plan.enterpriseCustomerUuid', '=', filter.enterpriseCustomerUuid);
  if (filter.currentPlansOnly) {
    query = query
      .where('subscription_plan.isActive', '=', true)
      .where('subscription_plan.startDate', '<=', filter.now)
      .where('subscription_plan.expirationDate', '>=', filter.now);
  }
  return paginate(query.selectAll('license'), page, LICENSE_ORDER, decodeLicense, () => countRows(query));
}

/** ASSIGNED or ACTIVATED licenses of the plan held by these emails, by uuid (the order revoke picks in). */
export async function findAllocatedLicensesByEmails(
  db: DB,
  planUuid: string,
  emails: readonly string[],
): Promise<LicenseRow[]> {
  const out: LicenseRow[] = [];
  for (const chunk of chunks(emails)) {
    const rows = await db
      .selectFrom('license')
      .selectAll()
      .where('subscriptionPlanUuid', '=', planUuid)
      .where('userEmail', 'in', chunk)
      .where('status', 'in', ALLOCATED)
      .orderBy('uuid')
      .execute();
    out.push(...rows.map(decodeLicense));
  }
  return out.sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
}

/** ASSIGNED or ACTIVATED licenses of the plan matching every given filter. */
export async function findAllocatedLicensesByFilter(
  db: DB,
  planUuid: string,
  filter: { userEmail?: string | null; statusIn?: readonly LicenseStatus[] | null },
): Promise<LicenseRow[]> {
  const { statusIn } = filter;
  const statuses = statusIn ? ALLOCATED.filter((s) => statusIn.includes(s)) : ALLOCATED;
  if (!statuses.length) return [];
  let query = db
    .selectFrom('license')
    .selectAll()
    .where('subscriptionPlanUuid', '=', planUuid)
    .where('status', 'in', statuses);
  if (filter.userEmail) query = query.where(containsInsensitive('user_email', filter.userEmail));
  return (await query.orderBy('uuid').execute()).map(decodeLicense);
}

/** The first `limit` UNASSIGNED licenses of the plan in uuid order (call under the plan lock). */
export async function findUnassignedLicenses(db: DB, planUuid: string, limit: number): Promise<LicenseRow[]> {
  const rows = await db
    .selectFrom('license')
    .selectAll()
    .where('subscriptionPlanUuid', '=', planUuid)
    .where('status', '=', 'UNASSIGNED')
    .orderBy('uuid')
    .limit(limit)
    .execute();
  return rows.map(decodeLicense);
}

export interface LicenseAssignmentWrite {
  uuid: string;
  userEmail: string;
  activationKey: string;
  userSfid: string | null;
}

/**
 * UNASSIGNED -> ASSIGNED for each license, one UPDATE per chunk (CASE on uuid). Returns how many
 * rows changed; the caller holds the plan lock, so anything short of all is a bug it refuses.
 */
export async function assignLicenseRows(
  trx: DB,
  planUuid: string,
  writes: readonly LicenseAssignmentWrite[],
  now: Date,
): Promise<number> {
  let changed = 0;
  for (const chunk of chunks(writes)) {
    const caseOf = (value: (w: LicenseAssignmentWrite) => string | null) =>
      sql<string>`case ${sql.ref('uuid')} ${sql.join(
        chunk.map((w) => sql`when ${w.uuid} then ${value(w)}`),
        sql` `,
      )} end`;
    const result = await trx
      .updateTable('license')
      .set({
        status: 'ASSIGNED',
        userEmail: caseOf((w) => w.userEmail),
        activationKey: caseOf((w) => w.activationKey),
        userSfid: caseOf((w) => w.userSfid),
        assignedDate: now,
        lastRemindDate: now,
        modified: now,
      })
      .where(
        'uuid',
        'in',
        chunk.map((w) => w.uuid),
      )
      .where('subscriptionPlanUuid', '=', planUuid)
      .where('status', '=', 'UNASSIGNED')
      .executeTakeFirst();
    changed += Number(result.numUpdatedRows);
  }
  await addToLicenseCounts(trx, planUuid, { UNASSIGNED: -changed, ASSIGNED: changed });
  return changed;
}

/** ASSIGNED/ACTIVATED -> REVOKED (email and LMS user kept), under the plan lock. Returns how many rows changed. */
export async function revokeLicenseRows(
  trx: DB,
  planUuid: string,
  uuids: readonly string[],
  now: Date,
): Promise<number> {
  let changed = 0;
  const deltas: Partial<Record<LicenseStatus, number>> = { REVOKED: 0 };
  for (const chunk of chunks(uuids)) {
    // What each status loses: the plan lock keeps these rows as counted until the update.
    const before = await trx
      .selectFrom('license')
      .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
      .where('uuid', 'in', chunk)
      .where('subscriptionPlanUuid', '=', planUuid)
      .where('status', 'in', ALLOCATED)
      .groupBy('status')
      .execute();
    for (const row of before) {
      deltas[row.status] = (deltas[row.status] ?? 0) - Number(row.n);
      deltas.REVOKED = (deltas.REVOKED ?? 0) + Number(row.n);
    }
    const result = await trx
      .updateTable('license')
      .set({ status: 'REVOKED', revokedDate: now, modified: now })
      .where('uuid', 'in', chunk)
      .where('subscriptionPlanUuid', '=', planUuid)
      .where('status', 'in', ALLOCATED)
      .executeTakeFirst();
    changed += Number(result.numUpdatedRows);
  }
  await addToLicenseCounts(trx, planUuid, deltas);
  return changed;
}

/** The license an activation key belongs to. */
export async function findLicenseByActivationKey(db: DB, activationKey: string): Promise<LicenseRow | null> {
  const row = await db.selectFrom('license').selectAll().where('activationKey', '=', activationKey).executeTakeFirst();
  return row ? decodeLicense(row) : null;
}

/**
 * The same, as a locking read: call it after the plan lock (lock order plan -> license, as assign
 * and revoke take them). On MySQL a locking read sees the latest committed row, not the
 * transaction's snapshot.
 */
export async function lockLicenseByActivationKey(trx: DB, activationKey: string): Promise<LicenseRow | null> {
  const row = await forUpdate(
    trx,
    trx.selectFrom('license').selectAll().where('activationKey', '=', activationKey),
  ).executeTakeFirst();
  return row ? decodeLicense(row) : null;
}

/** ASSIGNED -> ACTIVATED for the learner, under the plan lock. Returns how many rows changed (0 when it raced). */
export async function activateLicenseRow(
  trx: DB,
  planUuid: string,
  uuid: string,
  lmsUserId: number | null,
  now: Date,
): Promise<number> {
  const result = await trx
    .updateTable('license')
    .set({ status: 'ACTIVATED', lmsUserId, activationDate: now, modified: now })
    .where('uuid', '=', uuid)
    .where('subscriptionPlanUuid', '=', planUuid)
    .where('status', '=', 'ASSIGNED')
    .executeTakeFirst();
  const changed = Number(result.numUpdatedRows);
  await addToLicenseCounts(trx, planUuid, { ASSIGNED: -changed, ACTIVATED: changed });
  return changed;
}

/** Inserts licenses and adds them to their plans' stored counts (hold the plan lock, or own the new plan). */
export async function insertLicenses(db: DB, rows: readonly LicenseTable[]): Promise<void> {
  for (const chunk of chunks(rows)) await db.insertInto('license').values(chunk).execute();
  const byPlan = new Map<string, Partial<Record<LicenseStatus, number>>>();
  for (const row of rows) {
    const deltas = byPlan.get(row.subscriptionPlanUuid) ?? {};
    deltas[row.status] = (deltas[row.status] ?? 0) + 1;
    byPlan.set(row.subscriptionPlanUuid, deltas);
  }
  for (const [planUuid, deltas] of [...byPlan].sort(([a], [b]) => (a < b ? -1 : 1)))
    await addToLicenseCounts(db, planUuid, deltas);
}

export async function findLicenseUuidsByPlan(db: DB, planUuid: string): Promise<string[]> {
  return (await db.selectFrom('license').select('uuid').where('subscriptionPlanUuid', '=', planUuid).execute()).map(
    (r) => r.uuid,
  );
}

/** A license together with what bulk enrollment needs of its plan. */
export interface EnrollableLicense {
  uuid: string;
  userEmail: string;
  status: LicenseStatus;
  subscriptionPlanUuid: string;
  enterpriseCatalogUuid: string;
}

/**
 * ASSIGNED or ACTIVATED licenses of these emails in the customer's active, current plans,
 * latest plan expiration first (the order license-manager tries them in).
 */
export async function findEnrollableLicenses(
  db: DB,
  enterpriseCustomerUuid: string,
  emails: readonly string[],
  now: Date,
): Promise<EnrollableLicense[]> {
  const out: EnrollableLicense[] = [];
  for (const chunk of chunks(emails)) {
    const rows = await db
      .selectFrom('license')
      .innerJoin('subscription_plan', 'subscription_plan.uuid', 'license.subscriptionPlanUuid')
      .select([
        'license.uuid',
        'license.userEmail',
        'license.status',
        'license.subscriptionPlanUuid',
        'subscription_plan.enterpriseCatalogUuid',
      ])
      .where('subscription_plan.enterpriseCustomerUuid', '=', enterpriseCustomerUuid)
      .where('subscription_plan.isActive', '=', true)
      .where('subscription_plan.startDate', '<=', now)
      .where('subscription_plan.expirationDate', '>=', now)
      .where('license.status', 'in', ALLOCATED)
      .where('license.userEmail', 'in', chunk)
      .orderBy('subscription_plan.expirationDate', 'desc')
      .orderBy('license.uuid')
      .execute();
    for (const r of rows) if (r.userEmail) out.push({ ...r, userEmail: r.userEmail });
  }
  return out;
}

/** Sets the reminder date of licenses that are still ASSIGNED; returns how many changed. */
export async function remindLicenseRows(trx: DB, uuids: readonly string[], now: Date): Promise<number> {
  let changed = 0;
  for (const chunk of chunks(uuids)) {
    const result = await trx
      .updateTable('license')
      .set({ lastRemindDate: now, modified: now })
      .where('uuid', 'in', chunk)
      .where('status', '=', 'ASSIGNED')
      .executeTakeFirst();
    changed += Number(result.numUpdatedRows);
  }
  return changed;
}
