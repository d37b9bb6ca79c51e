import { type Kysely, sql } from 'kysely';
import { columnTypes } from '../../../lib/db/migrate.js';

/**
 * Stored catalog activity (README "Stored aggregates"): a membership's `active` flag with the
 * availability rank it implies, and active items per catalog and content type. The admin
 * dashboard's `contents { totalCount }` of 10 catalogs decided activity for every membership and
 * run on each read (~200 ms for 66,974 rows at bench scale 1; the catalog page's count ~51 ms);
 * with the counts it reads a few rows. The flags change with the clock: the catalog subgraph's
 * refresh poller (store/aggregates.ts refreshCrossedContent) keeps them from the time recorded
 * in `catalog_content_refresh`. Backfilled here as of the migration's time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .alterTable('catalog_content')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema.alterTable('catalog_content').addColumn('availability_rank', 'integer').execute();
  await db.schema
    .createTable('catalog_content_count')
    .addColumn('catalog_uuid', t.uuid, (c) => c.notNull())
    .addColumn('content_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('active_items', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('catalog_content_count_pk', ['catalog_uuid', 'content_type'])
    .execute();
  await db.schema
    .createTable('catalog_content_refresh')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('refreshed_at', t.datetime, (c) => c.notNull())
    .execute();
  // Memberships already there: flag them as the contents query decides now (the same SQL as
  // store/activity.ts, frozen here).
  const now = new Date();
  const soon = new Date(now.getTime() + 60 * 86_400_000);
  const runActive = (r: string) =>
    sql`((${sql.raw(r)}.end is null or ${sql.raw(r)}.end > ${now}) and (${sql.raw(r)}.is_marketable = ${true} or ((${sql.raw(r)}.enrollment_start is null or ${sql.raw(r)}.enrollment_start <= ${now}) and (${sql.raw(r)}.enrollment_end is null or ${sql.raw(r)}.enrollment_end > ${now}))))`;
  const rank = (r: string) =>
    sql`case when ${sql.raw(r)}.start is not null and ${sql.raw(r)}.start <= ${now} then 1 when ${sql.raw(r)}.start is not null and ${sql.raw(r)}.start <= ${soon} then 2 else 3 end`;
  await sql`update catalog_content set
    active = case
      when content_type = 'course' then (exists (select 1 from course c where c.key = catalog_content.content_key)
        and exists (select 1 from course_run ar where ar.course_key = catalog_content.content_key and ${runActive('ar')}))
      when content_type = 'courserun' then exists (select 1 from course_run r where r.key = catalog_content.content_key and ${runActive('r')})
      when content_type = 'program' then exists (select 1 from program p where p.uuid = catalog_content.content_key and p.hidden = ${false})
      else ${false} end,
    availability_rank = case
      when content_type = 'course' then (select min(${rank('ar')}) from course_run ar where ar.course_key = catalog_content.content_key and ${runActive('ar')})
      when content_type = 'courserun' then (select ${rank('r')} from course_run r where r.key = catalog_content.content_key and ${runActive('r')})
      else null end`.execute(db);
  await sql`insert into catalog_content_count (catalog_uuid, content_type, active_items)
    select catalog_uuid, content_type, count(*) from catalog_content where active = ${true}
    group by catalog_uuid, content_type`.execute(db);
  await sql`insert into catalog_content_refresh (id, refreshed_at) values (1, ${now})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('catalog_content_refresh').execute();
  await db.schema.dropTable('catalog_content_count').execute();
  await db.schema.alterTable('catalog_content').dropColumn('availability_rank').execute();
  await db.schema.alterTable('catalog_content').dropColumn('active').execute();
}
