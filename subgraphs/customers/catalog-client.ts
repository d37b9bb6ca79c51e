import DataLoader from 'dataloader';
import { callSubgraph } from '../../lib/subgraph-client.js';

/** What the customers subgraph needs to know about a course run, from the catalog subgraph. */
export interface RunInfo {
  key: string;
  title: string | null;
  courseKey: string;
  courseTitle: string | null;
  start: Date | null;
  end: Date | null;
  /** `self_paced` / `instructor_paced` (learner-summary spelling). */
  pacingType?: string | null;
  weeksToComplete?: number | null;
  minEffort?: number | null;
  maxEffort?: number | null;
  /** The run's canonical price: the learner-summary `course_list_price`. */
  priceCents?: number | null;
}

export interface RunCheck {
  /** Null when the catalog does not know the run. */
  run: RunInfo | null;
  /** True when at least one of the customer's catalogs contains the run. */
  inCustomerCatalog: boolean;
}

interface RunResponse {
  key: string;
  title: string | null;
  start: string | null;
  end: string | null;
  pacingType: string | null;
  weeksToComplete: number | null;
  minEffort: number | null;
  maxEffort: number | null;
  canonicalPriceCents: number | null;
  course: { key: string; title: string | null };
}

type CheckResponse = Record<string, RunResponse | null> & {
  catalogs?: { nodes: (Record<string, boolean> & { uuid: string })[] };
};

const SEP = '\u0000';
const RUN_FIELDS = 'key title start end pacingType weeksToComplete minEffort maxEffort canonicalPriceCents course { key title }';

/** Key of the run-check loader: one customer, one run key. */
export function runCheckKey(customerUuid: string, runKey: string): string {
  return `${customerUuid}${SEP}${runKey}`;
}

/**
 * Existence and catalog membership of course runs, through the catalog subgraph's API (never its
 * tables). One call per customer per tick: every run is an aliased `courseRun`, every membership
 * an aliased `containsContent` on each of the customer's catalogs.
 */
export function createRunCheckLoader(authorization: string): DataLoader<string, RunCheck> {
  return new DataLoader<string, RunCheck>(
    async (keys) => {
      const byCustomer = new Map<string, string[]>();
      for (const key of keys) {
        const [customer, run] = key.split(SEP) as [string, string];
        const runs = byCustomer.get(customer) ?? [];
        if (!runs.includes(run)) runs.push(run);
        byCustomer.set(customer, runs);
      }
      const results = new Map<string, RunCheck>();
      for (const [customer, runs] of byCustomer) {
        const variables: Record<string, unknown> = { customer };
        const runFields: string[] = [];
        const memberFields: string[] = [];
        runs.forEach((run, i) => {
          variables[`k${i}`] = run;
          runFields.push(`r${i}: courseRun(key: $k${i}) { ${RUN_FIELDS} }`);
          memberFields.push(`m${i}: containsContent(keys: [$k${i}])`);
        });
        const params = runs.map((_, i) => `$k${i}: String!`).join(', ');
        const query = `query RunChecks($customer: ID!, ${params}) {
          ${runFields.join('\n')}
          catalogs: enterpriseCatalogs(enterpriseCustomerUuid: $customer, first: 500) { nodes { uuid ${memberFields.join(' ')} } }
        }`;
        const data = await callSubgraph<CheckResponse>('catalog', query, variables, authorization);
        runs.forEach((run, i) => {
          const found = data[`r${i}`] as RunResponse | null | undefined;
          results.set(runCheckKey(customer, run), {
            run: found
              ? {
                  key: found.key,
                  title: found.title,
                  courseKey: found.course.key,
                  courseTitle: found.course.title,
                  start: found.start ? new Date(found.start) : null,
                  end: found.end ? new Date(found.end) : null,
                  pacingType: found.pacingType?.toLowerCase() ?? null,
                  weeksToComplete: found.weeksToComplete,
                  minEffort: found.minEffort,
                  maxEffort: found.maxEffort,
                  priceCents: found.canonicalPriceCents,
                }
              : null,
            inCustomerCatalog: (data.catalogs?.nodes ?? []).some((catalog) => catalog[`m${i}`] === true),
          });
        });
      }
      return keys.map((key) => results.get(key)!);
    },
    { maxBatchSize: 100 },
  );
}
