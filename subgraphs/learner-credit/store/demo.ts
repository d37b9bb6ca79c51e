import type { Kysely } from 'kysely';
import type {
  AssignmentActionTable,
  AssignmentConfigurationTable,
  LearnerContentAssignmentTable,
  LearnerCreditDatabase,
  LedgerReversalTable,
  LedgerTable,
  LedgerTransactionTable,
  SubsidyAccessPolicyTable,
  SubsidyTable,
} from '../tables.js';
import { repairAggregates } from './aggregates.js';

type DB = Kysely<LearnerCreditDatabase>;

// ---------------------------------------------------------------------------------------------
// Demo data

/** The demo rows of each table, in insertion order (parents first). */
export interface LearnerCreditSeedRows {
  ledger: readonly LedgerTable[];
  subsidy: readonly SubsidyTable[];
  subsidy_access_policy: readonly SubsidyAccessPolicyTable[];
  assignment_configuration: readonly AssignmentConfigurationTable[];
  ledger_transaction: readonly LedgerTransactionTable[];
  ledger_reversal: readonly LedgerReversalTable[];
  learner_content_assignment: readonly LearnerContentAssignmentTable[];
  assignment_action: readonly AssignmentActionTable[];
}

async function insertMissing<T extends object>(
  db: DB,
  table: keyof LearnerCreditDatabase,
  key: keyof T & string,
  rows: readonly T[],
): Promise<void> {
  if (!rows.length) return;
  const existing = new Set(
    (
      await db
        .selectFrom(table)
        .select(key as never)
        .execute()
    ).map((r) => String((r as Record<string, unknown>)[key])),
  );
  const missing = rows.filter((row) => !existing.has(String(row[key])));
  if (missing.length) await db.insertInto(table).values(missing).execute();
}

/**
 * Inserts the demo rows that are missing, matched by uuid (idempotent), in one transaction. Policies
 * seeded before subsidies existed get their new columns filled in.
 */
export async function insertMissingDemoRows(db: DB, rows: LearnerCreditSeedRows): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await insertMissing(trx, 'ledger', 'uuid', rows.ledger);
    await insertMissing(trx, 'subsidy', 'uuid', rows.subsidy);
    for (const policy of rows.subsidy_access_policy) {
      await trx
        .updateTable('subsidy_access_policy')
        .set(policy)
        .where('uuid', '=', policy.uuid)
        .where('subsidyUuid', 'is', null)
        .execute();
    }
    await insertMissing(trx, 'subsidy_access_policy', 'uuid', rows.subsidy_access_policy);
    await insertMissing(trx, 'assignment_configuration', 'uuid', rows.assignment_configuration);
    await insertMissing(trx, 'ledger_transaction', 'uuid', rows.ledger_transaction);
    await insertMissing(trx, 'ledger_reversal', 'uuid', rows.ledger_reversal);
    await insertMissing(trx, 'learner_content_assignment', 'uuid', rows.learner_content_assignment);
    await insertMissing(trx, 'assignment_action', 'uuid', rows.assignment_action);
    // The rows went in as they are: the stored aggregates follow from them.
    await repairAggregates(trx);
  });
}
