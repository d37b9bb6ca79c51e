import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { generate } from '@graphql-codegen/cli';
import { createGatewayApp, type GatewayApp } from '../gateway/gateway.js';
import {
  buildManifest,
  classify,
  loadManifest,
  parseManifest,
  sha256,
  TrustedDocuments,
  type PersistedQueryManifest,
} from '../gateway/persisted-queries.js';
import { createRedisCaches } from '../gateway/redis-cache.js';
import { mintToken } from '../lib/auth/token.js';
import { DEMO } from '../lib/demo-ids.js';
import { logger } from '../lib/observability/logger.js';
import { clientLabels } from '../lib/observability/metrics.js';
import { listen, type Listening } from '../lib/server/http.js';
import { PROJECT_ROOT } from '../lib/server/subgraph.js';
import { jsonLines, startPiece, urlEnvName, type PieceProcess } from './support/pieces.js';
import { describeEachDialect, type TestStack } from './support/stack.js';

// The child-process gateway runs in production, which refuses the development secret; the
// in-process stack and the tokens share this one.
process.env.JWT_SECRET = 'trusted-documents-test-secret-0123456789abcdef';
delete process.env.NODE_ENV;
delete process.env.CORS_ORIGINS;
/**
 * Sets `env` while `fn` runs (the gateway reads its settings once, while it is built), then
 * empties them again: an empty variable is an unset one for lib/config.ts.
 */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const name of Object.keys(env)) process.env[name] = '';
  }
}
delete process.env.PERSISTED_QUERIES_MANIFEST;
delete process.env.PERSISTED_QUERIES_SAFELIST;
delete process.env.PERSISTED_QUERIES_ALLOW_OPERATORS;

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'trusted-documents');
const execFileAsync = promisify(execFile);

/**
 * client-preset run over the fixture operations exactly as `npm run codegen` runs it over
 * client/operations (persistedDocuments with sha256), into a temporary directory: the ids the
 * generated documents carry (what the client sends) and its persisted-documents.json.
 */
