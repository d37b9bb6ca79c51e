import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** USD cents as the portal shows money: `$1,234.50`. */
export function usd(cents: number | null | undefined): string {
  return cents === null || cents === undefined ? '—' : USD.format(cents / 100);
}

/** A DateTime or Date string as a day (`2026-12-02`). */
export function day(value: string | null | undefined): string {
  return value ? value.slice(0, 10) : '—';
}

/** The contract's error codes (CONTRACT.md), in words for the people using the portal. */
const IN_WORDS: Record<string, string> = {
  UNAUTHENTICATED: 'Your token is missing, invalid or expired: sign in again.',
  FORBIDDEN: 'Your token does not allow this.',
  NOT_FOUND: 'It does not exist (any more).',
  BAD_USER_INPUT: 'The input was refused.',
  CONFLICT: 'It changed meanwhile or is already done.',
  SERVICE_UNAVAILABLE: 'A part of the service did not answer in time: try again shortly.',
  INTERNAL_SERVER_ERROR: 'The service failed unexpectedly.',
  COST_ESTIMATED_TOO_EXPENSIVE: 'The request asks for too much at once.',
  PERSISTED_QUERY_NOT_FOUND: 'The service does not know this request.',
  PERSISTED_QUERY_NOT_IN_LIST: 'The service only runs the requests it trusts, and not this one.',
  GRAPHQL_VALIDATION_FAILED: 'The request does not match the service.',
  GRAPHQL_PARSE_FAILED: 'The request is malformed.',
  BAD_REQUEST: 'The request is malformed.',
  NETWORK: 'The service could not be reached.',
};

export interface Problem {
  code: string;
  words: string;
  detail: string;
}

/** The code and message of an Apollo Client error (GraphQL errors, an HTTP error body, or none). */
export function problemOf(error: unknown): Problem {
  let code = 'NETWORK';
  let detail = error instanceof Error ? error.message : String(error);
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
    detail = first?.message ?? detail;
  } else if (ServerError.is(error)) {
    const parsed = parseErrorBody(error.bodyText);
    code = parsed?.code ?? `HTTP ${error.statusCode}`;
    detail = parsed?.message ?? detail;
  }
  return { code, words: IN_WORDS[code] ?? 'The request failed.', detail };
}

function parseErrorBody(body: string): { code?: string; message?: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { errors?: { message?: string; extensions?: { code?: unknown } }[] };
    const first = parsed.errors?.[0];
    if (!first) return undefined;
    return {
      ...(typeof first.extensions?.code === 'string' ? { code: first.extensions.code } : {}),
      ...(first.message ? { message: first.message } : {}),
    };
  } catch {
    return undefined;
  }
}
