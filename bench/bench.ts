/**
 * `npm run bench [-- --quick] [-- --connections 1,10,50] [-- --duration 10] [-- --no-peer]`
 *
 * Starts the four subgraphs in production shape (one process each, NODE_ENV=production) on the
 * bench MySQL database, then one gateway at a time (ours, ours with the Redis response cache, Hive
 * Gateway with and without its Rust query planner; the others are not running, so peers do not
 * share the cores), and drives each headline operation at each concurrency. Per cell: requests/s,
 * p50/p95/p99, errors, SQL statements per request of each subgraph (from its own
 * `eg_sql_request_statements_total`), CPU milliseconds per request of every process (from
 * /proc/<pid>/stat: the gateway and its workers, each subgraph, MariaDB), and the ratio ours / Hive.
 * A cell sends for at least `--duration` seconds and `--min-requests` responses (at most
 * `--max-duration`), counts the responses still in flight when it stops, and the next cell starts
 * only once every piece is idle again. The full run writes bench/results/<date>.md. Figures are
 * printed, never asserted.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { SUBGRAPH_NAMES, type SubgraphName } from '../lib/config.js';
import { openDatabase, type Database } from '../lib/db/database.js';
import { PROJECT_ROOT } from '../lib/server/subgraph.js';
import { prepareDatabase } from '../scripts/stack.js';
import { runLoad, type LoadResult } from './load.js';
import { benchOperations, type BenchOperation } from './operations.js';
import { CLOCK_TICKS, cpuTicks, databaseServerPid, processTree, startProcess, stopAll, tsxArgs } from './processes.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    connections: { type: 'string' },
    duration: { type: 'string' },
    'min-requests': { type: 'string' },
    'max-duration': { type: 'string' },
    'no-peer': { type: 'boolean', default: false },
    'no-cache': { type: 'boolean', default: false },
    workers: { type: 'string' },
    database: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});

const quick = args.quick;
const connectionLevels = (args.connections ?? (quick ? '1,50' : '1,10,50')).split(',').map(Number);
const durationS = Number(args.duration ?? (quick ? 2 : 10));
const minRequests = Number(args['min-requests'] ?? (quick ? 20 : 100));
const maxDurationS = Math.max(durationS, Number(args['max-duration'] ?? (quick ? 20 : 60)));
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Processes per gateway, the same for ours (GATEWAY_WORKERS) and Hive (--fork). */
const workers = Number(args.workers ?? os.availableParallelism());
const databaseUrl = args.database ?? process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/enterprise_bench';
const BASE_PORT = Number(process.env.BENCH_BASE_PORT ?? 4100);
const ports = {
  gateway: BASE_PORT,
  customers: BASE_PORT + 1,
  catalog: BASE_PORT + 2,
  'learner-credit': BASE_PORT + 3,
  subscriptions: BASE_PORT + 4,
  cachedGateway: BASE_PORT + 5,
  hive: BASE_PORT + 10,
  hiveRust: BASE_PORT + 11,
};
const subgraphUrl = (name: SubgraphName) => `http://127.0.0.1:${ports[name]}/graphql`;
const metricsUrl = (name: SubgraphName) => `http://127.0.0.1:${ports[name]}/metrics`;
/** Short column names of the subgraphs. */
const SHORT: Record<SubgraphName, string> = {
  customers: 'cu',
  catalog: 'ca',
  'learner-credit': 'lc',
  subscriptions: 'su',
};

/** The processes whose CPU the table reports: the gateway under test, each subgraph, MariaDB. */
type ProcessName = 'gateway' | SubgraphName | 'db';
const PROCESS_NAMES: ProcessName[] = ['gateway', ...SUBGRAPH_NAMES, 'db'];

interface Snapshot {
  statements: Record<SubgraphName, number>;
  ticks: Record<ProcessName, number>;
}

interface Row {
  operation: string;
  target: string;
  connections: number;
  result: LoadResult;
  /** SQL statements per request of each subgraph (its own counter). */
  statements: Record<SubgraphName, number>;
  /** CPU milliseconds per request of each process; undefined when not measured (no gateway, no MariaDB pid). */
  cpuMs: Partial<Record<ProcessName, number>>;
}

