/**
 * `npm run compose`: rewrites schema/supergraph.graphql from the subgraph SDL files.
 * `npm run compose:check` (`--check`): writes nothing and fails when the committed file is stale.
 */
import fs from 'node:fs';
import { composeSupergraph } from '../lib/compose.js';
import { SUPERGRAPH_PATH } from '../gateway/gateway.js';

try {
  const supergraph = composeSupergraph();
  if (process.argv.includes('--check')) {
    const committed = fs.existsSync(SUPERGRAPH_PATH) ? fs.readFileSync(SUPERGRAPH_PATH, 'utf8') : '';
    if (committed !== supergraph) {
      console.error(`${SUPERGRAPH_PATH} is stale: run \`npm run compose\` and commit it`);
      process.exit(1);
    }
    console.log(`${SUPERGRAPH_PATH} is current`);
  } else {
    fs.writeFileSync(SUPERGRAPH_PATH, supergraph);
    console.log(`Wrote ${SUPERGRAPH_PATH}`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
