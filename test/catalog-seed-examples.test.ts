import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  getNamedType,
  isObjectType,
  isInterfaceType,
  type GraphQLObjectType,
  type GraphQLInterfaceType,
} from 'graphql';
import { DEMO } from '../lib/demo-ids.js';
import { loadTypeDefs } from '../lib/server/subgraph.js';
import { camel, camelize, cents, type Rest } from '../subgraphs/catalog/demo/convert.js';
import { SEED_COURSE, SEED_COURSE_RUN, SEED_PROGRAM } from '../subgraphs/catalog/demo/seed-examples.js';
import { describeEachDialect } from './support/stack.js';

// The seed's enrollment URLs point at the stage LMS; settings are read per call, so this applies to the stack below.
process.env.LMS_URL = 'https://courses.stage.edx.org';

const schema = buildSubgraphSchema({ typeDefs: loadTypeDefs('catalog') });
const ENTITY_KEYS: Record<string, string> = {
  Course: 'key',
  CourseRun: 'key',
  Program: 'uuid',
  EnterpriseCatalog: 'uuid',
  EnterpriseCustomer: 'uuid',
};

/** Every field of a type (entities nested inside: their key only), so the query proves each one resolves. */
function everyField(type: GraphQLObjectType | GraphQLInterfaceType, top = true): string {
  return Object.values(type.getFields())
    .filter((field) =>
      field.args.every(
        (arg) => !('defaultValue' in arg && arg.defaultValue === undefined && String(arg.type).endsWith('!')),
      ),
    )
    .map((field) => {
      const named = getNamedType(field.type);
      if (!isObjectType(named) && !isInterfaceType(named)) return field.name;
      const key = ENTITY_KEYS[named.name];
      if (key && !top) return `${field.name} { ${key} }`;
      if (key) return `${field.name} { ${key} }`;
      return `${field.name} { ${everyField(named, false)} }`;
    })
    .join(' ');
}

const typeOf = (name: string) => schema.getType(name) as GraphQLObjectType;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** DateTime values come back in millisecond precision; compare instants. */
function normalize(value: unknown): unknown {
  if (typeof value === 'string' && ISO.test(value)) return new Date(value).toISOString();
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  return value;
}

/** The seed object as GraphQL answers it: camelCase, prices in cents, enums upper-case. */
function expected(rest: Rest, overrides: Record<string, unknown>): Record<string, unknown> {
  const base = camelize(rest) as Record<string, unknown>;
  return normalize({ ...base, ...overrides }) as Record<string, unknown>;
}

function assertSeedFields(
  actual: Record<string, unknown>,
  want: Record<string, unknown>,
  rest: Rest,
  typeName: string,
) {
  const fields = typeOf(typeName).getFields();
  for (const key of Object.keys(rest)) {
    const name = key === 'first_enrollable_paid_seat_price' ? 'firstEnrollablePaidSeatPriceCents' : camel(key);
    assert.ok(name in fields, `${typeName}.${name} (REST ${key}) is missing from the schema`);
  }
  for (const [name, value] of Object.entries(want)) {
    assert.deepEqual(normalize(actual[name]), value, `${typeName}.${name}`);
  }
}

