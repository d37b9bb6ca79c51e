import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { decodeJwt, SignJWT } from 'jose';
import { DEV_JWT_SECRET } from '../lib/config.js';
import { PROJECT_ROOT } from '../lib/server/subgraph.js';
import { describeEachDialect, errorCodes, token, type TestStack } from './support/stack.js';

delete process.env.NODE_ENV;
delete process.env.JWT_ISSUER;
delete process.env.JWT_AUDIENCE;

const STRONG_SECRET = 'a-production-secret-that-is-long-enough-0123456789';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const READY_TIMEOUT_MS = 60_000;

/** The environment of a child piece: ours minus the settings a test decides. */
function childEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const inherited = new Set(['NODE_ENV', 'JWT_SECRET', 'JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE', 'REDIS_URL']);
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !inherited.has(name)),
  );
  // Pieces announce their URL in an info line (npm test runs with LOG_LEVEL=warn).
  env.LOG_LEVEL = 'info';
  for (const [name, value] of Object.entries(overrides)) if (value !== undefined) env[name] = value;
  return env;
}

/** Runs a script of scripts/ to its end (the ones that refuse to start exit by themselves). */
async function run(script: string, args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', script), ...args], {
    cwd: PROJECT_ROOT,
    env: childEnv(env),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Starts a piece that keeps running, waits for `ready` on stdout, then stops it with SIGTERM. */
async function startAndStop(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  ready: RegExp,
): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', script), ...args], {
    cwd: PROJECT_ROOT,
    env: childEnv(env),
  });
  let stdout = '';
  let stderr = '';
  const exited = once(child, 'exit');
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (ready.test(stdout)) resolve();
    });
    void exited.then(() => {
      reject(new Error(`${script} exited before it was ready:\n${stdout}\n${stderr}`));
    });
    // A piece that never says it is ready fails the test instead of hanging the suite.
    setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} was not ready within ${READY_TIMEOUT_MS} ms:\n${stdout}\n${stderr}`));
    }, READY_TIMEOUT_MS).unref();
  });
  child.kill('SIGTERM');
  const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  // Apollo Server stops on SIGTERM and re-raises it: either ending is a clean stop.
  assert.ok(code === 0 || signal === 'SIGTERM', `${script} stopped with ${code ?? signal}:\n${stderr}`);
  return { code, stdout, stderr };
}

function refusalLine(result: Run): string {
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${result.stderr}`);
  return lines[0]!;
}

