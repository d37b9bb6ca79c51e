import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { DUSENBERY_AUDIT_CATALOG } from '../subgraphs/catalog/demo/index.js';
import { describeEachDialect } from './support/stack.js';

// Pin the bases so the assertions do not depend on the developer's environment.
process.env.LMS_URL = 'https://courses.example.org';
process.env.LEARNER_PORTAL_URL = 'https://portal.example.org';

const RUN = DEMO.content.courseRunKey;
const ENCODED_RUN = 'course-v1%3Aedx%2Btr1012%2B1T2021';

const URLS = /* GraphQL */ `
  query Urls($catalog: ID!, $course: String!, $run: String!, $program: ID!) {
    enterpriseCatalog(uuid: $catalog) {
      course(key: $course) {
        enrollmentUrl
        marketingUrl
        courseRuns {
          key
          enrollmentUrl
        }
        advertisedCourseRun {
          enrollmentUrl
        }
      }
      courseRun(key: $run) {
        enrollmentUrl
        marketingUrl
        course {
          enrollmentUrl
        }
      }
      program(uuid: $program) {
        enrollmentUrl
        marketingUrl
      }
    }
  }
`;

interface Urls {
  enterpriseCatalog: {
    course: {
      enrollmentUrl: string;
      marketingUrl: string;
      courseRuns: { key: string; enrollmentUrl: string }[];
      advertisedCourseRun: { enrollmentUrl: string };
    } | null;
    courseRun: { enrollmentUrl: string; marketingUrl: string; course: { enrollmentUrl: string } } | null;
    program: { enrollmentUrl: string | null; marketingUrl: string } | null;
  };
}

