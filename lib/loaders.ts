import DataLoader from 'dataloader';

/** Largest batch one loader sends in one statement (keeps IN lists and packets bounded). */
export const MAX_BATCH_SIZE = Number(process.env.LOADER_MAX_BATCH_SIZE || 500);

/**
 * A loader of one row per key: `fetch` gets the distinct keys of a tick and returns rows in any
 * order; results come back in key order, `null` for a miss (the DataLoader contract).
 * `normalize` canonicalizes keys (e.g. lower-cases uuids) before they reach the store.
 */
export function rowLoader<K extends string | number, V>(
  fetch: (keys: readonly K[]) => Promise<readonly V[]>,
  keyOf: (row: V) => K,
  normalize: (key: K) => K = (key) => key,
): DataLoader<K, V | null, K> {
  return new DataLoader<K, V | null, K>(
    async (keys) => {
      const normalized = keys.map(normalize);
      const rows = await fetch([...new Set(normalized)]);
      const byKey = new Map<K, V>();
      for (const row of rows) byKey.set(normalize(keyOf(row)), row);
      return normalized.map((key) => byKey.get(key) ?? null);
    },
    { maxBatchSize: MAX_BATCH_SIZE, cacheKeyFn: normalize },
  );
}

/** A loader of all rows per key (one-to-many): an empty list when there are none. */
export function groupLoader<K extends string | number, V>(
  fetch: (keys: readonly K[]) => Promise<readonly V[]>,
  keyOf: (row: V) => K,
): DataLoader<K, V[], K> {
  return new DataLoader<K, V[], K>(
    async (keys) => {
      const rows = await fetch(keys);
      const byKey = new Map<K, V[]>();
      for (const row of rows) {
        const key = keyOf(row);
        const list = byKey.get(key);
        if (list) list.push(row);
        else byKey.set(key, [row]);
      }
      return keys.map((key) => byKey.get(key) ?? []);
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );
}