function fmt(n: number | undefined, digits = 1): string {
  return n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** The sum of every sample of `name` in a Prometheus text exposition. */
function metricSum(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{.*\})? (\S+)$/.exec(line);
    if (match?.[1] === name) total += Number(match[2]);
  }
  return total;
}

async function scrape(name: SubgraphName): Promise<string> {
  const response = await fetch(metricsUrl(name), { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${metricsUrl(name)} answered ${response.status}`);
  return response.text();
}

/** The pieces of the run: subgraph processes, the gateway under test (when any), MariaDB's server. */
class Pieces {
  readonly subgraphs = new Map<SubgraphName, ChildProcess>();
  gateway: ChildProcess | undefined;
  readonly dbPid = databaseServerPid();

  pids(name: ProcessName): number[] {
    if (name === 'db') return this.dbPid ? [this.dbPid] : [];
    const child = name === 'gateway' ? this.gateway : this.subgraphs.get(name);
    return child?.pid ? processTree(child.pid) : [];
  }

  ticks(): Record<ProcessName, number> {
    return Object.fromEntries(PROCESS_NAMES.map((name) => [name, cpuTicks(this.pids(name))])) as Record<
      ProcessName,
      number
    >;
  }

  /** Ticks of our own pieces (MariaDB is shared with other clients: it is waited on through its process list). */
  ownTicks(): number {
    return PROCESS_NAMES.filter((name) => name !== 'db').reduce((sum, name) => sum + cpuTicks(this.pids(name)), 0);
  }

  async statements(): Promise<Record<SubgraphName, number>> {
    const texts = await Promise.all(SUBGRAPH_NAMES.map(scrape));
    return Object.fromEntries(
      SUBGRAPH_NAMES.map((name, i) => [name, metricSum(texts[i] ?? '', 'eg_sql_request_statements_total')]),
    ) as Record<SubgraphName, number>;
  }

  /** Requests the subgraphs are still serving (each scrape counts itself once). */
  async inFlight(): Promise<number> {
    const texts = await Promise.all(SUBGRAPH_NAMES.map(scrape));
    return texts.reduce((sum, text) => sum + Math.max(0, metricSum(text, 'eg_http_requests_in_flight') - 1), 0);
  }

  /** Ticks are read after the scrape at the start and before it at the end, so the scrapes stay out of the cell. */
  async before(): Promise<Snapshot> {
    const statements = await this.statements();
    return { statements, ticks: this.ticks() };
  }

  async after(): Promise<Snapshot> {
    const ticks = this.ticks();
    return { statements: await this.statements(), ticks };
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  if (!databaseUrl.startsWith('mysql://'))
    throw new Error('The benchmark runs on MySQL: set BENCH_DATABASE_URL=mysql://...');
  // Quick mode benches the demo data; the full run expects `npm run bench:data` to have filled the database.
  const prepared = await prepareDatabase(databaseUrl, { seed: 'if-empty' });
  await prepared.destroy();
  const stats = openDatabase(databaseUrl, { poolSize: 1 });
  const databaseName = new URL(databaseUrl).pathname.slice(1);
  const server = await serverFacts(stats, databaseName);
  console.log(
    `[bench] ${server.version}, InnoDB buffer pool ${server.bufferPoolMib} MiB, database ${server.databaseMib} MiB`,
  );
  if (server.bufferPoolMib < server.databaseMib) {
    console.warn(
      `[bench] the buffer pool is smaller than the database: reads go through the OS cache and the figures will be lower than on a sized server.\n` +
        `        As on any production MySQL, size it first, e.g. mysql -uroot -e "set global innodb_buffer_pool_size = ${Math.ceil(server.databaseMib / 1024) + 1} * 1024 * 1024 * 1024"`,
    );
  }

  const pieces = new Pieces();
  if (!pieces.dbPid)
    console.warn('[bench] no mariadbd/mysqld process on this machine: the CPU column of the database is n/a');
  // Production pieces refuse the public dev secret: a random one per run (this process mints
  // the bench tokens with it too), unless the caller set its own.
  process.env.JWT_SECRET ||= randomBytes(48).toString('base64');
  const env = {
    NODE_ENV: 'production',
    JWT_SECRET: process.env.JWT_SECRET,
    DATABASE_URL: databaseUrl,
    PORT: String(ports.gateway),
    CUSTOMERS_PORT: String(ports.customers),
    CATALOG_PORT: String(ports.catalog),
    LEARNER_CREDIT_PORT: String(ports['learner-credit']),
    SUBSCRIPTIONS_PORT: String(ports.subscriptions),
    CUSTOMERS_URL: subgraphUrl('customers'),
    CATALOG_URL: subgraphUrl('catalog'),
    LEARNER_CREDIT_URL: subgraphUrl('learner-credit'),
    SUBSCRIPTIONS_URL: subgraphUrl('subscriptions'),
    // `ours` runs uncached; `ours+redis` is the same gateway started with the Redis response cache.
    REDIS_URL: '',
    // Each piece serves /metrics on its own port (the bench scrapes the subgraphs').
    METRICS_PORT: '',
  };
  const [gatewayCmd, gatewayArgv] = tsxArgs('scripts/start-piece.ts', 'gateway');
  const ourGateway = (name: string, port: number, extra: Record<string, string>) => () =>
    startProcess(
      name,
      gatewayCmd,
      gatewayArgv,
      { ...env, PORT: String(port), GATEWAY_WORKERS: String(workers), ...extra },
      `http://127.0.0.1:${port}/health`,
    );

  interface Target {
    name: string;
    start?: () => Promise<ChildProcess>;
    /** Where the operation goes on this target; undefined: the target does not run it. */
    url: (operation: BenchOperation) => string | undefined;
  }
  const targets: Target[] = [
    {
      name: 'ours',
      start: ourGateway('gateway', ports.gateway, {}),
      url: () => `http://127.0.0.1:${ports.gateway}/graphql`,
    },
  ];
  if (!args['no-cache'])
    targets.push({
      name: 'ours+redis',
      start: ourGateway('gateway+redis', ports.cachedGateway, { REDIS_URL: redisUrl }),
      url: (op) => (op.oursOnly ? undefined : `http://127.0.0.1:${ports.cachedGateway}/graphql`),
    });
  let supergraphPath: string | undefined;
  if (!args['no-peer']) {
    // The peer reads the same supergraph with the subgraph URLs of this run.
    const supergraph = fs
      .readFileSync(path.join(PROJECT_ROOT, 'schema', 'supergraph.graphql'), 'utf8')
      .replace(
        /http:\/\/127\.0\.0\.1:400(\d)\/graphql/g,
        (_m, d: string) => `http://127.0.0.1:${BASE_PORT + Number(d)}/graphql`,
      );
    supergraphPath = path.join(os.tmpdir(), `bench-supergraph-${process.pid}.graphql`);
    fs.writeFileSync(supergraphPath, supergraph);
    const hive = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'hive-gateway');
    const config = ['--config-path', path.join(PROJECT_ROOT, 'bench', 'hive.config.ts')];
    for (const [name, port, extra] of [
      ['hive', ports.hive, [] as string[]],
      ['hive+rust', ports.hiveRust, ['--hive-router-runtime']],
    ] as const) {
      const file = supergraphPath;
      targets.push({
        name,
        start: () =>
          startProcess(
            name,
            hive,
            ['supergraph', file, '--port', String(port), '--fork', String(workers), ...config, ...extra],
            { NODE_ENV: 'production' },
            `http://127.0.0.1:${port}/healthcheck`,
          ),
        url: (op) => (op.oursOnly ? undefined : `http://127.0.0.1:${port}/graphql`),
      });
    }
  }
  targets.push({
    name: 'direct',
    url: (op) => (op.directSubgraph && !op.oursOnly ? subgraphUrl(op.directSubgraph) : undefined),
  });

  const rows: Row[] = [];
  try {
    for (const name of SUBGRAPH_NAMES) {
      const [cmd, argv] = tsxArgs('scripts/start-piece.ts', name);
      pieces.subgraphs.set(name, await startProcess(name, cmd, argv, env, `http://127.0.0.1:${ports[name]}/health`));
    }
    const operations = (await benchOperations(stats, { operator: '' })).filter(
      (op) => !args.only || op.name.includes(args.only),
    );
    for (const target of targets) {
      const planned = operations.filter((op) => target.url(op));
      if (!planned.length) continue;
      // One gateway at a time: the previous one is stopped before this one starts.
      if (target.start) {
        try {
          pieces.gateway = await target.start();
        } catch (error) {
          console.warn(`[bench] ${target.name} unavailable: ${(error as Error).message.split('\n')[0]}`);
          continue;
        }
      }
      try {
        for (const operation of planned) {
          const url = target.url(operation);
          if (!url) continue;
          const targetName = target.name === 'direct' ? `direct:${operation.directSubgraph}` : target.name;
          // Tokens are minted per run, so the cached gateway starts every operation cold (PRIVATE
          // entries are keyed by token); its warm-up is the first request of each cache entry.
          await settle(pieces, stats, databaseName);
          await runLoad({
            url,
            body: operation.body(),
            authorization: operation.authorization,
            connections: 4,
            minDurationS: 1,
            minRequests: 8,
            maxDurationS: 30,
          });
          for (const connections of connectionLevels) {
            await settle(pieces, stats, databaseName);
            const before = await pieces.before();
            const result = await runLoad({
              url,
              body: operation.body(),
              authorization: operation.authorization,
              connections,
              minDurationS: durationS,
              // Every connection answers at least twice, whatever --min-requests says.
              minRequests: Math.max(minRequests, 2 * connections),
              maxDurationS,
            });
            await settle(pieces, stats, databaseName);
            const after = await pieces.after();
            const row = toRow(operation.name, targetName, connections, result, before, after, pieces);
            rows.push(row);
            console.log(lineOf(row));
          }
        }
      } finally {
        if (pieces.gateway) await stopAll([pieces.gateway]);
        pieces.gateway = undefined;
      }
    }
    const report = renderReport(rows, {
      quick,
      databaseUrl,
      server,
      dbPid: pieces.dbPid,
      elapsedS: (performance.now() - started) / 1000,
    });
    console.log(`\n${report}`);
    if (!quick || args.out) {
      // bench/results/<date>.md for the default database; other databases (scale 10) get their name too.
      const day = new Date().toISOString().slice(0, 10);
      const file =
        args.out ??
        path.join(
          PROJECT_ROOT,
          'bench',
          'results',
          databaseName === 'enterprise_bench' ? `${day}.md` : `${day}-${databaseName}.md`,
        );
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, report);
      console.log(`Wrote ${file}`);
    }
  } finally {
    await stopAll([...(pieces.gateway ? [pieces.gateway] : []), ...pieces.subgraphs.values()]);
    await stats.destroy();
    if (supergraphPath) fs.rmSync(supergraphPath, { force: true });
  }
}

