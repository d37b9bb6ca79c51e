import type { Kysely } from 'kysely';
import { toJson } from '../../../lib/db/codec.js';
import { DEMO } from '../../../lib/demo-ids.js';
import { courseRow, itemAt, organizationRow, programRow, runRow, subjectRow, type Rest } from './convert.js';
import { SEED_COURSE, SEED_COURSE_RUN, SEED_PROGRAM } from './seed-examples.js';
import { insertMissingContent } from '../store/index.js';
import type {
  CatalogSeedRows,
  CatalogContentTable,
  CatalogDatabase,
  CourseOwnerTable,
  CourseSubjectTable,
  EnterpriseCatalogTable,
} from '../tables.js';

/**
 * Demo catalogs and content: the catalog REST API's example objects with exactly their values, plus ~110
 * generated courses (runs, seats, owners, subjects, programs) so that catalogs are big enough to
 * page through and to prove batching. Keys, uuids and titles are deterministic; the generated
 * runs' dates are relative to the day the data is loaded so that every availability
 * (CURRENT, STARTING_SOON, UPCOMING, ARCHIVED) exists in a fresh database.
 */

const CREATED = new Date('2023-01-01T00:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

/** Deterministic uuid in a namespace (`kind`) for generated rows. */
export function demoUuid(kind: number, index: number): string {
  return `de${kind.toString(16).padStart(6, '0')}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

/** A second Dusenbery Devices catalog that publishes audit enrollment URLs (the seed's catalog does not). */
export const DUSENBERY_AUDIT_CATALOG = 'fcbb8cc6-0000-4000-8000-0000000000a0';

export const HARVARD_COURSE_KEY = 'HarvardX+FIH';
/** A current run of the seed's HarvardX course (the seed's own run ended in 2023). */
export const HARVARD_CURRENT_RUN_KEY = 'course-v1:HarvardX+FIH+1T2026';

// Organizations: the seed's two (edX owns Trench Run 10, UC Davis authors the MBA) and partners.
const SEED_EDX_ORG = itemAt(SEED_COURSE.owners as Rest[], 0, 'seed course owner');
const SEED_UCDAVIS_ORG = itemAt(SEED_PROGRAM.authoring_organizations as Rest[], 0, 'seed program author');
const PARTNERS: [string, string][] = [
  ['HarvardX', 'Harvard University'],
  ['MITx', 'Massachusetts Institute of Technology'],
  ['BerkeleyX', 'University of California, Berkeley'],
  ['DelftX', 'Delft University of Technology'],
  ['IBM', 'IBM'],
  ['LinuxFoundationX', 'The Linux Foundation'],
];
const ORGANIZATIONS: Rest[] = [
  SEED_EDX_ORG,
  SEED_UCDAVIS_ORG,
  ...PARTNERS.map(([key, name], i): Rest => ({
    uuid: demoUuid(1, i + 1),
    key,
    name,
    auto_generate_course_run_keys: true,
    certificate_logo_image_url: null,
    logo_image_url: `https://www.edx.org/images/logos/${key.toLowerCase()}.png`,
    organization_hex_color: null,
    data_modified_timestamp: null,
    description: `<p>${name} offers courses on edX.</p>`,
    description_es: '',
    homepage_url: null,
    tags: ['charter'],
    marketing_url: `https://www.edx.org/school/${key.toLowerCase()}`,
    slug: key.toLowerCase(),
    banner_image_url: null,
    enterprise_subscription_inclusion: true,
  })),
];
const HARVARD_ORG = itemAt(ORGANIZATIONS, 2, 'organization');

const SEED_SOCIAL_SCIENCES = itemAt(SEED_COURSE.subjects as Rest[], 0, 'seed course subject');
const SEED_BUSINESS = SEED_PROGRAM.primary_subject_override as Rest;
const SUBJECT_NAMES: [string, string][] = [
  ['Computer Science', 'computer-science'],
  ['Data Analysis & Statistics', 'data-analysis-statistics'],
  ['Engineering', 'engineering'],
  ['Economics & Finance', 'economics-finance'],
  ['Communication', 'communication'],
];
const SUBJECTS: Rest[] = [
  SEED_SOCIAL_SCIENCES,
  SEED_BUSINESS,
  ...SUBJECT_NAMES.map(([name, slug], i): Rest => ({
    name,
    subtitle: `<p>Learn ${name.toLowerCase()} from the best universities.</p>`,
    description: `<p>Online courses in ${name.toLowerCase()}.</p>`,
    banner_image_url: `https://www.edx.org/sites/default/files/${slug}-1440x210.jpg`,
    card_image_url: `https://www.edx.org/sites/default/files/subject/image/card/${slug}.jpg`,
    slug,
    uuid: demoUuid(2, i + 1),
  })),
];
const BUSINESS_SUBJECT_UUID = String(SEED_BUSINESS.uuid);

