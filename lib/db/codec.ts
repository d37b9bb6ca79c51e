/**
 * Turns raw rows into proper JS values on both dialects: SQLite hands back booleans as 0/1,
 * dates as ISO text and JSON as text; MySQL (MariaDB's JSON is LONGTEXT) hands back JSON as text.
 * Each store declares which columns need which treatment next to its row types.
 */
export interface ColumnCodec<Row> {
  /** Columns of the decoded row: a misspelt column does not compile. */
  booleans?: readonly (keyof Row & string)[];
  dates?: readonly (keyof Row & string)[];
  json?: readonly (keyof Row & string)[];
}

export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 1n;
}

export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new Error(`Not a date column value: ${typeof value}`);
  const text = String(value);
  // SQLite may hold 'YYYY-MM-DD HH:MM:SS' written by hand; treat it as UTC.
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

export function fromJson(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return JSON.parse(value);
  if (Buffer.isBuffer(value)) return JSON.parse(value.toString('utf8'));
  return value;
}

/** Builds a row decoder from a column spec; the result type is the caller's row type. */
export function rowDecoder<Row>(codec: ColumnCodec<Row>): (raw: unknown) => Row {
  const booleans = codec.booleans ?? [];
  const dates = codec.dates ?? [];
  const json = codec.json ?? [];
  return (raw) => {
    const row = { ...(raw as Record<string, unknown>) };
    for (const column of booleans) if (column in row && row[column] !== null) row[column] = toBoolean(row[column]);
    for (const column of dates) if (column in row) row[column] = toDate(row[column]);
    for (const column of json) if (column in row) row[column] = fromJson(row[column]);
    return row as Row;
  };
}

/** JSON columns are written as text on both dialects. */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
