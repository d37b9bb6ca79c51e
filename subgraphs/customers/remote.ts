import DataLoader from 'dataloader';
import { callSubgraphBatch } from '../../lib/subgraph-client.js';
import { RunChecksDocument } from './__generated__/catalog-operations.js';

/**
 * Every call the customers subgraph makes to another subgraph, through its public GraphQL API
 * (never its tables), with the caller's token. The operations live in remote.<callee>.graphql,
 * typed against the callee's SDL.
 */

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

const SEP = '\u0000';

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
        const checks = await callSubgraphBatch('catalog', RunChecksDocument, runs, (key) => ({ key }), authorization, {
          customer,
        });
        for (const { key: run, data } of checks) {
          const { courseRun: found, catalogs } = data;
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
            inCustomerCatalog: catalogs.nodes.some((catalog) => catalog.containsContent),
          });
        }
      }
      // Every key was asked above; an Error (DataLoader's per-key failure) would mean a bug here.
      return keys.map((key) => results.get(key) ?? new Error(`No run check for ${key}`));
    },
    { maxBatchSize: 100 },
  );
}
