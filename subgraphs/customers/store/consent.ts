import type { Kysely, Transaction } from 'kysely';
import { rowDecoder } from '../../../lib/db/codec.js';
import { forUpdate } from '../../../lib/db/locking.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../../lib/pagination.js';
import type { CustomersDatabase, DataSharingConsentRow } from '../tables.js';

type DB = Kysely<CustomersDatabase>;
type Trx = Transaction<CustomersDatabase>;

// ---------------------------------------------------------------------------------------------
// Data sharing consent

const decodeConsent = rowDecoder<DataSharingConsentRow>({ booleans: ['granted'], dates: ['created', 'modified'] });

/** Stored consents of (customer, LMS user) pairs; callers keep the pairs they asked for. */
export async function findConsentsByCustomersAndUsers(
  db: DB,
  customerUuids: readonly string[],
  lmsUserIds: readonly number[],
): Promise<DataSharingConsentRow[]> {
  if (customerUuids.length === 0 || lmsUserIds.length === 0) return [];
  const rows = await db
    .selectFrom('data_sharing_consent')
    .selectAll()
    .where('enterpriseCustomerUuid', 'in', customerUuids)
    .where('lmsUserId', 'in', lmsUserIds)
    .execute();
  return rows.map(decodeConsent);
}

export interface ConsentListFilter {
  courseKey?: string | null;
  granted?: boolean | null;
  onlyLmsUserId?: number;
}

const CONSENT_ORDER: SortKey<DataSharingConsentRow>[] = [
  { column: 'id', direction: 'asc', type: 'int', value: (r) => r.id },
];

export function listConsents(
  db: DB,
  customerUuid: string,
  filter: ConsentListFilter,
  page: PageArgs,
): Promise<Connection<DataSharingConsentRow>> {
  let query = db.selectFrom('data_sharing_consent').where('enterpriseCustomerUuid', '=', customerUuid);
  if (filter.courseKey) query = query.where('courseKey', '=', filter.courseKey);
  if (filter.granted === true) query = query.where('granted', '=', true);
  if (filter.granted === false)
    query = query.where((eb) => eb.or([eb('granted', '=', false), eb('granted', 'is', null)]));
  if (filter.onlyLmsUserId !== undefined) query = query.where('lmsUserId', '=', filter.onlyLmsUserId);
  return paginate(query.selectAll(), page, CONSENT_ORDER, decodeConsent, () => countRows(query));
}

/** Course keys the (customer, LMS user) pairs are enrolled in, from the progress rows. */
export async function findEnrolledCourseKeys(
  db: DB,
  customerUuids: readonly string[],
  lmsUserIds: readonly number[],
): Promise<{ enterpriseCustomerUuid: string; enterpriseUserId: number; courseKey: string }[]> {
  if (customerUuids.length === 0 || lmsUserIds.length === 0) return [];
  const rows = await db
    .selectFrom('learner_progress')
    .select(['enterpriseCustomerUuid', 'enterpriseUserId', 'courseKey'])
    .distinct()
    .where('enterpriseCustomerUuid', 'in', customerUuids)
    .where('enterpriseUserId', 'in', lmsUserIds)
    .where('courseKey', 'is not', null)
    .$narrowType<{ courseKey: string }>()
    .execute();
  return rows.map((r) => ({
    enterpriseCustomerUuid: r.enterpriseCustomerUuid,
    enterpriseUserId: r.enterpriseUserId,
    courseKey: r.courseKey,
  }));
}

/** Insert-or-update of one consent; returns the stored row. */
export async function upsertConsent(
  trx: Trx,
  customerUuid: string,
  lmsUserId: number,
  courseKey: string,
  granted: boolean,
  now: Date,
): Promise<DataSharingConsentRow> {
  const existing = await forUpdate(
    trx,
    trx
      .selectFrom('data_sharing_consent')
      .selectAll()
      .where('enterpriseCustomerUuid', '=', customerUuid)
      .where('lmsUserId', '=', lmsUserId)
      .where('courseKey', '=', courseKey),
  ).executeTakeFirst();
  if (existing) {
    await trx
      .updateTable('data_sharing_consent')
      .set({ granted, modified: now })
      .where('id', '=', existing.id)
      .execute();
    return { ...decodeConsent(existing), granted, modified: now };
  }
  const row = { enterpriseCustomerUuid: customerUuid, lmsUserId, courseKey, granted, created: now, modified: now };
  const result = await trx.insertInto('data_sharing_consent').values(row).executeTakeFirstOrThrow();
  return { ...row, id: Number(result.insertId) };
}
