/**
 * `npm run bench [-- --quick] [-- --connections 1,10,50] [-- --duration 10] [-- --no-peer]`
 *
 * Starts the graph in production shape (one process per piece, NODE_ENV=production) on the bench
 * MySQL database, plus the peer gateway (Hive Gateway, with and without its Rust query planner)
 * on the same subgraphs, warms everything up, then drives each headline operation with autocannon
 * at each concurrency and prints one table: requests/s, p50/p95/p99, errors, SQL statements per
 * request (MySQL `Questions` delta / requests), the direct-to-subgraph baseline for
 * single-subgraph reads, and the ratio ours / peer. The full run also writes
 * bench/results/<date>-<database>.md. Figures are printed, never asserted.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { mintToken } from '../lib/auth/token.js';
import { SUBGRAPH_NAMES, type SubgraphName } from '../lib/config.js';
import { openDatabase, type Database } from '../lib/db/database.js';
import { PROJECT_ROOT } from '../lib/server/subgraph.js';
import { prepareDatabase } from '../scripts/stack.js';
import { runLoad, type LoadResult } from './load.js';
import { benchOperations, type BenchOperation } from './operations.js';
import { startProcess, stopAll, tsxArgs } from './processes.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    connections: { type: 'string' },
    duration: { type: 'string' },
    'no-peer': { type: 'boolean', default: false },
    'no-cache': { type: 'boolean', default: false },
    workers: { type: 'string' },
    database: { type: 'string' },
    only: { type: 'string' },
  },
});

const quick = args.quick;
const connectionLevels = (args.connections ?? (quick ? '1,50' : '1,10,50')).split(',').map(Number);
const durationS = Number(args.duration ?? (quick ? 2 : 10));
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

async function questions(database: Database): Promise<number> {
  // MariaDB names the column `Value`; the lower-case spelling is kept for servers that fold it.
  const { rows } = await sql<{ Value?: string; value?: string }>`show global status like 'Questions'`.execute(
    database.db,
  );
  return Number(rows[0]?.value ?? rows[0]?.Value ?? 0);
}

interface Row {
  operation: string;
  target: string;
  connections: number;
  result: LoadResult;
  statementsPerRequest: number;
}

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
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

  const children: ChildProcess[] = [];
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
    // `ours` runs uncached; `ours+redis` is a second gateway process with the Redis response cache.
    REDIS_URL: '',
  };
  try {
    for (const name of SUBGRAPH_NAMES) {
      const [cmd, argv] = tsxArgs('scripts/start-piece.ts', name);
      children.push(await startProcess(name, cmd, argv, env, `http://127.0.0.1:${ports[name]}/health`));
    }
    const [cmd, argv] = tsxArgs('scripts/start-piece.ts', 'gateway');
    children.push(
      await startProcess(
        'gateway',
        cmd,
        argv,
        { ...env, GATEWAY_WORKERS: String(workers) },
        `http://127.0.0.1:${ports.gateway}/health`,
      ),
    );

    const targets: { name: string; url: string }[] = [
      { name: 'ours', url: `http://127.0.0.1:${ports.gateway}/graphql` },
    ];
    if (!args['no-cache']) {
      try {
        children.push(
          await startProcess(
            'gateway+redis',
            cmd,
            argv,
            { ...env, PORT: String(ports.cachedGateway), REDIS_URL: redisUrl, GATEWAY_WORKERS: String(workers) },
            `http://127.0.0.1:${ports.cachedGateway}/health`,
          ),
        );
        targets.push({ name: 'ours+redis', url: `http://127.0.0.1:${ports.cachedGateway}/graphql` });
      } catch (error) {
        console.warn(
          `[bench] cached gateway unavailable (Redis at ${redisUrl}?): ${(error as Error).message.split('\n')[0]}`,
        );
      }
    }
    if (!args['no-peer']) {
      // The peer reads the same supergraph with the subgraph URLs of this run.
      const supergraph = fs
        .readFileSync(path.join(PROJECT_ROOT, 'schema', 'supergraph.graphql'), 'utf8')
        .replace(
          /http:\/\/127\.0\.0\.1:400(\d)\/graphql/g,
          (_m, d: string) => `http://127.0.0.1:${BASE_PORT + Number(d)}/graphql`,
        );
      const supergraphPath = path.join(os.tmpdir(), `bench-supergraph-${process.pid}.graphql`);
      fs.writeFileSync(supergraphPath, supergraph);
      const hive = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'hive-gateway');
      const config = ['--config-path', path.join(PROJECT_ROOT, 'bench', 'hive.config.ts')];
      for (const [name, port, extra] of [
        ['hive', ports.hive, [] as string[]],
        ['hive+rust', ports.hiveRust, ['--hive-router-runtime']],
      ] as const) {
        try {
          children.push(
            await startProcess(
              name,
              hive,
              ['supergraph', supergraphPath, '--port', String(port), '--fork', String(workers), ...config, ...extra],
              { NODE_ENV: 'production' },
              `http://127.0.0.1:${port}/healthcheck`,
            ),
          );
          targets.push({ name, url: `http://127.0.0.1:${port}/graphql` });
        } catch (error) {
          console.warn(`[bench] peer ${name} unavailable: ${(error as Error).message.split('\n')[0]}`);
        }
      }
    }

    const tokens = {
      operator: `JWT ${await mintToken({ roles: ['enterprise_openedx_operator:*'], userId: 1, expiresIn: '2h' })}`,
    };
    const operations = (await benchOperations(stats, tokens)).filter((op) => !args.only || op.name.includes(args.only));
    const rows: Row[] = [];
    for (const operation of operations) {
      const opTargets = [...targets];
      if (operation.directSubgraph)
        opTargets.push({ name: `direct:${operation.directSubgraph}`, url: subgraphUrl(operation.directSubgraph) });
      for (const target of opTargets) {
        if (operation.kind === 'write' && target.name !== 'ours') continue;
        // Tokens are minted per run, so the cached gateway starts every operation cold (PRIVATE
        // entries are keyed by token); its warm-up is the first request of each cache entry.
        await settle(stats, databaseName);
        await warmUp(target.url, operation);
        for (const connections of connectionLevels) {
          await settle(stats, databaseName);
          const before = await questions(stats);
          const result = await runLoad({
            url: target.url,
            body: operation.body(),
            authorization: operation.authorization,
            connections,
            durationS,
          });
          const after = await questions(stats);
          // Our own two status queries are subtracted.
          const statementsPerRequest = result.requests ? (after - before - 2) / result.requests : Number.NaN;
          rows.push({ operation: operation.name, target: target.name, connections, result, statementsPerRequest });
          console.log(
            `${operation.name.padEnd(18)} ${target.name.padEnd(16)} c=${String(connections).padStart(2)}  ${fmt(result.rps, 0).padStart(6)} req/s  p50 ${fmt(result.p50)}  p95 ${fmt(result.p95)}  p99 ${fmt(result.p99)} ms  errors ${result.errors}${
              result.errors
                ? ` (${Object.entries(result.errorKinds)
                    .map(([kind, n]) => `${n} ${kind}`)
                    .join(', ')})`
                : ''
            }  sql/req ${fmt(statementsPerRequest, 2)}${result.cacheHits ? `  cache hits ${fmt((100 * result.cacheHits) / result.requests, 0)}%` : ''}`,
          );
        }
      }
    }
    const report = renderReport(rows, {
      quick,
      durationS,
      databaseUrl,
      server,
      elapsedS: (performance.now() - started) / 1000,
    });
    console.log(`\n${report}`);
    if (!quick) {
      // One file per day and database, so the scale 1 and scale 10 runs of a day sit side by side.
      const file = path.join(
        PROJECT_ROOT,
        'bench',
        'results',
        `${new Date().toISOString().slice(0, 10)}-${databaseName}.md`,
      );
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, report);
      console.log(`Wrote ${file}`);
    }
  } finally {
    await stopAll(children);
    await stats.destroy();
  }
}

/**
 * Waits until no statement is running on the bench database (at most 120 s). A cell ends while
 * up to `connections` requests are still being served; when they are slow, their queries would
 * otherwise run into the next cell and starve it (a whole run once reported no responses at all
 * after one overloaded cell).
 */
