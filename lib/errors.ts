import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { exposeErrorDetails, nodeEnv } from './config.js';
import { isDatabaseOutage } from './db/outage.js';
import { logger } from './observability/logger.js';

/** The closed set of error codes the contract allows. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** A subgraph or a database could not answer (in time); `extensions.serviceName` says which piece. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
};

/** Base class of every error we raise on purpose: the code is always in `extensions.code`. */
export class DomainError extends GraphQLError {
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    const status = HTTP_STATUS[code];
    super(message, { extensions: { ...details, code, ...(status ? { http: { status } } : {}) } });
    this.name = 'DomainError';
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.BAD_USER_INPUT, message, details);
export const notFound = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.NOT_FOUND, message, details);
export const unauthenticated = (message = 'Authentication required: send "Authorization: JWT <token>"') =>
  new DomainError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'You do not have access to this resource') =>
  new DomainError(ErrorCode.FORBIDDEN, message);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.CONFLICT, message, details);
export const serviceUnavailable = (serviceName: string, message = `The ${serviceName} service is unavailable`) =>
  new DomainError(ErrorCode.SERVICE_UNAVAILABLE, message, { serviceName });

/** A deliberate refusal (bad input, not found, forbidden, ...): retrying cannot change it, unlike an outage. */
export function isRefusal(error: unknown): boolean {
  return error instanceof DomainError && error.extensions.code !== ErrorCode.SERVICE_UNAVAILABLE;
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
// Codes Apollo Server itself produces for malformed operations; they carry no internals.
const SAFE_APOLLO_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'DOWNSTREAM_SERVICE_ERROR',
  // Demand control's refusal (gateway/demand-control.ts), with extensions.cost.
  'COST_ESTIMATED_TOO_EXPENSIVE',
]);

/**
 * graphql-js appends "Did you mean ...?" to unknown fields, arguments, types and enum values:
 * in production that reveals the schema introspection is meant to hide.
 */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

/**
 * Apollo Server refuses some requests with a bare GraphQLError that carries only an HTTP 4xx
 * status and no code (an APQ hash that does not match its query, an unsupported APQ version).
 * They are the client's mistake: BAD_REQUEST, not an internal error to log.
 */
function isBareRequestError(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.originalError || error.extensions.code !== undefined) return false;
  const http = error.extensions.http as { status?: unknown } | undefined;
  return typeof http?.status === 'number' && http.status >= 400 && http.status < 500;
}

/**
 * `formatError` for every server: known codes pass through; anything else becomes a generic
 * INTERNAL_SERVER_ERROR so that SQL text, driver messages and stack traces never leave the
 * process outside development. Never throws.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  return formatErrorOf(undefined)(formatted, error);
}

/**
 * `formatError` of one piece: a database that cannot answer (lib/db/outage.ts) becomes
 * SERVICE_UNAVAILABLE naming `serviceName`, with the field's path and no driver text.
 */
export function formatErrorOf(serviceName: string | undefined) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    try {
      const result = formatKnown(unavailableIfOutage(formatted, error, serviceName), error);
      return nodeEnv() === 'production' ? { ...result, message: withoutSuggestions(result.message) } : result;
    } catch {
      return { message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
  };
}

function unavailableIfOutage(
  formatted: GraphQLFormattedError,
  error: unknown,
  serviceName: string | undefined,
): GraphQLFormattedError {
  if (!serviceName || error instanceof DomainError || !isDatabaseOutage(error)) return formatted;
  logInternalError(error);
  const cause = exposeErrorDetails() ? { cause: formatted.message } : {};
  return {
    message: `The ${serviceName} service is unavailable: its database did not answer`,
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, serviceName, ...cause },
  };
}

function formatKnown(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  // A code comes from whoever threw (a subgraph, a library): anything but a string or number is no code.
  const raw = formatted.extensions?.code;
  const given = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : ErrorCode.INTERNAL_SERVER_ERROR;
  const code = isBareRequestError(error) ? 'BAD_REQUEST' : given;
  if (exposeErrorDetails()) return { ...formatted, extensions: { ...formatted.extensions, code } };
  const { stacktrace: _stack, exception: _exception, http: _http, ...extensions } = formatted.extensions ?? {};
  if (KNOWN_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return { ...formatted, extensions: { ...extensions, code } };
  }
  if (SAFE_APOLLO_CODES.has(code)) return { ...formatted, extensions: { ...extensions, code } };
  if (error && !(error instanceof DomainError)) logInternalError(error);
  return {
    message: 'Internal server error',
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

function logInternalError(error: unknown): void {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  // Server-side only: the caller got a generic message; the cause (SQL, driver errors) stays here.
  logger.error({ err: original }, 'internal error');
}
