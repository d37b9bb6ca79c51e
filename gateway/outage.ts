import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { Kind, parse, type GraphQLFormattedError, type SelectionSetNode } from 'graphql';
import { exposeErrorDetails } from '../lib/config.js';
import { ErrorCode } from '../lib/errors.js';
import { logger } from '../lib/observability/logger.js';

type ProcessResult = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/** At most this many errors per failed fetch: a page of 500 entities needs no 500 copies. */
const MAX_ERRORS_PER_FETCH = 100;

/** A subgraph that could not be reached, did not answer within SUBGRAPH_TIMEOUT_MS, or failed (5xx). */
export class SubgraphUnavailableError extends Error {
  constructor(
    readonly serviceName: string,
    cause: unknown,
  ) {
    super(`The ${serviceName} service is unavailable`, { cause });
    this.name = 'SubgraphUnavailableError';
  }
}

/**
 * A data source that turns a subgraph outage into GraphQL errors on the fields that subgraph
 * was asked for. @apollo/gateway (2.14) attaches an error thrown by a fetch to no path and no
 * service (it becomes a bare INTERNAL_SERVER_ERROR); an error *returned* by the subgraph goes
 * through `downstreamServiceError`, which adds `serviceName` and maps `_entities` paths back to
 * the entities' places in the response. So an outage is answered as such a response:
 * `SERVICE_UNAVAILABLE` on every field of the fetch (root fields, or each entity's fields), no
 * data, and the gateway's result shaping nulls those fields (now nullable) and keeps the rest.
 */
export class OutageAwareDataSource<TContext extends object> extends RemoteGraphQLDataSource<TContext> {
  readonly serviceName: string;

  constructor(config: ConstructorParameters<typeof RemoteGraphQLDataSource<TContext>>[0] & { serviceName: string }) {
    const { serviceName, ...rest } = config;
    super(rest);
    this.serviceName = serviceName;
  }

  override async process(options: GraphQLDataSourceProcessOptions<TContext>): Promise<ProcessResult> {
    try {
      return await super.process(options);
    } catch (error) {
      if (!(error instanceof SubgraphUnavailableError)) throw error;
      logger.warn(
        { subgraph: this.serviceName, cause: describe(error.cause) },
        `[gateway] ${this.serviceName} unavailable`,
      );
      return { errors: outageErrors(this.serviceName, options.request.query, options.request.variables, error) };
    }
  }

  /**
   * Called for every failure of `sendRequest`: no response at all (refused, reset, timed out),
   * a 5xx, or a body that is not GraphQL JSON. Client errors (4xx) keep Apollo's handling.
   */
  override didEncounterError(error: Error, _request: unknown, response?: FetcherResponse): void {
    if (!response || response.status >= 500 || response.ok) throw new SubgraphUnavailableError(this.serviceName, error);
    throw error;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}

/** One error per field the fetch asked for, with the path the gateway maps to the response. */
export function outageErrors(
  serviceName: string,
  query: string | undefined,
  variables: Record<string, unknown> | undefined,
  error: SubgraphUnavailableError,
): GraphQLFormattedError[] {
  const base = {
    message: error.message,
    extensions: {
      code: ErrorCode.SERVICE_UNAVAILABLE,
      serviceName,
      ...(exposeErrorDetails() ? { cause: describe(error.cause) } : {}),
    },
  };
  const paths = query ? fieldPaths(query, variables) : [];
  if (paths.length === 0) return [base];
  return paths.slice(0, MAX_ERRORS_PER_FETCH).map((path) => ({ ...base, path }));
}

/**
 * Paths of the fields a subgraph operation selects: `[field]` for a root fetch,
 * `['_entities', i, field]` for the i-th representation of an entity fetch (only the fields of
 * its own type's fragment).
 */
function fieldPaths(query: string, variables: Record<string, unknown> | undefined): (string | number)[][] {
  let document;
  try {
    document = parse(query);
  } catch {
    return [];
  }
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return [];
  const roots = responseNames(operation.selectionSet, undefined);
  const representations = variables?.representations;
  if (!Array.isArray(representations) || !roots.includes('_entities')) return roots.map((name) => [name]);
  const entities = operation.selectionSet.selections.find(
    (selection) => selection.kind === Kind.FIELD && (selection.alias ?? selection.name).value === '_entities',
  );
  const entitySelections = entities?.kind === Kind.FIELD ? entities.selectionSet : undefined;
  if (!entitySelections) return [];
  const paths: (string | number)[][] = [];
  representations.forEach((representation: unknown, index) => {
    const typename =
      typeof representation === 'object' && representation !== null && '__typename' in representation
        ? String(representation.__typename)
        : undefined;
    for (const name of responseNames(entitySelections, typename)) paths.push(['_entities', index, name]);
  });
  return paths;
}

/** Response names selected directly or through fragments on `typename` (every fragment when unknown). */
function responseNames(selectionSet: SelectionSetNode, typename: string | undefined): string[] {
  const names: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = (selection.alias ?? selection.name).value;
      if (name !== '__typename' && !names.includes(name)) names.push(name);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!typename || !selection.typeCondition || selection.typeCondition.name.value === typename) {
        for (const name of responseNames(selection.selectionSet, typename)) if (!names.includes(name)) names.push(name);
      }
    }
  }
  return names;
}
