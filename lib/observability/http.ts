import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import client from 'prom-client';
import { settings } from '../config.js';
import { listen, type Listening } from '../server/http.js';
import { drainGuard } from '../server/shutdown.js';
import { pieceLogger } from './logger.js';
import {
  clientLabels,
  graphqlErrors,
  graphqlRequestDuration,
  operationNameLabel,
  persistedQueryRefusals,
  renderMetrics,
  responseCacheRequests,
} from './metrics.js';

/**
 * Per-request observability of every piece: the drain guard, a request id, one JSON access line
 * per request, `/metrics`, and (through `observabilityPlugin`) operation metrics. `observe(app,
 * piece)` goes first on each piece's Express app; the plugin goes into its Apollo Server.
 */

/** What the Apollo plugin learns about a request, for its access line. */
interface RequestFacts {
  operationName?: string | undefined;
  operationType?: string | undefined;
  errorCodes?: string[];
  userId?: number | null | undefined;
  service?: string | null | undefined;
  cacheHit?: boolean | undefined;
}

/** Internal header joining the Express request to the Apollo request (never trusted from outside). */
const FACTS_HEADER = 'x-eg-observe';
const facts = new Map<string, RequestFacts>();

const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

function incomingRequestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The active span's trace id (tracing on), else the caller's `traceparent` one, for log correlation. */
function traceIdOf(req: IncomingMessage): string | undefined {
  const active = trace.getActiveSpan()?.spanContext();
  if (active && active.traceId !== '00000000000000000000000000000000') return active.traceId;
  const header = req.headers.traceparent;
  return typeof header === 'string' ? TRACEPARENT.exec(header)?.[1] : undefined;
}

/** The caller's `apollographql-client-name` / `-version` headers (Apollo Client sends them), for the access line. */
const CLIENT_HEADER_CHARS = 64;
function clientOf(req: IncomingMessage): { clientName?: string; clientVersion?: string } {
  const name = req.headers['apollographql-client-name'];
  const version = req.headers['apollographql-client-version'];
  return {
    ...(typeof name === 'string' && name ? { clientName: name.slice(0, CLIENT_HEADER_CHARS) } : {}),
    ...(typeof version === 'string' && version ? { clientVersion: version.slice(0, CLIENT_HEADER_CHARS) } : {}),
  };
}

/**
 * A request the piece refused before Apollo Server saw it (the gateway's safelist): counted by
 * code and client, and its code on the access line like an Apollo error's.
 */
export function noteRefusal(req: IncomingMessage, piece: string, code: string): void {
  graphqlErrors.inc({ piece, code });
  const name = req.headers['apollographql-client-name'];
  const version = req.headers['apollographql-client-version'];
  persistedQueryRefusals.inc({
    code,
    ...clientLabels(typeof name === 'string' ? name : undefined, typeof version === 'string' ? version : undefined),
  });
  const key = req.headers[FACTS_HEADER];
  const known = typeof key === 'string' ? facts.get(key) : undefined;
  if (known) known.errorCodes = [code];
}

/** Express rewrites `req.url` inside mounted routes (`/graphql` -> `/`); the access line wants the original. */
const urlOf = (req: IncomingMessage) => (req as Partial<Request>).originalUrl ?? req.url;

export function observe(app: Express, piece: string): void {
  const log = pieceLogger(piece);
  app.use(drainGuard);
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const key = randomUUID();
    req.headers[FACTS_HEADER] = key;
    facts.set(key, {});
    next();
  });
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = incomingRequestId(req);
        res.setHeader('x-request-id', id);
        return id;
      },
      // Health checks and scrapes every few seconds would drown the access log.
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
      // Only what an operator needs; headers (the token) are never logged.
      serializers: {
        req: (req: { method?: string; url?: string; raw?: { originalUrl?: string } }) => ({
          method: req.method,
          url: req.raw?.originalUrl ?? req.url,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      // pino-http asks on arrival too (for `req.log`); the facts belong to the access line only.
      customProps: (req: IncomingMessage, res: ServerResponse) => {
        if (!res.headersSent) return {};
        const key = req.headers[FACTS_HEADER];
        const known = typeof key === 'string' ? facts.get(key) : undefined;
        return {
          requestId: req.id,
          traceId: traceIdOf(req),
          ...clientOf(req),
          ...(known?.operationName !== undefined ? { operationName: known.operationName } : {}),
          ...(known?.operationType ? { operationType: known.operationType } : {}),
          ...(known?.errorCodes?.length ? { errorCodes: known.errorCodes } : {}),
          ...(known?.userId != null ? { userId: known.userId } : {}),
          ...(known?.service ? { service: known.service } : {}),
          ...(known?.cacheHit !== undefined ? { cacheHit: known.cacheHit } : {}),
        };
      },
      customSuccessMessage: (req: IncomingMessage, res: ServerResponse) =>
        `${req.method} ${urlOf(req)} ${res.statusCode}`,
      customErrorMessage: (req: IncomingMessage, res: ServerResponse) =>
        `${req.method} ${urlOf(req)} ${res.statusCode} failed`,
      customAttributeKeys: { responseTime: 'durationMs' },
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    const key = req.headers[FACTS_HEADER];
    // After pino-http's own 'finish' listener (registered above), so the access line still sees them.
    res.once('close', () => {
      if (typeof key === 'string') setImmediate(() => facts.delete(key));
    });
    next();
  });
  if (settings.metricsPort() === undefined) app.get('/metrics', metricsRoute);
}

