import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { generatedCourses } from '../subgraphs/catalog/demo/index.js';
import { describeEachDialect, errorCodes, token, type TestStack } from './support/stack.js';

const MISSING_UUID = '00000000-0000-4000-8000-000000000000';

async function entities(stack: TestStack, representations: object[], selection: string, authToken?: string) {
  return stack.graphql<{ _entities: (Record<string, unknown> | null)[] }>(
    `query ($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`,
    { representations },
    { url: `${stack.subgraphs.catalog.http.url}/graphql`, ...(authToken ? { token: authToken } : {}) },
  );
}

describeEachDialect('catalog entities and access', (stack) => {
  it('resolves Course by key and by uuid, CourseRun by key, Program and EnterpriseCatalog by uuid; misses are null', async () => {
    const result = await entities(
      stack(),
      [
        { __typename: 'Course', key: DEMO.content.courseKey },
        { __typename: 'Course', uuid: DEMO.content.courseUuid.toUpperCase() },
        { __typename: 'Course', key: 'nobody+nothing' },
        { __typename: 'CourseRun', key: DEMO.content.courseRunKey },
        { __typename: 'CourseRun', key: 'course-v1:nobody+nothing+1T2020' },
        { __typename: 'Program', uuid: DEMO.content.programUuid },
        { __typename: 'Program', uuid: MISSING_UUID },
        { __typename: 'EnterpriseCatalog', uuid: DEMO.catalogs.sealTeamTenAll },
        { __typename: 'EnterpriseCatalog', uuid: MISSING_UUID },
      ],
      '... on Course { key title canonicalPriceCents } ... on CourseRun { key canonicalPriceCents } ... on Program { uuid title } ... on EnterpriseCatalog { uuid catalogTitle: title containsContent(keys: ["edx+tr1012"]) }',
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data!._entities, [
      { key: 'edx+tr1012', title: 'Trench Run 10', canonicalPriceCents: 10000 },
      { key: 'edx+tr1012', title: 'Trench Run 10', canonicalPriceCents: 10000 },
      null,
      { key: DEMO.content.courseRunKey, canonicalPriceCents: 10000 },
      null,
      { uuid: DEMO.content.programUuid, title: 'Master of Business Administration' },
      null,
      { uuid: DEMO.catalogs.sealTeamTenAll, catalogTitle: 'Seal Team Ten: all content', containsContent: true },
      null,
    ]);
  });

  it('resolves a batch of 100 courses by key in one statement', async () => {
    const keys = generatedCourses(new Date())
      .slice(0, 100)
      .map((g) => String(g.course.key));
    let result: Awaited<ReturnType<typeof entities>> | undefined;
    const statements = await stack().countStatements('catalog', async () => {
      result = await entities(
        stack(),
        keys.map((key) => ({ __typename: 'Course', key })),
        '... on Course { key title uuid }',
      );
    });
    assert.equal(result!.errors, undefined);
    assert.deepEqual(
      result!.data!._entities.map((c) => c?.key),
      keys,
    );
    assert.equal(statements, 1);
  });

  it('lets admins, learners and catalog admins of the customer read its catalog, and operators any catalog', async () => {
    const catalogAdmin = await token({ roles: [`enterprise_catalog_admin:${DEMO.customers.sealTeamTen}`], userId: 77 });
    for (const authToken of [
      stack().tokens.sealAdmin,
      stack().tokens.sealLearner,
      catalogAdmin,
      stack().tokens.operator,
    ]) {
      const result = await stack().graphql<{ enterpriseCatalog: { uuid: string; contents: { totalCount: number } } }>(
        `{ enterpriseCatalog(uuid: "${DEMO.catalogs.sealTeamTenAll}") { uuid contents { totalCount } } }`,
        {},
        { token: authToken },
      );
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      assert.equal(result.data!.enterpriseCatalog.contents.totalCount, 113);
    }
  });

  it("refuses another customer's catalog: FORBIDDEN and no data, through the gateway and the subgraph", async () => {
    const sealAdmin = stack().tokens.sealAdmin;
    const direct = await stack().graphql<{ enterpriseCatalog: unknown }>(
      `{ enterpriseCatalog(uuid: "${DEMO.catalogs.foreign}") { uuid title contents { totalCount } } }`,
      {},
      { token: sealAdmin },
    );
    assert.deepEqual(errorCodes(direct), ['FORBIDDEN']);
    assert.equal(direct.data?.enterpriseCatalog ?? null, null);
    const listed = await stack().graphql(
      `{ enterpriseCatalogs(enterpriseCustomerUuid: "${DEMO.customers.foreign}") { nodes { uuid } } }`,
      {},
      { token: sealAdmin },
    );
    assert.deepEqual(errorCodes(listed), ['FORBIDDEN']);
    const entity = await entities(
      stack(),
      [{ __typename: 'EnterpriseCatalog', uuid: DEMO.catalogs.foreign }],
      '... on EnterpriseCatalog { uuid title }',
      sealAdmin,
    );
    assert.deepEqual(errorCodes(entity), ['FORBIDDEN']);
    assert.equal(entity.data?._entities[0] ?? null, null);
  });

  it("lists only the viewer's own catalogs", async () => {
    const result = await stack().graphql<{
      enterpriseCatalogs: { totalCount: number; nodes: { uuid: string; enterpriseCustomerUuid: string }[] };
    }>(
      '{ enterpriseCatalogs { totalCount nodes { uuid enterpriseCustomerUuid } } }',
      {},
      { token: stack().tokens.sealLearner },
    );
    assert.equal(result.errors, undefined);
    assert.deepEqual(
      result.data!.enterpriseCatalogs.nodes.map((c) => c.uuid).sort(),
      [DEMO.catalogs.sealTeamTenAll, DEMO.catalogs.sealTeamTenBusiness].sort(),
    );
    const operator = await stack().graphql<{ enterpriseCatalogs: { totalCount: number } }>(
      '{ enterpriseCatalogs { totalCount } }',
    );
    assert.equal(operator.data!.enterpriseCatalogs.totalCount, 7);
  });

  it('lets any valid token read global content, and nothing without a token', async () => {
    const query = `{ course(key: "edx+tr1012") { key } courseRun(key: "${DEMO.content.harvardRunKey}") { key } program(uuid: "${DEMO.content.programUuid}") { uuid } }`;
    const stranger = await token({ roles: [], userId: 555 });
    for (const authToken of [stranger, stack().tokens.foreignAdmin]) {
      const result = await stack().graphql(query, {}, { token: authToken });
      assert.equal(result.errors, undefined);
      assert.deepEqual(result.data, {
        course: { key: 'edx+tr1012' },
        courseRun: { key: DEMO.content.harvardRunKey },
        program: { uuid: DEMO.content.programUuid },
      });
    }
    const anonymous = await stack().graphql(query, {}, { token: null });
    assert.deepEqual(errorCodes(anonymous), ['UNAUTHENTICATED']);
    const directly = await stack().graphql(
      query,
      {},
      { token: null, url: `${stack().subgraphs.catalog.http.url}/graphql` },
    );
    assert.deepEqual(errorCodes(directly), ['UNAUTHENTICATED']);
  });

  it('marks global content PUBLIC for a day and catalog data PRIVATE for an hour (Cache-Control of the subgraph and the gateway)', async () => {
    const url = `${stack().subgraphs.catalog.http.url}/graphql`;
    const headers = async (query: string, target = url) => {
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `JWT ${stack().tokens.operator}` },
        body: JSON.stringify({ query }),
      });
      assert.equal(response.status, 200);
      return response.headers.get('cache-control');
    };
    assert.equal(
      await headers(
        '{ course(key: "edx+tr1012") { key title owners { name } courseRuns { key seats { priceCents } } } }',
      ),
      'max-age=86400, public',
    );
    assert.equal(
      await headers(
        `{ enterpriseCatalog(uuid: "${DEMO.catalogs.sealTeamTenAll}") { uuid contents(first: 2) { nodes { title } } } }`,
      ),
      'max-age=3600, private',
    );
    assert.equal(await headers('{ course(key: "edx+tr1012") { key enrollmentUrl } }'), 'max-age=86400, private');
    // The composed directive reaches the gateway too, which answers with the same policy.
    assert.equal(
      await headers('{ course(key: "edx+tr1012") { key title } }', stack().gatewayUrl),
      'max-age=86400, public',
    );
    assert.equal(
      await headers(`{ enterpriseCatalog(uuid: "${DEMO.catalogs.sealTeamTenAll}") { uuid } }`, stack().gatewayUrl),
      'max-age=3600, private',
    );
  });
});
