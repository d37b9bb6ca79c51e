import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SUBGRAPH_NAMES, type SubgraphName } from '../lib/config.js';
import { dropDatabase } from '../lib/db/database.js';
import { DEMO } from '../lib/demo-ids.js';
import { prepareDatabase } from '../scripts/stack.js';
import { demoTokens, DIALECTS, freshDatabaseUrl } from './support/stack.js';
import { jsonLines, startPiece, urlEnvName, type PieceProcess } from './support/pieces.js';

// The pieces run in production, which refuses the public development secret; tokens minted here
// and the pieces' checks share this one.
process.env.JWT_SECRET = 'ops-test-secret-0123456789abcdef-0123456789';

/**
 * Metrics, traces and structured logs, with every piece in its own process
 * as in production, exporting traces over OTLP/HTTP JSON to a receiver in this test.
 */

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpBody {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: OtlpAttribute[];
      }[];
    }[];
  }[];
}

const attributeMap = (list: OtlpAttribute[] = []) =>
  Object.fromEntries(
    list.map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.boolValue ?? a.value.doubleValue]),
  );

/** A plain OTLP/HTTP JSON receiver: POST /v1/traces, spans kept in order of arrival. */
async function startReceiver() {
  const spans: ReceivedSpan[] = [];
  const listeners = new Set<() => void>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const parsed = JSON.parse(body) as OtlpBody;
        for (const resourceSpans of parsed.resourceSpans ?? []) {
          const service = String(attributeMap(resourceSpans.resource?.attributes)['service.name']);
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                kind: span.kind,
                attributes: attributeMap(span.attributes),
              });
            }
          }
        }
        for (const listener of listeners) listener();
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    /** Resolves once `done(spans)` holds, re-checked as every export arrives. */
    waitFor(done: (spans: ReceivedSpan[]) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
      if (done(spans)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const listener = () => {
          if (!done(spans)) return;
          listeners.delete(listener);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(
            new Error(
              `no ${what} within ${timeoutMs} ms; got ${spans.length} spans: ${[...new Set(spans.map((s) => `${s.service}:${s.name}`))].join(', ')}`,
            ),
          );
        }, timeoutMs);
        listeners.add(listener);
      });
    },
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One sample of a Prometheus text exposition (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) return Number(match[3]);
  }
  return 0;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200, '/metrics needs no token');
  assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
  return response.text();
}

const CROSS_SUBGRAPH = /* GraphQL */ `
  query OpsTrace($customer: ID!, $catalog: ID!, $course: String!) {
    enterpriseCustomer(uuid: $customer) {
      name
      subscriptionPlans {
        nodes {
          uuid
        }
      }
    }
    enterpriseCatalog(uuid: $catalog) {
      course(key: $course) {
        enrollmentUrl
      }
    }
  }
`;

