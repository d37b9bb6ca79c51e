import { toJson } from '../../../lib/db/codec.js';
import type {
  CourseRunTable,
  CourseTable,
  Entitlement,
  OrganizationTable,
  ProgramTable,
  Seat,
  SubjectTable,
} from '../tables.js';

/**
 * REST (snake_case) content objects -> table rows. The demo data's seed examples and its
 * generated content go through the same converters, so both are stored the same way.
 */

export type Rest = Record<string, unknown>;

/**
 * `list.at(index)`, for the demo data's fixed tables: a missing item is a bug in those tables, so
 * it fails with a message naming what was looked up rather than a TypeError further on.
 */
export function itemAt<T>(list: readonly T[], index: number, what: string): T {
  const item = list.at(index);
  if (item === undefined) throw new Error(`demo data: no ${what} at index ${index} (of ${list.length})`);
  return item;
}

/**
 * Fields whose values are free-form JSON in the schema: their insides keep the REST spelling.
 * Every other object key is camelCased so it matches its GraphQL field.
 */
const FREE_FORM = new Set([
  'additionalMetadata',
  'geolocation',
  'locationRestriction',
  'inYearValue',
  'skills',
  'topics',
  'editors',
  'collaborators',
  'prerequisites',
  'expectedLearningItems',
  'sponsors',
  'areasOfExpertise',
  'profileImage',
  'works',
  'urls',
  'urlsDetailed',
  'expectedProgramType',
  'bannerImage',
  'campusImage',
  'titleBackgroundImage',
  'costs',
  'deadlines',
  'quickFacts',
  'rankings',
  'leadCaptureImage',
  'micromastersBackgroundImage',
  'taxiForm',
  'faq',
  'corporateEndorsements',
  'jobOutlookItems',
  'individualEndorsements',
  'priceRanges',
  'creditRedemptionOverview',
  'instructorOrdering',
  'subscriptionPrices',
  'courses',
  'programs',
  'contentFilter',
]);

export function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function camelize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelize);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Rest).map(([key, inner]) => {
        const name = camel(key);
        return [name, FREE_FORM.has(name) ? inner : camelize(inner)];
      }),
    );
  }
  return value;
}

/** `"100.00"` USD -> 10000 cents. */
export function cents(price: unknown): number {
  return Math.round(Number(price ?? 0) * 100);
}

/** REST dates are ISO strings or null; anything else is a bug in the demo data, not a date. */
function date(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') throw new Error(`demo data: expected an ISO date string, got ${typeof value}`);
  return new Date(value);
}

function without(object: Rest, keys: readonly string[]): Rest {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}

function toSeat(seat: Rest): Seat {
  const { price, ...rest } = camelize(seat) as Rest;
  return { ...(rest as Omit<Seat, 'priceCents'>), priceCents: cents(price) };
}

function toEntitlement(entitlement: Rest): Entitlement {
  const { price, ...rest } = camelize(entitlement) as Rest;
  return { ...(rest as Omit<Entitlement, 'priceCents'>), priceCents: cents(price) };
}

// REST fields that are columns, relations (join tables) or derived at read time: not in `metadata`.
const COURSE_NOT_METADATA = [
  'uuid',
  'key',
  'title',
  'short_description',
  'marketing_url',
  'advertised_course_run_uuid',
  'entitlements',
  'modified',
  'course_runs',
  'owners',
  'subjects',
  'programs',
  'enrollment_url',
  'course_run_keys',
  'course_run_statuses',
];
const RUN_NOT_METADATA = [
  'uuid',
  'key',
  'course',
  'title',
  'short_description',
  'marketing_url',
  'start',
  'end',
  'enrollment_start',
  'enrollment_end',
  'status',
  'is_marketable',
  'hidden',
  'seats',
  'modified',
  'is_enrollable',
  'availability',
  'first_enrollable_paid_seat_price',
  'course_uuid',
  'programs',
  'enrollment_url',
];
const PROGRAM_NOT_METADATA = [
  'uuid',
  'title',
  'subtitle',
  'marketing_url',
  'hidden',
  'courses',
  'authoring_organizations',
  'enrollment_url',
];

export function courseRow(course: Rest, created: Date): CourseTable {
  return {
    uuid: String(course.uuid),
    key: String(course.key),
    title: (course.title as string | null) ?? null,
    shortDescription: (course.short_description as string | null) ?? null,
    marketingUrl: (course.marketing_url as string | null) ?? null,
    advertisedCourseRunUuid: (course.advertised_course_run_uuid as string | null) ?? null,
    entitlements: toJson(((course.entitlements as Rest[] | undefined) ?? []).map(toEntitlement)),
    metadata: toJson(camelize(without(course, COURSE_NOT_METADATA))),
    created,
    modified: date(course.modified) ?? created,
  };
}

export function runRow(run: Rest, created: Date): CourseRunTable {
  return {
    uuid: String(run.uuid),
    key: String(run.key),
    courseKey: String(run.course),
    title: (run.title as string | null) ?? null,
    shortDescription: (run.short_description as string | null) ?? null,
    marketingUrl: (run.marketing_url as string | null) ?? null,
    start: date(run.start),
    end: date(run.end),
    enrollmentStart: date(run.enrollment_start),
    enrollmentEnd: date(run.enrollment_end),
    status: (run.status as string | null) ?? null,
    isMarketable: run.is_marketable === true,
    hidden: run.hidden === true,
    seats: toJson(((run.seats as Rest[] | undefined) ?? []).map(toSeat)),
    metadata: toJson(camelize(without(run, RUN_NOT_METADATA))),
    created,
    modified: date(run.modified) ?? created,
  };
}

export function programRow(program: Rest, created: Date): ProgramTable {
  return {
    uuid: String(program.uuid),
    title: (program.title as string | null) ?? null,
    subtitle: (program.subtitle as string | null) ?? null,
    shortDescription: null,
    marketingUrl: (program.marketing_url as string | null) ?? null,
    hidden: program.hidden === true,
    metadata: toJson(camelize(without(program, PROGRAM_NOT_METADATA))),
    created,
    // Programs carry no `modified` in REST; their data timestamp is the closest.
    modified: date(program.data_modified_timestamp) ?? created,
  };
}

export function organizationRow(organization: Rest): OrganizationTable {
  return {
    uuid: String(organization.uuid),
    key: String(organization.key),
    name: (organization.name as string | null) ?? null,
    metadata: toJson(camelize(without(organization, ['uuid', 'key', 'name']))),
  };
}

export function subjectRow(subject: Rest): SubjectTable {
  return {
    uuid: String(subject.uuid),
    slug: String(subject.slug),
    name: (subject.name as string | null) ?? null,
    metadata: toJson(camelize(without(subject, ['uuid', 'slug', 'name']))),
  };
}
