/**
 * `npm run codegen` (after graphql-codegen) writes `client/persisted-query-manifest.json`, the
 * trusted documents of the gateway (gateway/persisted-queries.ts), from client-preset's
 * `client/generated/persisted-documents.json`; `npm run codegen:check` (`--check`) fails when the
 * committed manifest is not what that file gives.
 *
 * Usage: tsx scripts/persisted-query-manifest.ts [--check] [--documents <file>] [--out <file>]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import prettier from 'prettier';
import { buildManifest } from '../gateway/persisted-queries.js';
import { PROJECT_ROOT } from '../lib/server/subgraph.js';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    documents: { type: 'string', default: path.join(PROJECT_ROOT, 'client', 'generated', 'persisted-documents.json') },
    out: { type: 'string', default: path.join(PROJECT_ROOT, 'client', 'persisted-query-manifest.json') },
  },
});
const documentsFile = path.resolve(values.documents);
const outFile = path.resolve(values.out);
const shown = (file: string) => path.relative(process.cwd(), file) || file;

function fail(message: string): never {
  console.error(`[persisted-query-manifest] ${message}`);
  process.exit(1);
}

if (!fs.existsSync(documentsFile)) {
  // Before the client exists there is nothing to list; a manifest without its source is stale.
  if (fs.existsSync(outFile))
    fail(`${shown(outFile)} exists but ${shown(documentsFile)} does not: run npm run codegen`);
  console.log(`[persisted-query-manifest] no ${shown(documentsFile)}: no client operations, no manifest`);
  process.exit(0);
}

let manifestText: string;
try {
  const documents = JSON.parse(fs.readFileSync(documentsFile, 'utf8')) as Record<string, string>;
  const manifest = buildManifest(documents);
  // Formatted as `npm run format` would, so `format:check` and this check agree.
  const options = (await prettier.resolveConfig(outFile)) ?? {};
  manifestText = await prettier.format(JSON.stringify(manifest), { ...options, filepath: outFile });
} catch (error) {
  fail(`${shown(documentsFile)}: ${(error as Error).message}`);
}

const count = (text: string) => (JSON.parse(text) as { operations: unknown[] }).operations.length;
if (values.check) {
  const committed = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : undefined;
  if (committed !== manifestText)
    fail(
      `${shown(outFile)} is ${committed === undefined ? 'missing' : 'stale'}: it does not list the operations of ${shown(documentsFile)}; run npm run codegen and commit it`,
    );
  console.log(`[persisted-query-manifest] ${shown(outFile)} is up to date (${count(manifestText)} operations)`);
} else {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, manifestText);
  console.log(`[persisted-query-manifest] wrote ${shown(outFile)} (${count(manifestText)} operations)`);
}
