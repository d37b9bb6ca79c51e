import { sql, type Kysely } from 'kysely';
import { mintToken } from '../lib/auth/token.js';
import type { SubgraphName } from '../lib/config.js';
import type { Database } from '../lib/db/database.js';
import type { CatalogDatabase } from '../subgraphs/catalog/tables.js';
import type { CustomersDatabase } from '../subgraphs/customers/tables.js';
import type { LearnerCreditDatabase } from '../subgraphs/learner-credit/tables.js';
import { BENCH, benchUuid, KIND, learnerEmail, TENANT10 } from './ids.js';

/** One headline operation of the benchmark. */
export interface BenchOperation {
  name: string;
  kind: 'read' | 'write';
  /** The JSON request body; `[<id>]` is replaced per request by autocannon. */
  body: () => string;
  authorization: string;
  /** For single-subgraph reads: the subgraph to send the same operation to directly. */
  directSubgraph?: SubgraphName;
  /** Only against our uncached gateway (writes, the 10x tenant's read). */
  oursOnly?: boolean;
  /** The same read on the 10x tenant: the name of the operation its p50 is compared to. */
  tenant10Of?: string;
}

/** A catalog's first page as the learner portal's search page shows it (catalog subgraph only). */
export const CATALOG_PAGE = /* GraphQL */ `
  query CatalogPage($uuid: ID!, $first: Int!) {
    enterpriseCatalog(uuid: $uuid) {
      uuid
      title
      contents(first: $first) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          __typename
          contentType
          aggregationKey
          title
          marketingUrl
          enrollmentUrl
          ... on Course {
            key
            uuid
            availability
            canonicalPriceCents
            owners {
              uuid
              key
              name
            }
            subjects {
              uuid
              slug
              name
            }
            programs {
              uuid
              title
              type
            }
            courseRuns {
              key
              start
              end
              availability
              isEnrollable
              seats {
                type
                priceCents
                currency
                upgradeDeadline
              }
            }
          }
          ... on CourseRun {
            key
            start
            end
            availability
            seats {
              type
              priceCents
              currency
              upgradeDeadline
            }
            course {
              key
              title
            }
          }
          ... on Program {
            uuid
            subtitle
            type
            authoringOrganizations {
              key
              name
            }
            courses {
              key
              title
            }
          }
        }
      }
    }
  }
`;

/** The admin portal's landing page: one query over all four subgraphs. */
export const ADMIN_DASHBOARD = /* GraphQL */ `
  query AdminDashboard($uuid: ID!) {
    enterpriseCustomer(uuid: $uuid) {
      uuid
      name
      slug
      active
      enableLearnerPortal
      brandingConfiguration {
        logoUrl
        primaryColor
      }
      catalogs(first: 20) {
        totalCount
        nodes {
          uuid
          title
          catalogModified
          contents(first: 1) {
            totalCount
          }
        }
      }
      subsidyAccessPolicies(first: 20) {
        totalCount
        nodes {
          uuid
          displayName
          policyType
          active
          spendLimitCents
          isSubsidyActive
          subsidyExpirationDatetime
          aggregates {
            amountRedeemedUsdCents
            amountAllocatedUsdCents
            spendAvailableUsdCents
          }
          subsidy {
            uuid
            currentBalanceCents
          }
        }
      }
      subscriptionPlans(first: 20) {
        totalCount
        nodes {
          uuid
          title
          isCurrent
          daysUntilExpiration
          licenseCounts {
            total
            activated
            assigned
            unassigned
            revoked
            allocated
          }
        }
      }
      learnerProgress(first: 25) {
        totalCount
        nodes {
          enterpriseEnrollmentId
          userEmail
          courseTitle
          courserunKey
          progressStatus
          currentGrade
          lastActivityDate
          enrollmentDate
        }
      }
    }
  }
`;

/** The learner portal's dashboard: who am I, my enrollments, assignments, license, and can I redeem three courses. */
export const LEARNER_DASHBOARD = /* GraphQL */ `
  query LearnerDashboard($lmsUserId: Int!, $policy: ID!, $k1: String!, $k2: String!, $k3: String!) {
    me {
      lmsUserId
      email
      activeEnterpriseCustomer {
        uuid
        name
        slug
        enableLearnerPortal
        learner(lmsUserId: $lmsUserId) {
          id
          enrollments(first: 20) {
            totalCount
            nodes {
              id
              courseRunKey
              created
              unenrolled
              courseRun {
                key
                title
                start
                end
                availability
                isEnrollable
                course {
                  key
                  title
                }
              }
            }
          }
        }
      }
    }
    myLicenses(first: 5) {
      nodes {
        uuid
        status
        activationDate
        subscriptionPlan {
          uuid
          title
          expirationDate
          isCurrent
        }
      }
    }
    subsidyAccessPolicy(uuid: $policy) {
      uuid
      displayName
      assignmentConfiguration {
        assignments(first: 20) {
          totalCount
          nodes {
            uuid
            contentKey
            contentTitle
            state
            contentQuantity
            allocatedAt
            content {
              key
              title
            }
          }
        }
      }
      c1: canRedeem(lmsUserId: $lmsUserId, contentKey: $k1) {
        canRedeem
        reasons {
          code
        }
        contentPriceCents
      }
      c2: canRedeem(lmsUserId: $lmsUserId, contentKey: $k2) {
        canRedeem
        reasons {
          code
        }
        contentPriceCents
      }
      c3: canRedeem(lmsUserId: $lmsUserId, contentKey: $k3) {
        canRedeem
        reasons {
          code
        }
        contentPriceCents
      }
    }
  }
`;

