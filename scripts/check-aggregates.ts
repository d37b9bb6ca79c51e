/**
 * `npm run db:check-aggregates [-- --repair] [-- --database <url>]`: recomputes every stored
 * aggregate (README "Stored aggregates") from the rows, prints each difference (aggregate, key,
 * stored, actual) and exits 1 on any; `--repair` rewrites them all from the rows, then checks
 * again. The database is DATABASE_URL, as for `npm run db:migrate`, or `--database`.
 */
import { parseArgs } from 'node:util';
import { describeDifference } from '../lib/aggregates.js';
import { settings } from '../lib/config.js';
import { openDatabase } from '../lib/db/database.js';
import { checkAllAggregates, repairAllAggregates } from './aggregates.js';

const { values } = parseArgs({
  options: { repair: { type: 'boolean', default: false }, database: { type: 'string' } },
});
const database = openDatabase(values.database ?? settings.databaseUrl(), { poolSize: 2 });
try {
  const found = await checkAllAggregates(database.db);
  for (const d of found) console.log(describeDifference(d.subgraph, d));
  if (!found.length) console.log(`Stored aggregates match the rows (${database.dialect})`);
  else if (values.repair) {
    await repairAllAggregates(database.db);
    const left = await checkAllAggregates(database.db);
    for (const d of left) console.log(`still different after repair: ${describeDifference(d.subgraph, d)}`);
    console.log(`Repaired ${found.length} stored aggregate(s)`);
    process.exitCode = left.length ? 1 : 0;
  } else {
    console.log(`${found.length} stored aggregate(s) differ from the rows (run with --repair to rewrite them)`);
    process.exitCode = 1;
  }
} finally {
  await database.destroy();
}
