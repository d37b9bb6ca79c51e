import { badInput } from './errors.js';
import { decodeCursor, pageSize, toConnection, type Connection, type PageArgs } from './pagination.js';

/**
 * A connection over a short list a loader already fetched sorted by id (one learner's enrollments
 * or consents): the same cursors and page rules as the SQL keyset connections, applied in memory,
 * so a page of N parents still costs one statement per child type.
 */
export function listConnection<Row>(
  rows: readonly Row[],
  page: PageArgs,
  idOf: (row: Row) => number | string,
  idType: 'int' | 'string' = 'int',
): Connection<Row> {
  const size = pageSize(page.first);
  let start = 0;
  if (page.after) {
    const [after] = decodeCursor(page.after, [{ type: idType }]);
    if (after == null || after instanceof Date)
      throw badInput('after is not a cursor this connection issued', { argument: 'after' });
    // Rows are sorted by id ascending: the page starts at the first id after the cursor's.
    const index = rows.findIndex((row) => idOf(row) > after);
    start = index === -1 ? rows.length : index;
  }
  return toConnection(
    rows.slice(start, start + size + 1),
    size,
    Boolean(page.after),
    [{ column: 'id', direction: 'asc', type: idType, value: idOf }],
    () => rows.length,
  );
}