describeEachDialect('catalog enrollment and marketing URLs', (stack) => {
  async function urls(catalog: string, token?: string) {
    const result = await stack().graphql<Urls>(
      URLS,
      { catalog, course: DEMO.content.courseKey, run: RUN, program: DEMO.content.programUuid },
      token ? { token } : {},
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return result.data!.enterpriseCatalog;
  }

  it('points Seal Team Ten (learner portal) at the portal, with UTM tags, for its learners too', async () => {
    const data = await urls(DEMO.catalogs.sealTeamTenAll, stack().tokens.sealLearner);
    const utm = 'utm_medium=enterprise&utm_source=seal-team-ten';
    assert.equal(data.course!.enrollmentUrl, `https://portal.example.org/seal-team-ten/course/edx+tr1012?${utm}`);
    assert.equal(data.course!.marketingUrl, `https://stage.edx.org/course/trench-run-10?${utm}`);
    assert.deepEqual(data.course!.courseRuns, [
      {
        key: RUN,
        enrollmentUrl: `https://portal.example.org/seal-team-ten/course/edx+tr1012?course_run_key=${ENCODED_RUN}&${utm}`,
      },
    ]);
    assert.equal(data.course!.advertisedCourseRun.enrollmentUrl, data.course!.courseRuns[0]!.enrollmentUrl);
    assert.equal(data.courseRun!.enrollmentUrl, data.course!.courseRuns[0]!.enrollmentUrl);
    assert.equal(
      data.courseRun!.marketingUrl,
      `https://stage.edx.org/course/trench-run-10-course-v1edxtr10121t2021?${utm}`,
    );
    assert.equal(data.courseRun!.course.enrollmentUrl, data.course!.enrollmentUrl);
    // Programs have no enrollment URL; their marketing URL is tagged.
    assert.deepEqual(data.program, {
      enrollmentUrl: null,
      marketingUrl: `https://stage.edx.org/masters/ucd-master-of-business-administration?${utm}`,
    });
  });

  it('points Dusenbery Devices (no learner portal) at the LMS enrollment page of the catalog', async () => {
    const data = await urls(DEMO.catalogs.dusenbery, stack().tokens.dusenberyAdmin);
    const utm = 'utm_medium=enterprise&utm_source=dusenbery-devices';
    const lms = `https://courses.example.org/enterprise/${DEMO.customers.dusenberyDevices}/course`;
    assert.equal(data.course!.enrollmentUrl, `${lms}/edx+tr1012/enroll/?catalog=${DEMO.catalogs.dusenbery}&${utm}`);
    assert.deepEqual(data.course!.courseRuns, [
      { key: RUN, enrollmentUrl: `${lms}/${RUN}/enroll/?catalog=${DEMO.catalogs.dusenbery}&${utm}` },
    ]);
    assert.equal(data.program, null); // not in this catalog
  });

  it('adds audit=true when the catalog publishes audit enrollment URLs', async () => {
    const data = await urls(DUSENBERY_AUDIT_CATALOG, stack().tokens.dusenberyAdmin);
    const lms = `https://courses.example.org/enterprise/${DEMO.customers.dusenberyDevices}/course`;
    assert.equal(
      data.course!.enrollmentUrl,
      `${lms}/edx+tr1012/enroll/?catalog=${DUSENBERY_AUDIT_CATALOG}&audit=true&utm_medium=enterprise&utm_source=dusenbery-devices`,
    );
  });

  it('adds audit=true to learner-portal URLs too (Umbrella Corporation publishes audit URLs)', async () => {
    const result = await stack().graphql<{
      enterpriseCatalog: {
        course: { enrollmentUrl: string; advertisedCourseRun: { key: string; enrollmentUrl: string } };
      };
    }>(
      `{ enterpriseCatalog(uuid: "${DEMO.catalogs.foreign}") { course(key: "HarvardX+FIH") { enrollmentUrl advertisedCourseRun { key enrollmentUrl } } } }`,
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const utm = 'audit=true&utm_medium=enterprise&utm_source=umbrella-corporation';
    const course = result.data!.enterpriseCatalog.course;
    assert.equal(course.enrollmentUrl, `https://portal.example.org/umbrella-corporation/course/HarvardX+FIH?${utm}`);
    assert.equal(
      course.advertisedCourseRun.enrollmentUrl,
      `https://portal.example.org/umbrella-corporation/course/HarvardX+FIH?course_run_key=${encodeURIComponent(course.advertisedCourseRun.key)}&${utm}`,
    );
  });

  it('gives no enrollment URL and the untagged marketing URL outside a catalog', async () => {
    const result = await stack().graphql<{ course: unknown; courseRun: unknown; program: unknown }>(
      `{ course(key: "edx+tr1012") { enrollmentUrl marketingUrl courseRuns { enrollmentUrl } } courseRun(key: "${RUN}") { enrollmentUrl } program(uuid: "${DEMO.content.programUuid}") { enrollmentUrl marketingUrl } }`,
    );
    assert.equal(result.errors, undefined);
    assert.deepEqual(result.data, {
      course: {
        enrollmentUrl: null,
        marketingUrl:
          'https://stage.edx.org/course/trench-run-10?utm_source=lms_catalog_service_user&utm_medium=affiliate_partner',
        courseRuns: [{ enrollmentUrl: null }],
      },
      courseRun: { enrollmentUrl: null },
      program: {
        enrollmentUrl: null,
        marketingUrl: 'https://stage.edx.org/masters/ucd-master-of-business-administration',
      },
    });
  });

  it('builds the learner-portal URL for every course of a 100-item page', async () => {
    const result = await stack().graphql<{
      enterpriseCatalog: { contents: { nodes: { enrollmentUrl: string | null }[] } };
    }>(
      `{ enterpriseCatalog(uuid: "${DEMO.catalogs.sealTeamTenAll}") { contents(first: 100) { nodes { enrollmentUrl ... on Course { courseRuns { enrollmentUrl } } } } } }`,
    );
    assert.equal(result.errors, undefined);
    const nodes = result.data!.enterpriseCatalog.contents.nodes;
    assert.equal(nodes.length, 100);
    assert.ok(nodes.every((n) => n.enrollmentUrl?.startsWith('https://portal.example.org/seal-team-ten/course/')));
  });
});
