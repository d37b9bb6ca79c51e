import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect } from './support/stack.js';

const DEEP = /* GraphQL */ `
  query Deep($catalog: ID!, $first: Int!) {
    enterpriseCatalog(uuid: $catalog) {
      contents(first: $first) {
        nodes {
          ... on Course {
            key
            canonicalPriceCents
            advertisedCourseRun {
              key
            }
            owners {
              key
              name
            }
            subjects {
              slug
            }
            courseRuns {
              key
              seats {
                type
                priceCents
              }
              course {
                key
              }
              programs {
                uuid
              }
            }
            programs {
              uuid
              authoringOrganizations {
                key
              }
              courses {
                key
              }
            }
          }
        }
      }
    }
  }
`;

interface Deep {
  enterpriseCatalog: {
    contents: {
      nodes: {
        key: string;
        owners: unknown[];
        subjects: unknown[];
        courseRuns: unknown[];
        programs: { authoringOrganizations: unknown[] }[];
      }[];
    };
  };
}

/**
 * Statements per level, independent of the page size:
 * catalog; membership page; courses; owners, subjects, runs, programs of the courses; the
 * programs' authoring organizations and courses. (Advertised run, canonical price and runs'
 * course/programs come from loaders already primed in the same tick.)
 */
const EXPECTED_STATEMENTS = 9;

/** The issue's query shape, exactly: one statement per entity type per level. */
const ISSUE_SHAPE = /* GraphQL */ `
  query IssueShape($catalog: ID!, $first: Int!) {
    enterpriseCatalog(uuid: $catalog) {
      contents(first: $first) {
        nodes {
          ... on Course {
            owners {
              name
            }
            subjects {
              name
            }
            courseRuns {
              seats {
                priceCents
              }
            }
            programs {
              authoringOrganizations {
                name
              }
            }
          }
        }
      }
    }
  }
`;

describeEachDialect('catalog batching', (stack) => {
  async function measure(first: number) {
    let result: Awaited<ReturnType<ReturnType<typeof stack>['graphql']>> | undefined;
    const statements = await stack().countStatements('catalog', async () => {
      result = await stack().graphql<Deep>(DEEP, { catalog: DEMO.catalogs.sealTeamTenAll, first });
    });
    assert.equal(result!.errors, undefined, JSON.stringify(result!.errors));
    const nodes = (result!.data as Deep).enterpriseCatalog.contents.nodes;
    assert.equal(nodes.length, first);
    return { statements, nodes };
  }

  it('costs the same number of statements for 5 and for 100 courses with owners, subjects, runs, seats and programs', async () => {
    const small = await measure(5);
    const large = await measure(100);
    // The pages really reach every level (programs with authors included).
    for (const { nodes } of [small, large]) {
      assert.ok(nodes.every((n) => n.owners.length > 0 && n.subjects.length > 0 && n.courseRuns.length > 0));
      assert.ok(nodes.some((n) => n.programs.length > 0 && n.programs[0]!.authoringOrganizations.length > 0));
    }
    console.log(`[batching] catalog statements: first=5 -> ${small.statements}, first=100 -> ${large.statements}`);
    assert.equal(small.statements, large.statements);
    assert.equal(large.statements, EXPECTED_STATEMENTS);
  });

  it("costs 8 statements for the issue's owners/subjects/runs/seats/programs/authors query, for 5 or 100 courses", async () => {
    const counts: number[] = [];
    for (const first of [5, 100]) {
      counts.push(
        await stack().countStatements('catalog', async () => {
          const result = await stack().graphql(ISSUE_SHAPE, { catalog: DEMO.catalogs.sealTeamTenAll, first });
          assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        }),
      );
    }
    console.log(`[batching] issue query statements: first=5 -> ${counts[0]}, first=100 -> ${counts[1]}`);
    // catalog, page, courses, owners, subjects, runs, programs, authoring organizations
    assert.deepEqual(counts, [8, 8]);
  });
});
