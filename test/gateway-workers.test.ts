import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { it } from 'node:test';
import { SUBGRAPH_NAMES } from '../lib/config.js';
import { DEMO } from '../lib/demo-ids.js';
import { PROJECT_ROOT } from '../lib/server/subgraph.js';
import { describeEachDialect } from './support/stack.js';

// The child runs with NODE_ENV=production, which refuses the dev secret: this process (its
// subgraphs and tokens) and the child share a production-grade one.
process.env.JWT_SECRET = 'gateway-workers-test-secret-0123456789abcdef';

const envName = (name: string) => `${name.toUpperCase().replace(/-/g, '_')}_URL`;

describeEachDialect('the gateway with GATEWAY_WORKERS', (stack) => {
  it('runs several processes on one port, answers on it, and stops them all on SIGTERM', async () => {
    const subgraphUrls = Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [envName(name), `${stack().subgraphs[name].http.url}/graphql`]),
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'start-piece.ts'), 'gateway'],
      {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          ...subgraphUrls,
          NODE_ENV: 'production',
          PORT: '0',
          GATEWAY_WORKERS: '2',
          REDIS_URL: '',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      // Each worker logs the URL it serves; both share the port the primary opened.
      const urls: string[] = [];
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`workers did not start:\n${output}`));
        }, 60_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          for (const match of chunk.toString().matchAll(/\[gateway\] (http:\/\/\S+\/graphql)/g)) urls.push(match[1]!);
          if (urls.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        child.once('exit', (code) => {
          reject(new Error(`exited with ${code}:\n${output}`));
        });
      });
      assert.match(output, /\[gateway\] 2 workers/);
      assert.equal(urls[0], urls[1], 'both workers serve the same port');
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          stack().graphql<{ enterpriseCustomer: { name: string } }>(
            `{ enterpriseCustomer(uuid: "${DEMO.customers.sealTeamTen}") { name } }`,
            {},
            { url: urls[0]! },
          ),
        ),
      );
      for (const answer of answers) assert.deepEqual(answer.data, { enterpriseCustomer: { name: 'Seal Team Ten' } });
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) {
        const [code] = (await once(child, 'exit')) as [number | null];
        assert.equal(code, 0, 'the primary exits cleanly once its workers have stopped');
      }
    }
  });
});
