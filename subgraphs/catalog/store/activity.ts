import { sql, type Expression, type SqlBool } from 'kysely';
import { AVAILABILITY_RANK, startingSoonLimit } from '../rules.js';

/*
 * The SQL twins of rules.ts's activity and availability (`isActiveRun`, `runAvailability`,
 * AVAILABILITY_RANK): what the contents page filters on and what the stored membership flags
 * (store/aggregates.ts) are computed from. Keep them in step with rules.ts.
 */

/** SQL twin of rules.ts `isActiveRun` for the run aliased `alias`. */
export function runIsActive(alias: string, now: Date): Expression<SqlBool> {
  const ref = (column: string) => sql.ref(`${alias}.${column}`);
  return sql<SqlBool>`((${ref('end')} is null or ${ref('end')} > ${now}) and (${ref('isMarketable')} = ${true} or ((${ref('enrollmentStart')} is null or ${ref('enrollmentStart')} <= ${now}) and (${ref('enrollmentEnd')} is null or ${ref('enrollmentEnd')} > ${now}))))`;
}

/** SQL twin of rules.ts availability ranks for a run that is not archived. */
export function runAvailabilityRank(alias: string, now: Date): Expression<number> {
  const start = sql.ref(`${alias}.start`);
  return sql<number>`case when ${start} is not null and ${start} <= ${now} then ${AVAILABILITY_RANK.CURRENT} when ${start} is not null and ${start} <= ${startingSoonLimit(now)} then ${AVAILABILITY_RANK.STARTING_SOON} else ${AVAILABILITY_RANK.UPCOMING} end`;
}

/** SQL twin of rules.ts: the best availability rank of a course's active runs (null: none active). */
export function activeRunRank(courseKeyRef: string, now: Date): Expression<number | null> {
  return sql<
    number | null
  >`(select min(${runAvailabilityRank('ar', now)}) from ${sql.table('course_run')} as ar where ${sql.ref('ar.courseKey')} = ${sql.ref(courseKeyRef)} and ${runIsActive('ar', now)})`;
}

/** SQL twin of rules.ts: the course has at least one active run. */
export function hasActiveRun(courseKeyRef: string, now: Date): Expression<SqlBool> {
  return sql<SqlBool>`exists (select 1 from ${sql.table('course_run')} as ar where ${sql.ref('ar.courseKey')} = ${sql.ref(courseKeyRef)} and ${runIsActive('ar', now)})`;
}
