import { type Kysely, sql } from 'kysely';

/**
 * Stored money aggregates (README "Stored aggregates"): the ledger's balance and committed
 * deposits on the ledger row, the policy's redeemed and allocated totals on the policy row, all
 * <= 0 for spend as in the ledger. They were sums over every transaction (and its reversal) and
 * every ALLOCATED assignment on each read: 85-130 ms per admin dashboard at bench scale 1. The
 * writes that change them hold these rows' locks already (policy, then ledger), so a relative
 * update there keeps them exact. Backfilled from the rows here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ['balance_cents', 'deposits_cents'])
    await db.schema
      .alterTable('ledger')
      .addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  for (const column of ['redeemed_cents', 'allocated_cents'])
    await db.schema
      .alterTable('subsidy_access_policy')
      .addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  // The same recompute as store/aggregates.ts, frozen here as the migration's own SQL.
  const net = sql`coalesce(sum(t.quantity + coalesce(r.quantity, 0)), 0)`;
  await sql`update ledger set
    balance_cents = (select ${net} from ledger_transaction t left join ledger_reversal r on r.transaction_uuid = t.uuid
      where t.ledger_uuid = ledger.uuid and t.state <> 'FAILED'),
    deposits_cents = (select ${net} from ledger_transaction t left join ledger_reversal r on r.transaction_uuid = t.uuid
      where t.ledger_uuid = ledger.uuid and t.state = 'COMMITTED' and t.is_deposit = ${true})`.execute(db);
  await sql`update subsidy_access_policy set
    redeemed_cents = (select ${net} from ledger_transaction t left join ledger_reversal r on r.transaction_uuid = t.uuid
      where t.subsidy_access_policy_uuid = subsidy_access_policy.uuid and t.state <> 'FAILED'),
    allocated_cents = (select coalesce(sum(a.content_quantity), 0) from learner_content_assignment a
      inner join assignment_configuration c on c.uuid = a.assignment_configuration_uuid
      where c.subsidy_access_policy_uuid = subsidy_access_policy.uuid and a.state = 'ALLOCATED')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['redeemed_cents', 'allocated_cents'])
    await db.schema.alterTable('subsidy_access_policy').dropColumn(column).execute();
  for (const column of ['balance_cents', 'deposits_cents'])
    await db.schema.alterTable('ledger').dropColumn(column).execute();
}
