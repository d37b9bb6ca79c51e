import type { SubgraphName } from '../lib/config.js';
import type { Database } from '../lib/db/database.js';
import { DEMO } from '../lib/demo-ids.js';

/** One headline operation of the benchmark. */
export interface BenchOperation {
  name: string;
  kind: 'read' | 'write';
  /** The JSON request body; `[<id>]` is replaced per request by autocannon. */
  body: () => string;
  authorization: string;
  /** For single-subgraph reads: the subgraph to send the same operation to directly. */
  directSubgraph?: SubgraphName;
}

const CATALOG_PAGE = /* GraphQL */ `
  query CatalogPage($uuid: ID!, $first: Int!) {
    enterpriseCatalog(uuid: $uuid) {
      uuid
      title
      contents(first: $first) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          __typename
          title
          aggregationKey
          ... on Course { key uuid courseRuns { key start end } }
          ... on CourseRun { key start end }
          ... on Program { uuid subtitle }
        }
      }
    }
  }
`;

const ADMIN_DASHBOARD = /* GraphQL */ `
  query AdminDashboard($uuid: ID!) {
    enterpriseCustomer(uuid: $uuid) {
      uuid
      name
      catalogs(first: 20) { totalCount nodes { uuid title } }
      subsidyAccessPolicies(first: 20) { totalCount nodes { uuid displayName policyType spendLimitCents } }
      subscriptionPlans(first: 20) { totalCount nodes { uuid title startDate expirationDate isActive } }
    }
  }
`;

const LEARNER_DASHBOARD = /* GraphQL */ `
  query LearnerDashboard {
    me { lmsUserId email activeEnterpriseCustomer { uuid name slug } enterpriseCustomers { uuid name } }
  }
`;

/** The operations, with ids picked from the database under test (demo or scale data). */
export async function benchOperations(_db: Database, tokens: { operator: string }): Promise<BenchOperation[]> {
  const body = (query: string, variables: Record<string, unknown>) => () => JSON.stringify({ query, variables });
  return [
    {
      name: 'catalog page',
      kind: 'read',
      body: body(CATALOG_PAGE, { uuid: DEMO.catalogs.sealTeamTenAll, first: 50 }),
      authorization: tokens.operator,
      directSubgraph: 'catalog',
    },
    {
      name: 'admin dashboard',
      kind: 'read',
      body: body(ADMIN_DASHBOARD, { uuid: DEMO.customers.sealTeamTen }),
      authorization: tokens.operator,
    },
    {
      name: 'learner dashboard',
      kind: 'read',
      body: body(LEARNER_DASHBOARD, {}),
      authorization: tokens.operator,
      directSubgraph: 'customers',
    },
  ];
}
