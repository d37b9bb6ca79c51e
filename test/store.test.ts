import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { rowDecoder } from '../lib/db/codec.js';
import { dropDatabase, ensureDatabase, openDatabase, type Database } from '../lib/db/database.js';
import { columnTypes } from '../lib/db/migrate.js';
import { DIALECTS, freshDatabaseUrl } from './support/stack.js';

interface Sample {
  id: number;
  flag: boolean;
  at: Date;
  day: string;
  doc: unknown;
}

for (const dialect of DIALECTS) {
  describe(`the store [${dialect}]`, () => {
    const url = freshDatabaseUrl(dialect);
    let database: Database;
    before(async () => {
      await ensureDatabase(url);
      database = openDatabase(url);
      const t = columnTypes(database.db);
      await database.db.schema
        .createTable('sample')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('flag', 'boolean', (c) => c.notNull())
        .addColumn('at', t.datetime, (c) => c.notNull())
        .addColumn('day', t.date, (c) => c.notNull())
        .addColumn('doc', t.json)
        .execute();
    });
    after(async () => {
      await database.destroy();
      await dropDatabase(url);
    });

    it('hands back booleans, dates and JSON as JS values, and compares dates correctly', async () => {
      const decode = rowDecoder<Sample>({ booleans: ['flag'], dates: ['at'], json: ['doc'] });
      const at = new Date('2024-02-29T13:14:15.123Z');
      await database.db
        .insertInto('sample')
        .values([
          {
            id: 1,
            flag: true,
            at,
            day: '2024-02-29',
            doc: JSON.stringify({ a: [1, 'x'], b: null, snake_key: { inner_key: 1 } }),
          },
          { id: 2, flag: false, at: new Date('2020-01-01T00:00:00Z'), day: '2020-01-01', doc: null },
        ])
        .execute();
      const rows = (await database.db.selectFrom('sample').selectAll().orderBy('id').execute()).map(decode);
      assert.deepEqual(rows[0], {
        id: 1,
        flag: true,
        at,
        day: '2024-02-29',
        doc: { a: [1, 'x'], b: null, snake_key: { inner_key: 1 } },
      });
      assert.deepEqual(rows[1], {
        id: 2,
        flag: false,
        at: new Date('2020-01-01T00:00:00Z'),
        day: '2020-01-01',
        doc: null,
      });
      const later = await database.db
        .selectFrom('sample')
        .select('id')
        .where('at', '>', new Date('2023-01-01T00:00:00Z'))
        .execute();
      assert.deepEqual(
        later.map((r: { id: number }) => r.id),
        [1],
      );
      const flagged = await database.db.selectFrom('sample').select('id').where('flag', '=', true).execute();
      assert.deepEqual(
        flagged.map((r: { id: number }) => r.id),
        [1],
      );
      const { rows: counted } = await sql<{ n: number | string }>`select count(*) as n from sample`.execute(
        database.db,
      );
      assert.equal(Number(counted[0]!.n), 2);
    });
  });
}

describe('DATABASE_READ_URL [mysql]', () => {
  const primaryUrl = freshDatabaseUrl('mysql');
  const replicaUrl = freshDatabaseUrl('mysql');
  let routed: Database;
  before(async () => {
    // Two separate databases stand in for a primary and its replica: which one answers shows the routing.
    for (const [url, marker] of [
      [primaryUrl, 'primary'],
      [replicaUrl, 'replica'],
    ] as const) {
      await ensureDatabase(url);
      const db = openDatabase(url);
      await db.db.schema.createTable('marker').addColumn('source', 'varchar(16)').execute();
      await db.db.insertInto('marker').values({ source: marker }).execute();
      await db.destroy();
    }
    routed = openDatabase(primaryUrl, { readUrl: replicaUrl });
  });
  after(async () => {
    await routed.destroy();
    await dropDatabase(primaryUrl);
    await dropDatabase(replicaUrl);
  });

  it('sends plain reads to the replica, writes and everything inside a transaction to the primary', async () => {
    const read = await routed.db.selectFrom('marker').select('source').execute();
    assert.deepEqual(read, [{ source: 'replica' }]);
    await routed.db.insertInto('marker').values({ source: 'written' }).execute();
    const inTransaction = await routed.db
      .transaction()
      .execute((trx) => trx.selectFrom('marker').select('source').orderBy('source').execute());
    assert.deepEqual(inTransaction, [{ source: 'primary' }, { source: 'written' }]);
    const locked = await routed.db
      .transaction()
      .execute((trx) => trx.selectFrom('marker').select('source').forUpdate().execute());
    assert.equal(locked.length, 2, 'a locking read sees the primary');
  });
});
