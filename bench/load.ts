import { Pool } from 'undici';

export interface LoadResult {
  /** Responses received, including those that arrived after the load stopped. */
  requests: number;
  /** Of them, responses to requests in flight when the cell stopped sending (they are counted). */
  afterStop: number;
  /** From the first request to the last response. */
  elapsedS: number;
  rps: number;
  /** Responses without errors (HTTP 200, no GraphQL `errors`) per second: what throughput comparisons use. */
  okRps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** Responses served from the gateway's response cache (they carry an `Age` header). */
  cacheHits: number;
  /** What the errors were: counts by kind (HTTP status, GraphQL error code, timeout). */
  errorKinds: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  body: string;
  authorization: string;
  connections: number;
  /** Keeps sending for at least this long... */
  minDurationS: number;
  /** ...and until at least this many responses arrived... */
  minRequests: number;
  /** ...but stops sending after this long whatever the count. */
  maxDurationS: number;
  /** A request unanswered this long is an error (its connection is dropped). */
  timeoutMs?: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Drives `connections` closed-loop clients (each sends its next request when its previous response
 * arrived) over as many keep-alive connections at one GraphQL endpoint. The cell sends until both
 * `minDurationS` passed and `minRequests` responses arrived (or `maxDurationS` passed), then waits
 * for every request still in flight and counts it: a slow operation at 50 connections yields its
 * real throughput instead of the 0 req/s of a cell that ends before the first responses. A response
 * is an error when it is not 200 or carries GraphQL `errors`. `[<id>]` in the body is replaced by a
 * fresh id per request (unique emails for write paths).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pool = new Pool(url.origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const latencies: number[] = [];
  let errors = 0;
  let cacheHits = 0;
  let afterStop = 0;
  let ok = 0;
  const errorKinds: Record<string, number> = {};
  const countError = (kind: string) => {
    errors += 1;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const dynamic = options.body.includes('[<id>]');
  const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  let sequence = 0;
  const headers = { 'content-type': 'application/json', authorization: options.authorization };
  const started = performance.now();
  let lastResponse = started;
  let stopped = false;
  // A function, not the variable: a client reads, after its await, what another client set meanwhile.
  const hasStopped = () => stopped;
  const shouldStop = () => {
    const elapsedS = (performance.now() - started) / 1000;
    return (
      elapsedS >= options.maxDurationS || (elapsedS >= options.minDurationS && latencies.length >= options.minRequests)
    );
  };

  const client = async () => {
    while (!hasStopped()) {
      if (shouldStop()) {
        stopped = true;
        break;
      }
      const body = dynamic ? options.body.replace(/\[<id>\]/g, `${runId}x${(sequence += 1)}`) : options.body;
      const sent = performance.now();
      try {
        const response = await pool.request({ path: url.pathname, method: 'POST', headers, body });
        const text = await response.body.text();
        const now = performance.now();
        latencies.push(now - sent);
        lastResponse = now;
        if (hasStopped()) afterStop += 1;
        if (response.statusCode !== 200) countError(`HTTP ${response.statusCode}`);
        else if (text.includes('"errors"')) countError(/"code":"([A-Z_]+)"/.exec(text)?.[1] ?? 'GraphQL error');
        else ok += 1;
        if (response.headers.age !== undefined) cacheHits += 1;
      } catch (error) {
        lastResponse = performance.now();
        const code = (error as { code?: string }).code ?? '';
        countError(code.includes('TIMEOUT') ? `timeout (${timeoutMs / 1000} s)` : `socket error ${code}`.trim());
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, client));
  } finally {
    await pool.close();
  }
  latencies.sort((a, b) => a - b);
  const elapsedS = (lastResponse - started) / 1000;
  const requests = latencies.length;
  return {
    requests,
    afterStop,
    elapsedS,
    rps: elapsedS > 0 ? requests / elapsedS : Number.NaN,
    okRps: elapsedS > 0 ? ok / elapsedS : Number.NaN,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors,
    cacheHits,
    errorKinds,
  };
}
