/**
 * `npm run start:<piece>`: one piece alone, the way production deploys it. A subgraph migrates
 * its own tables (never loads demo data); the gateway reads the committed supergraph.
 */
import cluster from 'node:cluster';
import { createGatewayApp } from '../gateway/gateway.js';
import { checkJwtSecretOrExit, portOf, settings, SUBGRAPH_NAMES, type PieceName } from '../lib/config.js';
import { listen } from '../lib/server/http.js';
import { createSubgraphApp } from '../lib/server/subgraph-server.js';
import { onShutdownSignals, type ShutdownStep } from '../lib/server/shutdown.js';
import { pieceLogger } from '../lib/observability/logger.js';
import { startMetricsServer } from '../lib/observability/http.js';
import { stopTracing } from '../lib/observability/tracing.js';
import { SUBGRAPHS } from '../subgraphs/registry.js';
import { prepareDatabase } from './stack.js';

const piece = process.argv[2] as PieceName | undefined;
if (!piece || (piece !== 'gateway' && !SUBGRAPH_NAMES.includes(piece))) {
  console.error(`usage: start-piece <gateway|${SUBGRAPH_NAMES.join('|')}>`);
  process.exit(2);
}

// Before anything opens: production never runs with a guessable token secret. Workers are
// forked by a primary that has already checked.
if (cluster.isPrimary) checkJwtSecretOrExit(piece);

const log = pieceLogger(piece);
const host = process.env.HOST || '127.0.0.1';
const workers = piece === 'gateway' ? settings.gatewayWorkers() : 1;
let steps: (deadline: number) => ShutdownStep[];
if (workers > 1 && cluster.isPrimary) {
  // GATEWAY_WORKERS: the gateway is stateless (plans are per process, caches in Redis), so
  // several processes share its port; the primary only supervises them (and, with METRICS_PORT,
  // serves every worker's metrics summed).
  for (let i = 0; i < workers; i += 1) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code) => {
    if (!stopping)
      log.error({ worker: worker.process.pid, code }, `[gateway] worker ${worker.process.pid} exited with ${code}`);
  });
  log.info(`[gateway] ${workers} workers`);
  const metrics = await startMetricsServer(host, { cluster: true });
  steps = (deadline) => {
    stopping = true;
    return [
      {
        name: 'every worker drained',
        run: async () => {
          const codes = await Promise.all(
            Object.values(cluster.workers ?? {}).map(
              (worker) =>
                new Promise<number | null>((resolve) => {
                  if (!worker || worker.isDead()) {
                    resolve(0);
                    return;
                  }
                  worker.once('exit', (code: number | null) => {
                    resolve(code);
                  });
                  // The worker's own handler drains it; past the grace period it is killed.
                  worker.process.kill('SIGTERM');
                  setTimeout(() => worker.process.kill('SIGKILL'), Math.max(0, deadline - Date.now()) + 500).unref();
                }),
            ),
          );
          if (codes.some((code) => code !== 0)) throw new Error(`worker exit codes ${codes.join(', ')}`);
        },
      },
      { name: 'metrics server closed', run: async () => metrics?.close(deadline) },
    ];
  };
} else if (piece === 'gateway') {
  // A bad setting (CORS_ORIGINS, a missing or malformed PERSISTED_QUERIES_MANIFEST) is one line, like JWT_SECRET's.
  const gateway = await createGatewayApp().catch((error: unknown) => {
    console.error(`[gateway] refusing to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
  const http = await listen(gateway.app, portOf('gateway'), host);
  const metrics = cluster.isWorker ? undefined : await startMetricsServer(host);
  log.info(`[gateway] ${http.url}/graphql`);
  steps = (deadline) => {
    const drained = http.close(deadline);
    return [
      { name: 'not accepting connections, /health answers 503', run: () => Promise.resolve() },
      { name: 'requests in flight answered', run: () => drained },
      { name: 'gateway stopped (subgraph and Redis connections closed)', run: () => gateway.stop() },
      { name: 'metrics server closed', run: async () => metrics?.close(deadline) },
      { name: 'traces flushed', run: stopTracing },
    ];
  };
} else {
  const readUrl = settings.databaseReadUrl();
  const database = await prepareDatabase(settings.databaseUrl(), {
    subgraphs: [piece],
    seed: 'never',
    ...(readUrl ? { readUrl } : {}),
  });
  const app = await createSubgraphApp(SUBGRAPHS[piece], database.db);
  const http = await listen(app.app, portOf(piece), host);
  const metrics = await startMetricsServer(host);
  log.info(`[${piece}] ${http.url}/graphql (${database.dialect})`);
  steps = (deadline) => {
    const drained = http.close(deadline);
    const background = app.stopBackground();
    return [
      { name: 'not accepting connections, /health answers 503', run: () => Promise.resolve() },
      {
        name: 'background work stopped (no new claims; the current run finished and released its lease)',
        run: () => background,
      },
      { name: 'requests in flight answered', run: () => drained },
      { name: 'GraphQL server stopped', run: () => app.stop() },
      { name: 'database pool closed', run: () => database.destroy() },
      { name: 'metrics server closed', run: async () => metrics?.close(deadline) },
      { name: 'traces flushed', run: stopTracing },
    ];
  };
}

onShutdownSignals(piece, steps);
