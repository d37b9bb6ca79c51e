import type { AggregateDifference } from '../lib/aggregates.js';
import type { AnyKysely } from '../lib/db/database.js';
import { SUBGRAPHS } from '../subgraphs/registry.js';

/** A difference with the subgraph whose store keeps it. */
export interface SubgraphAggregateDifference extends AggregateDifference {
  subgraph: string;
}

/** Recomputes every subgraph's stored aggregates from the rows; the ones that differ. */
export async function checkAllAggregates(db: AnyKysely): Promise<SubgraphAggregateDifference[]> {
  const out: SubgraphAggregateDifference[] = [];
  for (const definition of Object.values(SUBGRAPHS)) {
    if (!definition.aggregates) continue;
    for (const difference of await definition.aggregates.check(db))
      out.push({ subgraph: definition.name, ...difference });
  }
  return out;
}

/** Rewrites every subgraph's stored aggregates from the rows, each subgraph in one transaction. */
export async function repairAllAggregates(db: AnyKysely): Promise<void> {
  for (const definition of Object.values(SUBGRAPHS)) {
    const aggregates = definition.aggregates;
    if (aggregates) await db.transaction().execute((trx) => aggregates.repair(trx));
  }
}
