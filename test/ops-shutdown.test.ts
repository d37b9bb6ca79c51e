import assert from 'node:assert/strict';
import net from 'node:net';
import { it, type TestContext } from 'node:test';
import { SUBGRAPH_NAMES, type PieceName } from '../lib/config.js';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect, type TestStack } from './support/stack.js';
import { jsonLines, startPiece, urlEnvName, type PieceProcess } from './support/pieces.js';

// The pieces run in production, which refuses the public development secret; tokens minted here
// and the pieces' checks share this one.
process.env.JWT_SECRET = 'ops-test-secret-0123456789abcdef-0123456789';

/**
 * Graceful shutdown, with each piece in its own process: requests that are in
 * flight when SIGTERM arrives are answered, a request pipelined behind them on the same
 * keep-alive connection is answered too (its /health says 503: the piece is draining), new
 * connections are refused, and the process exits 0.
 *
 * The requests are slow honestly: each client sends its headers and half of its JSON body, and
 * sends the rest only once the piece has announced that it is draining, the way a slow upload
 * (or a request still arriving on a busy keep-alive connection) is caught by a deploy.
 */

const IN_FLIGHT = 6;

/** One operation per piece, answered from its database, and what its answer must contain. */
const OPERATIONS: Record<PieceName, { query: string; expect: string }> = {
  gateway: {
    query: `{ enterpriseCustomer(uuid: "${DEMO.customers.sealTeamTen}") { name } }`,
    expect: '"name":"Seal Team Ten"',
  },
  customers: {
    query: `{ enterpriseCustomer(uuid: "${DEMO.customers.sealTeamTen}") { name } }`,
    expect: '"name":"Seal Team Ten"',
  },
  catalog: {
    query: `{ enterpriseCatalog(uuid: "${DEMO.catalogs.dusenbery}") { uuid } }`,
    expect: `"uuid":"${DEMO.catalogs.dusenbery}"`,
  },
  'learner-credit': {
    query: `{ subsidyAccessPolicy(uuid: "${DEMO.policies.example}") { uuid } }`,
    expect: `"uuid":"${DEMO.policies.example}"`,
  },
  subscriptions: {
    query: `{ subscriptionPlan(uuid: "${DEMO.plans.example}") { uuid } }`,
    expect: `"uuid":"${DEMO.plans.example}"`,
  },
};

/** A request whose body is only half sent; `finish` sends the rest plus a pipelined GET /health. */
interface SlowRequest {
  finish(): void;
  /** Everything the server sent until it closed the connection. */
  received: Promise<string>;
}

async function slowRequest(url: string, token: string, query: string): Promise<SlowRequest> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const body = JSON.stringify({ query });
  const half = Math.floor(body.length / 2);
  socket.write(
    [
      'POST /graphql HTTP/1.1',
      `Host: ${hostname}:${port}`,
      'Content-Type: application/json',
      `Authorization: JWT ${token}`,
      'Connection: keep-alive',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body.slice(0, half),
    ].join('\r\n'),
  );
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const received = new Promise<string>((resolve) => {
    socket.once('close', () => {
      resolve(text);
    });
    socket.once('error', () => undefined);
  });
  return {
    finish: () => socket.write(`${body.slice(half)}GET /health HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`),
    received,
  };
}