const TOPICS = [
  'Data Science',
  'Leadership',
  'Cloud Computing',
  'Financial Accounting',
  'Machine Learning',
  'Negotiation',
  'Cybersecurity',
  'Supply Chain Analytics',
  'Public Speaking',
  'Linux Administration',
  'Project Management',
];
const ADJECTIVES = [
  'Introduction to',
  'Applied',
  'Foundations of',
  'Advanced',
  'Practical',
  'Essentials of',
  'Strategic',
  'Modern',
  'Professional',
  'Hands-on',
];
const LEVELS = ['Introductory', 'Intermediate', 'Advanced'];
const TERMS = ['1T', '2T', '3T'];

export const GENERATED_COURSE_COUNT = 110;

export interface GeneratedCourse {
  course: Rest;
  runs: Rest[];
  ownerUuid: string;
  subjectUuids: string[];
}

function isoDay(day: Date, offsetDays: number): string {
  return new Date(day.getTime() + offsetDays * DAY).toISOString();
}

function seat(type: string, priceCents: number, deadline: string | null, sku: string): Rest {
  return {
    type,
    price: (priceCents / 100).toFixed(2),
    currency: 'USD',
    upgrade_deadline: deadline,
    upgrade_deadline_override: null,
    credit_provider: null,
    credit_hours: null,
    sku,
    bulk_sku: priceCents > 0 ? `B${sku}` : null,
  };
}

/**
 * Run shapes by course index, so the demo has every availability and the edge cases the tests
 * need: i % 6 picks current / starting soon / upcoming / current + upcoming; i % 17 == 16 leaves
 * only an archived run (inactive course); i % 23 == 22 has a current run that is neither
 * enrollable nor marketable (inactive too); i % 11 == 0 has a verified seat past its upgrade
 * deadline (canonical price falls back to the entitlement).
 */