function toRow(
  operation: string,
  target: string,
  connections: number,
  result: LoadResult,
  before: Snapshot,
  after: Snapshot,
  pieces: Pieces,
): Row {
  const n = result.requests;
  const statements = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, n ? (after.statements[name] - before.statements[name]) / n : Number.NaN]),
  ) as Record<SubgraphName, number>;
  const cpuMs: Partial<Record<ProcessName, number>> = {};
  for (const name of PROCESS_NAMES) {
    if (name === 'gateway' && target.startsWith('direct:')) continue;
    if (name === 'db' && !pieces.dbPid) continue;
    cpuMs[name] = n ? ((after.ticks[name] - before.ticks[name]) * 1000) / CLOCK_TICKS / n : Number.NaN;
  }
  return { operation, target, connections, result, statements, cpuMs };
}

const totalStatements = (row: Row) => SUBGRAPH_NAMES.reduce((sum, name) => sum + row.statements[name], 0);

function lineOf(row: Row): string {
  const { result } = row;
  const errors = result.errors
    ? ` (${Object.entries(result.errorKinds)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(', ')})`
    : '';
  const sqlBy = SUBGRAPH_NAMES.map((name) => `${SHORT[name]} ${fmt(row.statements[name], 1)}`).join(' ');
  const cpuBy = PROCESS_NAMES.filter((name) => row.cpuMs[name] !== undefined)
    .map((name) => `${name === 'gateway' ? 'gw' : name === 'db' ? 'db' : SHORT[name]} ${fmt(row.cpuMs[name], 1)}`)
    .join(' ');
  return (
    `${row.operation.padEnd(26)} ${row.target.padEnd(15)} c=${String(row.connections).padStart(2)} ` +
    `${fmt(result.rps, 0).padStart(5)} req/s  p50 ${fmt(result.p50)}  p99 ${fmt(result.p99)} ms  ` +
    `n ${result.requests} (+${result.afterStop} after stop)  errors ${result.errors}${errors}  ` +
    `sql/req ${fmt(totalStatements(row), 1)} [${sqlBy}]  cpu ms/req [${cpuBy}]` +
    (result.cacheHits ? `  cache hits ${fmt((100 * result.cacheHits) / result.requests, 0)}%` : '')
  );
}

