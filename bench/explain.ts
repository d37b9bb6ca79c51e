/**
 * `npx tsx bench/explain.ts [mysql://root@127.0.0.1:3306/enterprise_bench] [--top 6] [--repeat 9]`
 *
 * Where the headline operations spend their SQL time: boots the whole stack in this process on the
 * bench database, sends each operation of bench/operations.ts `--repeat` times through the gateway
 * (printing the median and fastest time: one request at a time, no cache), records every
 * statement the pieces run (time, SQL, parameters) for the last request, then
 * re-runs the slowest SELECTs alone and prints their time and MySQL `EXPLAIN`. Sequential, one
 * request at a time: a profile, not a load test.
 */
import { parseArgs } from 'node:util';
import mysql from 'mysql2';
import { openDatabase } from '../lib/db/database.js';
import { startStack } from '../scripts/stack.js';
import { benchOperations } from './operations.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '6' }, repeat: { type: 'string', default: '9' } },
});
const url = positionals[0] ?? process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/enterprise_bench';
const top = Number(args.top);
const repeat = Math.max(1, Number(args.repeat));

interface Statement {
  ms: number;
  sql: string;
  params: unknown[];
}

/** The EXPLAIN columns printed (MariaDB's spelling; NULL where a step has no table or key). */
interface ExplainRow {
  select_type: string;
  table: string | null;
  type: string | null;
  key: string | null;
  rows: number | string | null;
  Extra: string | null;
}

type QueryCallback = (error: unknown, result: unknown, fields: unknown) => void;
type Query = (this: unknown, sql: unknown, values: unknown, callback?: unknown) => unknown;

// Kysely's mysql2 driver calls connection.query(sql, parameters, callback): time each call there.
let recorded: Statement[] = [];
const prototype = (mysql as unknown as { Connection: { prototype: { query: Query } } }).Connection.prototype;
const query = prototype.query;
prototype.query = function (this: unknown, sql: unknown, values: unknown, callback?: unknown) {
  if (typeof sql !== 'string' || typeof callback !== 'function') return query.call(this, sql, values, callback);
  const started = performance.now();
  return query.call(this, sql, values, (error: unknown, result: unknown, fields: unknown) => {
    recorded.push({ ms: performance.now() - started, sql, params: Array.isArray(values) ? values : [] });
    (callback as QueryCallback)(error, result, fields);
  });
};

const stack = await startStack({ databaseUrl: url, seed: 'never' });
const probe = mysql.createConnection({ uri: url, timezone: 'Z' }).promise();
try {
  const database = openDatabase(url, { poolSize: 1 });
  const operations = await benchOperations(database, { operator: '' });
  await database.destroy();
  for (const operation of operations) {
    const times: number[] = [];
    let errors = '';
    for (let i = 0; i < repeat; i += 1) {
      recorded = [];
      const started = performance.now();
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: operation.authorization },
        body: operation.body().replace(/\[<id>\]/g, `explain${Date.now().toString(36)}${i}`),
      });
      const text = await response.text();
      times.push(performance.now() - started);
      if (text.includes('"errors"')) errors = text.slice(0, 500);
    }
    const statements = [...recorded];
    const sum = statements.reduce((total, s) => total + s.ms, 0);
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    console.log(
      `\n## ${operation.name}: median ${median.toFixed(1)} ms, fastest ${(sorted[0] ?? 0).toFixed(1)} ms of ${repeat}; last: ${statements.length} statements (${sum.toFixed(1)} ms of SQL)`,
    );
    if (errors) console.log(`GraphQL errors: ${errors}`);
    const slowest = statements
      .filter((s) => /^\s*select/i.test(s.sql))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
    for (const statement of slowest) {
      const formatted = mysql.format(statement.sql, statement.params as never[], false, 'Z');
      const started = performance.now();
      await probe.query(formatted);
      const alone = performance.now() - started;
      console.log(
        `\n- ${statement.ms.toFixed(1)} ms in the request, ${alone.toFixed(1)} ms alone: ${formatted.replace(/\s+/g, ' ').slice(0, 300)}`,
      );
      const [plan] = await probe.query(`EXPLAIN ${formatted}`);
      for (const row of plan as ExplainRow[]) {
        console.log(
          `    ${row.select_type} ${String(row.table)}: type=${String(row.type)} key=${String(row.key)} rows=${String(row.rows)} ${row.Extra ?? ''}`,
        );
      }
    }
  }
} finally {
  await probe.end();
  await stack.stop();
}
// Background workers of the in-process stack keep timers; the profile is done.
process.exit(0);