function generatedRuns(i: number, courseKey: string, title: string, priceCents: number, today: Date): Rest[] {
  const [org, number] = courseKey.split('+') as [string, string];
  const runs: {
    term: string;
    start: number;
    end: number;
    enrollEnd?: number;
    marketable?: boolean;
    pacing?: string;
    deadline?: number;
  }[] = [];
  if (i % 17 === 16) runs.push({ term: '1T2024', start: -700, end: -500 });
  else if (i % 23 === 22) runs.push({ term: '1T2026', start: -40, end: 200, enrollEnd: -5, marketable: false });
  else {
    switch (i % 6) {
      case 0:
      case 1:
      case 2:
        if (i % 3 === 0) runs.push({ term: '1T2024', start: -500, end: -300 });
        runs.push({
          term: `${TERMS[i % 3]}2026`,
          start: -30 - (i % 40),
          end: 150 + (i % 60),
          ...(i % 11 === 0 ? { deadline: -1 } : {}),
        });
        break;
      case 3:
        runs.push({ term: '1T2027', start: 10 + (i % 45), end: 120 + (i % 45) });
        break;
      case 4:
        runs.push({ term: '2T2027', start: 90 + (i % 60), end: 200 + (i % 60) });
        break;
      default:
        runs.push({ term: '3T2026', start: -60, end: 300, pacing: 'self_paced' });
        runs.push({ term: '2T2027', start: 120, end: 240 });
    }
  }
  return runs.map((r, j) => {
    const key = `course-v1:${org}+${number}+${r.term}`;
    const start = isoDay(today, r.start);
    const end = isoDay(today, r.end);
    const deadline = isoDay(today, r.deadline ?? r.end - 10);
    const sku = (i * 7 + j).toString(16).toUpperCase().padStart(5, '0');
    const professional = i % 7 === 0;
    return {
      key,
      uuid: demoUuid(4, i * 10 + j),
      title,
      external_key: null,
      image: {
        src: `https://prod-discovery.edx-cdn.org/media/course/image/${demoUuid(3, i)}.small.png`,
        description: null,
        height: null,
        width: null,
      },
      short_description: `<p>${title}: a ${itemAt(LEVELS, i % 3, 'level').toLowerCase()} course.</p>`,
      marketing_url: `https://www.edx.org/course/${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${key.toLowerCase().replace(/[^a-z0-9]+/g, '')}`,
      seats: professional
        ? [seat('professional', priceCents, null, `P${sku}`)]
        : [seat('audit', 0, null, `A${sku}`), seat('verified', priceCents, deadline, `V${sku}`)],
      start,
      end,
      go_live_date: isoDay(today, r.start - 30),
      enrollment_start: isoDay(today, r.start - 60),
      enrollment_end: r.enrollEnd === undefined ? null : isoDay(today, r.enrollEnd),
      weeks_to_complete: 4 + (i % 8),
      pacing_type: r.pacing ?? 'instructor_paced',
      type: professional ? 'professional' : 'verified',
      run_type: demoUuid(5, professional ? 2 : 1),
      status: 'published',
      is_enrollable: true,
      is_marketable: r.marketable ?? true,
      availability: null,
      variant_id: null,
      course: courseKey,
      full_description: `<p>${title} covers the fundamentals and their practice.</p>`,
      announcement: isoDay(today, r.start - 45),
      video: null,
      content_language: 'en-us',
      license: '',
      outcome: `<p>Apply ${title.toLowerCase()} at work.</p>`,
      transcript_languages: ['en-us'],
      instructors: [],
      staff: [],
      min_effort: 2 + (i % 3),
      max_effort: 4 + (i % 5),
      modified: CREATED.toISOString(),
      level_type: LEVELS[i % 3],
      mobile_available: i % 2 === 0,
      hidden: false,
      reporting_type: 'mooc',
      eligible_for_financial_aid: true,
      has_ofac_restrictions: false,
      ofac_comment: '',
      enrollment_count: 100 + i * 13,
      recent_enrollment_count: 10 + i,
      expected_program_type: null,
      expected_program_name: '',
      estimated_hours: 10 + (i % 20),
      content_language_search_facet_name: 'English',
      enterprise_subscription_inclusion: true,
    };
  });
}

export function generatedCourses(today: Date): GeneratedCourse[] {
  const partners = ORGANIZATIONS.slice(2);
  return Array.from({ length: GENERATED_COURSE_COUNT }, (_, i) => {
    const org = itemAt(partners, i % partners.length, 'partner');
    const topic = itemAt(TOPICS, i % TOPICS.length, 'topic');
    const title = `${ADJECTIVES[Math.floor(i / TOPICS.length) % ADJECTIVES.length]} ${topic}`;
    const key = `${String(org.key)}+${topic
      .replace(/[^A-Za-z]/g, '')
      .slice(0, 4)
      .toUpperCase()}${100 + i}`;
    const priceCents = 4900 + ((i * 2500) % 30000);
    const runs = generatedRuns(i, key, title, priceCents, today);
    const uuid = demoUuid(3, i);
    const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const subjectUuids = [
      String(itemAt(SUBJECTS, 2 + (i % SUBJECT_NAMES.length), 'subject').uuid),
      ...(i % 4 === 1 ? [BUSINESS_SUBJECT_UUID] : []),
    ];
    const firstRun = itemAt(runs, 0, `run of ${key}`);
    const advertised = runs.find((r) => Date.parse(String(r.end)) > today.getTime()) ?? null;
    const course: Rest = {
      key,
      uuid,
      title,
      entitlements: [
        {
          mode: i % 7 === 0 ? 'professional' : 'verified',
          price: (priceCents / 100).toFixed(2),
          currency: 'USD',
          sku: `E${uuid.slice(-6).toUpperCase()}`,
          expires: null,
        },
      ],
      image: firstRun.image,
      short_description: firstRun.short_description,
      type: demoUuid(5, 10 + (i % 7 === 0 ? 2 : 1)),
      url_slug: slug,
      course_type: i % 7 === 0 ? 'professional' : 'verified-audit',
      enterprise_subscription_inclusion: true,
      excluded_from_seo: false,
      excluded_from_search: false,
      full_description: firstRun.full_description,
      level_type: LEVELS[i % 3],
      prerequisites: [],
      prerequisites_raw: null,
      expected_learning_items: [],
      video: null,
      sponsors: [],
      modified: CREATED.toISOString(),
      marketing_url: `https://www.edx.org/learn/${slug}/${String(org.key).toLowerCase()}-${slug}`,
      syllabus_raw: null,
      outcome: firstRun.outcome,
      original_image: firstRun.image,
      card_image_url: `https://prod-discovery.edx-cdn.org/media/course/image/${uuid}.png`,
      canonical_course_run_key: advertised?.key ?? firstRun.key,
      extra_description: null,
      additional_information: null,
      additional_metadata: null,
      faq: null,
      learner_testimonials: null,
      enrollment_count: 1000 + i * 37,
      recent_enrollment_count: 100 + i * 3,
      topics: [],
      key_for_reruns: '',
      url_slug_history: [slug],
      url_redirects: [],
      editors: [],
      collaborators: [],
      skill_names: [topic, `${topic} fundamentals`],
      skills: [],
      organization_short_code_override: '',
      organization_logo_override_url: null,
      geolocation: null,
      location_restriction: null,
      in_year_value: null,
      product_source: SEED_COURSE.product_source,
      data_modified_timestamp: CREATED.toISOString(),
      watchers: [],
      editable: true,
      advertised_course_run_uuid: advertised?.uuid ?? null,
    };
    return { course, runs, ownerUuid: String(org.uuid), subjectUuids };
  });
}