async function settle(database: Database, name: string): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < 120_000) {
    const { rows } = await sql<{
      n: number | string;
    }>`select count(*) as n from information_schema.processlist where db = ${name} and command <> 'Sleep' and id <> connection_id()`.execute(
      database.db,
    );
    if (Number(rows[0]?.n ?? 0) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const waited = (performance.now() - started) / 1000;
  if (waited > 1) console.log(`[bench] waited ${waited.toFixed(1)}s for the previous cell's queries to finish`);
}

async function warmUp(url: string, operation: BenchOperation): Promise<void> {
  await runLoad({ url, body: operation.body(), authorization: operation.authorization, connections: 4, durationS: 1 });
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

function renderReport(
  rows: Row[],
  meta: { quick: boolean; durationS: number; databaseUrl: string; server: ServerFacts; elapsedS: number },
): string {
  const lines = [
    `# Benchmark ${new Date().toISOString()}`,
    '',
    `${os.cpus().length} cores, node ${process.version}, ${meta.quick ? 'quick' : 'full'} run, ${meta.durationS}s per cell, ${workers} process(es) per gateway, database ${meta.databaseUrl.replace(/\/\/[^@]*@/, '//')} (${meta.server.databaseMib} MiB) on ${meta.server.version} with a ${meta.server.bufferPoolMib} MiB InnoDB buffer pool, total ${fmt(meta.elapsedS, 0)}s`,
    '',
    '| operation | target | conns | req/s | p50 ms | p95 ms | p99 ms | errors | SQL/req | cache hits | ours/peer req/s | gateway p50 / direct p50 |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const peer = rows.find(
      (r) => r.operation === row.operation && r.connections === row.connections && r.target === 'hive',
    );
    const direct = rows.find(
      (r) => r.operation === row.operation && r.connections === row.connections && r.target.startsWith('direct:'),
    );
    const ratio = row.target === 'ours' && peer ? fmt(row.result.rps / peer.result.rps, 2) : '';
    const overhead = row.target === 'ours' && direct ? fmt(row.result.p50 / direct.result.p50, 2) : '';
    lines.push(
      `| ${row.operation} | ${row.target} | ${row.connections} | ${fmt(row.result.rps, 0)} | ${fmt(row.result.p50)} | ${fmt(row.result.p95)} | ${fmt(row.result.p99)} | ${row.result.errors} | ${fmt(row.statementsPerRequest, 2)} | ${row.result.requests ? `${fmt((100 * row.result.cacheHits) / row.result.requests, 0)}%` : ''} | ${ratio} | ${overhead} |`,
    );
  }
  lines.push('', '## Targets (issue 7)', '', ...targetLines(rows));
  return `${lines.join('\n')}\n`;
}

/** The issue's targets, each judged from this run's rows (n/a: the cell was not run). */
function targetLines(rows: Row[]): string[] {
  const cell = (operation: string, target: string, connections: number) =>
    rows.find((r) => r.operation === operation && r.target === target && r.connections === connections);
  const top = Math.max(...connectionLevels);
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : 'NOT met');
  const lines: string[] = [];
  for (const [operation, limit] of [
    ['catalog page', 100],
    ['learner dashboard', 100],
    ['admin dashboard', 200],
  ] as const) {
    for (const target of ['ours', 'ours+redis']) {
      const row = cell(operation, target, top);
      const ok = row ? row.result.p99 < limit && row.result.errors === 0 : undefined;
      lines.push(
        `- ${operation}, ${target}, c=${top}: p99 ${row ? fmt(row.result.p99) : 'n/a'} ms (target < ${limit}), errors ${row?.result.errors ?? 'n/a'}: ${verdict(ok)}`,
      );
    }
  }
  for (const operation of new Set(rows.filter((r) => r.target.startsWith('direct:')).map((r) => r.operation))) {
    for (const connections of connectionLevels) {
      const ours = cell(operation, 'ours', connections);
      const direct = rows.find(
        (r) => r.operation === operation && r.connections === connections && r.target.startsWith('direct:'),
      );
      if (ours && direct)
        lines.push(
          `- ${operation} gateway overhead, c=${connections}: p50 ${fmt(ours.result.p50)} vs direct ${fmt(direct.result.p50)} ms = ${fmt(ours.result.p50 / direct.result.p50, 2)}x (target <= 1.5x): ${verdict(ours.result.p50 <= 1.5 * direct.result.p50)}`,
        );
    }
  }
  for (const operation of new Set(rows.filter((r) => r.target === 'hive').map((r) => r.operation))) {
    for (const connections of connectionLevels) {
      const ours = cell(operation, 'ours', connections);
      const peer = cell(operation, 'hive', connections);
      const rust = cell(operation, 'hive+rust', connections);
      if (!ours || !peer) continue;
      const vsRust = rust ? `, vs hive+rust ${fmt(ours.result.rps / rust.result.rps, 2)}` : '';
      lines.push(
        `- ${operation} throughput, c=${connections}: ours/hive ${fmt(ours.result.rps / peer.result.rps, 2)}${vsRust} (target >= 1, uncached vs uncached): ${verdict(ours.result.rps >= peer.result.rps)}`,
      );
    }
  }
  return lines;
}

await main();