/** The write path: ten new learners per request (autocannon makes `[<id>]` unique per request). */
export const ALLOCATE = /* GraphQL */ `
  mutation Allocate($input: AllocateAssignmentsInput!) {
    allocateAssignments(input: $input) {
      created {
        uuid
        learnerEmail
        state
        contentQuantity
      }
      updated {
        uuid
      }
      noChange {
        uuid
      }
    }
  }
`;

interface Seat {
  priceCents: number;
  upgradeDeadline: string | null;
}

/**
 * The operations, on the bench customer of `npm run bench:data` (ids from bench/ids.ts); the
 * content keys and price are read from the database so they match whatever data was loaded.
 */
export async function benchOperations(database: Database, _tokens: { operator: string }): Promise<BenchOperation[]> {
  // The bench reads the tables of three subgraphs from the one database they share.
  const db = database.db as Kysely<CatalogDatabase & CustomersDatabase & LearnerCreditDatabase>;
  const customer = await db
    .selectFrom('enterprise_customer')
    .select('uuid')
    .where('uuid', '=', BENCH.customerUuid)
    .executeTakeFirst();
  if (!customer)
    throw new Error('The bench database has no scale data: run `npm run bench:data -- --scale 0.02` (or 1) first');

  // The bench learner's three ALLOCATED assignments are the courses it asks about.
  const assigned = await db
    .selectFrom('learner_content_assignment')
    .select('contentKey')
    .where('assignmentConfigurationUuid', '=', benchUuid(KIND.configuration, 0))
    .where('lmsUserId', '=', BENCH.learnerLmsUserId)
    .where('state', '=', 'ALLOCATED')
    .orderBy('contentKey')
    .limit(3)
    .execute();
  if (assigned.length < 3)
    throw new Error(
      `The bench learner ${BENCH.learnerLmsUserId} has ${assigned.length} allocated assignments, expected 3`,
    );
  const [k1, k2, k3] = assigned.map((row: { contentKey: string }) => row.contentKey);

  // Allocation: a course of the bench catalog at its canonical price (the advertised run's first paid seat).
  const course = await db
    .selectFrom('catalog_content as cc')
    .innerJoin('course as c', 'c.key', 'cc.contentKey')
    .innerJoin('course_run as r', 'r.uuid', 'c.advertisedCourseRunUuid')
    .select(['c.key as key', 'r.seats as seats'])
    .where('cc.catalogUuid', '=', BENCH.catalogUuid)
    .where('cc.contentType', '=', 'course')
    .where(sql<boolean>`c.key not in (${sql.join([k1, k2, k3])})`)
    .orderBy('cc.contentKey')
    .limit(1)
    .executeTakeFirstOrThrow();
  const now = Date.now();
  const seats = JSON.parse(String(course.seats)) as Seat[];
  const price = seats.find(
    (s) => s.priceCents > 0 && (!s.upgradeDeadline || Date.parse(s.upgradeDeadline) > now),
  )?.priceCents;
  if (price === undefined) throw new Error(`Course ${course.key} has no enrollable paid seat`);

  const admin = `JWT ${await mintToken({ roles: [`enterprise_admin:${BENCH.customerUuid}`], userId: BENCH.adminLmsUserId, email: BENCH.adminEmail, expiresIn: '2h' })}`;
  const learner = `JWT ${await mintToken({
    roles: [`enterprise_learner:${BENCH.customerUuid}`],
    userId: BENCH.learnerLmsUserId,
    email: learnerEmail(BENCH.learnerLmsUserId, 0),
    expiresIn: '2h',
  })}`;

  // `bench:data --tenant10` loaded the 10x tenant: its admin dashboard runs after the bench customer's.
  const tenant10 = await db
    .selectFrom('enterprise_customer')
    .select('uuid')
    .where('uuid', '=', TENANT10.customerUuid)
    .executeTakeFirst();
  const tenant10Admin = `JWT ${await mintToken({ roles: [`enterprise_admin:${TENANT10.customerUuid}`], userId: TENANT10.adminLmsUserId, email: TENANT10.adminEmail, expiresIn: '2h' })}`;

  const body = (query: string, variables: Record<string, unknown>) => () => JSON.stringify({ query, variables });
  return [
    {
      name: 'catalog page',
      kind: 'read',
      body: body(CATALOG_PAGE, { uuid: BENCH.catalogUuid, first: 50 }),
      authorization: learner,
      directSubgraph: 'catalog',
    },
    {
      name: 'admin dashboard',
      kind: 'read',
      body: body(ADMIN_DASHBOARD, { uuid: BENCH.customerUuid }),
      authorization: admin,
    },
    ...(tenant10
      ? [
          {
            name: 'admin dashboard 10x tenant',
            kind: 'read' as const,
            body: body(ADMIN_DASHBOARD, { uuid: TENANT10.customerUuid }),
            authorization: tenant10Admin,
            oursOnly: true,
            tenant10Of: 'admin dashboard',
          },
        ]
      : []),
    {
      name: 'learner dashboard',
      kind: 'read',
      body: body(LEARNER_DASHBOARD, {
        lmsUserId: BENCH.learnerLmsUserId,
        policy: BENCH.assignedPolicyUuid,
        k1,
        k2,
        k3,
      }),
      authorization: learner,
    },
    {
      name: 'allocate',
      kind: 'write',
      oursOnly: true,
      body: body(ALLOCATE, {
        input: {
          policyUuid: BENCH.assignedPolicyUuid,
          learnerEmails: Array.from({ length: 10 }, (_, i) => `u[<id>]-${i + 1}@bench.example.com`),
          contentKey: course.key,
          contentPriceCents: price,
        },
      }),
      authorization: admin,
    },
  ];
}
