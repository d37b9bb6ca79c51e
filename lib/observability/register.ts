/**
 * Loaded with `node --import` (see package.json's start scripts) before the program itself, so
 * OpenTelemetry patches http, express and graphql before they are first imported. Does nothing
 * unless OTEL_EXPORTER_OTLP_ENDPOINT is set. The service name is the piece the script starts
 * (`start-piece.ts gateway` -> `gateway`), `enterprise-graph` for `npm start`, or OTEL_SERVICE_NAME.
 */
import { register } from 'node:module';
import path from 'node:path';
import { settings } from '../config.js';
import { startTracing } from './tracing.js';

function serviceName(): string {
  const configured = settings.otelServiceName();
  if (configured) return configured;
  const script = path.basename(process.argv[1] ?? '');
  if (script.startsWith('start-piece')) return process.argv[2] ?? 'enterprise-graph';
  return 'enterprise-graph';
}

if (settings.otlpEndpoint()) {
  // ESM modules are patched through import-in-the-middle's loader hooks (CommonJS ones through
  // require-in-the-middle, which the instrumentations install themselves).
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  await startTracing(serviceName());
}
