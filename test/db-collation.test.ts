import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { dropDatabase, type Database } from '../lib/db/database.js';
import { KEY_COLLATION } from '../lib/db/migrate.js';
import { DEMO } from '../lib/demo-ids.js';
import { findCoursesByKeys, listCatalogContent } from '../subgraphs/catalog/store/index.js';
import type { CatalogDatabase } from '../subgraphs/catalog/tables.js';
import { prepareDatabase } from '../scripts/stack.js';
import { DIALECTS, freshDatabaseUrl } from './support/stack.js';

/** Identifier columns every subgraph's lookups and joins go through, and free text people sort. */
const KEY_COLUMNS = [
  ['course', 'key'],
  ['course_run', 'course_key'],
  ['catalog_content', 'content_key'],
  ['catalog_content', 'content_type'],
  ['lms_user', 'email'],
  ['learner_progress', 'user_email'],
  ['ledger_transaction', 'idempotency_key'],
  ['learner_content_assignment', 'state'],
  ['license', 'status'],
  ['customers_outbox', 'aggregate_key'],
] as const;
const TEXT_COLUMNS = [
  ['course', 'title'],
  ['enterprise_customer', 'name'],
  ['subsidy_access_policy', 'display_name'],
  ['subscription_plan', 'title'],
] as const;

interface ColumnRow {
  table: string;
  column: string;
  collation: string;
  tableCollation: string;
}

for (const dialect of DIALECTS) {
  describe(`uuid and key columns compare byte by byte [${dialect}]`, () => {
    const url = freshDatabaseUrl(dialect);
    let database: Database;
    before(async () => {
      database = await prepareDatabase(url, { seed: 'always' });
    });
    after(async () => {
      await database.destroy();
      await dropDatabase(url);
    });
    const catalogDb = () => database.db as Kysely<CatalogDatabase>;

    if (dialect === 'mysql') {
      it(`gives every uuid and key column ${KEY_COLLATION} after migrating, and free text its table's collation`, async () => {
        const { rows } = await sql<ColumnRow>`
          select c.table_name as ${sql.ref('table')}, c.column_name as ${sql.ref('column')},
                 c.collation_name as collation, t.table_collation as table_collation
          from information_schema.columns c
          join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
          where c.table_schema = database() and c.data_type in ('char', 'varchar')`.execute(database.db);
        const collationOf = (table: string, column: string) => {
          const row = rows.find((r) => r.table === table && r.column === column);
          assert.ok(row, `${table}.${column} exists`);
          return row;
        };
        const uuids = rows.filter((r) => !r.table.startsWith('kysely_') && /(^|_)(uuid|id)$/.test(r.column));
        assert.ok(uuids.length > 50, 'every subgraph has uuid columns');
        for (const row of uuids) assert.equal(row.collation, KEY_COLLATION, `${row.table}.${row.column}`);
        for (const [table, column] of KEY_COLUMNS)
          assert.equal(collationOf(table, column).collation, KEY_COLLATION, `${table}.${column}`);
        for (const [table, column] of TEXT_COLUMNS) {
          const row = collationOf(table, column);
          assert.notEqual(row.collation, KEY_COLLATION, `${table}.${column}`);
          assert.equal(row.collation, row.tableCollation, `${table}.${column}`);
        }
      });
    } else {
      it('leaves SQLite as it was: no collation clause in any table, BINARY comparison', async () => {
        const { rows } = await sql<{ sql: string | null }>`select sql from sqlite_master`.execute(database.db);
        assert.ok(rows.length > 0);
        for (const row of rows) assert.doesNotMatch(row.sql ?? '', /collate/i);
      });
    }

    it('finds a course key only in its own case, and a non-ASCII key is a miss, not an error', async () => {
      const key = DEMO.content.courseKey;
      assert.deepEqual(
        (await findCoursesByKeys(catalogDb(), [key])).map((c) => c.key),
        [key],
      );
      assert.deepEqual(await findCoursesByKeys(catalogDb(), [key.toUpperCase()]), []);
      assert.deepEqual(await findCoursesByKeys(catalogDb(), ['cöurse-v1:édX+Ünïcode']), []);
    });

    it('still searches catalog contents case-insensitively (search lower-cases both sides)', async () => {
      const page = await listCatalogContent(
        catalogDb(),
        DEMO.catalogs.sealTeamTenAll,
        { search: DEMO.content.courseKey.toUpperCase() },
        { first: 10 },
        new Date(),
        () => Promise.resolve(0),
      );
      assert.ok(
        page.nodes.some((node) => node.contentKey === DEMO.content.courseKey),
        JSON.stringify(page.nodes),
      );
    });
  });
}
