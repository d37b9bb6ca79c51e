import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect, type TestStack } from './support/stack.js';

const CROSS_SUBGRAPH = /* GraphQL */ `
  query CrossSubgraph($dusenbery: ID!, $bluth: ID!, $initech: ID!) {
    dusenbery: enterpriseCustomer(uuid: $dusenbery) {
      name
      catalogs { nodes { uuid contents { nodes { ... on Course { key title courseRuns { key course { key } } } } } } }
    }
    bluth: enterpriseCustomer(uuid: $bluth) {
      name
      subsidyAccessPolicies { nodes { uuid policyType catalog { uuid enterpriseCustomer { name } } } }
    }
    initech: enterpriseCustomer(uuid: $initech) {
      subscriptionPlans { nodes { uuid title enterpriseCatalog { uuid title } } }
    }
  }
`;

interface CrossResult {
  dusenbery: { name: string; catalogs: { nodes: { uuid: string; contents: { nodes: { key?: string; title?: string; courseRuns?: unknown }[] } }[] } };
  bluth: { name: string; subsidyAccessPolicies: { nodes: { uuid: string; policyType: string; catalog: unknown }[] } };
  initech: { subscriptionPlans: { nodes: { uuid: string; title: string; enterpriseCatalog: { uuid: string; title: string } }[] } };
}

async function entities(stack: TestStack, subgraph: keyof TestStack['subgraphs'], representations: object[], selection: string) {
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
    assert.deepEqual(course?.courseRuns, [{ key: DEMO.content.courseRunKey, course: { key: DEMO.content.courseKey } }]);
    const policy = data.bluth.subsidyAccessPolicies.nodes.find((p) => p.uuid === DEMO.policies.example);
    assert.equal(policy?.policyType, 'AssignedLearnerCreditAccessPolicy');
    assert.deepEqual(policy?.catalog, { uuid: DEMO.catalogs.policyExample, enterpriseCustomer: { name: 'Bluth Company' } });
    const plan = data.initech.subscriptionPlans.nodes.find((p) => p.uuid === DEMO.plans.example);
    assert.equal(plan?.title, 'Enterprise Subscription');
    assert.equal(plan?.enterpriseCatalog.uuid, DEMO.catalogs.planExample);
  });

  const cases: { name: string; subgraph: keyof TestStack['subgraphs']; typename: string; hit: Record<string, string>[]; miss: Record<string, string>; selection: string }[] = [
    {
      name: 'EnterpriseCustomer by uuid',
      subgraph: 'customers',
      typename: 'EnterpriseCustomer',
      hit: [{ uuid: DEMO.customers.sealTeamTen }, { uuid: DEMO.customers.dusenberyDevices }, { uuid: DEMO.customers.planExample }],
      miss: { uuid: '00000000-0000-4000-8000-000000000000' },
      selection: '... on EnterpriseCustomer { uuid name }',
    },
    {
      name: 'EnterpriseCatalog by uuid',
      subgraph: 'catalog',
      typename: 'EnterpriseCatalog',
      hit: [{ uuid: DEMO.catalogs.dusenbery }, { uuid: DEMO.catalogs.policyExample }, { uuid: DEMO.catalogs.planExample }],
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
  ];

  for (const c of cases) {
    it(`_entities resolves ${c.name}: a hit, a miss as null, and a batch in one statement`, async () => {
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
      assert.equal(statements, 1, 'the whole batch costs one statement');
    });
  }
});
