/**
 * Recognises the errors that mean "the database could not answer" (as opposed to a bad query or a
 * constraint violation), so that lib/errors.ts can report them as SERVICE_UNAVAILABLE instead of
 * an anonymous INTERNAL_SERVER_ERROR. Both drivers are covered: mysql2 (network errors, lost or
 * refused connections, pool limits, statement timeouts) and better-sqlite3 (busy/locked files,
 * I/O failures).
 */

/** mysql2 and Node socket codes of a server that is down, unreachable or going away. */
const MYSQL_OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  // A statement that ran past DB_STATEMENT_TIMEOUT_MS (MySQL's max_execution_time).
  'ER_QUERY_TIMEOUT',
]);

/**
 * Server error numbers, for the ones mysql2 has no code name for: MariaDB's statement timeout
 * (1969, max_statement_time) and connection killed (1927), MySQL's max_execution_time (3024),
 * server shutdown (1053), query interrupted (1317), too many connections (1040).
 */
const MYSQL_OUTAGE_ERRNOS = new Set([1969, 1927, 3024, 1053, 1317, 1040]);

/** mysql2's pool reports these without a code. */
const MYSQL_POOL_MESSAGES = ['Queue limit reached.', 'Pool is closed.'];

const SQLITE_OUTAGE_PREFIXES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR'];

function isOutageError(error: object): boolean {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code && MYSQL_OUTAGE_CODES.has(code)) return true;
  if ('errno' in error && typeof error.errno === 'number' && MYSQL_OUTAGE_ERRNOS.has(error.errno)) return true;
  if (code && SQLITE_OUTAGE_PREFIXES.some((prefix) => code.startsWith(prefix))) return true;
  // mysql2 marks every error that killed its connection as fatal (whatever its code).
  if ('fatal' in error && error.fatal === true) return true;
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  return MYSQL_POOL_MESSAGES.includes(message);
}

/**
 * True when `error`, or an error it wraps (`originalError` of a GraphQLError, `cause`,
 * AggregateError members), says the database is unavailable.
 */
export function isDatabaseOutage(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  if (isOutageError(error)) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => isDatabaseOutage(inner, depth + 1))) return true;
  const nested = [
    'originalError' in error ? error.originalError : undefined,
    'cause' in error ? error.cause : undefined,
  ];
  return nested.some((inner) => inner !== undefined && isDatabaseOutage(inner, depth + 1));
}