describe('production start-up refuses a guessable JWT_SECRET', () => {
  const CASES: [string, string | undefined, RegExp][] = [
    ['missing', undefined, /JWT_SECRET is unset/],
    ['the dev default', DEV_JWT_SECRET, /JWT_SECRET is the public development default/],
    ['shorter than 32 bytes', 'only-twenty-six-bytes-long', /JWT_SECRET is shorter than 32 bytes/],
  ];

  for (const [label, secret, reason] of CASES) {
    it(`the gateway exits non-zero naming JWT_SECRET when it is ${label}`, async () => {
      const result = await run('start-piece.ts', ['gateway'], {
        NODE_ENV: 'production',
        JWT_SECRET: secret,
        PORT: '0',
      });
      assert.equal(result.code, 1);
      const line = refusalLine(result);
      assert.match(line, /^\[gateway\] refusing to start: /);
      assert.match(line, reason);
      assert.doesNotMatch(result.stdout, /graphql/);
    });
  }

  it('every subgraph piece refuses the same way', async () => {
    for (const piece of ['customers', 'catalog', 'learner-credit', 'subscriptions']) {
      const result = await run('start-piece.ts', [piece], {
        NODE_ENV: 'production',
        JWT_SECRET: DEV_JWT_SECRET,
        DATABASE_URL: 'sqlite::memory:',
      });
      assert.equal(result.code, 1, piece);
      assert.match(
        refusalLine(result),
        new RegExp(`^\\[${piece}\\] refusing to start: JWT_SECRET is the public development default`),
      );
    }
  });

  it('`npm start` refuses too when NODE_ENV=production', async () => {
    const result = await run('start.ts', [], {
      NODE_ENV: 'production',
      JWT_SECRET: 'short',
      DATABASE_URL: 'sqlite::memory:',
    });
    assert.equal(result.code, 1);
    assert.match(refusalLine(result), /^\[start\] refusing to start: JWT_SECRET is shorter than 32 bytes/);
  });

  it('starts in production with a strong secret, or with JWT_JWKS_URL and no secret', async () => {
    for (const env of [
      { JWT_SECRET: STRONG_SECRET },
      { JWT_JWKS_URL: 'https://login.example.com/.well-known/jwks.json' },
    ]) {
      const result = await startAndStop(
        'start-piece.ts',
        ['gateway'],
        { NODE_ENV: 'production', PORT: '0', ...env },
        /\[gateway\] http:\/\/127\.0\.0\.1:\d+\/graphql/,
      );
      assert.doesNotMatch(result.stdout + result.stderr, /JWT_SECRET/);
    }
  });

  it('development keeps the dev default and says so in one line', async () => {
    const dir = path.join(os.tmpdir(), `eg-start-${process.pid}-${Date.now()}`);
    const ports = {
      PORT: '0',
      CUSTOMERS_PORT: '0',
      CATALOG_PORT: '0',
      LEARNER_CREDIT_PORT: '0',
      SUBSCRIPTIONS_PORT: '0',
    };
    let result: Run;
    try {
      result = await startAndStop(
        'start.ts',
        [],
        { ...ports, DATABASE_URL: `sqlite:${dir}.sqlite` },
        /Enterprise graph ready/,
      );
    } finally {
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${dir}.sqlite${suffix}`, { force: true });
    }
    const notices = result.stdout.split('\n').filter((line) => line.includes('JWT_SECRET'));
    assert.equal(notices.length, 1, result.stdout);
    assert.match(notices[0]!, /public development default/);
  });
});

const CUSTOMER = '{ enterpriseCustomers(first: 1) { totalCount } }';

async function sign(
  claims: Record<string, unknown>,
  build: (jwt: SignJWT) => SignJWT = (jwt) => jwt.setExpirationTime('1h'),
): Promise<string> {
  return build(
    new SignJWT({ roles: ['enterprise_openedx_operator:*'], ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(),
  ).sign(new TextEncoder().encode(DEV_JWT_SECRET));
}

function urls(stack: TestStack): string[] {
  return [stack.gatewayUrl, `${stack.subgraphs.customers.http.url}/graphql`];
}

describeEachDialect('token claims', (stack) => {
  it('refuses a token without exp with UNAUTHENTICATED, at the gateway and at a subgraph', async () => {
    const forever = await sign({}, (jwt) => jwt);
    assert.equal(decodeJwt(forever).exp, undefined);
    for (const url of urls(stack())) {
      const result = await stack().graphql(CUSTOMER, {}, { token: forever, url });
      assert.deepEqual(errorCodes(result), ['UNAUTHENTICATED'], url);
      assert.match(result.errors![0]!.message, /exp/);
      assert.equal(result.data ?? null, null);
    }
    const expiring = await sign({});
    const ok = await stack().graphql(CUSTOMER, {}, { token: expiring });
    assert.equal(ok.errors, undefined);
  });

  it('checks iss and aud when JWT_ISSUER and JWT_AUDIENCE are set, and npm run token mints them', async () => {
    process.env.JWT_ISSUER = 'https://courses.example.com/oauth2';
    process.env.JWT_AUDIENCE = 'enterprise-graph,lms-key';
    try {
      const minted = await token({ roles: ['enterprise_openedx_operator:*'] });
      const claims = decodeJwt(minted);
      assert.equal(claims.iss, 'https://courses.example.com/oauth2');
      assert.equal(claims.aud, 'enterprise-graph');
      assert.ok(typeof claims.exp === 'number');

      const printed = await run('token.ts', ['--role', 'enterprise_openedx_operator:*'], {
        JWT_ISSUER: process.env.JWT_ISSUER,
        JWT_AUDIENCE: process.env.JWT_AUDIENCE,
      });
      assert.equal(printed.code, 0, printed.stderr);
      const cli = printed.stdout.trim();
      assert.deepEqual(
        { ...decodeJwt(cli), iat: 0, exp: 0 },
        { roles: ['enterprise_openedx_operator:*'], iss: claims.iss, aud: 'enterprise-graph', iat: 0, exp: 0 },
      );
      assert.ok(decodeJwt(cli).exp! > Date.now() / 1000);

      const accepted = [minted, cli, await sign({ iss: claims.iss, aud: ['other', 'lms-key'] })];
      const refused: [string, RegExp][] = [
        [await sign({ iss: 'https://evil.example.com', aud: 'enterprise-graph' }), /issuer/],
        [await sign({ aud: 'enterprise-graph' }), /issuer/],
        [await sign({ iss: claims.iss, aud: 'someone-else' }), /audience/],
        [await sign({ iss: claims.iss }), /audience/],
      ];
      for (const url of urls(stack())) {
        for (const good of accepted)
          assert.equal((await stack().graphql(CUSTOMER, {}, { token: good, url })).errors, undefined, url);
        for (const [bad, reason] of refused) {
          const result = await stack().graphql(CUSTOMER, {}, { token: bad, url });
          assert.deepEqual(errorCodes(result), ['UNAUTHENTICATED'], url);
          assert.match(result.errors![0]!.message, reason);
        }
      }
    } finally {
      delete process.env.JWT_ISSUER;
      delete process.env.JWT_AUDIENCE;
    }
  });
});
