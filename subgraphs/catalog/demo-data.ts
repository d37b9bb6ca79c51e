import type { Kysely } from 'kysely';
import { DEMO } from '../../lib/demo-ids.js';
import type {
  CatalogContentTable,
  CatalogDatabase,
  CourseRunTable,
  CourseTable,
  EnterpriseCatalogTable,
  ProgramTable,
} from './tables.js';

const CREATED = new Date('2023-01-01T00:00:00Z');
const stamp = { created: CREATED, modified: CREATED };

const CATALOGS: EnterpriseCatalogTable[] = [
  { uuid: DEMO.catalogs.dusenbery, title: 'Dusenbery Devices catalog', enterpriseCustomerUuid: DEMO.customers.dusenberyDevices, ...stamp },
  { uuid: DEMO.catalogs.policyExample, title: 'Bluth Company learner credit catalog', enterpriseCustomerUuid: DEMO.customers.policyExample, ...stamp },
  { uuid: DEMO.catalogs.planExample, title: 'Initech subscription catalog', enterpriseCustomerUuid: DEMO.customers.planExample, ...stamp },
  { uuid: DEMO.catalogs.sealTeamTenAll, title: 'Seal Team Ten: all content', enterpriseCustomerUuid: DEMO.customers.sealTeamTen, ...stamp },
  { uuid: DEMO.catalogs.sealTeamTenBusiness, title: 'Seal Team Ten: business skills', enterpriseCustomerUuid: DEMO.customers.sealTeamTen, ...stamp },
  { uuid: DEMO.catalogs.foreign, title: 'Umbrella Corporation catalog', enterpriseCustomerUuid: DEMO.customers.foreign, ...stamp },
];

const COURSES: CourseTable[] = [
  {
    uuid: DEMO.content.courseUuid,
    key: DEMO.content.courseKey,
    title: 'Trench Run 10',
    shortDescription: '<p>t</p>',
    marketingUrl: 'https://stage.edx.org/course/trench-run-10-course-v1edxtr10121t2021?utm_source=lms_catalog_service_user&utm_medium=affiliate_partner',
    ...stamp,
  },
  {
    uuid: '7ea1d2b0-8a1c-4d2e-9b3f-0000000000f1',
    key: 'HarvardX+FIH',
    title: 'Fat Chance: Probability from the Ground Up',
    shortDescription: 'Probability from the ground up.',
    marketingUrl: 'https://www.edx.org/course/fat-chance-probability-from-the-ground-up',
    ...stamp,
  },
];

const RUNS: CourseRunTable[] = [
  {
    uuid: DEMO.content.courseRunUuid,
    key: DEMO.content.courseRunKey,
    courseKey: DEMO.content.courseKey,
    title: 'Trench Run 10',
    shortDescription: '<p>t</p>',
    marketingUrl: 'https://stage.edx.org/course/trench-run-10-course-v1edxtr10121t2021?utm_source=lms_catalog_service_user&utm_medium=affiliate_partner',
    start: new Date('2021-01-01T00:00:00Z'),
    end: new Date('2030-12-31T00:00:00Z'),
    ...stamp,
  },
  {
    uuid: '0b9c5c2e-5f0c-4c51-9b3e-3f1d4e2a2023',
    key: DEMO.content.harvardRunKey,
    courseKey: 'HarvardX+FIH',
    title: 'Fat Chance: Probability from the Ground Up',
    shortDescription: 'Probability from the ground up.',
    marketingUrl: 'https://www.edx.org/course/fat-chance-probability-from-the-ground-up',
    start: new Date('2023-09-01T00:00:00Z'),
    end: new Date('2031-06-30T00:00:00Z'),
    ...stamp,
  },
];

const PROGRAMS: ProgramTable[] = [
  {
    uuid: DEMO.content.programUuid,
    title: 'Trench Run Professional Certificate',
    subtitle: 'Fly the trench',
    shortDescription: 'A program of Trench Run courses.',
    marketingUrl: 'https://www.edx.org/professional-certificate/trench-run',
    hidden: false,
    ...stamp,
  },
];

const MEMBERSHIP: CatalogContentTable[] = [
  { catalogUuid: DEMO.catalogs.dusenbery, contentType: 'course', contentKey: DEMO.content.courseKey },
  { catalogUuid: DEMO.catalogs.policyExample, contentType: 'course', contentKey: DEMO.content.courseKey },
  { catalogUuid: DEMO.catalogs.policyExample, contentType: 'courserun', contentKey: DEMO.content.harvardRunKey },
  { catalogUuid: DEMO.catalogs.planExample, contentType: 'course', contentKey: DEMO.content.courseKey },
  { catalogUuid: DEMO.catalogs.sealTeamTenAll, contentType: 'course', contentKey: DEMO.content.courseKey },
  { catalogUuid: DEMO.catalogs.sealTeamTenAll, contentType: 'course', contentKey: 'HarvardX+FIH' },
  { catalogUuid: DEMO.catalogs.sealTeamTenAll, contentType: 'courserun', contentKey: DEMO.content.harvardRunKey },
  { catalogUuid: DEMO.catalogs.sealTeamTenAll, contentType: 'program', contentKey: DEMO.content.programUuid },
  { catalogUuid: DEMO.catalogs.sealTeamTenBusiness, contentType: 'course', contentKey: 'HarvardX+FIH' },
  { catalogUuid: DEMO.catalogs.foreign, contentType: 'course', contentKey: 'HarvardX+FIH' },
];

async function insertMissing<T>(existing: Set<string>, rows: T[], keyOf: (row: T) => string, insert: (rows: T[]) => Promise<unknown>) {
  const missing = rows.filter((row) => !existing.has(keyOf(row)));
  if (missing.length) await insert(missing);
}

/** Inserts the demo catalogs and content that are missing (idempotent). */
export async function seedDemoData(db: Kysely<CatalogDatabase>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const ids = async (table: 'enterprise_catalog' | 'course' | 'course_run' | 'program') =>
      new Set((await trx.selectFrom(table).select('uuid').execute()).map((r) => r.uuid));
    await insertMissing(await ids('enterprise_catalog'), CATALOGS, (r) => r.uuid, (rows) => trx.insertInto('enterprise_catalog').values(rows).execute());
    await insertMissing(await ids('course'), COURSES, (r) => r.uuid, (rows) => trx.insertInto('course').values(rows).execute());
    await insertMissing(await ids('course_run'), RUNS, (r) => r.uuid, (rows) => trx.insertInto('course_run').values(rows).execute());
    await insertMissing(await ids('program'), PROGRAMS, (r) => r.uuid, (rows) => trx.insertInto('program').values(rows).execute());
    const members = new Set(
      (await trx.selectFrom('catalog_content').selectAll().execute()).map((r) => `${r.catalogUuid}|${r.contentType}|${r.contentKey}`),
    );
    await insertMissing(members, MEMBERSHIP, (r) => `${r.catalogUuid}|${r.contentType}|${r.contentKey}`, (rows) =>
      trx.insertInto('catalog_content').values(rows).execute(),
    );
  });
}