async function metricsRoute(_req: Request, res: Response): Promise<void> {
  const { contentType, body } = await renderMetrics();
  res.setHeader('content-type', contentType);
  res.send(body);
}

/**
 * METRICS_PORT: `/metrics` alone on its own port (keep it off the public network), once per
 * process. A GATEWAY_WORKERS primary (`cluster: true`) answers with every worker's metrics
 * summed (prom-client's AggregatorRegistry asks them over the cluster's IPC channel).
 */
export async function startMetricsServer(
  host: string,
  options: { cluster?: boolean } = {},
): Promise<Listening | undefined> {
  const port = settings.metricsPort();
  if (port === undefined) return undefined;
  const app = express();
  app.disable('x-powered-by');
  if (options.cluster) {
    const aggregator = new client.AggregatorRegistry();
    app.get('/metrics', async (_req, res) => {
      res.setHeader('content-type', aggregator.contentType);
      res.send(await aggregator.clusterMetrics());
    });
  } else {
    app.get('/metrics', metricsRoute);
  }
  const listening = await listen(app, port, host);
  pieceLogger('metrics').info(`[metrics] ${listening.url}/metrics`);
  return listening;
}

interface ViewerLike {
  lmsUserId: number | null;
  service?: string | null;
}

/**
 * Apollo Server plugin of every piece: the request duration histogram (operation name and type,
 * outcome), errors by code, response-cache hits and misses (gateway), and the operation facts
 * of the access line.
 */
export function observabilityPlugin<Context extends BaseContext & { viewer?: ViewerLike }>(
  piece: string,
): ApolloServerPlugin<Context> {
  return {
    requestDidStart({ request, contextValue }) {
      const started = performance.now();
      const key = request.http?.headers.get(FACTS_HEADER);
      const known = key ? facts.get(key) : undefined;
      if (known) {
        known.userId = contextValue.viewer?.lmsUserId;
        known.service = contextValue.viewer?.service;
      }
      return Promise.resolve({
        willSendResponse(requestContext) {
          const { response, operation, operationName, metrics } = requestContext;
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const codes = (body?.errors ?? []).map((e) => {
            const code = e.extensions?.code;
            return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
          });
          for (const code of codes) graphqlErrors.inc({ piece, code });
          const hasData = body?.data !== undefined && body.data !== null;
          const outcome = codes.length === 0 ? 'success' : hasData ? 'partial' : 'error';
          const type = operation?.operation ?? 'unknown';
          const name = operationName ?? request.operationName ?? null;
          const client = clientLabels(
            request.http?.headers.get('apollographql-client-name'),
            request.http?.headers.get('apollographql-client-version'),
          );
          graphqlRequestDuration.observe(
            { piece, operation_name: operationNameLabel(piece, name), operation_type: type, outcome, ...client },
            (performance.now() - started) / 1000,
          );
          // Set by the response-cache plugin on queries it looked up (gateway with REDIS_URL).
          if (metrics.responseCacheHit !== undefined)
            responseCacheRequests.inc({ result: metrics.responseCacheHit ? 'hit' : 'miss' });
          if (known) {
            known.operationName = name ?? '';
            known.operationType = type;
            known.errorCodes = codes;
            known.cacheHit = metrics.responseCacheHit;
          }
          return Promise.resolve();
        },
      });
    },
  };
}
