import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { Kind, parse } from 'graphql';
import { ADMIN_DASHBOARD, CATALOG_PAGE, LEARNER_DASHBOARD } from '../bench/operations.js';
import { settings } from '../lib/config.js';
import { DEMO } from '../lib/demo-ids.js';
import { PROJECT_ROOT } from '../lib/server/subgraph.js';
import {
  DEEP_500_DEFAULT,
  deep500,
  hundredCustomers,
  pingPong,
  tenCatalogs,
  typenameAliases,
  type SizeMode,
} from './support/demand-control-cases.js';
import { describeEachDialect, type TestStack } from './support/stack.js';

const MAX = settings.maxQueryCost();
const MODES: readonly SizeMode[] = ['literal', 'variables'];

interface Answer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { cost?: { estimated?: number } };
}

/** POSTs to the gateway and keeps the response extensions (the shared helper drops their type). */
async function post(
  stack: TestStack,
  query: string,
  variables: Record<string, unknown> = {},
  operationName?: string,
): Promise<Answer> {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `JWT ${stack.tokens.operator}` },
    body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
  });
  return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
}

/** Answered (whatever the resolvers said), estimated at or under the maximum. */
function assertAdmitted(answer: Answer, label: string): number {
  const codes = (answer.errors ?? []).map((e) => e.extensions?.code);
  assert.ok(
    !codes.includes('COST_ESTIMATED_TOO_EXPENSIVE') && !codes.includes('GRAPHQL_VALIDATION_FAILED'),
    `${label}: ${JSON.stringify(answer.errors)}`,
  );
  assert.equal(answer.status, 200, label);
  const estimated = answer.extensions?.cost?.estimated;
  assert.equal(typeof estimated, 'number', `${label}: extensions.cost.estimated`);
  assert.ok(estimated! <= MAX, `${label}: estimated ${estimated} > ${MAX}`);
  return estimated!;
}

function assertTooExpensive(answer: Answer, label: string): number {
  assert.equal(answer.status, 400, label);
  assert.equal(answer.data ?? null, null);
  assert.equal(answer.errors?.length, 1);
  const error = answer.errors[0]!;
  assert.equal(error.extensions?.code, 'COST_ESTIMATED_TOO_EXPENSIVE', label);
  const cost = error.extensions.cost as { estimated: number; max: number };
  assert.equal(cost.max, MAX);
  assert.ok(cost.estimated > MAX, `${label}: ${cost.estimated}`);
  assert.match(error.message, new RegExp(`estimated cost ${cost.estimated} is above the maximum of ${MAX}`));
  return cost.estimated;
}

