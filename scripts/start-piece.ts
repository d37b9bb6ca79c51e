/**
 * `npm run start:<piece>`: one piece alone, the way production deploys it. A subgraph migrates
 * its own tables (never loads demo data); the gateway reads the committed supergraph.
 */
import cluster from 'node:cluster';
import { createGatewayApp } from '../gateway/gateway.js';
import { checkJwtSecretOrExit, portOf, settings, SUBGRAPH_NAMES, type PieceName, type SubgraphName } from '../lib/config.js';
import { listen } from '../lib/server/http.js';
import { createSubgraphApp } from '../lib/server/subgraph-server.js';
import { SUBGRAPHS } from '../subgraphs/registry.js';
import { prepareDatabase } from './stack.js';

const piece = process.argv[2] as PieceName | undefined;
if (!piece || (piece !== 'gateway' && !SUBGRAPH_NAMES.includes(piece as SubgraphName))) {
  console.error(`usage: start-piece <gateway|${SUBGRAPH_NAMES.join('|')}>`);
  process.exit(2);
}

// Before anything opens: production never runs with a guessable token secret. Workers are
// forked by a primary that has already checked.
if (cluster.isPrimary) checkJwtSecretOrExit(piece);

const host = process.env.HOST || '127.0.0.1';
let stop: () => Promise<void>;
const workers = piece === 'gateway' ? settings.gatewayWorkers() : 1;
if (workers > 1 && cluster.isPrimary) {
  // GATEWAY_WORKERS: the gateway is stateless (plans are per process, caches in Redis), so
  // several processes share its port; the primary only supervises them.
  for (let i = 0; i < workers; i += 1) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (!stopping) console.error(`[gateway] worker ${worker.process.pid} exited with ${code}`);
  });
  console.log(`[gateway] ${workers} workers`);
  stop = async () => {
    await Promise.all(
      Object.values(cluster.workers ?? {}).map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (!worker || worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            worker.kill('SIGTERM');
          }),
      ),
    );
  };
} else if (piece === 'gateway') {
  const gateway = await createGatewayApp();
  const http = await listen(gateway.app, portOf('gateway'), host);
  console.log(`[gateway] ${http.url}/graphql`);
  stop = async () => {
    await http.close();
    await gateway.stop();
  };
} else {
  const database = await prepareDatabase(settings.databaseUrl(), {
    subgraphs: [piece],
    seed: 'never',
    ...(settings.databaseReadUrl() ? { readUrl: settings.databaseReadUrl()! } : {}),
  });
  const app = await createSubgraphApp(SUBGRAPHS[piece], database.db);
  const http = await listen(app.app, portOf(piece), host);
  console.log(`[${piece}] ${http.url}/graphql (${database.dialect})`);
  stop = async () => {
    await http.close();
    await app.stop();
    await database.destroy();
  };
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopping = true;
    void stop().then(() => process.exit(0));
  });
}
