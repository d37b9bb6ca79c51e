import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { exposeErrorDetails } from './config.js';
import { logger } from './observability/logger.js';

/** The closed set of error codes the contract allows (CONTRACT section 3). */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
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
]);

/**
 * `formatError` for every server: known codes pass through; anything else becomes a generic
 * INTERNAL_SERVER_ERROR so that SQL text, driver messages and stack traces never leave the
 * process outside development. Never throws.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  try {
    const code = String(formatted.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
    if (exposeErrorDetails()) return formatted;
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
  } catch {
    return { message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
}

function logInternalError(error: unknown): void {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  // Server-side only: the caller got a generic message; the cause (SQL, driver errors) stays here.
  logger.error({ err: original }, 'internal error');
}
