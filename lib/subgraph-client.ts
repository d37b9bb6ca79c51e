import { settings, subgraphUrl, type SubgraphName } from './config.js';
import { DomainError, ErrorCode, serviceUnavailable } from './errors.js';

const overrides = new Map<SubgraphName, string>();

/** In-process stacks (tests, `npm start`) listen on chosen ports and register them here. */
export function setSubgraphUrls(urls: Partial<Record<SubgraphName, string>>): void {
  for (const [name, url] of Object.entries(urls)) overrides.set(name as SubgraphName, url);
}

export function resolveSubgraphUrl(name: SubgraphName): string {
  return overrides.get(name) ?? subgraphUrl(name);
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; serviceName?: string } }[];
}

const PASS_THROUGH = new Set<string>([ErrorCode.BAD_USER_INPUT, ErrorCode.FORBIDDEN, ErrorCode.UNAUTHENTICATED, ErrorCode.NOT_FOUND]);

/**
 * Calls another subgraph's public GraphQL API (DOMAIN section 0: cross-subgraph checks go
 * through the owner's API, never its tables), carrying the caller's Authorization header.
 * Callers wrap it in a per-request DataLoader so one request makes one call per tick.
 */
export async function callSubgraph<T>(
  name: SubgraphName,
  query: string,
  variables: Record<string, unknown>,
  authorization: string,
): Promise<T> {
  // Unreachable, too slow (SUBGRAPH_TIMEOUT_MS), 5xx or not GraphQL: the callee is unavailable,
  // and the error names it (the cause is logged by formatError, never sent).
  let response: Response;
  let body: GraphQLResponse<T>;
  const timeoutMs = settings.subgraphTimeoutMs();
  try {
    response = await fetch(resolveSubgraphUrl(name), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query, variables }),
      ...(timeoutMs > 0 ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
  } catch (error) {
    console.error(`[subgraph-client] ${name}: ${(error as Error).message}`);
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw serviceUnavailable(name, timedOut ? `The ${name} subgraph did not answer within ${timeoutMs} ms` : `The ${name} subgraph is unreachable`);
  }
  try {
    if (response.status >= 500) throw new Error(`HTTP ${response.status}`);
    body = (await response.json()) as GraphQLResponse<T>;
  } catch (error) {
    console.error(`[subgraph-client] ${name}: ${(error as Error).message}`);
    throw serviceUnavailable(name, `The ${name} subgraph failed`);
  }
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR;
    if (PASS_THROUGH.has(code)) throw new DomainError(code as ErrorCode, first.message);
    if (code === ErrorCode.SERVICE_UNAVAILABLE) throw serviceUnavailable(first.extensions?.serviceName ?? name);
    throw new Error(`The ${name} subgraph failed: ${first.message}`);
  }
  if (!body.data) throw new Error(`The ${name} subgraph returned no data (HTTP ${response.status})`);
  return body.data;
}
