import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { composeSupergraph } from '../lib/compose.js';
import { SUPERGRAPH_PATH } from '../gateway/gateway.js';
import { PROJECT_ROOT } from '../lib/server/subgraph.js';

describe('the schema is honest', () => {
  it('the committed supergraph equals a fresh composition of the subgraph schemas (run `npm run compose`)', () => {
    assert.equal(fs.readFileSync(SUPERGRAPH_PATH, 'utf8'), composeSupergraph());
  });

  it('the generated resolver types are current (run `npm run codegen`)', async () => {
    const bin = `${PROJECT_ROOT}/node_modules/.bin/graphql-codegen`;
    try {
      await promisify(execFile)(bin, ['--config', 'codegen.ts', '--check'], { cwd: PROJECT_ROOT });
    } catch (error) {
      assert.fail(
        `graphql-codegen --check reports stale files:\n${(error as { stdout?: string }).stdout ?? String(error)}`,
      );
    }
  });
});
