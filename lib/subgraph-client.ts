import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { aliasBatch } from './alias-batch.js';
import { settings, subgraphUrl, type SubgraphName } from './config.js';
import { DomainError, ErrorCode, serviceUnavailable } from './errors.js';
import { logger } from './observability/logger.js';

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

const PASS_THROUGH = new Set<string>([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.FORBIDDEN,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.NOT_FOUND,
]);

/**
 * Calls another subgraph's public GraphQL API (a cross-subgraph check goes through the owner's
 * API, never its tables), carrying the caller's Authorization header.
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
    logger.warn({ subgraph: name, err: error }, `[subgraph-client] ${name} unreachable`);
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw serviceUnavailable(
      name,
      timedOut ? `The ${name} subgraph did not answer within ${timeoutMs} ms` : `The ${name} subgraph is unreachable`,
    );
  }
  try {
    if (response.status >= 500) throw new Error(`HTTP ${response.status}`);
    body = (await response.json()) as GraphQLResponse<T>;
  } catch (error) {
    logger.warn({ subgraph: name, err: error }, `[subgraph-client] ${name} failed`);
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

const printed = new WeakMap<object, string>();

/**
 * One operation of `subgraphs/<caller>/remote.<callee>.graphql`, typed by codegen against the
 * callee's SDL: a callee schema change that breaks the operation fails `npm run typecheck`.
 */
export async function callSubgraphOperation<TData, TVars extends Record<string, unknown>>(
  name: SubgraphName,
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  authorization: string,
): Promise<TData> {
  let query = printed.get(document);
  if (query === undefined) {
    query = print(document);
    printed.set(document, query);
  }
  return callSubgraph<TData>(name, query, variables, authorization);
}

/**
 * A one-key query asked for many keys in one request (lib/alias-batch.ts): one result per key, in
 * key order. `variablesOf` gives a key's own variables; those in `shared` are sent once.
 */
export async function callSubgraphBatch<
  K,
  TData,
  TVars extends Record<string, unknown>,
  TShared extends keyof TVars = never,
>(
  name: SubgraphName,
  document: TypedDocumentNode<TData, TVars>,
  keys: readonly K[],
  variablesOf: (key: K) => Omit<TVars, TShared>,
  authorization: string,
  shared?: Pick<TVars, TShared>,
): Promise<{ key: K; data: TData }[]> {
  if (!keys.length) return [];
  const batch = aliasBatch(document, keys, variablesOf, shared);
  return batch.split(await callSubgraph<Record<string, unknown>>(name, batch.query, batch.variables, authorization));
}