function assertLimit(answer: Answer, limit: string, message: RegExp): void {
  assert.equal(answer.status, 400);
  assert.equal(answer.data ?? null, null);
  const error = answer.errors?.find((e) => e.extensions?.limit === limit);
  assert.ok(error, JSON.stringify(answer.errors));
  assert.equal(error.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  assert.match(error.message, message);
}

/** Every operation of every ```graphql block of the README "Example operations". */
function readmeExamples(): { name: string; document: string }[] {
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Example operations'),
    readme.indexOf('\n## ', readme.indexOf('## Example operations') + 1),
  );
  return [...section.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap(([, document]) =>
    parse(document!).definitions.flatMap((d) =>
      d.kind === Kind.OPERATION_DEFINITION && d.name ? [{ name: d.name.value, document: document! }] : [],
    ),
  );
}

describeEachDialect('edge: demand control and query limits', (stack) => {
  for (const mode of MODES) {
    it(`answers 10 catalogs x 100 contents with owners, subjects, programs, runs and seats (${mode} sizes)`, async () => {
      const { query, variables } = tenCatalogs(mode);
      const answer = await post(stack(), query, variables);
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      const customer = answer.data!.enterpriseCustomer as { catalogs: { nodes: { contents: { nodes: unknown[] } }[] } };
      assert.ok(customer.catalogs.nodes.length > 0);
      assert.ok(customer.catalogs.nodes.some((c) => c.contents.nodes.length > 0));
      assertAdmitted(answer, 'ten catalogs');
    });

    it(`answers 100 customers with 20 plans (license counts) and 20 policies (aggregates) each (${mode} sizes)`, async () => {
      const { query, variables } = hundredCustomers(mode);
      const answer = await post(stack(), query, variables);
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      assert.ok((answer.data!.enterpriseCustomers as { nodes: unknown[] }).nodes.length > 1);
      assertAdmitted(answer, 'hundred customers');
    });

    it(`refuses first: 500 three connection levels deep before any subgraph is called (${mode} sizes)`, async () => {
      const { query, variables } = deep500(mode);
      let answer: Answer | undefined;
      const statements = await stack().countStatements('customers', async () => {
        answer = await post(stack(), query, variables);
      });
      assert.equal(assertTooExpensive(answer!, 'deep 500'), 1 + 500 * (1 + 1 + 500 * (1 + 1 + 500)));
      assert.equal(statements, 0);
    });
  }

  it('answers a 500-item catalog page (the bench page: owners, subjects, programs, runs, seats), literal or variable', async () => {
    const variable = await post(stack(), CATALOG_PAGE, { uuid: DEMO.catalogs.sealTeamTenAll, first: 500 });
    assert.equal(variable.errors, undefined, JSON.stringify(variable.errors));
    const page = (variable.data!.enterpriseCatalog as { contents: { nodes: unknown[] } }).contents.nodes;
    assert.ok(page.length > 20, `${page.length} items`);
    const literal = await post(
      stack(),
      CATALOG_PAGE.replace(', $first: Int!', '').replace('(first: $first)', '(first: 500)'),
      { uuid: DEMO.catalogs.sealTeamTenAll },
    );
    assert.equal(literal.errors, undefined, JSON.stringify(literal.errors));
    assert.equal(assertAdmitted(literal, 'literal page'), assertAdmitted(variable, 'variable page'));
  });

  it('refuses first: 500 three levels deep when 500 is only the default of the operation variable', async () => {
    assertTooExpensive(await post(stack(), DEEP_500_DEFAULT), 'deep 500 default');
  });

  it('refuses a course/program ping-pong eight levels deep, and already six levels deep', async () => {
    for (const levels of [8, 6]) {
      let answer: Answer | undefined;
      const statements = await stack().countStatements('catalog', async () => {
        answer = await post(stack(), pingPong(levels), { key: DEMO.content.courseKey });
      });
      assertTooExpensive(answer!, `ping-pong ${levels}`);
      assert.equal(statements, 0);
    }
    // Five levels is a real (if odd) question and is answered.
    const five = await post(stack(), pingPong(5), { key: DEMO.content.courseKey });
    assert.equal(five.errors, undefined, JSON.stringify(five.errors));
    assertAdmitted(five, 'ping-pong 5');
  });

  it('refuses 3,000 __typename aliases with the alias limit (each costs 0)', async () => {
    assertLimit(await post(stack(), typenameAliases(3000)), 'MAX_ALIASES', /Aliases limit of 30 exceeded, found 3000/);
    // Under the limit they are fine, and cost nothing.
    const few = await post(stack(), typenameAliases(30));
    assert.equal(few.status, 200);
    assert.equal(few.extensions?.cost?.estimated, 0);
  });

  it('refuses an operation deeper than the depth limit with 400 MAX_DEPTH', async () => {
    const deep = `{ course(key: "edx+tr1012") { ${'courseRuns { course { '.repeat(8)} key ${'} } '.repeat(8)} } }`;
    assertLimit(await post(stack(), deep), 'MAX_DEPTH', /Query depth limit of 15 exceeded, found \d+/);
  });

  it('refuses more tokens than the token limit with 400 MAX_TOKENS, and far more without parsing them', async () => {
    // One token per key (a list argument, so validation itself stays linear): 17 tokens around them.
    const tokens = (keys: number) =>
      `{ enterpriseCatalog(uuid: "${DEMO.catalogs.sealTeamTenAll}") { containsContent(keys: [${'"k" '.repeat(keys)}]) } }`;
    assertLimit(await post(stack(), tokens(10_000)), 'MAX_TOKENS', /Token limit of 10000 exceeded, found 10017/);
    // Past 10 x the limit (100,000 tokens) graphql-js stops lexing: a parse error, still a 400.
    const huge = await post(stack(), tokens(110_000));
    assert.equal(huge.status, 400);
    assert.equal(huge.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
    assert.match(huge.errors[0].message, /tokens/);
    // Under the limit the operation runs (and the resolver refuses more than 100 keys).
    const under = await post(stack(), tokens(9_000));
    assert.equal(under.status, 200);
    assert.deepEqual(
      under.errors?.map((e) => e.extensions?.code),
      ['BAD_USER_INPUT'],
    );
  });

  it('refuses more directives than the directive limit with 400 MAX_DIRECTIVES', async () => {
    const query = `{ course(key: "edx+tr1012") { key ${'@include(if: true) '.repeat(51)} } }`;
    assertLimit(await post(stack(), query), 'MAX_DIRECTIVES', /Directives limit of 50 exceeded, found 51/);
  });

  it("answers the bench's admin, learner and catalog operations, each with its estimated cost", async () => {
    const catalog = await post(stack(), CATALOG_PAGE, { uuid: DEMO.catalogs.sealTeamTenAll, first: 50 });
    assert.equal(catalog.errors, undefined, JSON.stringify(catalog.errors));
    assertAdmitted(catalog, 'catalog page');
    const admin = await post(stack(), ADMIN_DASHBOARD, { uuid: DEMO.customers.sealTeamTen });
    assert.equal(admin.errors, undefined, JSON.stringify(admin.errors));
    assertAdmitted(admin, 'admin dashboard');
    const learner = await post(stack(), LEARNER_DASHBOARD, {
      lmsUserId: DEMO.users.learnerId,
      policy: DEMO.policies.example,
      k1: DEMO.content.courseKey,
      k2: 'BerkeleyX+CLOU102',
      k3: 'HarvardX+FIH',
    });
    assertAdmitted(learner, 'learner dashboard');
  });

  // Last: the README's mutations change the demo data.
  it('admits every README example operation, each answer carrying extensions.cost.estimated', async () => {
    const examples = readmeExamples();
    assert.ok(examples.length > 30, `${examples.length} examples`);
    for (const { name, document } of examples) {
      assertAdmitted(await post(stack(), document, { jobId: '1' }, name), name);
    }
  });
});
