import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Request, RequestHandler } from 'express';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { Kind, parse, stripIgnoredCharacters, type OperationDefinitionNode } from 'graphql';
import { authenticate } from '../lib/auth/token.js';
import { settings } from '../lib/config.js';
import { noteRefusal } from '../lib/observability/http.js';

/**
 * Trusted documents (persisted-query safelisting) at the gateway. The operations the front-ends
 * send are listed in a manifest in Apollo's `apollo-persisted-query-manifest` format (built by
 * `npm run codegen` from the client's documents: scripts/persisted-query-manifest.ts):
 *
 * - `PERSISTED_QUERIES_MANIFEST=<file>`: a client may send only
 *   `extensions.persistedQuery.sha256Hash` of a listed operation; the gateway runs the listed body.
 *   Automatic persisted queries (APQ) keep working next to it, in their own store: registering
 *   an operation never adds it to the manifest.
 * - `PERSISTED_QUERIES_SAFELIST=true`: nothing else runs. Free text that is not a listed body is
 *   refused with 400 `PERSISTED_QUERY_NOT_IN_LIST`, an unknown id with 400
 *   `PERSISTED_QUERY_NOT_FOUND`, before the operation is parsed, validated or planned; APQ
 *   registration is off.
 * - `PERSISTED_QUERIES_ALLOW_OPERATORS=true` (with the safelist): a token of an operator
 *   (`Viewer.isOperator`: role `enterprise_openedx_operator`, `enterprise_admin:*`, or the edX
 *   `administrator` claim) may still send free-form operations.
 */

export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface ManifestOperation {
  /** SHA-256 (hex) of `body`: what clients send as `extensions.persistedQuery.sha256Hash`. */
  id: string;
  name: string;
  type: OperationType;
  body: string;
  clientName?: string;
}

export interface PersistedQueryManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  operations: ManifestOperation[];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const SHA256_HEX = /^[\da-f]{64}$/;
const OPERATION_TYPES = new Set<string>(['query', 'mutation', 'subscription']);

/**
 * client-preset writes SHA-256 ids as `sha256:<hex>` (the GraphQL-over-HTTP persisted documents
 * form); APQ's `sha256Hash` and the manifest use the bare hex. Both are accepted everywhere.
 */
export function withoutPrefix(id: string): string {
  return id.startsWith('sha256:') ? id.slice('sha256:'.length) : id;
}

/** The one operation of a document (fragments may follow it); throws naming `what` otherwise. */
function operationOf(body: string, what: string): OperationDefinitionNode {
  let operations: OperationDefinitionNode[];
  try {
    operations = parse(body).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
  } catch (error) {
    throw new Error(`${what}: not a GraphQL document: ${(error as Error).message}`, { cause: error });
  }
  const [operation] = operations;
  if (!operation || operations.length !== 1)
    throw new Error(`${what}: holds ${operations.length} operations, not exactly one`);
  return operation;
}

/**
 * The manifest of client-preset's `persisted-documents.json` (hash -> the printed document the
 * client hashed, fragments included): the bodies are taken verbatim, so every id is exactly the
 * hash the client sends. Names and types are read from the bodies; operations sorted by name.
 */
