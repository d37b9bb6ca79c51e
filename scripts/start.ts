/**
 * `npm start`: the whole graph in one process for development and demos. Migrates the
 * database, loads the demo data when it is empty, and prints the Sandbox URL and tokens.
 */
import { checkJwtSecretOrExit, portOf, settings, SUBGRAPH_NAMES } from '../lib/config.js';
import { DEMO } from '../lib/demo-ids.js';
import { mintToken } from '../lib/auth/token.js';
import { startStack } from './stack.js';
import { onShutdownSignals } from '../lib/server/shutdown.js';
import { startMetricsServer } from '../lib/observability/http.js';
import { stopTracing } from '../lib/observability/tracing.js';

// `npm start` is the development entry, but NODE_ENV=production makes it as strict as a deploy.
checkJwtSecretOrExit('start');

const started = performance.now();
const readUrl = settings.databaseReadUrl();
const stack = await startStack({
  databaseUrl: settings.databaseUrl(),
  ...(readUrl ? { readUrl } : {}),
  seed: 'if-empty',
  ports: Object.fromEntries([...SUBGRAPH_NAMES, 'gateway' as const].map((piece) => [piece, portOf(piece)])),
  host: process.env.HOST || '127.0.0.1',
});
const metrics = await startMetricsServer(process.env.HOST || '127.0.0.1');
const operator = await mintToken({
  roles: ['enterprise_openedx_operator:*'],
  userId: DEMO.users.operatorId,
  email: DEMO.users.operatorEmail,
  expiresIn: '30d',
});
const admin = await mintToken({
  roles: [`enterprise_admin:${DEMO.customers.sealTeamTen}`, `enterprise_learner:${DEMO.customers.sealTeamTen}`],
  userId: DEMO.users.adminId,
  email: DEMO.users.adminEmail,
  expiresIn: '30d',
});
const learner = await mintToken({
  roles: [`enterprise_learner:${DEMO.customers.sealTeamTen}`],
  userId: DEMO.users.learnerId,
  email: DEMO.users.learnerEmail,
  expiresIn: '30d',
});

console.log(`
Enterprise graph ready in ${Math.round(performance.now() - started)} ms (${stack.database.dialect}: ${settings.databaseUrl().replace(/\/\/[^@]*@/, '//***@')})

  Sandbox:   ${stack.gatewayUrl.replace('127.0.0.1', 'localhost')}
${SUBGRAPH_NAMES.map((name) => `  ${name.padEnd(15)}${stack.subgraphs[name].http.url}/graphql`).join('\n')}

Paste one of these into Sandbox's Headers as  Authorization: JWT <token>

  operator (everything):
    ${operator}
  admin of Seal Team Ten (${DEMO.customers.sealTeamTen}):
    ${admin}
  learner of Seal Team Ten (lms user ${DEMO.users.learnerId}):
    ${learner}
`);

onShutdownSignals('stack', (deadline) => [
  ...stack.shutdownSteps(deadline),
  { name: 'metrics server closed', run: async () => metrics?.close(deadline) },
  { name: 'traces flushed', run: stopTracing },
]);
