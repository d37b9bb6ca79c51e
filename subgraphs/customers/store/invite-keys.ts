import type { Kysely, Transaction } from 'kysely';
import { rowDecoder } from '../../../lib/db/codec.js';
import { forUpdate } from '../../../lib/db/locking.js';
import { countRows, paginate, type Connection, type PageArgs, type SortKey } from '../../../lib/pagination.js';
import type { CustomersDatabase, InviteKeyRow } from '../tables.js';

type DB = Kysely<CustomersDatabase>;
type Trx = Transaction<CustomersDatabase>;

// ---------------------------------------------------------------------------------------------
// Invite keys

/** `usageCount` is a COUNT subquery: a number on both dialects, never null. */
const decodeInviteKey = rowDecoder<InviteKeyRow>({
  booleans: ['isActive'],
  dates: ['expirationDate', 'created', 'modified'],
});

function inviteKeyQuery(db: DB | Trx) {
  return db
    .selectFrom('enterprise_customer_invite_key as k')
    .selectAll('k')
    .select((eb) =>
      eb
        .selectFrom('enterprise_customer_user as ecu')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('ecu.inviteKeyUuid', '=', 'k.uuid')
        .as('usageCount'),
    );
}

const INVITE_KEY_ORDER: SortKey<InviteKeyRow>[] = [
  { column: 'k.created', direction: 'desc', type: 'date', value: (r) => r.created },
  { column: 'k.uuid', direction: 'desc', type: 'string', value: (r) => r.uuid },
];

export function listInviteKeys(db: DB, customerUuid: string, page: PageArgs): Promise<Connection<InviteKeyRow>> {
  const query = inviteKeyQuery(db).where('k.enterpriseCustomerUuid', '=', customerUuid);
  return paginate(query, page, INVITE_KEY_ORDER, decodeInviteKey, () =>
    countRows(db.selectFrom('enterprise_customer_invite_key').where('enterpriseCustomerUuid', '=', customerUuid)),
  );
}

export async function findInviteKey(db: DB | Trx, uuid: string, lock = false): Promise<InviteKeyRow | undefined> {
  let query = inviteKeyQuery(db).where('k.uuid', '=', uuid);
  if (lock) query = forUpdate(db, query);
  const row = await query.executeTakeFirst();
  return row && decodeInviteKey(row);
}

export async function countInviteKeys(trx: Trx, customerUuid: string): Promise<number> {
  return countRows(trx.selectFrom('enterprise_customer_invite_key').where('enterpriseCustomerUuid', '=', customerUuid));
}

export async function insertInviteKey(trx: Trx, row: Omit<InviteKeyRow, 'usageCount'>): Promise<void> {
  await trx.insertInto('enterprise_customer_invite_key').values(row).execute();
}

export async function deactivateInviteKeyRow(trx: Trx, uuid: string, now: Date): Promise<void> {
  await trx
    .updateTable('enterprise_customer_invite_key')
    .set({ isActive: false, modified: now })
    .where('uuid', '=', uuid)
    .execute();
}