/**
 * Waits until every piece is idle (at most 120 s): the subgraphs serve no request, no statement
 * runs on the bench database, and the pieces' processes used at most 2 clock ticks in each of two
 * consecutive 200 ms windows. A cell's last responses are counted, but work the pieces still do
 * for requests a client gave up on (timeouts) would otherwise run into the next cell.
 */
async function settle(pieces: Pieces, database: Database, name: string): Promise<void> {
  const started = performance.now();
  let last = pieces.ownTicks();
  let quiet = 0;
  while (performance.now() - started < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const ticks = pieces.ownTicks();
    quiet = ticks - last <= 2 ? quiet + 1 : 0;
    last = ticks;
    if (quiet < 2) continue;
    const { rows } = await sql<{
      n: number | string;
    }>`select count(*) as n from information_schema.processlist where db = ${name} and command <> 'Sleep' and id <> connection_id()`.execute(
      database.db,
    );
    if (Number(rows[0]?.n ?? 0) === 0 && (await pieces.inFlight()) === 0) break;
    quiet = 0;
    last = pieces.ownTicks();
  }
  const waited = (performance.now() - started) / 1000;
  if (waited > 2) console.log(`[bench] waited ${waited.toFixed(1)}s for the pieces to drain`);
}

interface ServerFacts {
  version: string;
  bufferPoolMib: number;
  databaseMib: number;
}