describeEachDialect('catalog seed examples', (stack) => {
  it('returns course edx+tr1012 with every seed field and exactly the seed values', async () => {
    const result = await stack().graphql<{ course: Record<string, unknown> }>(
      `query { course(key: "edx+tr1012") { ${everyField(typeOf('Course'))} } }`,
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const seed = SEED_COURSE as Rest;
    const want = expected(seed, {
      courseRuns: (seed.course_runs as Rest[]).map((r) => ({ key: r.key })),
      entitlements: (seed.entitlements as Rest[]).map((e) => ({
        mode: e.mode,
        priceCents: cents(e.price),
        currency: e.currency,
        sku: e.sku,
        expires: e.expires,
      })),
      programs: [],
      // Reached without a catalog: no enrollment URL.
      enrollmentUrl: null,
    });
    assertSeedFields(result.data!.course, want, seed, 'Course');
    assert.equal(result.data!.course.canonicalPriceCents, 10000);
    assert.deepEqual(result.data!.course.advertisedCourseRun, { key: 'course-v1:edx+tr1012+1T2021' });
  });

  it('returns its run course-v1:edx+tr1012+1T2021 with the seed values, seats in cents', async () => {
    const result = await stack().graphql<{ courseRun: Record<string, unknown> }>(
      `query { courseRun(key: "course-v1:edx+tr1012+1T2021") { ${everyField(typeOf('CourseRun'))} } }`,
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const seed = (SEED_COURSE.course_runs as Rest[])[0]!;
    const want = expected(seed, {
      seats: (seed.seats as Rest[])
        .map((s) => ({ ...(camelize(s) as Rest), price: undefined, priceCents: cents(s.price) }))
        .map(({ price: _p, ...s }) => s),
      pacingType: 'INSTRUCTOR_PACED',
      availability: 'CURRENT',
      course: { key: 'edx+tr1012' },
      firstEnrollablePaidSeatPriceCents: 10000,
      programs: [],
      enrollmentUrl: null,
    });
    delete want.firstEnrollablePaidSeatPrice;
    assertSeedFields(result.data!.courseRun, want, seed, 'CourseRun');
  });

  it('returns run course-v1:HarvardX+FIH+3T2023 with the seed values; availability and enrollability are derived from its 2023 dates', async () => {
    const result = await stack().graphql<{ courseRun: Record<string, unknown> }>(
      `query { courseRun(key: "${DEMO.content.harvardRunKey}") { ${everyField(typeOf('CourseRun'))} } }`,
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const seed = SEED_COURSE_RUN as Rest;
    const want = expected(seed, {
      seats: (seed.seats as Rest[]).map((s) => {
        const { price, ...rest } = camelize(s) as Rest;
        return { ...rest, priceCents: cents(price) };
      }),
      pacingType: 'INSTRUCTOR_PACED',
      // The seed snapshot said "Current"/true in 2023; the run ended 2023-12-18, so today it is archived.
      availability: 'ARCHIVED',
      isEnrollable: false,
      course: { key: 'HarvardX+FIH' },
      firstEnrollablePaidSeatPriceCents: null,
      enrollmentUrl: null,
    });
    delete want.firstEnrollablePaidSeatPrice;
    assertSeedFields(result.data!.courseRun, want, seed, 'CourseRun');
    assert.equal(result.data!.courseRun.canonicalPriceCents, 0);
  });

  it('returns program fcfe93c3 with every seed field and exactly the seed values', async () => {
    const result = await stack().graphql<{ program: Record<string, unknown> }>(
      `query { program(uuid: "${DEMO.content.programUuid}") { ${everyField(typeOf('Program'))} } }`,
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const seed = SEED_PROGRAM as Rest;
    assertSeedFields(result.data!.program, expected(seed, { courses: [], enrollmentUrl: null }), seed, 'Program');
  });

  it('builds the seed enrollment URLs when the course and run are reached through the Dusenbery Devices catalog', async () => {
    const result = await stack().graphql<{
      enterpriseCatalog: { course: { enrollmentUrl: string; courseRuns: { enrollmentUrl: string }[] } };
    }>(
      `query { enterpriseCatalog(uuid: "${DEMO.catalogs.dusenbery}") { course(key: "edx+tr1012") { enrollmentUrl courseRuns { enrollmentUrl } } } }`,
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const course = result.data!.enterpriseCatalog.course;
    assert.equal(course.enrollmentUrl, SEED_COURSE.enrollment_url);
    assert.equal(course.courseRuns[0]!.enrollmentUrl, (SEED_COURSE.course_runs as Rest[])[0]!.enrollment_url);
  });
});
