import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { generatedCourses, HARVARD_COURSE_KEY, HARVARD_CURRENT_RUN_KEY } from '../subgraphs/catalog/demo/index.js';
import { describeEachDialect, errorCodes } from './support/stack.js';

// Generated course keys do not depend on the day; pick courses by their run shape (see demo-data.ts).
const KEYS = generatedCourses(new Date()).map((g) => String(g.course.key));
const CURRENT = KEYS[0]!; // one current run (and an archived one)
const STARTING_SOON = KEYS[3]!; // starts within 60 days
const UPCOMING = KEYS[4]!; // starts in 94 days
const CURRENT_AND_UPCOMING = KEYS[5]!; // best of its active runs: CURRENT
const ONLY_ARCHIVED = KEYS[16]!; // inactive
const CLOSED_UNMARKETED = KEYS[22]!; // current run, enrollment closed, not marketable: inactive

interface Node {
  __typename: string;
  key?: string;
  uuid?: string;
  title?: string;
  availability?: string;
}
interface Page {
  enterpriseCatalog: {
    contents: {
      totalCount: number;
      nodes: Node[];
      edges: { cursor: string }[];
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
    };
  };
}

const CONTENTS = /* GraphQL */ `
  query Contents(
    $catalog: ID!
    $types: [ContentType!]
    $availability: [Availability!]
    $search: String
    $first: Int
    $after: String
  ) {
    enterpriseCatalog(uuid: $catalog) {
      contents(contentTypes: $types, availability: $availability, search: $search, first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          endCursor
        }
        edges {
          cursor
        }
        nodes {
          __typename
          ... on Course {
            key
            title
            availability
          }
          ... on CourseRun {
            key
            title
            availability
          }
          ... on Program {
            uuid
            title
          }
        }
      }
    }
  }
`;

const id = (node: Node) => `${node.__typename}:${node.key ?? node.uuid}`;

