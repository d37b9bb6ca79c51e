import DataLoader from 'dataloader';
import { intFromEnv } from '../../lib/config.js';
import { callSubgraphBatch } from '../../lib/subgraph-client.js';
import { CatalogCustomersDocument } from './__generated__/customers-operations.js';
import type { CustomerInfo } from './tables.js';

/**
 * Every call the catalog subgraph makes to another subgraph, through its public GraphQL API (the
 * catalog never reads another subgraph's tables), with the caller's token. The operations live in
 * remote.<callee>.graphql, typed against the callee's SDL.
 */

/**
 * The customer facts catalog URLs are built from (slug, name, portal flag), kept in this process
 * for `CUSTOMER_FACTS_TTL_MS` (default 30 s; 0 turns the cache off): every catalog page needs
 * them and they rarely change, and the call to the customers subgraph cost 5-7 ms of CPU per page
 * (issue 17's profile). A customer renamed or re-slugged shows in URLs within the TTL. Only
 * found customers are kept: a miss (unknown, or not visible with that caller's token) is asked
 * again by the next request. One cache per catalog database handle, so stacks in one process
 * (tests) never share entries. The customers outbox's `customerUpdated` event drops the entry at
 * once (its relay calls the catalog's service-only `customerFactsChanged`); with several catalog
 * processes the call reaches one of them, so the TTL stays the bound for the others.
 */
export class CustomerFactsCache {
  private readonly entries = new Map<string, { facts: CustomerInfo; expires: number }>();

  constructor(readonly ttlMs: number) {}

  get(uuid: string, now = Date.now()): CustomerInfo | undefined {
    const entry = this.entries.get(uuid);
    if (!entry) return undefined;
    if (entry.expires > now) return entry.facts;
    this.entries.delete(uuid);
    return undefined;
  }

  set(uuid: string, facts: CustomerInfo, now = Date.now()): void {
    if (this.ttlMs > 0) this.entries.set(uuid, { facts, expires: now + this.ttlMs });
  }

  /** Forgets a customer (it changed): its next URL asks the customers subgraph again. True when it was held. */
  drop(uuid: string): boolean {
    return this.entries.delete(uuid.toLowerCase());
  }
}

const caches = new WeakMap<object, CustomerFactsCache>();

/** The customer facts cache of one catalog subgraph instance (keyed by its database handle). */
export function customerFactsCache(owner: object): CustomerFactsCache {
  let cache = caches.get(owner);
  if (!cache) {
    cache = new CustomerFactsCache(intFromEnv('CUSTOMER_FACTS_TTL_MS', 30_000));
    caches.set(owner, cache);
  }
  return cache;
}

/**
 * Customers of the catalogs a request touches: from the in-process cache, the rest from the
 * customers subgraph in one call per tick, one alias per customer.
 */
export function createCustomerLoader(authorization: string, cache: CustomerFactsCache) {
  return new DataLoader<string, CustomerInfo | null>(
    async (keys) => {
      const uuids = keys.map((key) => key.toLowerCase());
      const missing = [...new Set(uuids.filter((uuid) => !cache.get(uuid)))];
      if (missing.length) {
        const found = await callSubgraphBatch(
          'customers',
          CatalogCustomersDocument,
          missing,
          (uuid) => ({ uuid }),
          authorization,
        );
        const fetched = new Map<string, CustomerInfo | null>();
        for (const { key, data } of found) {
          fetched.set(key, data.enterpriseCustomer);
          if (data.enterpriseCustomer) cache.set(key, data.enterpriseCustomer);
        }
        return uuids.map((uuid) => (fetched.has(uuid) ? (fetched.get(uuid) ?? null) : (cache.get(uuid) ?? null)));
      }
      return uuids.map((uuid) => cache.get(uuid) ?? null);
    },
    { maxBatchSize: 25, cacheKeyFn: (key) => key.toLowerCase() },
  );
}
