import { type Kysely, sql, type SqlBool, type Transaction } from 'kysely';
import { differences, type AggregateDifference } from '../../../lib/aggregates.js';
import { forUpdate } from '../../../lib/db/locking.js';
import type { CustomersDatabase } from '../tables.js';

type DB = Kysely<CustomersDatabase>;
type Trx = Transaction<CustomersDatabase>;

// ---------------------------------------------------------------------------------------------
// Stored learner-progress counts (migration 0011): learner_progress_count.linked_rows = the
// customer's progress rows whose learner link is not unlinked, what the report lists without
// filters. Kept by insertLearnerProgress (a new row of a linked learner) and updateLearners (a
// link that changes `linked` moves all its rows), both under the LMS user locks every link and
// enrollment change takes; the counter row is updated last in those transactions, so it adds no
// lock cycle. Relative updates serialize concurrent writers of one customer.

/** Adds to customers' stored counts; creates the counter row of a customer that has none yet. */
export async function addToProgressCounts(trx: DB | Trx, deltas: ReadonlyMap<string, number>): Promise<void> {
  for (const [customerUuid, delta] of [...deltas].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (delta === 0) continue;
    const result = await trx
      .updateTable('learner_progress_count')
      .set((eb) => ({ linkedRows: eb('linkedRows', '+', delta) }))
      .where('enterpriseCustomerUuid', '=', customerUuid)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0)
      await trx
        .insertInto('learner_progress_count')
        .values({ enterpriseCustomerUuid: customerUuid, linkedRows: delta })
        .execute();
  }
}

/** Counter rows for new customers (demo loader), at 0: their progress inserts add to them. */
export async function insertProgressCounters(trx: DB | Trx, customerUuids: readonly string[]): Promise<void> {
  if (customerUuids.length)
    await trx
      .insertInto('learner_progress_count')
      .values(customerUuids.map((enterpriseCustomerUuid) => ({ enterpriseCustomerUuid, linkedRows: 0 })))
      .execute();
}

/**
 * Progress rows of these learner links, per customer, as a locking read on MySQL: it sees rows
 * committed after this transaction's snapshot, which the caller's user locks keep from changing.
 */
export async function progressRowsOfLearners(
  trx: DB | Trx,
  learnerIds: readonly number[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (!learnerIds.length) return counts;
  const rows = await forUpdate(
    trx,
    trx
      .selectFrom('learner_progress')
      .select((eb) => ['enterpriseCustomerUuid', eb.fn.countAll<number | string>().as('n')])
      .where('enterpriseCustomerUserId', 'in', learnerIds)
      .groupBy('enterpriseCustomerUuid'),
  ).execute();
  for (const row of rows) counts.set(row.enterpriseCustomerUuid, Number(row.n));
  return counts;
}

/** The stored count of one customer's report (0 when it has none). */
export async function findProgressCount(db: DB, customerUuid: string): Promise<number> {
  const row = await db
    .selectFrom('learner_progress_count')
    .select('linkedRows')
    .where('enterpriseCustomerUuid', '=', customerUuid)
    .executeTakeFirst();
  return row?.linkedRows ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Recompute from the rows: the check and the repair

function actualCount(db: DB) {
  return db
    .selectFrom('learner_progress as lp')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(sql<SqlBool>`${sql.ref('lp.enterpriseCustomerUuid')} = ${sql.ref('c.uuid')}`)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('enterprise_customer_user as ecu')
            .select('ecu.id')
            .whereRef('ecu.id', '=', 'lp.enterpriseCustomerUserId')
            .where('ecu.linked', '=', false),
        ),
      ),
    );
}

/** Every customer whose stored count differs from its report's rows (a missing counter row stores 0). */
export async function checkAggregates(db: DB): Promise<AggregateDifference[]> {
  const rows = await db
    .selectFrom('enterprise_customer as c')
    .leftJoin('learner_progress_count as pc', 'pc.enterpriseCustomerUuid', 'c.uuid')
    .select(['c.uuid', 'pc.linkedRows', actualCount(db).as('actual')])
    .execute();
  return differences(
    'learner_progress_count.linked_rows',
    rows.map((r) => ({ key: r.uuid, stored: r.linkedRows, actual: r.actual })),
  );
}

/** Rewrites every customer's stored count from the rows. */
export async function repairAggregates(db: DB): Promise<void> {
  await db.deleteFrom('learner_progress_count').execute();
  await db
    .insertInto('learner_progress_count')
    .columns(['enterpriseCustomerUuid', 'linkedRows'])
    .expression(db.selectFrom('enterprise_customer as c').select(['c.uuid', actualCount(db).as('linkedRows')]))
    .execute();
}
