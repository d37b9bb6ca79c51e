/**
 * The operations demand control must let through and those it must refuse, each with
 * its sizes either inlined as literals or sent as variables.
 */
import { DEMO } from '../../lib/demo-ids.js';

export type SizeMode = 'literal' | 'variables';

export interface SizedOperation {
  query: string;
  variables: Record<string, unknown>;
}

/**
 * `body` names its sizes `$<name>`; `literal` inlines them, `variables` declares them as `Int!`
 * variables and sends them. `fixed` are variables sent in both modes (ids).
 */
export function sized(
  name: string,
  body: string,
  sizes: Record<string, number>,
  mode: SizeMode,
  fixed: { declarations: string; values: Record<string, unknown> } = { declarations: '', values: {} },
): SizedOperation {
  let text = body;
  const declarations = fixed.declarations ? [fixed.declarations] : [];
  for (const [size, value] of Object.entries(sizes)) {
    if (mode === 'literal') text = text.replaceAll(`$${size}`, String(value));
    else declarations.push(`$${size}: Int!`);
  }
  const header = declarations.length ? `query ${name}(${declarations.join(', ')})` : `query ${name}`;
  return { query: `${header} ${text}`, variables: { ...fixed.values, ...(mode === 'variables' ? sizes : {}) } };
}

const CUSTOMER = { declarations: '$customer: ID!', values: { customer: DEMO.customers.sealTeamTen } };

/** 10 catalogs x 100 contents with owners, subjects, programs, runs and seats. */
export const tenCatalogs = (mode: SizeMode) =>
  sized(
    'TenCatalogs',
    `{
      enterpriseCustomer(uuid: $customer) {
        catalogs(first: $catalogs) {
          nodes {
            uuid title
            contents(first: $contents) {
              totalCount
              nodes {
                __typename title
                ... on Course {
                  key
                  owners { key name }
                  subjects { slug name }
                  programs { uuid title }
                  courseRuns { key start seats { type priceCents } }
                }
              }
            }
          }
        }
      }
    }`,
    { catalogs: 10, contents: 100 },
    mode,
    CUSTOMER,
  );

/** 100 customers, each with 20 plans (license counts) and 20 policies (aggregates). */
export const hundredCustomers = (mode: SizeMode) =>
  sized(
    'HundredCustomers',
    `{
      enterpriseCustomers(first: $customers) {
        totalCount
        nodes {
          uuid name
          subscriptionPlans(first: $plans) {
            totalCount
            nodes { uuid title licenseCounts { total activated assigned unassigned revoked allocated } }
          }
          subsidyAccessPolicies(first: $policies) {
            totalCount
            nodes { uuid displayName aggregates { amountRedeemedUsdCents amountAllocatedUsdCents spendAvailableUsdCents } }
          }
        }
      }
    }`,
    { customers: 100, plans: 20, policies: 20 },
    mode,
  );

/** `first: 500` three connection levels deep: customers, their catalogs, their contents. */
export const deep500 = (mode: SizeMode) =>
  sized(
    'Deep500',
    `{
      enterpriseCustomers(first: $a) {
        nodes { catalogs(first: $b) { nodes { contents(first: $c) { nodes { title } } } } }
      }
    }`,
    { a: 500, b: 500, c: 500 },
    mode,
  );

/** The same nesting with one `$n` whose only value is the operation's default (nothing sent). */
export const DEEP_500_DEFAULT = `query Deep500Default($n: Int = 500) {
  enterpriseCustomers(first: $n) { nodes { catalogs(first: $n) { nodes { contents(first: $n) { nodes { title } } } } } }
}`;

/** `course { programs { courses { programs { ... } } } }`: `levels` lists below the course. */
export function pingPong(levels: number): string {
  let inner = 'title';
  for (let level = levels; level >= 1; level -= 1) inner = `${level % 2 === 1 ? 'programs' : 'courses'} { ${inner} }`;
  return `query PingPong($key: String!) { course(key: $key) { ${inner} } }`;
}

/** `count` aliases of `__typename` (each costs 0: only the alias limit can stop them). */
export function typenameAliases(count: number): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: __typename`).join(' ')} }`;
}