/** Resolves once a new TCP connection is refused (the piece no longer accepts). */
async function refusesConnections(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(Number(port), hostname);
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => {
        resolve(true);
      });
    });
    if (refused) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} still accepts connections`);
}

/** Resolves once the piece's metrics count `count` requests in flight (summed over workers). */
async function waitForInFlight(metricsUrl: string, count: number): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt < 400; attempt += 1) {
    last = await (await fetch(metricsUrl)).text();
    const value = Number(/^eg_http_requests_in_flight (\d+)/m.exec(last)?.[1] ?? 0);
    if (value >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `never ${count} requests in flight:\n${last
      .split('\n')
      .filter((l) => l.includes('in_flight'))
      .join('\n')}`,
  );
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function drainWithRequestsInFlight(
  t: TestContext,
  stack: TestStack,
  piece: PieceName,
  env: Record<string, string>,
  workers = 1,
) {
  // Workers each count their own requests; the primary's METRICS_PORT sums them.
  const metricsPort = workers > 1 ? await freePort() : undefined;
  const metricsUrl = metricsPort ? `http://127.0.0.1:${metricsPort}/metrics` : undefined;
  const child: PieceProcess = await startPiece(
    piece,
    { ...env, ...(metricsPort ? { METRICS_PORT: String(metricsPort) } : {}) },
    { urlLines: workers },
  );
  try {
    const operation = OPERATIONS[piece];
    // The piece answers before the test starts: the slow requests are the only ones in flight.
    const warm = await stack.graphql(operation.query, {}, { url: `${child.url}/graphql` });
    assert.equal(warm.errors, undefined, JSON.stringify(warm.errors));
    const requests = await Promise.all(
      Array.from({ length: IN_FLIGHT }, () => slowRequest(child.url, stack.tokens.operator, operation.query)),
    );
    // Every request has reached the piece (its headers are read) before the signal is sent.
    await waitForInFlight(metricsUrl ?? `${child.url}/metrics`, metricsUrl ? IN_FLIGHT : IN_FLIGHT + 1);
    child.kill('SIGTERM');
    // A GATEWAY_WORKERS primary and each of its workers announce their drain.
    await child.waitForLine(
      () =>
        jsonLines(child).filter((line) => line.msg === 'shutdown: draining').length >= (workers > 1 ? workers + 1 : 1),
      'the drain announcement',
    );
    await refusesConnections(child.url);
    for (const request of requests) request.finish();
    const received = await Promise.all(requests.map((r) => r.received));
    const code = await child.exited;

    const answered = received.filter(
      (text) => text.startsWith('HTTP/1.1 200 ') && text.includes(operation.expect) && !text.includes('"errors"'),
    ).length;
    const healthDuringDrain = received.filter((text) => /HTTP\/1\.1 503 [\s\S]*"shutting down"/.test(text)).length;
    t.diagnostic(
      `${piece}${workers > 1 ? ` (${workers} workers)` : ''} [${stack.dialect}]: ${IN_FLIGHT} in flight, ${answered} answered, ${IN_FLIGHT - answered} dropped, pipelined /health 503 on ${healthDuringDrain}, exit code ${code}`,
    );
    assert.equal(
      answered,
      IN_FLIGHT,
      `every request in flight is answered:\n${received.join('\n----\n')}\n${child.output()}`,
    );
    assert.equal(
      healthDuringDrain,
      IN_FLIGHT,
      'a /health waiting behind them on the same connection answers 503 while draining',
    );
    assert.equal(code, 0, `exit code 0:\n${child.output()}`);
    const steps = jsonLines(child).map((line) => line.msg);
    assert.ok(
      steps.includes('shutdown: requests in flight answered') || workers > 1,
      `logs its steps: ${steps.join(' | ')}`,
    );
    assert.ok(steps.includes('shutdown: done'), `logs the end: ${steps.join(' | ')}`);
  } finally {
    child.kill('SIGKILL');
  }
}

describeEachDialect('SIGTERM with requests in flight', (stack) => {
  const subgraphEnv = () => ({
    DATABASE_URL: stack().databaseUrl,
    PORT: '0',
    ...Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [urlEnvName(name), `${stack().subgraphs[name].http.url}/graphql`]),
    ),
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase().replace(/-/g, '_')}_PORT`, '0'])),
  });

  for (const piece of SUBGRAPH_NAMES) {
    it(`the ${piece} subgraph answers every request in flight and exits 0`, async (t) => {
      await drainWithRequestsInFlight(t, stack(), piece, subgraphEnv());
    });
  }

  it('the gateway answers every request in flight and exits 0', async (t) => {
    await drainWithRequestsInFlight(t, stack(), 'gateway', subgraphEnv());
  });

  it('the gateway with GATEWAY_WORKERS=2 drains every worker and exits 0', async (t) => {
    await drainWithRequestsInFlight(t, stack(), 'gateway', { ...subgraphEnv(), GATEWAY_WORKERS: '2' }, 2);
  });
});