/** What the figures depend on besides our code: the server and how much of the data fits its cache. */
async function serverFacts(database: Database, name: string): Promise<ServerFacts> {
  const { rows } = await sql<{ version: string; pool: number | string; size: number | string | null }>`
    select version() as version, @@innodb_buffer_pool_size as pool,
      (select sum(data_length + index_length) from information_schema.tables where table_schema = ${name}) as size`.execute(
    database.db,
  );
  const [row] = rows;
  if (!row) throw new Error('select version() returned no row');
  return {
    version: row.version,
    bufferPoolMib: Math.round(Number(row.pool) / 2 ** 20),
    databaseMib: Math.round(Number(row.size ?? 0) / 2 ** 20),
  };
}

const cellOf = (rows: readonly Row[], operation: string, target: string, connections: number) =>
  rows.find((r) => r.operation === operation && r.target === target && r.connections === connections);

function renderReport(
  rows: Row[],
  meta: { quick: boolean; databaseUrl: string; server: ServerFacts; dbPid: number | undefined; elapsedS: number },
): string {
  const sqlHeads = SUBGRAPH_NAMES.map((name) => `SQL ${SHORT[name]}`);
  const cpuHeads = PROCESS_NAMES.map((name) =>
    name === 'gateway' ? 'CPU gw' : name === 'db' ? 'CPU db' : `CPU ${SHORT[name]}`,
  );
  const lines = [
    `# Benchmark ${new Date().toISOString()}`,
    '',
    `${os.cpus().length} cores, node ${process.version}, ${meta.quick ? 'quick' : 'full'} run: each cell sends for at least ${durationS}s and ${minRequests} responses (at most ${maxDurationS}s) and counts the responses in flight when it stops; one gateway process tree (${workers} process(es)) at a time; database ${meta.databaseUrl.replace(/\/\/[^@]*@/, '//')} (${meta.server.databaseMib} MiB) on ${meta.server.version} with a ${meta.server.bufferPoolMib} MiB InnoDB buffer pool; total ${fmt(meta.elapsedS, 0)}s.`,
    '',
    `SQL columns: statements per request of each subgraph (customers, catalog, learner-credit, subscriptions) from its own \`eg_sql_request_statements_total\`. CPU columns: milliseconds of CPU per request (utime + stime from /proc, ${CLOCK_TICKS} ticks/s) of the gateway under test with its workers, of each subgraph, and of ${meta.dbPid ? `the database server (pid ${meta.dbPid}; it also serves any other client of the server)` : 'the database server (not found: n/a)'}.`,
    '',
    `| operation | target | conns | req/s | p50 ms | p95 ms | p99 ms | errors | requests | ok req/s | ${sqlHeads.join(' | ')} | SQL/req | ${cpuHeads.join(' | ')} | cache hits | ours/hive ok req/s | gateway p50 / direct p50 |`,
    `|---|---|---:|---:|---:|---:|---:|---:|---:|---:|${'---:|'.repeat(sqlHeads.length + 1 + cpuHeads.length + 3)}`,
  ];
  for (const row of rows) {
    const peer = cellOf(rows, row.operation, 'hive', row.connections);
    const direct = rows.find(
      (r) => r.operation === row.operation && r.connections === row.connections && r.target.startsWith('direct:'),
    );
    const ratio = row.target === 'ours' && peer ? fmt(row.result.okRps / peer.result.okRps, 2) : '';
    const overhead = row.target === 'ours' && direct ? fmt(row.result.p50 / direct.result.p50, 2) : '';
    const r = row.result;
    lines.push(
      `| ${row.operation} | ${row.target} | ${row.connections} | ${fmt(r.rps, 0)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${r.errors} | ${r.requests} | ${fmt(r.okRps, 0)} | ${SUBGRAPH_NAMES.map((name) => fmt(row.statements[name], 1)).join(' | ')} | ${fmt(totalStatements(row), 1)} | ${PROCESS_NAMES.map((name) => (row.cpuMs[name] === undefined ? '' : fmt(row.cpuMs[name], 2))).join(' | ')} | ${r.requests ? `${fmt((100 * r.cacheHits) / r.requests, 0)}%` : ''} | ${ratio} | ${overhead} |`,
    );
  }
  lines.push('', ...tenant10Lines(rows), '', '## Targets (issue 17)', '', ...targetLines(rows));
  return `${lines.join('\n')}\n`;
}

