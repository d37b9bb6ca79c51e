import fs from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { SUBGRAPH_NAMES, type SubgraphName } from './config.js';
import { schemaPath } from './server/subgraph.js';

/**
 * Composition hints we have read and accept. Any other hint fails `npm run compose`, so a
 * schema change that introduces an unexpected inconsistency is noticed at once.
 */
const EXPECTED_HINTS = new Set<string>([]);

/** URL recorded in the committed supergraph (the default local ports); the gateway overrides it from env. */
function defaultUrl(name: SubgraphName): string {
  return `http://127.0.0.1:${{ customers: 4001, catalog: 4002, 'learner-credit': 4003, subscriptions: 4004 }[name]}/graphql`;
}

/** Composes `schema/<name>.graphql` of every subgraph into the supergraph SDL. Throws on errors or unexpected hints. */
export function composeSupergraph(): string {
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({
      name,
      url: defaultUrl(name),
      typeDefs: parse(fs.readFileSync(schemaPath(name), 'utf8')),
    })),
  );
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
  const unexpected = result.hints.filter((hint) => !EXPECTED_HINTS.has(hint.definition.code));
  if (unexpected.length) {
    throw new Error(
      `Unexpected composition hints:\n${unexpected.map((h) => `- [${h.definition.code}] ${h.message}`).join('\n')}`,
    );
  }
  return `${result.supergraphSdl.trim()}\n`;
}