/** The seed's HarvardX course (the seed shows only its run), with a current run beside the seed's archived one. */
function harvardCourse(today: Date): { course: Rest; runs: Rest[] } {
  const current: Rest = {
    ...SEED_COURSE_RUN,
    key: HARVARD_CURRENT_RUN_KEY,
    uuid: demoUuid(6, 1),
    seats: [seat('paid-executive-education', 279500, null, 'C33ACD4')],
    start: isoDay(today, -14),
    end: isoDay(today, 30),
    go_live_date: isoDay(today, -60),
    enrollment_start: null,
    enrollment_end: isoDay(today, 20),
    variant_id: demoUuid(6, 2),
    marketing_url: 'https://www.edx.org/course/harvard-vpal-fintech-online-short-course-course-v1-harvardx-fih-1t2026',
    modified: CREATED.toISOString(),
  };
  const course: Rest = {
    key: HARVARD_COURSE_KEY,
    uuid: SEED_COURSE_RUN.course_uuid,
    title: SEED_COURSE_RUN.title,
    short_description: SEED_COURSE_RUN.short_description,
    full_description: SEED_COURSE_RUN.full_description,
    marketing_url: 'https://www.edx.org/learn/fintech/harvard-university-harvard-vpal-fintech-online-short-course',
    image: SEED_COURSE_RUN.image,
    entitlements: [
      { mode: 'paid-executive-education', price: '2795.00', currency: 'USD', sku: 'E33ACD4', expires: null },
    ],
    course_type: 'executive-education-2u',
    level_type: SEED_COURSE_RUN.level_type,
    url_slug: 'harvard-vpal-fintech-online-short-course',
    url_slug_history: ['harvard-vpal-fintech-online-short-course'],
    outcome: SEED_COURSE_RUN.outcome,
    skill_names: ['Financial Technology', 'Blockchain'],
    product_source: {
      name: '2u',
      slug: '2u',
      description: '2U, Trilogy, Getsmarter -- external source for 2u courses and programs',
    },
    enrollment_count: 0,
    recent_enrollment_count: 0,
    modified: SEED_COURSE_RUN.modified,
    canonical_course_run_key: HARVARD_CURRENT_RUN_KEY,
    advertised_course_run_uuid: current.uuid,
  };
  return { course, runs: [SEED_COURSE_RUN, current] };
}

interface GeneratedProgram {
  program: Rest;
  courseKeys: string[];
  authorUuids: string[];
}