/** `10x tenant: admin dashboard p50 ratio N x` at the lowest concurrency, then every concurrency. */
function tenant10Lines(rows: Row[]): string[] {
  const pairs = rows
    .filter((row) => row.target === 'ours' && row.operation.endsWith(' 10x tenant'))
    .map((big) => ({ big, normal: cellOf(rows, big.operation.replace(/ 10x tenant$/, ''), 'ours', big.connections) }))
    .filter((pair): pair is { big: Row; normal: Row } => pair.normal !== undefined)
    .sort((a, b) => a.big.connections - b.big.connections);
  const [first] = pairs;
  if (!first) return ['10x tenant: not run (load it with `npm run bench:data -- --tenant10`; see bench/README.md)'];
  const ratio = (pair: { big: Row; normal: Row }) => pair.big.result.p50 / pair.normal.result.p50;
  return [
    `10x tenant: admin dashboard p50 ratio ${fmt(ratio(first), 2)} x`,
    '',
    ...pairs.map(
      (pair) =>
        `- c=${pair.big.connections}: p50 ${fmt(pair.big.result.p50)} ms (10x tenant) / ${fmt(pair.normal.result.p50)} ms (bench customer) = ${fmt(ratio(pair), 2)}x, ok req/s ${fmt(pair.big.result.okRps, 1)} / ${fmt(pair.normal.result.okRps, 1)}, errors ${pair.big.result.errors} / ${pair.normal.result.errors}, SQL/req ${fmt(totalStatements(pair.big), 1)} / ${fmt(totalStatements(pair.normal), 1)}`,
    ),
  ];
}

