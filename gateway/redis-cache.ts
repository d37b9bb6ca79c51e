import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';

export interface RedisCaches {
  /** Stores automatic persisted queries (APQ) so every gateway process shares them. */
  apq: KeyValueCache<string>;
  /** Whole-response cache honouring the subgraphs' @cacheControl hints. */
  responseCachePlugin: ApolloServerPlugin<{ authorization: string }>;
  close(): Promise<void>;
}

/**
 * Redis-backed caches for the gateway (REDIS_URL). PUBLIC responses (global content metadata)
 * are shared by every authenticated caller; PRIVATE ones are keyed by the caller's token, so a
 * learner never receives a response computed for someone else.
 */
// keyv ships separate ESM and CommonJS typings of the same class; the adapter names the CJS one.
type AdapterStore = ConstructorParameters<typeof KeyvAdapter>[0];

export function createRedisCaches(redisUrl: string): RedisCaches {
  const store = new KeyvRedis(redisUrl);
  const apqStore = new Keyv<string>({ store, namespace: 'eg-apq' });
  const responseStore = new Keyv<string>({ store, namespace: 'eg-response' });
  return {
    apq: new KeyvAdapter(apqStore as unknown as AdapterStore) as unknown as KeyValueCache<string>,
    responseCachePlugin: responseCachePlugin<{ authorization: string }>({
      cache: new KeyvAdapter(responseStore as unknown as AdapterStore) as unknown as KeyValueCache<string>,
      sessionId: async ({ contextValue }) =>
        contextValue.authorization ? createHash('sha256').update(contextValue.authorization).digest('hex') : null,
    }),
    async close() {
      await store.disconnect();
    },
  };
}
