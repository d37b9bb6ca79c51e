import { sql, type Expression, type SelectQueryBuilder, type SqlBool, type ExpressionBuilder } from 'kysely';
import { badInput } from './errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 500;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** What every `XConnection` resolves from. `totalCount` is a thunk: it costs a query only when asked. */
export interface Connection<T = unknown> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: () => Promise<number> | number;
}

type CursorValue = string | number | boolean | Date | null;

/** What a cursor position holds: `int` ids and counts, `string` keys, `date` timestamps. */
export type CursorType = 'string' | 'int' | 'date';

/** The type of one cursor position; `nullable` when the sort column may be null. */
export interface CursorSlot {
  type: CursorType;
  nullable?: boolean;
}

/**
 * One column of a keyset order. `column` is the SQL reference; `value` reads it off a row; `type`
 * (and `nullable`) say what a cursor may hold there, so a forged cursor is refused instead of
 * comparing a column with a value of another type (an empty page, or worse).
 */
export interface SortKey<Row> extends CursorSlot {
  column: string;
  direction: 'asc' | 'desc';
  value: (row: Row) => CursorValue;
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}, got ${first}`, { argument: 'first' });
  }
  return first;
}

export function encodeCursor(values: readonly CursorValue[]): string {
  const encoded = values.map((v) => (v instanceof Date ? { d: v.toISOString() } : v));
  return Buffer.from(JSON.stringify(encoded)).toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function cursorValue(v: unknown, slot: CursorSlot): CursorValue {
  if (v === null) {
    if (slot.nullable) return null;
    throw new Error('null');
  }
  switch (slot.type) {
    case 'int':
      if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
      break;
    case 'string':
      if (typeof v === 'string' && v.length <= 1000) return v;
      break;
    case 'date':
      if (v && typeof v === 'object' && 'd' in v && typeof v.d === 'string' && ISO_INSTANT.test(v.d)) {
        const date = new Date(v.d);
        // Round trip: "2020-02-30T..." parses to March 1 and is not a value we ever issued.
        if (!Number.isNaN(date.getTime()) && date.toISOString() === v.d) return date;
      }
      break;
  }
  throw new Error('type');
}

/**
 * Decodes an `after` cursor against the connection's sort keys: the same number of values, each of
 * its key's type. Anything else (not base64url JSON, wrong length, a string where an id goes, an
 * impossible date) is BAD_USER_INPUT.
 */
export function decodeCursor(cursor: string, slots: readonly CursorSlot[]): CursorValue[] {
  try {
    if (!BASE64URL.test(cursor)) throw new Error('encoding');
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== slots.length) throw new Error('shape');
    return slots.map((slot, i): CursorValue => cursorValue(parsed[i], slot));
  } catch {
    throw badInput('after is not a cursor this connection issued', { argument: 'after' });
  }
}

/**
 * `(k1, k2, ...) > (v1, v2, ...)` honouring each key's direction, expanded to
 * `k1 > v1 OR (k1 = v1 AND k2 > v2) ...` so it works on both dialects and uses the order index.
 */
function keysetPredicate<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  keys: readonly SortKey<unknown>[],
  values: readonly CursorValue[],
): Expression<SqlBool> {
  const branches = keys.map((key, i) => {
    const equalities = keys.slice(0, i).map((k, j) => sql<SqlBool>`${sql.ref(k.column)} = ${values[j]}`);
    const op = key.direction === 'asc' ? sql.raw('>') : sql.raw('<');
    return eb.and([...equalities, sql<SqlBool>`${sql.ref(key.column)} ${op} ${values[i]}`]);
  });
  return eb.or(branches);
}

/**
 * Runs one page of a keyset-paginated query: applies the cursor, the order and `first + 1`
 * (to learn `hasNextPage` without counting). `count` supplies `totalCount` on demand.
 */
export async function paginate<DB, TB extends keyof DB, O, Row>(
  query: SelectQueryBuilder<DB, TB, O>,
  args: PageArgs,
  keys: readonly SortKey<Row>[],
  decode: (raw: O) => Row,
  count: () => Promise<number>,
): Promise<Connection<Row>> {
  const size = pageSize(args.first);
  let q = query;
  if (args.after) {
    const values = decodeCursor(args.after, keys);
    q = q.where((eb) => keysetPredicate(eb, keys as readonly SortKey<unknown>[], values));
  }
  for (const key of keys) q = q.orderBy(sql.ref(key.column), key.direction);
  const rows = size === 0 ? [] : (await q.limit(size + 1).execute()).map(decode);
  return toConnection(rows, size, Boolean(args.after), keys, count);
}

/** Builds a connection from rows already fetched in order (`size + 1` of them at most). */
export function toConnection<Row>(
  rows: readonly Row[],
  size: number,
  hasPreviousPage: boolean,
  keys: readonly SortKey<Row>[],
  count: () => Promise<number> | number,
): Connection<Row> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ node, cursor: encodeCursor(keys.map((k) => k.value(node))) }));
  let total: Promise<number> | number | undefined;
  return {
    edges,
    nodes: page,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: () => (total ??= count()),
  };
}

/** Reads `count(*)` from a query the way both dialects return it. */
export async function countRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): Promise<number> {
  const row = await query
    .clearSelect()
    .clearOrderBy()
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number((row as { n?: unknown } | undefined)?.n ?? 0);
}