const PROGRAM_TYPES = [
  { type: 'Professional Certificate', slug: 'professional-certificate' },
  { type: 'XSeries', slug: 'xseries' },
  { type: 'MicroMasters', slug: 'micromasters' },
];

/** Ten programs of four generated courses each (courses p*11, +3, +6, +9); the last one is hidden. */
function generatedPrograms(courses: readonly GeneratedCourse[]): GeneratedProgram[] {
  return Array.from({ length: 10 }, (_, p) => {
    const members = [0, 3, 6, 9].map((k) => itemAt(courses, p * 11 + k, 'generated course'));
    const courseKeys = [...new Set(members.map((m) => String(m.course.key)))];
    const authorUuids = [...new Set(members.map((m) => m.ownerUuid))];
    const kind = itemAt(PROGRAM_TYPES, p % PROGRAM_TYPES.length, 'program type');
    const topic = itemAt(TOPICS, p % TOPICS.length, 'topic');
    const uuid = demoUuid(7, p + 1);
    const slug = `${topic.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${kind.slug}`;
    return {
      courseKeys,
      authorUuids,
      program: {
        ...SEED_PROGRAM,
        uuid,
        title: `${topic} ${kind.type}`,
        subtitle: `Master ${topic.toLowerCase()} in ${courseKeys.length} courses`,
        type: kind.type,
        type_attrs: { uuid: demoUuid(8, (p % PROGRAM_TYPES.length) + 1), slug: kind.slug, coaching_supported: false },
        status: 'active',
        marketing_slug: slug,
        marketing_url: `https://www.edx.org/${kind.slug}/${slug}`,
        hidden: p === 9,
        card_image_url: `https://prod-discovery.edx-cdn.org/media/programs/card_images/${uuid}.png`,
        is_program_eligible_for_one_click_purchase: true,
        degree: null,
        curricula: [],
        organization_short_code_override: '',
        primary_subject_override: null,
        level_type_override: null,
        overview: `<p>A ${kind.type} in ${topic.toLowerCase()}.</p>`,
        weeks_to_complete: 12 + p,
        weeks_to_complete_min: 8 + p,
        weeks_to_complete_max: 16 + p,
        min_hours_effort_per_week: 3,
        max_hours_effort_per_week: 6,
        total_hours_of_effort: 120 + p * 10,
        languages: ['en-us'],
        transcript_languages: ['en-us'],
        subjects: [SUBJECTS[2 + (p % SUBJECT_NAMES.length)]],
        applicable_seat_types: ['verified', 'professional'],
        enrollment_count: 500 + p * 50,
        recent_enrollment_count: 50 + p * 5,
        is_2u_degree_program: false,
        skill_names: [topic],
        product_source: SEED_COURSE.product_source,
        data_modified_timestamp: CREATED.toISOString(),
      },
    };
  });
}

function catalog(
  uuid: string,
  title: string,
  customer: string,
  extra: Partial<EnterpriseCatalogTable> = {},
): EnterpriseCatalogTable {
  return {
    uuid,
    title,
    enterpriseCustomerUuid: customer,
    catalogQueryUuid: null,
    queryTitle: null,
    contentFilter: toJson({ content_type: ['course', 'courserun', 'program'], partner: 'edx' }),
    includeExecEdCourses: null,
    enabledCourseModes: toJson(['verified', 'professional', 'no-id-professional']),
    publishAuditEnrollmentUrls: false,
    created: CREATED,
    modified: CREATED,
    ...extra,
  };
}

