/**
 * `npm run start:<piece>`: one piece alone, the way production deploys it. A subgraph migrates
 * its own tables (never loads demo data); the gateway reads the committed supergraph.
 */
import { createGatewayApp } from '../gateway/gateway.js';
import { portOf, settings, SUBGRAPH_NAMES, type PieceName, type SubgraphName } from '../lib/config.js';
import { listen } from '../lib/server/http.js';
import { createSubgraphApp } from '../lib/server/subgraph-server.js';
import { SUBGRAPHS } from '../subgraphs/registry.js';
import { prepareDatabase } from './stack.js';

const piece = process.argv[2] as PieceName | undefined;
if (!piece || (piece !== 'gateway' && !SUBGRAPH_NAMES.includes(piece as SubgraphName))) {
  console.error(`usage: start-piece <gateway|${SUBGRAPH_NAMES.join('|')}>`);
  process.exit(2);
}

const host = process.env.HOST || '127.0.0.1';
let stop: () => Promise<void>;
if (piece === 'gateway') {
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

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stop().then(() => process.exit(0));
  });
}
