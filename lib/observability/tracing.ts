import type { NodeSDK } from '@opentelemetry/sdk-node';
import { settings } from '../config.js';

/**
 * OpenTelemetry for one piece. Started by lib/observability/register.ts, which
 * the start scripts load with `--import` before any other module (so http, express and graphql
 * are patched before they are first loaded), and only when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: otherwise no SDK, no instrumentation, no cost:
 * `@opentelemetry/api` calls are no-ops.
 */
let sdk: NodeSDK | undefined;

export function tracingEnabled(): boolean {
  return sdk !== undefined;
}

/** OTLP exporters by OTEL_EXPORTER_OTLP_PROTOCOL: `http/protobuf` (the spec's default) or `http/json`. */
async function createExporter(protocol: string) {
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter();
  }
  if (protocol !== 'http/protobuf') {
    process.emitWarning(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported here; exporting over http/protobuf`);
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter();
}

/**
 * Starts the SDK for `serviceName` (the piece's name). The exporters read the standard
 * OTEL_EXPORTER_OTLP_* variables themselves (endpoint, headers, timeout).
 */
export async function startTracing(serviceName: string): Promise<boolean> {
  if (sdk || !settings.otlpEndpoint()) return false;
  const [
    { NodeSDK: SDK, tracing },
    { HttpInstrumentation },
    { ExpressInstrumentation },
    { GraphQLInstrumentation },
    { UndiciInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-express'),
    import('@opentelemetry/instrumentation-graphql'),
    import('@opentelemetry/instrumentation-undici'),
  ]);
  const exporter = await createExporter(settings.otlpProtocol());
  const quiet = (path: string | undefined) => path === '/health' || path === '/metrics';
  sdk = new SDK({
    serviceName,
    spanProcessors: [new tracing.BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
    // Traces only: metrics are Prometheus (/metrics), logs are pino on stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => quiet(req.url?.split('?')[0]),
      }),
      new ExpressInstrumentation(),
      // One span per operation phase (parse, validate, execute); per-field spans only for
      // resolvers that do work (trivial property reads are skipped).
      new GraphQLInstrumentation({ ignoreTrivialResolveSpans: true, mergeItems: true }),
      // The gateway's undici pool and global fetch (subgraph to subgraph) are undici: this is
      // what carries `traceparent` to the next piece.
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  return true;
}

/** Flushes and stops the SDK (the last step of a graceful shutdown). */
export async function stopTracing(): Promise<void> {
  const current = sdk;
  sdk = undefined;
  await current?.shutdown();
}
