import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { HARVARD_COURSE_KEY, HARVARD_CURRENT_RUN_KEY } from '../subgraphs/catalog/demo/index.js';
import { describeEachDialect, errorCodes } from './support/stack.js';

const CONTAINS = /* GraphQL */ `
  query Contains($catalog: ID!, $keys: [String!]!) {
    enterpriseCatalog(uuid: $catalog) {
      containsContent(keys: $keys)
    }
  }
`;

const SCOPED = /* GraphQL */ `
  query Scoped($catalog: ID!, $course: String!, $run: String!, $program: ID!) {
    enterpriseCatalog(uuid: $catalog) {
      course(key: $course) {
        key
      }
      courseRun(key: $run) {
        key
      }
      program(uuid: $program) {
        uuid
      }
    }
  }
`;

describeEachDialect('catalog membership', (stack) => {
  async function contains(catalog: string, keys: string[]) {
    const result = await stack().graphql<{ enterpriseCatalog: { containsContent: boolean } }>(CONTAINS, {
      catalog,
      keys,
    });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return result.data!.enterpriseCatalog.containsContent;
  }

  it('finds a listed course, its runs (course listed) and a listed run', async () => {
    assert.equal(await contains(DEMO.catalogs.dusenbery, [DEMO.content.courseKey]), true);
    assert.equal(await contains(DEMO.catalogs.dusenbery, [DEMO.content.courseRunKey]), true);
    assert.equal(await contains(DEMO.catalogs.policyExample, [DEMO.content.harvardRunKey]), true);
  });

  it('counts a course in when only one of its runs is listed, but not a sibling run', async () => {
    // Bluth's catalog lists two HarvardX runs, not the course.
    assert.equal(await contains(DEMO.catalogs.policyExample, [HARVARD_COURSE_KEY]), true);
    assert.equal(
      await contains(DEMO.catalogs.sealTeamTenBusiness, [
        HARVARD_COURSE_KEY,
        HARVARD_CURRENT_RUN_KEY,
        DEMO.content.harvardRunKey,
      ]),
      true,
    );
    assert.equal(await contains(DEMO.catalogs.dusenbery, [HARVARD_COURSE_KEY]), false);
  });

  it('is true only when every key is in the catalog, programs by uuid in any case', async () => {
    assert.equal(
      await contains(DEMO.catalogs.sealTeamTenAll, [
        DEMO.content.courseKey,
        DEMO.content.programUuid.toUpperCase(),
        DEMO.content.harvardRunKey,
      ]),
      true,
    );
    assert.equal(await contains(DEMO.catalogs.dusenbery, [DEMO.content.courseKey, 'nobody+nothing']), false);
    assert.equal(await contains(DEMO.catalogs.dusenbery, [DEMO.content.programUuid]), false);
  });

  it('rejects an empty key list and more than 100 keys', async () => {
    for (const keys of [[], Array.from({ length: 101 }, (_, i) => `k+${i}`)]) {
      const result = await stack().graphql(CONTAINS, { catalog: DEMO.catalogs.dusenbery, keys });
      assert.deepEqual(errorCodes(result), ['BAD_USER_INPUT']);
    }
  });

  it('answers scoped lookups for content in the catalog and null outside it', async () => {
    const inside = await stack().graphql(SCOPED, {
      catalog: DEMO.catalogs.sealTeamTenAll,
      course: DEMO.content.courseKey,
      run: DEMO.content.courseRunKey,
      program: DEMO.content.programUuid,
    });
    assert.equal(inside.errors, undefined);
    assert.deepEqual(inside.data, {
      enterpriseCatalog: {
        course: { key: DEMO.content.courseKey },
        courseRun: { key: DEMO.content.courseRunKey },
        program: { uuid: DEMO.content.programUuid },
      },
    });
    const outside = await stack().graphql(SCOPED, {
      catalog: DEMO.catalogs.dusenbery,
      course: HARVARD_COURSE_KEY,
      run: DEMO.content.harvardRunKey,
      program: DEMO.content.programUuid,
    });
    assert.equal(outside.errors, undefined);
    assert.deepEqual(outside.data, { enterpriseCatalog: { course: null, courseRun: null, program: null } });
  });

  it('answers membership of many keys in one indexed statement', async () => {
    const keys = [
      DEMO.content.courseKey,
      DEMO.content.courseRunKey,
      HARVARD_COURSE_KEY,
      DEMO.content.harvardRunKey,
      DEMO.content.programUuid,
    ];
    const statements = await stack().countStatements('catalog', async () => {
      const result = await stack().graphql(CONTAINS, { catalog: DEMO.catalogs.sealTeamTenAll, keys });
      assert.equal(result.errors, undefined);
    });
    // One for the catalog row, one for the membership of all keys.
    assert.equal(statements, 2);
  });

  it('gives the seed course its canonical price, runs and advertised run', async () => {
    const result = await stack().graphql<{ course: Record<string, unknown> }>(
      `query { course(key: "${DEMO.content.courseKey}") { key uuid title canonicalPriceCents advertisedCourseRun { key } courseRuns { key uuid title start end enrollmentStart enrollmentEnd isEnrollable canonicalPriceCents seats { type priceCents currency upgradeDeadline sku bulkSku } course { key } } } }`,
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data!.course, {
      key: 'edx+tr1012',
      uuid: '04d8eb8e-7773-42b3-97fc-a42f8266e1e5',
      title: 'Trench Run 10',
      canonicalPriceCents: 10000,
      advertisedCourseRun: { key: 'course-v1:edx+tr1012+1T2021' },
      courseRuns: [
        {
          key: 'course-v1:edx+tr1012+1T2021',
          uuid: '293e187e-c1d7-42cf-85b7-760e98a6f02d',
          title: 'Trench Run 10',
          start: '2022-04-12T16:00:00.000Z',
          end: '2090-09-15T16:00:00.000Z',
          enrollmentStart: null,
          enrollmentEnd: null,
          isEnrollable: true,
          canonicalPriceCents: 10000,
          seats: [
            { type: 'audit', priceCents: 0, currency: 'USD', upgradeDeadline: null, sku: '4A19EC2', bulkSku: null },
            {
              type: 'verified',
              priceCents: 10000,
              currency: 'USD',
              upgradeDeadline: '2030-09-05T23:59:59.000Z',
              sku: 'DE707ED',
              bulkSku: '8BA9C3A',
            },
          ],
          course: { key: 'edx+tr1012' },
        },
      ],
    });
  });
});
