import type { Kysely } from 'kysely';
import { fromJson, rowDecoder } from '../../../lib/db/codec.js';
import type {
  CatalogDatabase,
  CourseNode,
  CourseRunNode,
  EnterpriseCatalogRow,
  Metadata,
  OrganizationRow,
  ProgramNode,
  Related,
  SubjectRow,
} from '../tables.js';

export type DB = Kysely<CatalogDatabase>;

/**
 * The `metadata` JSON document's fields on the row (columns win), with empty lists for list fields
 * it lacks. Copies each field once into one new object: the three-way object spread this replaces
 * took 8-9 ms per 150 rows of a catalog page (issue 17's profile), most of the subgraph's decode time.
 */
function withMetadata<T extends { metadata?: unknown }>(
  row: T,
  lists: readonly string[],
): Omit<T, 'metadata'> & Metadata {
  const result: Record<string, unknown> = {};
  for (const field of lists) result[field] = [];
  const parsed = fromJson(row.metadata);
  if (parsed) Object.assign(result, parsed);
  for (const [column, value] of Object.entries(row)) if (column !== 'metadata') result[column] = value;
  return result as Omit<T, 'metadata'> & Metadata;
}

// The column is nullable: a catalog stored without modes decodes to null, read as "no modes".
const decodeCatalogRow = rowDecoder<
  Omit<EnterpriseCatalogRow, 'enabledCourseModes'> & { enabledCourseModes: string[] | null }
>({
  booleans: ['includeExecEdCourses', 'publishAuditEnrollmentUrls'],
  dates: ['created', 'modified'],
  json: ['contentFilter', 'enabledCourseModes'],
});
export const decodeCatalog = (raw: unknown): EnterpriseCatalogRow => {
  const row = decodeCatalogRow(raw);
  return { ...row, enabledCourseModes: row.enabledCourseModes ?? [] };
};

const decodeCourseColumns = rowDecoder<Record<string, unknown>>({
  dates: ['created', 'modified'],
  json: ['entitlements'],
});
const decodeRunColumns = rowDecoder<Record<string, unknown>>({
  booleans: ['isMarketable', 'hidden'],
  dates: ['start', 'end', 'enrollmentStart', 'enrollmentEnd', 'created', 'modified'],
  json: ['seats'],
});
const decodeProgramColumns = rowDecoder<Record<string, unknown>>({
  booleans: ['hidden'],
  dates: ['created', 'modified'],
});

const COURSE_LISTS = ['urlSlugHistory', 'urlRedirects', 'watchers', 'skillNames'];
const RUN_LISTS = ['transcriptLanguages', 'instructors', 'staff'];
const PROGRAM_LISTS = [
  'curricula',
  'labels',
  'creditBackingOrganizations',
  'languages',
  'transcriptLanguages',
  'subjects',
  'staff',
  'applicableSeatTypes',
  'skillNames',
];

export const decodeCourse = (raw: unknown): CourseNode => {
  const row = withMetadata(decodeCourseColumns(raw), COURSE_LISTS) as Record<string, unknown>;
  row.entitlements ??= [];
  row.kind = 'Course';
  return row as unknown as CourseNode;
};
export const decodeRun = (raw: unknown): CourseRunNode => {
  const row = withMetadata(decodeRunColumns(raw), RUN_LISTS) as Record<string, unknown>;
  row.seats ??= [];
  row.kind = 'CourseRun';
  return row as unknown as CourseRunNode;
};
export const decodeProgram = (raw: unknown): ProgramNode => {
  const row = withMetadata(decodeProgramColumns(raw), PROGRAM_LISTS) as Record<string, unknown>;
  row.kind = 'Program';
  return row as unknown as ProgramNode;
};
export const decodeOrganization = (raw: unknown) =>
  withMetadata(raw as Record<string, unknown>, ['tags']) as Related<OrganizationRow>;
export const decodeSubject = (raw: unknown) => withMetadata(raw as Record<string, unknown>, []) as Related<SubjectRow>;