async function runClientPreset(): Promise<{ dir: string; documents: Record<string, string>; sentHashes: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-trusted-'));
  await generate(
    {
      cwd: PROJECT_ROOT,
      schema: 'schema/supergraph.graphql',
      documents: 'test/fixtures/trusted-documents/*.graphql',
      generates: {
        [`${dir}/`]: { preset: 'client', presetConfig: { persistedDocuments: { hashAlgorithm: 'sha256' } } },
      },
      silent: true,
    },
    true,
  );
  const documents = JSON.parse(fs.readFileSync(path.join(dir, 'persisted-documents.json'), 'utf8')) as Record<
    string,
    string
  >;
  // The TypedDocumentNodes the app imports carry their hash in `__meta__`.
  const typed = fs.readFileSync(path.join(dir, 'graphql.ts'), 'utf8');
  const sentHashes = [...typed.matchAll(/"__meta__":\{"hash":"([^"]+)"\}/g)].map((m) => m[1]!);
  return { dir, documents, sentHashes };
}

let generated: Awaited<ReturnType<typeof runClientPreset>> | undefined;
let manifest: PersistedQueryManifest;
let manifestFile: string;

before(async () => {
  generated = await runClientPreset();
  manifest = buildManifest(generated.documents);
  manifestFile = path.join(generated.dir, 'persisted-query-manifest.json');
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
});

after(() => {
  if (generated) fs.rmSync(generated.dir, { recursive: true, force: true });
});

const operation = (name: string) => {
  const found = manifest.operations.find((o) => o.name === name);
  assert.ok(found, name);
  return found;
};

describe('the manifest generator', () => {
  it('lists every operation client-preset hashes, with the id the client sends, its name, type and printed body', () => {
    assert.equal(manifest.format, 'apollo-persisted-query-manifest');
    assert.equal(manifest.version, 1);
    assert.deepEqual(
      manifest.operations.map((o) => [o.name, o.type]),
      [
        ['TrustedCustomer', 'query'],
        ['TrustedViewer', 'query'],
      ],
    );
    // client-preset writes `sha256:<hex>`; the manifest (and APQ) use the bare hex of the same hash.
    assert.deepEqual(
      manifest.operations.map((o) => `sha256:${o.id}`).sort(),
      [...generated!.sentHashes].sort(),
      'ids = the hashes in the generated documents',
    );
    for (const o of manifest.operations) {
      assert.equal(o.id, sha256(o.body));
      assert.equal(o.body, generated!.documents[`sha256:${o.id}`]);
    }
    assert.match(operation('TrustedCustomer').body, /fragment TrustedCustomerFields on EnterpriseCustomer/);
  });

  it('refuses documents hashed otherwise, anonymous operations and duplicate names', () => {
    const body = 'query A { me { email } }';
    assert.throws(() => buildManifest({ [sha256('other')]: body }), /hashAlgorithm: 'sha256'/);
    assert.throws(() => buildManifest({ [sha256('{ me { email } }')]: '{ me { email } }' }), /needs a name/);
    const again = 'query A { me { roles } }';
    assert.throws(() => buildManifest({ [sha256(body)]: body, [sha256(again)]: again }), /A is used twice/);
    const mutation = 'mutation M($u: ID!) { setActiveEnterpriseCustomer(enterpriseCustomerUuid: $u) { uuid } }';
    assert.equal(buildManifest({ [sha256(mutation)]: mutation }).operations[0]!.type, 'mutation');
  });

  it('npm run codegen writes the manifest; codegen:check fails on a stale one, naming the fix', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-manifest-'));
    try {
      const documents = path.join(dir, 'persisted-documents.json');
      const out = path.join(dir, 'persisted-query-manifest.json');
      fs.writeFileSync(documents, JSON.stringify(generated!.documents));
      const run = (...args: string[]) =>
        execFileAsync(
          process.execPath,
          ['--import', 'tsx', 'scripts/persisted-query-manifest.ts', '--documents', documents, '--out', out, ...args],
          { cwd: PROJECT_ROOT },
        );
      await assert.rejects(run('--check'), (error: { stderr: string }) =>
        /is missing.*npm run codegen/.test(error.stderr),
      );
      assert.match((await run()).stdout, /wrote .* \(2 operations\)/);
      assert.deepEqual(parseManifest(JSON.parse(fs.readFileSync(out, 'utf8')), out), manifest);
      assert.match((await run('--check')).stdout, /up to date \(2 operations\)/);
      // A new operation in the client's documents: the committed manifest is stale.
      const added = 'query TrustedAdded { me { lmsUserId } }';
      fs.writeFileSync(documents, JSON.stringify({ ...generated!.documents, [`sha256:${sha256(added)}`]: added }));
      await assert.rejects(run('--check'), (error: { stderr: string }) =>
        /persisted-query-manifest\.json is stale.*run npm run codegen/.test(error.stderr),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loading a manifest', () => {
  const valid = () => structuredClone(manifest) as unknown as Record<string, unknown> & { operations: unknown[] };

  it('refuses a missing file, bad JSON, another format or version, and ids that are not the hash of their body', () => {
    assert.throws(
      () => loadManifest('/nonexistent/manifest.json'),
      /PERSISTED_QUERIES_MANIFEST .*cannot be read \(ENOENT\)/,
    );
    const file = path.join(os.tmpdir(), `eg-bad-manifest-${randomBytes(4).toString('hex')}.json`);
    try {
      fs.writeFileSync(file, '{ "format": ');
      assert.throws(() => loadManifest(file), /not valid JSON/);
    } finally {
      fs.rmSync(file, { force: true });
    }
    assert.throws(() => parseManifest({ ...valid(), format: 'other' }, 'm'), /"format" must be/);
    assert.throws(() => parseManifest({ ...valid(), version: 2 }, 'm'), /"version" must be 1/);
    const tampered = valid();
    (tampered.operations[0] as { body: string }).body += ' ';
    assert.throws(() => parseManifest(tampered, 'm'), /operations\[0\]\.id is not the SHA-256 of its body/);
    const mistyped = valid();
    (mistyped.operations[0] as { type: string }).type = 'mutation';
    assert.throws(() => parseManifest(mistyped, 'm'), /type is mutation but its body is a query/);
    const doubled = valid();
    doubled.operations.push(doubled.operations[0]);
    assert.throws(() => parseManifest(doubled, 'm'), /appears twice/);
  });

  it('classifies a request by id or by its text (whitespace and comments aside)', () => {
    const documents = new TrustedDocuments(manifest);
    const { id, body } = operation('TrustedViewer');
    const byId = (sha256Hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash } } });
    assert.equal(classify(documents, byId(id)), 'listed');
    assert.equal(classify(documents, byId(`sha256:${id}`)), 'listed');
    assert.equal(classify(documents, byId(sha256('{ me { email } }'))), 'unknown-id');
    assert.equal(classify(documents, { query: body }), 'listed');
    assert.equal(classify(documents, { query: `# the viewer\n${body.replace(/ /g, '\n  ')}\n` }), 'listed');
    assert.equal(classify(documents, { query: '{ me { email } }' }), 'unlisted');
    assert.equal(classify(documents, { query: '{ me {' }), 'unlisted');
    assert.equal(classify(documents, {}), 'no-operation');
  });

  it('the gateway refuses to build without a readable, valid manifest or with flags that need one', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PERSISTED_QUERIES_MANIFEST: '/nonexistent/manifest.json' }, /cannot be read \(ENOENT\)/],
      [{ PERSISTED_QUERIES_SAFELIST: 'true' }, /PERSISTED_QUERIES_SAFELIST=true needs PERSISTED_QUERIES_MANIFEST/],
      [{ PERSISTED_QUERIES_MANIFEST: manifestFile, PERSISTED_QUERIES_SAFELIST: 'yes' }, /must be true or false/],
      [
        { PERSISTED_QUERIES_MANIFEST: manifestFile, PERSISTED_QUERIES_ALLOW_OPERATORS: 'true' },
        /ALLOW_OPERATORS=true needs PERSISTED_QUERIES_SAFELIST=true/,
      ],
    ];
    for (const [env, expected] of cases)
      await withEnv(env, () => assert.rejects(createGatewayApp({ redisUrl: null }), expected));
  });

  it('npm run start:gateway exits with one line naming the manifest it cannot read', async () => {
    await assert.rejects(
      startPiece('gateway', { PORT: '0', PERSISTED_QUERIES_MANIFEST: '/nonexistent/manifest.json' }),
      /exited with 1 before[\s\S]*\[gateway\] refusing to start: PERSISTED_QUERIES_MANIFEST \/nonexistent\/manifest\.json: cannot be read \(ENOENT\)/,
    );
  });
});

