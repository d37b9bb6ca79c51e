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

/** Spreads the `metadata` JSON document into the row (columns win), with empty lists for list fields it lacks. */
function withMetadata<T extends { metadata?: unknown }>(
  row: T,
  lists: readonly string[],
): Omit<T, 'metadata'> & Metadata {
  const { metadata, ...columns } = row;
  const parsed = (fromJson(metadata) ?? {}) as Metadata;
  const defaults = Object.fromEntries(lists.map((field) => [field, []]));
  return { ...defaults, ...parsed, ...columns };
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
  const row = withMetadata(decodeCourseColumns(raw), COURSE_LISTS);
  return {
    ...row,
    entitlements: (row.entitlements as CourseNode['entitlements'] | null) ?? [],
    kind: 'Course',
  } as CourseNode;
};
export const decodeRun = (raw: unknown): CourseRunNode => {
  const row = withMetadata(decodeRunColumns(raw), RUN_LISTS);
  return { ...row, seats: (row.seats as CourseRunNode['seats'] | null) ?? [], kind: 'CourseRun' } as CourseRunNode;
};
export const decodeProgram = (raw: unknown): ProgramNode =>
  ({ ...withMetadata(decodeProgramColumns(raw), PROGRAM_LISTS), kind: 'Program' }) as ProgramNode;
export const decodeOrganization = (raw: unknown) =>
  withMetadata(raw as Record<string, unknown>, ['tags']) as Related<OrganizationRow>;
export const decodeSubject = (raw: unknown) => withMetadata(raw as Record<string, unknown>, []) as Related<SubjectRow>;