for (const dialect of DIALECTS) {
  describe(`metrics, traces and logs of separate pieces [${dialect}]`, () => {
    const databaseUrl = freshDatabaseUrl(dialect);
    // Undefined when before() failed ahead of starting it; after() still runs then.
    let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
    const otlp = () => {
      if (!receiver) throw new Error('the OTLP receiver did not start');
      return receiver;
    };
    let tokens: Awaited<ReturnType<typeof demoTokens>>;
    const pieces = {} as Record<SubgraphName | 'gateway', PieceProcess>;

    before(async () => {
      const database = await prepareDatabase(databaseUrl, { seed: 'always' });
      await database.destroy();
      receiver = await startReceiver();
      tokens = await demoTokens();
      const ports = Object.fromEntries(
        await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await freePort()] as const)),
      ) as Record<SubgraphName, number>;
      const env = {
        DATABASE_URL: databaseUrl,
        PORT: '0',
        LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        ...Object.fromEntries(
          SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase().replace(/-/g, '_')}_PORT`, String(ports[name])]),
        ),
        ...Object.fromEntries(
          SUBGRAPH_NAMES.map((name) => [urlEnvName(name), `http://127.0.0.1:${ports[name]}/graphql`]),
        ),
      };
      const subgraphs = await Promise.all(SUBGRAPH_NAMES.map((name) => startPiece(name, env)));
      SUBGRAPH_NAMES.forEach((name, i) => (pieces[name] = subgraphs[i]!));
      pieces.gateway = await startPiece('gateway', env);
    });

    after(async () => {
      await Promise.all(
        Object.values(pieces).map(async (piece) => {
          piece.kill('SIGTERM');
          await piece.exited;
        }),
      );
      await receiver?.close();
      await dropDatabase(databaseUrl);
    });

    async function gatewayRequest(
      query: string,
      variables: Record<string, unknown>,
      headers: Record<string, string> = {},
    ) {
      const response = await fetch(`${pieces.gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `JWT ${tokens.operator}`, ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { response, body: (await response.json()) as { data?: unknown; errors?: unknown[] } };
    }

    const variables = () => ({
      customer: DEMO.customers.sealTeamTen,
      catalog: DEMO.catalogs.dusenbery,
      course: DEMO.content.courseKey,
    });

    it("one request with the caller's traceparent yields spans of the gateway and the subgraphs in the caller's trace", async () => {
      const traceId = randomBytes(16).toString('hex');
      const parentId = randomBytes(8).toString('hex');
      const { body } = await gatewayRequest(CROSS_SUBGRAPH, variables(), {
        traceparent: `00-${traceId}-${parentId}-01`,
      });
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));

      const inTrace = (spans: ReceivedSpan[]) => spans.filter((s) => s.traceId === traceId);
      const services = (spans: ReceivedSpan[]) => new Set(inTrace(spans).map((s) => s.service));
      await otlp().waitFor(
        (spans) => ['gateway', 'customers', 'catalog', 'subscriptions'].every((name) => services(spans).has(name)),
        'spans of the gateway, customers, catalog and subscriptions',
      );
      // The catalog asks the customers subgraph about the catalog's customer (enrollmentUrl):
      // that call carries the trace on, so a customers span has a catalog span as parent.
      await otlp().waitFor((spans) => {
        const catalogSpanIds = new Set(
          inTrace(spans)
            .filter((s) => s.service === 'catalog')
            .map((s) => s.spanId),
        );
        return inTrace(spans).some((s) => s.service === 'customers' && catalogSpanIds.has(s.parentSpanId));
      }, 'a customers span whose parent is a catalog span (subgraph to subgraph)');
      await otlp().waitFor(
        (spans) => inTrace(spans).some((s) => s.service !== 'gateway' && s.attributes['db.system'] === dialect),
        `a SQL span with db.system=${dialect}`,
      );
      // The gateway's HTTP server span (exported once the response is sent) is a child of the caller's span.
      await otlp().waitFor(
        (spans) => inTrace(spans).some((s) => s.service === 'gateway' && s.parentSpanId === parentId && s.kind === 2),
        "the gateway's server span under the caller's span",
      );
      const spans = inTrace(otlp().spans);
      const sql = spans.find((s) => s.attributes['db.system'] === dialect)!;
      assert.match(String(sql.attributes['db.statement']), /select/i);
    });

    it('counters move after requests (scrape before and after)', async () => {
      const [gatewayBefore, customersBefore] = await Promise.all([
        scrape(pieces.gateway.url),
        scrape(pieces.customers.url),
      ]);
      const ok = await gatewayRequest(
        `query OpsMetrics { enterpriseCustomer(uuid: "${DEMO.customers.sealTeamTen}") { name } }`,
        {},
      );
      assert.equal(ok.body.errors, undefined);
      const bad = await gatewayRequest(`query OpsMetricsBad { enterpriseCustomer(uuid: "not-a-uuid") { name } }`, {});
      assert.ok(bad.body.errors?.length);
      const [gatewayAfter, customersAfter] = await Promise.all([
        scrape(pieces.gateway.url),
        scrape(pieces.customers.url),
      ]);

      const moved = (before: string, afterText: string, name: string, labels: Record<string, string>) =>
        sample(afterText, name, labels) - sample(before, name, labels);
      assert.equal(
        moved(gatewayBefore, gatewayAfter, 'eg_graphql_request_duration_seconds_count', {
          piece: 'gateway',
          operation_name: 'OpsMetrics',
          operation_type: 'query',
          outcome: 'success',
        }),
        1,
      );
      assert.ok(
        moved(gatewayBefore, gatewayAfter, 'eg_graphql_errors_total', { piece: 'gateway', code: 'BAD_USER_INPUT' }) >=
          1,
        'errors by code',
      );
      assert.ok(
        moved(gatewayBefore, gatewayAfter, 'eg_subgraph_fetch_duration_seconds_count', {
          subgraph: 'customers',
          outcome: '2xx',
        }) >= 2,
        'subgraph fetches by subgraph',
      );
      assert.equal(
        moved(customersBefore, customersAfter, 'eg_graphql_request_duration_seconds_count', {
          piece: 'customers',
          operation_name: 'OpsMetrics__customers__0',
          operation_type: 'query',
          outcome: 'success',
        }),
        1,
        "the subgraph sees the operation under the gateway's name for its fetch",
      );
      assert.ok(
        moved(customersBefore, customersAfter, 'eg_sql_statements_total', { subgraph: 'customers', outcome: 'ok' }) >=
          1,
        'SQL statements by subgraph',
      );
      assert.ok(
        moved(customersBefore, customersAfter, 'eg_sql_request_statements_total', { subgraph: 'customers' }) >= 1,
        "the request's own SQL statements by subgraph",
      );
      assert.ok(
        moved(customersBefore, customersAfter, 'eg_sql_statement_duration_seconds_count', { subgraph: 'customers' }) >=
          1,
      );
      // Gauges and the default process metrics are there.
      assert.match(customersAfter, /^eg_db_pool_connections\{pool="primary",state="idle"\} \d+/m);
      assert.match(customersAfter, /^eg_db_pool_connections\{pool="primary",state="waiting"\} 0/m);
      assert.match(customersAfter, /^eg_outbox_backlog\{subgraph="customers"\} \d+/m);
      assert.match(customersAfter, /^eg_outbox_oldest_age_seconds\{subgraph="customers"\} [\d.e+-]+/m);
      assert.match(gatewayAfter, /^process_cpu_user_seconds_total \d/m);
      assert.match(gatewayAfter, /^nodejs_eventloop_lag_seconds \d/m);
    });

    it('writes one JSON access line per request with the operation, ids and error codes, never the token', async () => {
      const traceId = randomBytes(16).toString('hex');
      const requestId = `ops-log-${randomBytes(4).toString('hex')}`;
      const { response } = await gatewayRequest(
        `query OpsLog { enterpriseCustomer(uuid: "not-a-uuid") { name } }`,
        {},
        {
          'x-request-id': requestId,
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        },
      );
      assert.equal(response.headers.get('x-request-id'), requestId, 'the request id is echoed');
      const line = await pieces.gateway.waitForLine((l) => l.includes(requestId), 'the access line');
      const access = JSON.parse(line) as Record<string, unknown>;
      assert.equal(access.requestId, requestId);
      assert.equal(access.piece, 'gateway');
      assert.equal(access.operationName, 'OpsLog');
      assert.equal(access.operationType, 'query');
      assert.deepEqual(access.errorCodes, ['BAD_USER_INPUT']);
      assert.equal(access.traceId, traceId);
      assert.equal(access.userId, DEMO.users.operatorId);
      assert.equal((access.res as { statusCode: number }).statusCode, 200);
      assert.equal(typeof access.durationMs, 'number');
      assert.equal(typeof access.level, 'number');
      // The subgraph logs the same operation in the same trace.
      const subgraphLine = await pieces.customers.waitForLine(
        (l) => l.includes(traceId) && l.includes('OpsLog'),
        "the customers subgraph's access line",
      );
      assert.match((JSON.parse(subgraphLine) as { operationName: string }).operationName, /^OpsLog__customers__\d+$/);
      for (const piece of Object.values(pieces)) {
        for (const logged of piece.lines) {
          assert.ok(!logged.includes(tokens.operator), `${piece.piece} never logs the token: ${logged}`);
        }
        assert.ok(jsonLines(piece).length >= 1, `${piece.piece} logs JSON lines`);
      }
    });
  });
}