describeEachDialect('catalog contents', (stack) => {
  async function contents(variables: Record<string, unknown>, catalog: string = DEMO.catalogs.sealTeamTenAll) {
    const result = await stack().graphql<Page>(CONTENTS, { catalog, ...variables });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return result.data!.enterpriseCatalog.contents;
  }

  it('lists active content only: 102 courses, the current HarvardX run, 10 visible programs', async () => {
    const all = await contents({ first: 500 });
    assert.equal(all.totalCount, 113);
    assert.equal(all.nodes.length, 113);
    const count = (type: string) => all.nodes.filter((n) => n.__typename === type).length;
    assert.deepEqual([count('Course'), count('CourseRun'), count('Program')], [102, 1, 10]);
    const keys = new Set(all.nodes.map(id));
    for (const key of [CURRENT, STARTING_SOON, UPCOMING, DEMO.content.courseKey, HARVARD_COURSE_KEY])
      assert.ok(keys.has(`Course:${key}`), key);
    assert.ok(keys.has(`CourseRun:${HARVARD_CURRENT_RUN_KEY}`));
    assert.ok(keys.has(`Program:${DEMO.content.programUuid}`));
    // Archived run, course with only archived runs, closed and unmarketed run's course, hidden program.
    for (const key of [
      `CourseRun:${DEMO.content.harvardRunKey}`,
      `Course:${ONLY_ARCHIVED}`,
      `Course:${CLOSED_UNMARKETED}`,
      'Program:de000007-0000-4000-8000-00000000000a',
    ]) {
      assert.ok(!keys.has(key), key);
    }
  });

  it('orders by content type then key and pages with keyset cursors without gaps or repeats', async () => {
    const all = (await contents({ first: 500 })).nodes.map(id);
    const types = all.map((n) => n.split(':')[0]);
    assert.deepEqual(
      types,
      [...types].sort(
        (a, b) => ['Course', 'CourseRun', 'Program'].indexOf(a!) - ['Course', 'CourseRun', 'Program'].indexOf(b!),
      ),
    );
    const walked: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Page['enterpriseCatalog']['contents'] = await contents({ first: 30, after });
      walked.push(...page.nodes.map(id));
      assert.equal(page.pageInfo.hasPreviousPage, after !== null);
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    assert.equal(pages, 4);
    assert.deepEqual(walked, all);
  });

  it('pages 20 items by default and rejects first above 500, negative first and a foreign cursor', async () => {
    const page = await contents({});
    assert.equal(page.nodes.length, 20);
    assert.equal(page.pageInfo.hasNextPage, true);
    for (const first of [501, -1]) {
      const result = await stack().graphql(CONTENTS, { catalog: DEMO.catalogs.sealTeamTenAll, first });
      assert.deepEqual(errorCodes(result), ['BAD_USER_INPUT']);
    }
    const bad = await stack().graphql(CONTENTS, { catalog: DEMO.catalogs.sealTeamTenAll, after: 'not-a-cursor' });
    assert.deepEqual(errorCodes(bad), ['BAD_USER_INPUT']);
  });

  it('filters by content type', async () => {
    const programs = await contents({ types: ['PROGRAM'], first: 500 });
    assert.equal(programs.totalCount, 10);
    assert.ok(programs.nodes.every((n) => n.__typename === 'Program'));
    const runs = await contents({ types: ['COURSERUN'] });
    assert.deepEqual(runs.nodes.map(id), [`CourseRun:${HARVARD_CURRENT_RUN_KEY}`]);
    const both = await contents({ types: ['COURSERUN', 'PROGRAM'], first: 500 });
    assert.equal(both.totalCount, 11);
    // Empty filter lists restrict nothing.
    assert.equal((await contents({ types: [], availability: [] })).totalCount, 113);
  });

  it('derives availability from run dates: a course takes the best of its active runs', async () => {
    const byAvailability = async (availability: string) =>
      new Set((await contents({ availability: [availability], first: 500 })).nodes.map(id));
    const current = await byAvailability('CURRENT');
    const soon = await byAvailability('STARTING_SOON');
    const upcoming = await byAvailability('UPCOMING');
    assert.ok(
      current.has(`Course:${CURRENT}`) &&
        current.has(`Course:${CURRENT_AND_UPCOMING}`) &&
        current.has(`CourseRun:${HARVARD_CURRENT_RUN_KEY}`),
    );
    assert.ok(soon.has(`Course:${STARTING_SOON}`) && !soon.has(`Course:${CURRENT}`));
    assert.ok(upcoming.has(`Course:${UPCOMING}`) && !upcoming.has(`Course:${CURRENT_AND_UPCOMING}`));
    // Programs have no dates; active content is never archived.
    assert.ok([...current, ...soon, ...upcoming].every((key) => !key.startsWith('Program:')));
    assert.equal((await byAvailability('ARCHIVED')).size, 0);
    assert.equal(current.size + soon.size + upcoming.size, 103);
    // The field agrees with the filter.
    const page = await contents({ availability: ['STARTING_SOON', 'UPCOMING'], first: 500 });
    assert.ok(page.nodes.every((n) => n.availability === 'STARTING_SOON' || n.availability === 'UPCOMING'));
    assert.equal(page.totalCount, soon.size + upcoming.size);
  });

  it('searches title and key case-insensitively and combines filters with AND', async () => {
    const trench = await contents({ search: 'TRENCH' });
    assert.deepEqual(trench.nodes.map(id), [`Course:${DEMO.content.courseKey}`]);
    const byKey = await contents({ search: 'tr1012' });
    assert.deepEqual(byKey.nodes.map(id), [`Course:${DEMO.content.courseKey}`]);
    const fintech = await contents({ search: 'fintech' });
    assert.deepEqual(fintech.nodes.map(id), [`Course:${HARVARD_COURSE_KEY}`, `CourseRun:${HARVARD_CURRENT_RUN_KEY}`]);
    const fintechRuns = await contents({ search: 'fintech', types: ['COURSERUN'] });
    assert.deepEqual(fintechRuns.nodes.map(id), [`CourseRun:${HARVARD_CURRENT_RUN_KEY}`]);
    const wildcard = await contents({ search: '%' });
    assert.equal(wildcard.totalCount, 0);
    const soonData = await contents({ search: 'data science', availability: ['STARTING_SOON'], first: 500 });
    assert.ok(soonData.nodes.every((n) => /data science/i.test(n.title ?? '') && n.availability === 'STARTING_SOON'));
  });

  it('counts the contents of every catalog of a page in one statement, each equal to its full listing', async () => {
    const query = /* GraphQL */ `
      query ($search: String) {
        enterpriseCatalogs(first: 50) {
          nodes {
            uuid
            contents(first: 0, search: $search) {
              totalCount
            }
          }
        }
      }
    `;
    for (const search of [null, 'data']) {
      let catalogs: { uuid: string; contents: { totalCount: number } }[] = [];
      const statements = await stack().countStatements('catalog', async () => {
        const result = await stack().graphql<{ enterpriseCatalogs: { nodes: typeof catalogs } }>(query, { search });
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        catalogs = result.data!.enterpriseCatalogs.nodes;
      });
      assert.ok(catalogs.length >= 3, 'the demo data has several catalogs');
      // The catalog page and ONE count for all of them (first: 0 reads no content page).
      assert.equal(statements, 2);
      for (const catalog of catalogs) {
        const listed = await contents({ first: 500, search }, catalog.uuid);
        assert.equal(listed.nodes.length, listed.totalCount);
        assert.equal(catalog.contents.totalCount, listed.totalCount, `${catalog.uuid} search=${search}`);
      }
      assert.ok(catalogs.some((c) => c.contents.totalCount > 0));
    }
  });

  it('answers malformed uuids with BAD_USER_INPUT and unknown keys with null', async () => {
    for (const query of [
      '{ enterpriseCatalog(uuid: "nope") { uuid } }',
      '{ program(uuid: "fcfe93c3") { uuid } }',
      `{ enterpriseCatalog(uuid: "${DEMO.catalogs.sealTeamTenAll}") { program(uuid: "x") { uuid } } }`,
    ]) {
      assert.deepEqual(errorCodes(await stack().graphql(query)), ['BAD_USER_INPUT'], query);
    }
    const missing = await stack().graphql(
      '{ course(key: "nobody+nothing") { key } courseRun(key: "course-v1:nobody+nothing+1T2020") { key } program(uuid: "00000000-0000-4000-8000-000000000000") { uuid } enterpriseCatalog(uuid: "00000000-0000-4000-8000-000000000000") { uuid } }',
    );
    assert.equal(missing.errors, undefined);
    assert.deepEqual(missing.data, { course: null, courseRun: null, program: null, enterpriseCatalog: null });
  });

  it('serves every catalog field of seed 001', async () => {
    const result = await stack().graphql<{ enterpriseCatalog: Record<string, unknown> }>(
      `{ enterpriseCatalog(uuid: "${DEMO.catalogs.dusenbery}") { uuid title enterpriseCustomerUuid enterpriseCustomer { uuid name } catalogQueryUuid queryTitle contentFilter contentLastModified catalogModified includeExecEd2UCourses enabledCourseModes publishAuditEnrollmentUrls } }`,
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data!.enterpriseCatalog, {
      uuid: DEMO.catalogs.dusenbery,
      title: 'Dusenbery Devices catalog',
      enterpriseCustomerUuid: DEMO.customers.dusenberyDevices,
      enterpriseCustomer: { uuid: DEMO.customers.dusenberyDevices, name: 'Dusenbery Devices' },
      catalogQueryUuid: 'c0de0000-0000-4000-8000-000000000001',
      queryTitle: 'Dusenbery Devices: open courses',
      contentFilter: { content_type: 'course', partner: 'edx', availability: ['Current', 'Starting Soon', 'Upcoming'] },
      // The seed's Trench Run 10 (modified 2024-01-12) is the newest thing the catalog lists.
      contentLastModified: '2024-01-12T16:45:17.341Z',
      catalogModified: '2023-01-01T00:00:00.000Z',
      includeExecEd2UCourses: false,
      enabledCourseModes: ['verified', 'audit'],
      publishAuditEnrollmentUrls: false,
    });
  });
});
