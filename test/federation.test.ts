import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { createPolicy, learnerCreditDb } from './support/learner-credit-fixtures.js';
import { describeEachDialect, type TestStack } from './support/stack.js';

const CROSS_SUBGRAPH = /* GraphQL */ `
  query CrossSubgraph($dusenbery: ID!, $bluth: ID!, $initech: ID!) {
    dusenbery: enterpriseCustomer(uuid: $dusenbery) {
      name
      catalogs {
        nodes {
          uuid
          contents {
            nodes {
              ... on Course {
                key
                title
                courseRuns {
                  key
                  course {
                    key
                  }
                }
              }
            }
          }
        }
      }
    }
    bluth: enterpriseCustomer(uuid: $bluth) {
      name
      subsidyAccessPolicies {
        nodes {
          uuid
          policyType
          catalog {
            uuid
            enterpriseCustomer {
              name
            }
          }
        }
      }
    }
    initech: enterpriseCustomer(uuid: $initech) {
      subscriptionPlans {
        nodes {
          uuid
          title
          enterpriseCatalog {
            uuid
            title
          }
        }
      }
    }
  }
`;

interface CrossResult {
  dusenbery: {
    name: string;
    catalogs: {
      nodes: { uuid: string; contents: { nodes: { key?: string; title?: string; courseRuns?: unknown }[] } }[];
    };
  };
  bluth: { name: string; subsidyAccessPolicies: { nodes: { uuid: string; policyType: string; catalog: unknown }[] } };
  initech: {
    subscriptionPlans: { nodes: { uuid: string; title: string; enterpriseCatalog: { uuid: string; title: string } }[] };
  };
}

async function entities(
  stack: TestStack,
  subgraph: keyof TestStack['subgraphs'],
  representations: object[],
  selection: string,
) {
  return stack.graphql<{ _entities: (Record<string, unknown> | null)[] }>(
    `query ($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`,
    { representations },
    { url: `${stack.subgraphs[subgraph].http.url}/graphql` },
  );
}