/** The issue's targets, each judged from this run's rows (n/a: the cell was not run). */
function targetLines(rows: Row[]): string[] {
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : 'NOT met');
  const lines: string[] = [];
  const admin = cellOf(rows, 'admin dashboard', 'ours', 1);
  lines.push(
    `- admin dashboard, ours, c=1: ${fmt(admin?.result.okRps)} ok req/s (target >= 20), p50 ${fmt(admin?.result.p50)} ms (target <= 60): ${verdict(admin && admin.result.okRps >= 20 && admin.result.p50 <= 60)}`,
  );
  const catalog = cellOf(rows, 'catalog page', 'ours', 10);
  lines.push(
    `- catalog page, ours, c=10: ${fmt(catalog?.result.okRps)} ok req/s (target >= 30): ${verdict(catalog && catalog.result.okRps >= 30)}`,
  );
  const learner = cellOf(rows, 'learner dashboard', 'ours', 1);
  lines.push(
    `- learner dashboard, ours, c=1: p50 ${fmt(learner?.result.p50)} ms (target <= 30): ${verdict(learner && learner.result.p50 <= 30)}`,
  );
  const big = cellOf(rows, 'admin dashboard 10x tenant', 'ours', 1);
  const bigRatio = big && admin ? big.result.p50 / admin.result.p50 : undefined;
  lines.push(
    `- 10x tenant admin dashboard, ours, c=1: p50 ratio ${bigRatio === undefined ? 'n/a' : `${fmt(bigRatio, 2)}x`} (target <= 1.5x): ${verdict(bigRatio === undefined ? undefined : bigRatio <= 1.5)}`,
  );
  for (const operation of ['catalog page', 'admin dashboard', 'learner dashboard']) {
    const cached = cellOf(rows, operation, 'ours+redis', 50);
    lines.push(
      `- ${operation}, ours+redis, c=50: p99 ${fmt(cached?.result.p99)} ms (target < 100), errors ${cached?.result.errors ?? 'n/a'}: ${verdict(cached && cached.result.p99 < 100 && cached.result.errors === 0)}`,
    );
  }
  for (const operation of new Set(rows.filter((r) => r.target === 'hive').map((r) => r.operation))) {
    for (const connections of connectionLevels) {
      const ours = cellOf(rows, operation, 'ours', connections);
      const peer = cellOf(rows, operation, 'hive', connections);
      const rust = cellOf(rows, operation, 'hive+rust', connections);
      if (!ours || !peer) continue;
      const vsRust = rust ? `, vs hive+rust ${fmt(ours.result.okRps / rust.result.okRps, 2)}` : '';
      lines.push(
        `- ${operation} throughput (ok req/s), c=${connections}: ours/hive ${fmt(ours.result.okRps / peer.result.okRps, 2)}${vsRust} (target >= 0.95, uncached vs uncached): ${verdict(ours.result.okRps >= 0.95 * peer.result.okRps)}`,
      );
    }
  }
  for (const operation of new Set(rows.filter((r) => r.target.startsWith('direct:')).map((r) => r.operation))) {
    for (const connections of connectionLevels) {
      const ours = cellOf(rows, operation, 'ours', connections);
      const direct = rows.find(
        (r) => r.operation === operation && r.connections === connections && r.target.startsWith('direct:'),
      );
      if (ours && direct)
        lines.push(
          `- ${operation} gateway overhead (issue 7), c=${connections}: p50 ${fmt(ours.result.p50)} vs direct ${fmt(direct.result.p50)} ms = ${fmt(ours.result.p50 / direct.result.p50, 2)}x (target <= 1.5x): ${verdict(ours.result.p50 <= 1.5 * direct.result.p50)}`,
        );
    }
  }
  return lines;
}

await main();
