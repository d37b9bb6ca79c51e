import type { IncomingHttpHeaders } from 'node:http';
import type { EventEmitter } from 'node:events';
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** Responses served from the gateway's response cache (they carry an `Age` header). */
  cacheHits: number;
  /** What the errors were: counts by kind (HTTP status, GraphQL error code, timeout). */
  errorKinds: Record<string, number>;
}

function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Drives `connections` concurrent keep-alive connections at one GraphQL endpoint for
 * `durationS` seconds with autocannon. Latencies are recorded per response (autocannon's own
 * summary has no p95); a response is an error when it is not 200 or carries GraphQL `errors`.
 * `[<id>]` in the body is replaced by a fresh id per request (unique emails for write paths).
 */
export async function runLoad(options: {
  url: string;
  body: string;
  authorization: string;
  connections: number;
  durationS: number;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let cacheHits = 0;
  const errorKinds: Record<string, number> = {};
  const countError = (kind: string, n = 1) => {
    if (n > 0) errorKinds[kind] = (errorKinds[kind] ?? 0) + n;
  };
  // autocannon's own idReplacement assumes 27-character ids when it computes Content-Length, but
  // hyperid's are shorter, so bodies with several `[<id>]` hung until the timeout. Each request's
  // body is instead rebuilt here (autocannon then computes the length from the real body).
  const dynamic = options.body.includes('[<id>]');
  const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  let sequence = 0;
  // Called without a callback, autocannon returns an emitter that is also a promise of the result.
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    requests: [
      {
        method: 'POST',
        path: new URL(options.url).pathname,
        headers: { 'content-type': 'application/json', authorization: options.authorization },
        body: options.body,
        ...(dynamic
          ? {
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                body: options.body.replace(/\[<id>\]/g, `${runId}x${(sequence += 1)}`),
              }),
            }
          : {}),
        onResponse: (status: number, body: string, _context: object, headers?: IncomingHttpHeaders) => {
          if (status !== 200 || body.includes('"errors"')) {
            errors += 1;
            countError(status !== 200 ? `HTTP ${status}` : (/"code":"([A-Z_]+)"/.exec(body)?.[1] ?? 'GraphQL error'));
          }
          if (headers?.age !== undefined) cacheHits += 1;
        },
      },
    ],
  }) as unknown as EventEmitter & Promise<autocannon.Result>;
  // The run is awaited below; `on` returns the emitter, not a promise of its own.
  const emitter: EventEmitter = instance;
  emitter.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  const result = await instance;
  // autocannon's `errors` include its `timeouts` (a request unanswered for 10 s).
  countError('socket error', result.errors - result.timeouts);
  countError('timeout (10 s)', result.timeouts);
  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  return {
    requests,
    rps: requests / options.durationS,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    // Non-2xx responses are already counted by onResponse; add socket errors and timeouts.
    errors: errors + result.errors,
    cacheHits,
    errorKinds,
  };
}