describe('client labels', () => {
  it('with GRAPHQL_CLIENT_NAMES only the listed front-ends get their own name and version labels', async () => {
    await withEnv({ GRAPHQL_CLIENT_NAMES: 'admin-portal,learner-portal' }, () => {
      assert.deepEqual(clientLabels('learner-portal', '2.0.1'), {
        client_name: 'learner-portal',
        client_version: '2.0.1',
      });
      assert.deepEqual(clientLabels('stranger', '9.9.9'), { client_name: 'other', client_version: 'other' });
      assert.deepEqual(clientLabels(undefined, undefined), { client_name: 'unknown', client_version: 'unknown' });
      assert.deepEqual(clientLabels('admin-portal', 'x'.repeat(65)), {
        client_name: 'admin-portal',
        client_version: 'other',
      });
      return Promise.resolve();
    });
  });
});

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function post(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

const codes = (answer: Answer) => (answer.body.errors ?? []).map((e) => e.extensions?.code);
const byHash = (id: string, variables: Record<string, unknown> = {}) => ({
  variables,
  extensions: { persistedQuery: { version: 1, sha256Hash: id } },
});

/** Error lines the servers in this process log while `fn` runs (what a server error would write). */
async function errorLines(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = logger.error.bind(logger);
  logger.error = (...args: Parameters<typeof logger.error>) => {
    lines.push(JSON.stringify(args));
    original(...args);
  };
  try {
    await fn();
  } finally {
    logger.error = original;
  }
  return lines;
}

interface RunningGateway {
  gateway: GatewayApp;
  http: Listening;
  url: string;
}

/** A gateway over the stack's subgraphs, built with `env` set (settings are read once, at build). */
async function gatewayWith(
  stack: TestStack,
  env: Record<string, string>,
  redisUrl: string | null = null,
): Promise<RunningGateway> {
  const serviceUrls = Object.fromEntries(
    Object.entries(stack.subgraphs).map(([name, s]) => [name, `${s.http.url}/graphql`]),
  );
  const gateway = await withEnv(env, () => createGatewayApp({ serviceUrls, redisUrl }));
  const http = await listen(gateway.app, 0);
  return { gateway, http, url: `${http.url}/graphql` };
}

describeEachDialect('trusted documents at the gateway', (stack) => {
  const seal = DEMO.customers.sealTeamTen;
  const running: RunningGateway[] = [];
  let listed: RunningGateway; // manifest only: ids of listed operations, APQ next to them
  let safelist: RunningGateway; // PERSISTED_QUERIES_SAFELIST=true
  let operators: RunningGateway; // ... and PERSISTED_QUERIES_ALLOW_OPERATORS=true
  const jwt = (token: string) => ({ authorization: `JWT ${token}` });

  before(async () => {
    listed = await gatewayWith(stack(), { PERSISTED_QUERIES_MANIFEST: manifestFile });
    safelist = await gatewayWith(stack(), {
      PERSISTED_QUERIES_MANIFEST: manifestFile,
      PERSISTED_QUERIES_SAFELIST: 'true',
    });
    operators = await gatewayWith(stack(), {
      PERSISTED_QUERIES_MANIFEST: manifestFile,
      PERSISTED_QUERIES_SAFELIST: 'true',
      PERSISTED_QUERIES_ALLOW_OPERATORS: 'true',
    });
    running.push(listed, safelist, operators);
  });

  after(async () => {
    for (const { gateway, http } of running) {
      await http.close();
      await gateway.stop();
    }
  });

  it('answers the id of a listed operation alone (no query text), fragments included, as the free text does', async () => {
    const { id, body } = operation('TrustedCustomer');
    const free = await stack().graphql(body, { uuid: seal }, { token: stack().tokens.sealAdmin });
    assert.equal(free.errors, undefined, JSON.stringify(free.errors));
    const customer = free.data!.enterpriseCustomer as { name: string; uuid: string; catalogs: { totalCount: number } };
    assert.equal(customer.uuid, seal);
    assert.ok(customer.catalogs.totalCount > 0);
    for (const gateway of [listed, safelist, operators]) {
      // The bare hex (APQ's form) and client-preset's `sha256:<hex>` both name it.
      for (const sent of [id, `sha256:${id}`]) {
        const answer = await post(gateway.url, byHash(sent, { uuid: seal }), jwt(stack().tokens.sealAdmin));
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.deepEqual(answer.body.data, free.data);
      }
    }
  });

  it('serves a listed id over GET too (a CDN-cacheable query), and refuses an unlisted text over GET', async () => {
    const { id } = operation('TrustedViewer');
    const extensions = encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: id } }));
    const headers = { ...jwt(stack().tokens.sealLearner), 'apollo-require-preflight': 'true' };
    const listedGet = await fetch(`${safelist.url}?extensions=${extensions}`, { headers });
    assert.equal(listedGet.status, 200);
    const body = (await listedGet.json()) as Answer['body'];
    assert.deepEqual((body.data!.me as { email: string }).email, DEMO.users.learnerEmail);
    const unlisted = await fetch(`${safelist.url}?query=${encodeURIComponent('{ me { email } }')}`, { headers });
    assert.equal(unlisted.status, 400);
    assert.deepEqual(
      ((await unlisted.json()) as Answer['body']).errors!.map((e) => e.extensions?.code),
      ['PERSISTED_QUERY_NOT_IN_LIST'],
    );
  });

  it("manifest only: an unknown id is APQ's PERSISTED_QUERY_NOT_FOUND (the client retries with the text), and free text still runs", async () => {
    const unknown = await post(listed.url, byHash(sha256('{ me { roles } }')), jwt(stack().tokens.operator));
    assert.deepEqual(codes(unknown), ['PERSISTED_QUERY_NOT_FOUND']);
    assert.ok(unknown.status < 500);
    const free = await post(listed.url, { query: '{ me { roles } }' }, jwt(stack().tokens.operator));
    assert.equal(free.status, 200);
    assert.deepEqual(free.body.data, { me: { roles: ['enterprise_openedx_operator:*'] } });
  });

  it('safelist: free text that is not listed is 400 PERSISTED_QUERY_NOT_IN_LIST before it is parsed or validated, never logged as a server error', async () => {
    const answers: Answer[] = [];
    const logged = await errorLines(async () => {
      for (const query of ['{ me { email } }', '{ nope }', '{ me {'])
        answers.push(await post(safelist.url, { query }, jwt(stack().tokens.sealAdmin)));
    });
    for (const answer of answers) {
      assert.equal(answer.status, 400);
      // `{ nope }` would be GRAPHQL_VALIDATION_FAILED and `{ me {` GRAPHQL_PARSE_FAILED after parsing.
      assert.deepEqual(codes(answer), ['PERSISTED_QUERY_NOT_IN_LIST']);
      assert.equal(answer.body.data, undefined);
      assert.match(answer.body.errors![0]!.message, /not in the list of trusted operations/);
    }
    assert.deepEqual(logged, []);
  });

  it('safelist: the text of a listed operation runs, as printed or as written in the .graphql file', async () => {
    const { body } = operation('TrustedCustomer');
    const asWritten = fs.readFileSync(path.join(FIXTURES, 'customer.graphql'), 'utf8');
    // The file orders fields and definitions as written; client-preset prints them sorted.
    assert.notEqual(asWritten, body);
    for (const query of [body, `# a comment\n  ${body.replace(/ \{ /g, ' {\n  ')}\n`]) {
      const answer = await post(safelist.url, { query, variables: { uuid: seal } }, jwt(stack().tokens.sealAdmin));
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal((answer.body.data!.enterpriseCustomer as { uuid: string }).uuid, seal);
    }
    const reordered = await post(
      safelist.url,
      { query: asWritten, variables: { uuid: seal } },
      jwt(stack().tokens.sealAdmin),
    );
    assert.deepEqual(codes(reordered), ['PERSISTED_QUERY_NOT_IN_LIST'], 'a reordered document is another document');
  });

  it('safelist: an unknown id is 400 PERSISTED_QUERY_NOT_FOUND, for operators too', async () => {
    for (const gateway of [safelist, operators]) {
      const answer = await post(gateway.url, byHash(sha256('{ me { roles } }')), jwt(stack().tokens.operator));
      assert.equal(answer.status, 400);
      assert.deepEqual(codes(answer), ['PERSISTED_QUERY_NOT_FOUND']);
    }
  });

  it('operators send free-form operations only with PERSISTED_QUERIES_ALLOW_OPERATORS=true; nobody else ever does', async () => {
    const query = '{ me { roles } }';
    const staff = await mintToken({ roles: [], userId: 7, administrator: true });
    const refused = await post(safelist.url, { query }, jwt(stack().tokens.operator));
    assert.deepEqual(codes(refused), ['PERSISTED_QUERY_NOT_IN_LIST'], 'the flag is off');
    for (const token of [stack().tokens.operator, staff]) {
      const allowed = await post(operators.url, { query }, jwt(token));
      assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
      assert.ok(Array.isArray((allowed.body.data!.me as { roles: unknown }).roles));
    }
    for (const headers of [jwt(stack().tokens.sealAdmin), jwt(stack().tokens.sealLearner), jwt('not-a-token'), {}]) {
      const answer = await post(operators.url, { query }, headers);
      assert.equal(answer.status, 400);
      assert.deepEqual(codes(answer), ['PERSISTED_QUERY_NOT_IN_LIST']);
    }
  });

  it('APQ registration never makes an operation pass the safelist, not even one an operator ran', async () => {
    const query = `{ me { email } } # ${randomBytes(6).toString('hex')}`;
    const persistedQuery = { version: 1, sha256Hash: sha256(query) };
    const register = { query, extensions: { persistedQuery } };
    const hashOnly = { extensions: { persistedQuery } };
    // Refused as text: nothing to register.
    assert.deepEqual(codes(await post(safelist.url, register, jwt(stack().tokens.sealAdmin))), [
      'PERSISTED_QUERY_NOT_IN_LIST',
    ]);
    // An operator's free-form operation runs but is not stored: its id stays unknown to everyone.
    const ran = await post(operators.url, register, jwt(stack().tokens.operator));
    assert.equal(ran.status, 200, JSON.stringify(ran.body));
    for (const token of [stack().tokens.sealAdmin, stack().tokens.operator]) {
      const answer = await post(operators.url, hashOnly, jwt(token));
      assert.equal(answer.status, 400);
      assert.deepEqual(codes(answer), ['PERSISTED_QUERY_NOT_FOUND']);
    }
  });

  it('APQ registrations in a shared Redis (by a gateway without the safelist) do not pass a safelisted gateway', async () => {
    const redisUrl = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
    const query = `{ me { email } } # ${randomBytes(6).toString('hex')}`;
    const persistedQuery = { version: 1, sha256Hash: sha256(query) };
    const open = await gatewayWith(stack(), { PERSISTED_QUERIES_MANIFEST: manifestFile }, redisUrl);
    const strict = await gatewayWith(
      stack(),
      { PERSISTED_QUERIES_MANIFEST: manifestFile, PERSISTED_QUERIES_SAFELIST: 'true' },
      redisUrl,
    );
    const cleanup = createRedisCaches(redisUrl);
    try {
      const registered = await post(open.url, { query, extensions: { persistedQuery } }, jwt(stack().tokens.sealAdmin));
      assert.equal(registered.status, 200, JSON.stringify(registered.body));
      // Registration is written after the answer: wait for the id to be served from Redis.
      let served: Answer | undefined;
      for (let attempt = 0; attempt < 100 && served?.status !== 200; attempt += 1)
        served = await post(open.url, { extensions: { persistedQuery } }, jwt(stack().tokens.sealAdmin));
      assert.equal(served?.status, 200, 'the open gateway serves its APQ registration');
      const refused = await post(strict.url, { extensions: { persistedQuery } }, jwt(stack().tokens.sealAdmin));
      assert.equal(refused.status, 400);
      assert.deepEqual(codes(refused), ['PERSISTED_QUERY_NOT_FOUND']);
      // The manifest's own ids are never written to the APQ store.
      assert.equal(await cleanup.apq.get(`apq:${operation('TrustedViewer').id}`), undefined);
    } finally {
      await cleanup.apq.delete(`apq:${persistedQuery.sha256Hash}`);
      await cleanup.close();
      for (const { gateway, http } of [open, strict]) {
        await http.close();
        await gateway.stop();
      }
    }
  });

  it('a refusal carries the CORS headers, so a browser on an allowed origin reads its code', async () => {
    const origin = 'http://localhost:5173';
    const answer = await post(
      safelist.url,
      { query: '{ me { email } }' },
      { ...jwt(stack().tokens.sealAdmin), origin },
    );
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.get('access-control-allow-origin'), origin);
    assert.deepEqual(codes(answer), ['PERSISTED_QUERY_NOT_IN_LIST']);
  });

  describe('client name and version (a gateway in its own process, as production runs it)', () => {
    let piece: PieceProcess;
    const client = { 'apollographql-client-name': 'enterprise-portal', 'apollographql-client-version': '1.4.2' };

    before(async () => {
      const env: Record<string, string> = {
        PORT: '0',
        PERSISTED_QUERIES_MANIFEST: manifestFile,
        PERSISTED_QUERIES_SAFELIST: 'true',
      };
      for (const [name, s] of Object.entries(stack().subgraphs)) env[urlEnvName(name)] = `${s.http.url}/graphql`;
      piece = await startPiece('gateway', env);
    });

    after(async () => {
      piece.kill('SIGTERM');
      await piece.exited;
    });

    it('are labels of the request metrics and fields of the access line, refusals included; strangers share bounded labels', async () => {
      const url = `${piece.url}/graphql`;
      const { id } = operation('TrustedCustomer');
      const answered = await post(url, byHash(id, { uuid: seal }), { ...jwt(stack().tokens.sealAdmin), ...client });
      assert.equal(answered.status, 200, JSON.stringify(answered.body));
      const refused = await post(url, { query: '{ me { email } }' }, { ...jwt(stack().tokens.sealAdmin), ...client });
      assert.equal(refused.status, 400);
      // Past 20 distinct names, new ones share `other`; a value that is not a short token is `other` at once.
      for (let i = 0; i < 21; i += 1)
        await post(url, byHash(operation('TrustedViewer').id), {
          ...jwt(stack().tokens.sealLearner),
          'apollographql-client-name': `load-test-${i}`,
        });
      await post(url, byHash(operation('TrustedViewer').id), {
        ...jwt(stack().tokens.sealLearner),
        'apollographql-client-name': 'a client with "quotes"',
      });

      const metrics = await (await fetch(`${piece.url}/metrics`)).text();
      // Only our series in failure messages, not the whole exposition.
      const series = (name: string) =>
        metrics
          .split('\n')
          .filter((line) => line.startsWith(name))
          .join('\n');
      const counts = series('eg_graphql_request_duration_seconds_count');
      const sample = (labels: string) => new RegExp(`\\{${labels}\\} (\\d+)$`, 'm').exec(counts)?.[1];
      assert.equal(
        sample(
          'piece="gateway",operation_name="TrustedCustomer",operation_type="query",outcome="success",client_name="enterprise-portal",client_version="1\\.4\\.2"',
        ),
        '1',
        counts,
      );
      assert.match(
        series('eg_persisted_query_refusals_total'),
        /\{code="PERSISTED_QUERY_NOT_IN_LIST",client_name="enterprise-portal",client_version="1\.4\.2"\} 1$/m,
      );
      assert.match(series('eg_graphql_errors_total'), /\{piece="gateway",code="PERSISTED_QUERY_NOT_IN_LIST"\} 1$/m);
      // enterprise-portal and load-test-0..18 fill the 20 names; load-test-19, -20 and the quoted one are `other`.
      const viewer = 'piece="gateway",operation_name="TrustedViewer",operation_type="query",outcome="success"';
      assert.equal(sample(`${viewer},client_name="other",client_version="unknown"`), '3', counts);
      assert.equal(sample(`${viewer},client_name="load-test-18",client_version="unknown"`), '1', counts);
      assert.doesNotMatch(counts, /load-test-19|quotes/);
      const names = new Set([...counts.matchAll(/client_name="([^"]+)"/g)].map((m) => m[1]));
      assert.equal(names.size, 21, `20 names and other: ${[...names].join(', ')}`);

      const access = (predicate: (line: Record<string, unknown>) => boolean, what: string) =>
        piece.waitForLine((line) => {
          try {
            return predicate(JSON.parse(line) as Record<string, unknown>);
          } catch {
            return false;
          }
        }, what);
      const statusOf = (line: Record<string, unknown>) => (line.res as { statusCode?: number } | undefined)?.statusCode;
      await access(
        (l) => l.clientName === 'enterprise-portal' && l.operationName === 'TrustedCustomer' && statusOf(l) === 200,
        'the access line of the listed operation',
      );
      const refusal = JSON.parse(
        await access(
          (l) => l.clientName === 'enterprise-portal' && statusOf(l) === 400,
          'the access line of the refusal',
        ),
      ) as Record<string, unknown>;
      assert.equal(refusal.clientVersion, '1.4.2');
      assert.deepEqual(refusal.errorCodes, ['PERSISTED_QUERY_NOT_IN_LIST']);
      assert.notEqual(refusal.level, 50, 'a refusal is not a server error');
      assert.equal(jsonLines(piece).filter((l) => Number(l.level) >= 50).length, 0, 'no error lines');
    });
  });
});