describeEachDialect('federation across the four subgraphs', (stack) => {
  it('resolves customer -> catalogs -> contents -> course -> runs, customer -> policies -> catalog and customer -> plans -> catalog in one request', async () => {
    const result = await stack().graphql<CrossResult>(CROSS_SUBGRAPH, {
      dusenbery: DEMO.customers.dusenberyDevices,
      bluth: DEMO.customers.policyExample,
      initech: DEMO.customers.planExample,
    });
    assert.equal(result.errors, undefined);
    const data = result.data!;
    assert.equal(data.dusenbery.name, 'Dusenbery Devices');
    const catalog = data.dusenbery.catalogs.nodes.find((c) => c.uuid === DEMO.catalogs.dusenbery);
    const course = catalog?.contents.nodes.find((n) => n.key === DEMO.content.courseKey);
    assert.equal(course?.title, 'Trench Run 10');
    assert.deepEqual(course.courseRuns, [{ key: DEMO.content.courseRunKey, course: { key: DEMO.content.courseKey } }]);
    const policy = data.bluth.subsidyAccessPolicies.nodes.find((p) => p.uuid === DEMO.policies.example);
    assert.equal(policy?.policyType, 'AssignedLearnerCreditAccessPolicy');
    assert.deepEqual(policy.catalog, {
      uuid: DEMO.catalogs.policyExample,
      enterpriseCustomer: { name: 'Bluth Company' },
    });
    const plan = data.initech.subscriptionPlans.nodes.find((p) => p.uuid === DEMO.plans.example);
    assert.equal(plan?.title, 'Enterprise Subscription');
    assert.equal(plan.enterpriseCatalog.uuid, DEMO.catalogs.planExample);
  });

  const cases: {
    name: string;
    subgraph: keyof TestStack['subgraphs'];
    typename: string;
    hit: Record<string, string>[];
    miss: Record<string, string>;
    selection: string;
    statements?: number;
  }[] = [
    {
      name: 'EnterpriseCustomer by uuid',
      subgraph: 'customers',
      typename: 'EnterpriseCustomer',
      hit: [
        { uuid: DEMO.customers.sealTeamTen },
        { uuid: DEMO.customers.dusenberyDevices },
        { uuid: DEMO.customers.planExample },
      ],
      miss: { uuid: '00000000-0000-4000-8000-000000000000' },
      selection: '... on EnterpriseCustomer { uuid name }',
    },
    {
      name: 'EnterpriseCatalog by uuid',
      subgraph: 'catalog',
      typename: 'EnterpriseCatalog',
      hit: [
        { uuid: DEMO.catalogs.dusenbery },
        { uuid: DEMO.catalogs.policyExample },
        { uuid: DEMO.catalogs.planExample },
      ],
      miss: { uuid: '00000000-0000-4000-8000-000000000000' },
      selection: '... on EnterpriseCatalog { uuid title }',
    },
    {
      name: 'Course by key',
      subgraph: 'catalog',
      typename: 'Course',
      hit: [{ key: DEMO.content.courseKey }, { key: 'HarvardX+FIH' }],
      miss: { key: 'nobody+nothing' },
      selection: '... on Course { key title }',
    },
    {
      name: 'Course by uuid',
      subgraph: 'catalog',
      typename: 'Course',
      hit: [{ uuid: DEMO.content.courseUuid }],
      miss: { uuid: '00000000-0000-4000-8000-000000000000' },
      selection: '... on Course { uuid key }',
    },
    {
      name: 'CourseRun by key',
      subgraph: 'catalog',
      typename: 'CourseRun',
      hit: [{ key: DEMO.content.courseRunKey }, { key: DEMO.content.harvardRunKey }],
      miss: { key: 'course-v1:nobody+nothing+1T2020' },
      selection: '... on CourseRun { key title }',
    },
    {
      name: 'Program by uuid',
      subgraph: 'catalog',
      typename: 'Program',
      hit: [{ uuid: DEMO.content.programUuid }],
      miss: { uuid: '00000000-0000-4000-8000-000000000000' },
      selection: '... on Program { uuid title }',
    },
    {
      name: 'SubsidyAccessPolicy by uuid',
      subgraph: 'learner-credit',
      typename: 'SubsidyAccessPolicy',
      hit: [{ uuid: DEMO.policies.example }, { uuid: '5ea17ea0-0000-4000-8000-0000000000a1' }],
      miss: { uuid: '00000000-0000-4000-8000-000000000000' },
      selection: '... on SubsidyAccessPolicy { uuid displayName }',
    },
    {
      name: 'SubscriptionPlan by uuid',
      subgraph: 'subscriptions',
      typename: 'SubscriptionPlan',
      hit: [{ uuid: DEMO.plans.example }, { uuid: '5ea17ea0-0000-4000-8000-0000000000b1' }],
      miss: { uuid: '00000000-0000-4000-8000-000000000000' },
      selection: '... on SubscriptionPlan { uuid title }',
    },
    {
      // Two licenses of the demo data (Seal Team Ten's current plan, Initech's renewed-from plan).
      name: 'License by uuid',
      subgraph: 'subscriptions',
      typename: 'License',
      hit: [{ uuid: '5ea17ea0-0000-4000-8000-00000000e001' }, { uuid: '5ea17ea0-0000-4000-8000-00000000e020' }],
      miss: { uuid: '00000000-0000-4000-8000-000000000000' },
      selection: '... on License { uuid status }',
      // One for the licenses, one for their plans: a viewer who does not hold a license may see it
      // as an admin of the plan's customer. Both are batched, so the count does not grow with the batch.
      statements: 2,
    },
    {
      name: 'AssignmentConfiguration by uuid',
      subgraph: 'learner-credit',
      typename: 'AssignmentConfiguration',
      hit: [{ uuid: DEMO.policies.exampleAssignmentConfiguration }],
      miss: { uuid: '00000000-0000-4000-8000-000000000000' },
      selection: '... on AssignmentConfiguration { uuid enterpriseCustomerUuid }',
    },
  ];

  for (const c of cases) {
    const cost = c.statements ?? 1;
    it(`_entities resolves ${c.name}: a hit, a miss as null, and a batch in ${cost === 1 ? 'one statement' : `${cost} statements`}`, async () => {
      const reps = [...c.hit, c.miss].map((rep) => ({ __typename: c.typename, ...rep }));
      let result!: Awaited<ReturnType<typeof entities>>;
      const statements = await stack().countStatements(c.subgraph, async () => {
        result = await entities(stack(), c.subgraph, reps, c.selection);
      });
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      const found = result.data!._entities;
      assert.equal(found.length, reps.length);
      c.hit.forEach((rep, i) => {
        for (const [field, value] of Object.entries(rep)) assert.equal(found[i]?.[field], value);
      });
      assert.equal(found.at(-1), null, 'an unknown key resolves to null');
      assert.equal(statements, cost, `the whole batch costs ${cost} statement(s)`);
    });
  }

  it('_entities resolves AssignmentConfigurations of two customers and a miss in key order, in one statement', async () => {
    // The demo data holds one configuration; a second customer's assigned policy brings another.
    const second = await createPolicy(learnerCreditDb(stack()), {
      customer: DEMO.customers.sealTeamTen,
      catalog: DEMO.catalogs.sealTeamTenAll,
      policyType: 'AssignedLearnerCreditAccessPolicy',
      balanceCents: 10_000,
    });
    const uuids = [
      second.configurationUuid!,
      '00000000-0000-4000-8000-000000000000',
      DEMO.policies.exampleAssignmentConfiguration,
    ];
    let result!: Awaited<ReturnType<typeof entities>>;
    const statements = await stack().countStatements('learner-credit', async () => {
      result = await entities(
        stack(),
        'learner-credit',
        uuids.map((uuid) => ({ __typename: 'AssignmentConfiguration', uuid })),
        '... on AssignmentConfiguration { uuid enterpriseCustomerUuid subsidyAccessPolicyUuid }',
      );
    });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data!._entities, [
      {
        uuid: second.configurationUuid,
        enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
        subsidyAccessPolicyUuid: second.policyUuid,
      },
      null,
      {
        uuid: DEMO.policies.exampleAssignmentConfiguration,
        enterpriseCustomerUuid: DEMO.customers.policyExample,
        subsidyAccessPolicyUuid: DEMO.policies.example,
      },
    ]);
    assert.equal(statements, 1, 'the whole batch costs one statement');
  });

  it("_entities resolves a learner's own licenses and a miss in one statement (no plan is read to allow it)", async () => {
    // The Seal Team Ten learner's licenses in last year's and the current plan (demo data).
    const own = ['5ea17ea0-00b0-4000-8000-000000000001', '5ea17ea0-00b1-4000-8000-000000000001'];
    const reps = [...own, '00000000-0000-4000-8000-000000000000'].map((uuid) => ({ __typename: 'License', uuid }));
    let result!: { data?: { _entities: ({ uuid: string; userEmail: string } | null)[] } | null; errors?: unknown };
    const statements = await stack().countStatements('subscriptions', async () => {
      result = await stack().graphql(
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on License { uuid userEmail } } }',
        { r: reps },
        { url: `${stack().subgraphs.subscriptions.http.url}/graphql`, token: stack().tokens.sealLearner },
      );
    });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data!._entities, [
      { uuid: own[0], userEmail: DEMO.users.learnerEmail },
      { uuid: own[1], userEmail: DEMO.users.learnerEmail },
      null,
    ]);
    assert.equal(statements, 1, 'the whole batch costs one statement');
  });
});