const CATALOGS: EnterpriseCatalogTable[] = [
  catalog(DEMO.catalogs.dusenbery, 'Dusenbery Devices catalog', DEMO.customers.dusenberyDevices, {
    catalogQueryUuid: 'c0de0000-0000-4000-8000-000000000001',
    queryTitle: 'Dusenbery Devices: open courses',
    contentFilter: toJson({
      content_type: 'course',
      partner: 'edx',
      availability: ['Current', 'Starting Soon', 'Upcoming'],
    }),
    includeExecEdCourses: false,
    enabledCourseModes: toJson(['verified', 'audit']),
  }),
  catalog(DUSENBERY_AUDIT_CATALOG, 'Dusenbery Devices: audit tracks', DEMO.customers.dusenberyDevices, {
    queryTitle: 'Dusenbery Devices: audit tracks',
    enabledCourseModes: toJson(['audit', 'verified']),
    publishAuditEnrollmentUrls: true,
  }),
  catalog(DEMO.catalogs.policyExample, 'Bluth Company learner credit catalog', DEMO.customers.policyExample, {
    catalogQueryUuid: 'c0de0000-0000-4000-8000-000000000002',
    queryTitle: 'Learner credit: everything',
    includeExecEdCourses: true,
  }),
  catalog(DEMO.catalogs.planExample, 'Initech subscription catalog', DEMO.customers.planExample, {
    catalogQueryUuid: 'c0de0000-0000-4000-8000-000000000003',
    queryTitle: 'Subscription catalog',
    contentFilter: toJson({ content_type: 'course', enterprise_subscription_inclusion: true }),
    includeExecEdCourses: false,
  }),
  catalog(DEMO.catalogs.sealTeamTenAll, 'Seal Team Ten: all content', DEMO.customers.sealTeamTen, {
    catalogQueryUuid: 'c0de0000-0000-4000-8000-000000000002',
    queryTitle: 'Learner credit: everything',
    includeExecEdCourses: true,
  }),
  catalog(DEMO.catalogs.sealTeamTenBusiness, 'Seal Team Ten: business skills', DEMO.customers.sealTeamTen, {
    catalogQueryUuid: 'c0de0000-0000-4000-8000-000000000004',
    queryTitle: 'Business & Management',
    contentFilter: toJson({ content_type: 'course', subjects: ['Business & Management'] }),
  }),
  catalog(DEMO.catalogs.foreign, 'Umbrella Corporation catalog', DEMO.customers.foreign, {
    enabledCourseModes: toJson(['audit', 'verified']),
    publishAuditEnrollmentUrls: true,
  }),
];

export type DemoContent = Omit<CatalogSeedRows, 'catalogs'>;

