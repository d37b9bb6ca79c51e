/** `npm run compose`: rewrites schema/supergraph.graphql from the subgraph SDL files. */
import fs from 'node:fs';
import { composeSupergraph } from '../lib/compose.js';
import { SUPERGRAPH_PATH } from '../gateway/gateway.js';

try {
  fs.writeFileSync(SUPERGRAPH_PATH, composeSupergraph());
  console.log(`Wrote ${SUPERGRAPH_PATH}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