export function buildManifest(documents: Record<string, string>): PersistedQueryManifest {
  const names = new Map<string, string>();
  const operations = Object.entries(documents).map(([hash, body]): ManifestOperation => {
    const id = withoutPrefix(hash);
    if (sha256(body) !== id)
      throw new Error(
        `persisted document ${hash} is not the SHA-256 of its body: configure client-preset with persistedDocuments: { hashAlgorithm: 'sha256' }`,
      );
    const operation = operationOf(body, `persisted document ${id}`);
    const name = operation.name?.value;
    if (!name)
      throw new Error(`persisted document ${id}: every operation needs a name (the manifest lists them by name)`);
    const previous = names.get(name);
    if (previous) throw new Error(`operation name ${name} is used twice (${previous}, ${id}): names must be unique`);
    names.set(name, id);
    return { id, name, type: operation.operation, body };
  });
  operations.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { format: MANIFEST_FORMAT, version: 1, operations };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks that `value` is a version-1 manifest whose ids are the SHA-256 of their bodies; throws naming `source`. */
export function parseManifest(value: unknown, source: string): PersistedQueryManifest {
  const fail = (problem: string): never => {
    throw new Error(`PERSISTED_QUERIES_MANIFEST ${source}: ${problem}`);
  };
  if (!isRecord(value)) return fail('not a JSON object');
  if (value.format !== MANIFEST_FORMAT) fail(`"format" must be "${MANIFEST_FORMAT}"`);
  if (value.version !== 1) fail('"version" must be 1');
  if (!Array.isArray(value.operations)) return fail('"operations" must be an array');
  const seen = new Set<string>();
  const operations = value.operations.map((entry: unknown, index): ManifestOperation => {
    const at = `operations[${index}]`;
    if (!isRecord(entry)) return fail(`${at} is not an object`);
    const { id, name, type, body, clientName } = entry;
    if (typeof id !== 'string' || !SHA256_HEX.test(id)) fail(`${at}.id must be a lowercase SHA-256 hex string`);
    if (typeof body !== 'string' || body === '') fail(`${at}.body must be a non-empty string`);
    if (typeof name !== 'string' || name === '') fail(`${at}.name must be a non-empty string`);
    if (typeof type !== 'string' || !OPERATION_TYPES.has(type))
      fail(`${at}.type must be query, mutation or subscription`);
    if (clientName !== undefined && typeof clientName !== 'string') fail(`${at}.clientName must be a string`);
    if (sha256(body as string) !== id) fail(`${at}.id is not the SHA-256 of its body (${name as string})`);
    if (seen.has(id as string)) fail(`${at}.id appears twice`);
    seen.add(id as string);
    const operation = operationOf(body as string, `PERSISTED_QUERIES_MANIFEST ${source}: ${at}.body`);
    if (operation.operation !== type) fail(`${at}.type is ${type as string} but its body is a ${operation.operation}`);
    return {
      id: id as string,
      name: name as string,
      type: type as OperationType,
      body: body as string,
      ...(typeof clientName === 'string' ? { clientName } : {}),
    };
  });
  return { format: MANIFEST_FORMAT, version: 1, operations };
}

/** Reads and checks the manifest file; throws one line naming PERSISTED_QUERIES_MANIFEST and the problem. */
export function loadManifest(file: string): PersistedQueryManifest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`PERSISTED_QUERIES_MANIFEST ${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`PERSISTED_QUERIES_MANIFEST ${file}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  return parseManifest(value, file);
}

/** Longest free text the safelist normalises before comparing it with the bodies (longer: exact match only). */
const MAX_NORMALISED_CHARS = 100_000;

/** The manifest's operations by id, and their bodies with whitespace and comments stripped. */
export class TrustedDocuments {
  readonly #bodies = new Map<string, string>();
  readonly #stripped = new Set<string>();
  readonly operations: readonly ManifestOperation[];

  constructor(manifest: PersistedQueryManifest) {
    this.operations = manifest.operations;
    for (const { id, body } of manifest.operations) {
      this.#bodies.set(id, body);
      this.#stripped.add(stripIgnoredCharacters(body));
    }
  }

  get size(): number {
    return this.#bodies.size;
  }

  /** The body of a listed id (bare hex or `sha256:<hex>`). */
  body(id: string): string | undefined {
    return this.#bodies.get(withoutPrefix(id));
  }

