import cors from 'cors';
import type { RequestHandler } from 'express';
import { nodeEnv, settings } from '../config.js';

/** Hosted Apollo Sandbox / Explorer calls from this origin (with the user's Authorization header). */
export const STUDIO_ORIGIN = 'https://studio.apollographql.com';

/** A local front-end during development (`vite` on localhost:5173, a portal on 127.0.0.1:8080, ...). */
const LOCAL_ORIGIN = /^http:\/\/(?:localhost|127\.0\.0\.1)(?::\d{1,5})?$/;

/** Request headers a browser client may send; the preflight lists them. */
export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
];

/** Seconds a browser may cache a preflight (Chromium caps this at 7200). */
export const CORS_MAX_AGE = 7200;

/**
 * Whether a browser on `origin` may call the gateway. CORS_ORIGINS, when set, is the exact list;
 * otherwise development allows Studio and any local port, and production allows no other origin.
 */
export function corsOriginAllowed(
  origin: string,
  configured = settings.corsOrigins(),
  environment = nodeEnv(),
): boolean {
  if (configured) return configured.includes(origin);
  if (environment === 'production') return false;
  return origin === STUDIO_ORIGIN || LOCAL_ORIGIN.test(origin);
}

/**
 * The gateway's CORS layer (subgraphs have none: only the gateway calls them). It answers
 * preflights itself with 204, so they never reach Apollo's CSRF prevention, which still checks
 * every real request. No credentials: the token travels in the Authorization header, not a cookie.
 */
export function corsMiddleware(): RequestHandler {
  // Read (and validated) once at start-up: a bad CORS_ORIGINS fails the start, not a request.
  const configured = settings.corsOrigins();
  const environment = nodeEnv();
  return cors({
    origin: (origin, callback) => {
      callback(null, origin !== undefined && corsOriginAllowed(origin, configured, environment));
    },
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    maxAge: CORS_MAX_AGE,
    credentials: false,
    optionsSuccessStatus: 204,
  });
}
