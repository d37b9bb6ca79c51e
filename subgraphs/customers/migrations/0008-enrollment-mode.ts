import { sql, type Kysely } from 'kysely';

/**
 * The LMS enrollment `mode` and `is_active` on enterprise enrollments. Existing enrollments were
 * all enrolled as verified (what the learner-summary rows said); the unenrolled ones are inactive.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('enterprise_course_enrollment')
    .addColumn('mode', 'varchar(64)', (c) => c.notNull().defaultTo('verified'))
    .execute();
  await db.schema
    .alterTable('enterprise_course_enrollment')
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  await sql`UPDATE enterprise_course_enrollment SET is_active = ${false} WHERE unenrolled = ${true}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('enterprise_course_enrollment').dropColumn('is_active').execute();
  await db.schema.alterTable('enterprise_course_enrollment').dropColumn('mode').execute();
}