  /** Is this text a listed operation: its SHA-256 is an id, or it equals a body but for whitespace and comments? */
  matches(query: string): boolean {
    if (this.#bodies.has(sha256(query))) return true;
    if (query.length > MAX_NORMALISED_CHARS) return false;
    try {
      return this.#stripped.has(stripIgnoredCharacters(query));
    } catch {
      return false; // not lexable GraphQL: certainly not a listed body
    }
  }
}

/** What the safelist makes of a request. */
export type Verdict =
  /** a listed operation, by id or by its text */
  | 'listed'
  /** free text that is not a listed body */
  | 'unlisted'
  /** an id (without text) that the manifest does not hold */
  | 'unknown-id'
  /** neither text nor id: Apollo Server answers it (400 BAD_REQUEST) */
  | 'no-operation';

function persistedQueryHash(extensions: unknown): unknown {
  return isRecord(extensions) && isRecord(extensions.persistedQuery) ? extensions.persistedQuery.sha256Hash : undefined;
}

/** Pure: the verdict of a request's `query` and `extensions` (as sent; GET's `extensions` already decoded). */
export function classify(documents: TrustedDocuments, request: { query?: unknown; extensions?: unknown }): Verdict {
  const { query } = request;
  if (typeof query === 'string' && query !== '') return documents.matches(query) ? 'listed' : 'unlisted';
  const hash = persistedQueryHash(request.extensions);
  if (typeof hash === 'string') return documents.body(hash) !== undefined ? 'listed' : 'unknown-id';
  return 'no-operation';
}

/**
 * Apollo Server's `persistedQueries.cache` (it prefixes keys with `apq:`): listed ids answer with
 * their manifest body, read-only. Other ids go to the APQ store, unless the safelist is on
 * (`apq` undefined): then nothing is registered and unknown ids stay unknown.
 */
export function persistedQueryCache(documents: TrustedDocuments, apq: KeyValueCache | undefined): KeyValueCache {
  const idOf = (key: string) => (key.startsWith('apq:') ? key.slice(4) : key);
  return {
    async get(key) {
      return documents.body(idOf(key)) ?? (await apq?.get(key));
    },
    async set(key, value, options) {
      if (documents.body(idOf(key)) === undefined) await apq?.set(key, value, options);
    },
    async delete(key) {
      return documents.body(idOf(key)) === undefined ? ((await apq?.delete(key)) ?? false) : false;
    },
  };
}

export interface TrustedDocumentsConfig {
  manifestPath: string;
  documents: TrustedDocuments;
  safelist: boolean;
  allowOperators: boolean;
}

/**
 * The gateway's trusted-documents settings, checked at start: undefined without a manifest; a
 * safelist or operator flag without one, or a missing or malformed manifest, throws (the gateway
 * refuses to start).
 */
export function trustedDocumentsFromSettings(): TrustedDocumentsConfig | undefined {
  const manifestPath = settings.persistedQueriesManifest();
  const safelist = settings.persistedQueriesSafelist();
  const allowOperators = settings.persistedQueriesAllowOperators();
  if (!manifestPath) {
    if (safelist) throw new Error('PERSISTED_QUERIES_SAFELIST=true needs PERSISTED_QUERIES_MANIFEST=<manifest file>');
    if (allowOperators) throw new Error('PERSISTED_QUERIES_ALLOW_OPERATORS=true needs PERSISTED_QUERIES_SAFELIST=true');
    return undefined;
  }
  if (allowOperators && !safelist)
    throw new Error('PERSISTED_QUERIES_ALLOW_OPERATORS=true needs PERSISTED_QUERIES_SAFELIST=true');
  return { manifestPath, documents: new TrustedDocuments(loadManifest(manifestPath)), safelist, allowOperators };
}

export const REFUSALS = {
  PERSISTED_QUERY_NOT_IN_LIST:
    'This operation is not in the list of trusted operations: send the id of a listed operation (extensions.persistedQuery.sha256Hash)',
  PERSISTED_QUERY_NOT_FOUND:
    'No trusted operation has this id: the client and the gateway run different versions of the operation list',
} as const;
export type RefusalCode = keyof typeof REFUSALS;

/** The request's `query` and `extensions`: the JSON body of a POST, the query string of a GET. */
function operationOfRequest(req: Request): { query?: unknown; extensions?: unknown } {
  if (req.method !== 'GET') return isRecord(req.body) ? req.body : {};
  const { query, extensions } = req.query;
  let decoded: unknown;
  if (typeof extensions === 'string') {
    try {
      decoded = JSON.parse(extensions);
    } catch {
      decoded = undefined; // Apollo Server refuses the malformed parameter itself
    }
  }
  return { query, extensions: decoded };
}

async function isOperator(req: Request): Promise<boolean> {
  try {
    return (await authenticate(req.headers.authorization)).isOperator;
  } catch {
    return false; // no or a bad token: the refusal stands (Apollo would answer UNAUTHENTICATED anyway)
  }
}

/**
 * The safelist, on `/graphql` after the body parser and before Apollo Server: a refusal is
 * answered here (400, a GraphQL error with the code), so an operation that is not listed is never
 * parsed, validated or planned, and it cannot probe the schema through validation messages. The
 * CORS layer has already run, so a browser reads the refusal.
 */
export function safelistMiddleware(config: TrustedDocumentsConfig): RequestHandler {
  return (req, res, next) => {
    const verdict = classify(config.documents, operationOfRequest(req));
    if (verdict === 'listed' || verdict === 'no-operation') {
      next();
      return;
    }
    const code: RefusalCode = verdict === 'unknown-id' ? 'PERSISTED_QUERY_NOT_FOUND' : 'PERSISTED_QUERY_NOT_IN_LIST';
    void (async () => {
      if (verdict === 'unlisted' && config.allowOperators && (await isOperator(req))) {
        next();
        return;
      }
      noteRefusal(req, 'gateway', code);
      res
        .status(400)
        .type('application/json')
        .send(JSON.stringify({ errors: [{ message: REFUSALS[code], extensions: { code } }] }));
    })().catch(next);
  };
}

/**
 * Apollo Server's `persistedQueries` option: listed ids answer from the manifest; other ids from
 * `apq` (Redis or an in-memory LRU), or, with the safelist, from nothing.
 */
export function persistedQueriesOption(
  config: TrustedDocumentsConfig | undefined,
  apq: KeyValueCache | undefined,
): { cache: KeyValueCache } | undefined {
  if (!config) return apq ? { cache: apq } : undefined;
  return {
    cache: persistedQueryCache(config.documents, config.safelist ? undefined : (apq ?? new InMemoryLRUCache())),
  };
}