/** Every demo row, built for `today` (only generated run dates depend on it). */
export function demoContent(today: Date): DemoContent {
  const generated = generatedCourses(today);
  const harvard = harvardCourse(today);
  const programs = generatedPrograms(generated);
  const seedRuns = SEED_COURSE.course_runs as Rest[];

  const courses = [
    courseRow(SEED_COURSE, CREATED),
    courseRow(harvard.course, CREATED),
    ...generated.map((g) => courseRow(g.course, CREATED)),
  ];
  const runs = [...seedRuns, ...harvard.runs, ...generated.flatMap((g) => g.runs)].map((r) => runRow(r, CREATED));
  const runCourse = new Map(runs.map((r) => [r.key, r.courseKey]));

  const owners: CourseOwnerTable[] = [
    { courseKey: SEED_COURSE.key, organizationUuid: String(SEED_EDX_ORG.uuid), position: 0 },
    { courseKey: HARVARD_COURSE_KEY, organizationUuid: String(HARVARD_ORG.uuid), position: 0 },
    ...generated.map((g) => ({ courseKey: String(g.course.key), organizationUuid: g.ownerUuid, position: 0 })),
  ];
  const courseSubjects: CourseSubjectTable[] = [
    { courseKey: SEED_COURSE.key, subjectUuid: String(SEED_SOCIAL_SCIENCES.uuid), position: 0 },
    { courseKey: HARVARD_COURSE_KEY, subjectUuid: BUSINESS_SUBJECT_UUID, position: 0 },
    ...generated.flatMap((g) =>
      g.subjectUuids.map((subjectUuid, position) => ({ courseKey: String(g.course.key), subjectUuid, position })),
    ),
  ];
  const programCourses = programs.flatMap((p) =>
    p.courseKeys.map((courseKey, position) => ({ programUuid: String(p.program.uuid), courseKey, position })),
  );
  const programAuthors = [
    { programUuid: SEED_PROGRAM.uuid, organizationUuid: String(SEED_UCDAVIS_ORG.uuid), position: 0 },
    ...programs.flatMap((p) =>
      p.authorUuids.map((organizationUuid, position) => ({
        programUuid: String(p.program.uuid),
        organizationUuid,
        position,
      })),
    ),
  ];

  const member = (
    catalogUuid: string,
    contentType: CatalogContentTable['contentType'],
    contentKey: string,
  ): CatalogContentTable => ({
    catalogUuid,
    contentType,
    contentKey,
    parentContentKey: contentType === 'courserun' ? (runCourse.get(contentKey) ?? null) : null,
  });
  const generatedKeys = generated.map((g) => String(g.course.key));
  const businessKeys = generated
    .filter((g) => g.subjectUuids.includes(BUSINESS_SUBJECT_UUID))
    .map((g) => String(g.course.key));
  const seedCourse = SEED_COURSE.key;
  const membership: CatalogContentTable[] = [
    // Dusenbery Devices (no learner portal): the seed's course and 20 generated courses.
    member(DEMO.catalogs.dusenbery, 'course', seedCourse),
    ...generatedKeys.slice(0, 20).map((key) => member(DEMO.catalogs.dusenbery, 'course', key)),
    member(DUSENBERY_AUDIT_CATALOG, 'course', seedCourse),
    ...generatedKeys.slice(0, 5).map((key) => member(DUSENBERY_AUDIT_CATALOG, 'course', key)),
    // Bluth Company (learner credit): the seed's course, the seed's HarvardX run, 30 courses, two runs of other courses.
    member(DEMO.catalogs.policyExample, 'course', seedCourse),
    member(DEMO.catalogs.policyExample, 'courserun', SEED_COURSE_RUN.key),
    member(DEMO.catalogs.policyExample, 'courserun', HARVARD_CURRENT_RUN_KEY),
    ...generatedKeys.slice(20, 50).map((key) => member(DEMO.catalogs.policyExample, 'course', key)),
    ...generated
      .slice(50, 52)
      .map((g) => member(DEMO.catalogs.policyExample, 'courserun', String(itemAt(g.runs, -1, 'run').key))),
    member(DEMO.catalogs.policyExample, 'program', String(itemAt(programs, 0, 'generated program').program.uuid)),
    // Initech (subscriptions): the seed's course and 30 courses.
    member(DEMO.catalogs.planExample, 'course', seedCourse),
    ...generatedKeys.slice(60, 90).map((key) => member(DEMO.catalogs.planExample, 'course', key)),
    // Seal Team Ten: everything (>= 100 active courses), the seed's run and program, all programs.
    member(DEMO.catalogs.sealTeamTenAll, 'course', seedCourse),
    member(DEMO.catalogs.sealTeamTenAll, 'course', HARVARD_COURSE_KEY),
    member(DEMO.catalogs.sealTeamTenAll, 'courserun', SEED_COURSE_RUN.key),
    member(DEMO.catalogs.sealTeamTenAll, 'courserun', HARVARD_CURRENT_RUN_KEY),
    member(DEMO.catalogs.sealTeamTenAll, 'program', SEED_PROGRAM.uuid),
    ...generatedKeys.map((key) => member(DEMO.catalogs.sealTeamTenAll, 'course', key)),
    ...programs.map((p) => member(DEMO.catalogs.sealTeamTenAll, 'program', String(p.program.uuid))),
    // Seal Team Ten business skills: HarvardX and the business courses.
    member(DEMO.catalogs.sealTeamTenBusiness, 'course', HARVARD_COURSE_KEY),
    ...businessKeys.map((key) => member(DEMO.catalogs.sealTeamTenBusiness, 'course', key)),
    // Umbrella Corporation (the foreign tenant).
    member(DEMO.catalogs.foreign, 'course', HARVARD_COURSE_KEY),
    ...generatedKeys.slice(100, 110).map((key) => member(DEMO.catalogs.foreign, 'course', key)),
  ];

  return {
    organizations: ORGANIZATIONS.map(organizationRow),
    subjects: SUBJECTS.map(subjectRow),
    courses,
    runs,
    programs: [programRow(SEED_PROGRAM, CREATED), ...programs.map((p) => programRow(p.program, CREATED))],
    owners,
    courseSubjects,
    programCourses,
    programAuthors,
    membership,
  };
}

/** Inserts the demo catalogs and content that are missing (idempotent; bulk inserts). */
export async function seedDemoData(db: Kysely<CatalogDatabase>): Promise<void> {
  const today = new Date(Math.floor(Date.now() / DAY) * DAY);
  await insertMissingContent(db, { catalogs: CATALOGS, ...demoContent(today) });
}
