import type { Kysely } from 'kysely';
import { isMysql, type AnyKysely } from '../../../lib/db/database.js';

/** Keyset path of `EnterpriseCustomer.dataSharingConsents` (customer, id). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('dsc_customer_id')
    .on('data_sharing_consent')
    .columns(['enterprise_customer_uuid', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // MySQL names the table of an index; SQLite index names are global.
  const drop = db.schema.dropIndex('dsc_customer_id');
  await (isMysql(db as AnyKysely) ? drop.on('data_sharing_consent') : drop).execute();
}
