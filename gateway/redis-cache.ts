import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import KeyvRedis from '@keyv/redis';
import { OperationTypeNode } from 'graphql';
import Keyv from 'keyv';
import { coalesceIdenticalQueries } from './coalesce.js';
import { logger } from '../lib/observability/logger.js';

export interface RedisCaches {
  /** Stores automatic persisted queries (APQ) so every gateway process shares them. */
  apq: KeyValueCache;
  /** Whole-response cache honouring the subgraphs' @cacheControl hints. */
  responseCachePlugin: ApolloServerPlugin<{ authorization: string }>;
  /** Coalesces identical in-flight queries of a caller; marks its cached responses stale when it runs a mutation. */
  plugins: ApolloServerPlugin<{ authorization: string }>[];
  close(): Promise<void>;
}

// keyv ships separate ESM and CommonJS typings of the same class; the adapter names the CJS one.
type AdapterStore = ConstructorParameters<typeof KeyvAdapter>[0];

interface Context {
  authorization: string;
}

/** After a Redis failure the gateway leaves Redis alone this long, then tries again. */
const REDIS_RETRY_MS = 10_000;

/**
 * Runs Redis calls unless Redis failed recently: a failure is logged, answered with the fallback
 * (a cache miss, a skipped write), and opens the breaker for REDIS_RETRY_MS (so at most one log
 * line and one connect attempt per 10 s): while Redis is down requests run uncached at full speed
 * instead of each waiting on a connect.
 */
class RedisBreaker {
  private downUntil = 0;
  async run<T>(fallback: T, call: () => Promise<T>): Promise<T> {
    if (Date.now() < this.downUntil) return fallback;
    try {
      return await call();
    } catch (error) {
      // Calls that were already in flight fail too; only the first of them logs.
      if (Date.now() >= this.downUntil)
        logger.warn(
          { piece: 'gateway', err: error },
          `[gateway] Redis unavailable, answering without the response cache: ${error instanceof Error ? error.message : String(error)}`,
        );
      this.downUntil = Date.now() + REDIS_RETRY_MS;
      return fallback;
    }
  }
}

/** A KeyValueCache whose calls go through the breaker. */
function guarded(cache: KeyValueCache, breaker: RedisBreaker): KeyValueCache {
  return {
    get: (key) => breaker.run(undefined, () => cache.get(key)),
    set: (key, value, options) => breaker.run(undefined, () => cache.set(key, value, options)),
    delete: (key) => breaker.run(false, async () => (await cache.delete(key)) ?? false),
  };
}

/**
 * The response cache's store: plain Redis strings that expire in Redis. Through Keyv every entry,
 * a serialized response of up to a few hundred KB, would be wrapped and JSON-encoded a second
 * time, and decoded twice on every hit (a tenth of the gateway's time on a cached catalog page).
 */
function redisStringCache(redis: KeyvRedis<string>, prefix: string): KeyValueCache {
  return {
    async get(key) {
      return (await (await redis.getClient()).get(prefix + key)) ?? undefined;
    },
    async set(key, value, options) {
      const client = await redis.getClient();
      const ttl = options?.ttl;
      await (ttl
        ? client.set(prefix + key, value, { expiration: { type: 'EX', value: Math.max(1, Math.ceil(ttl)) } })
        : client.set(prefix + key, value));
    },
    async delete(key) {
      return (await (await redis.getClient()).del(prefix + key)) > 0;
    },
  };
}

const tokenHash = (authorization: string) => createHash('sha256').update(authorization).digest('hex');

/**
 * Redis-backed caches for the gateway (REDIS_URL).
 * - PUBLIC responses (global content metadata) are shared by every authenticated caller.
 * - PRIVATE ones are keyed by the caller's token plus the token's write generation, so a learner
 *   never receives a response computed for someone else, and a caller's own mutation makes every
 *   response cached for it stale at once (read-your-writes). Other callers see a change after
 *   their cached copy expires (at most CACHE_PRIVATE_MAX_AGE seconds for tenant data).
 */
export function createRedisCaches(redisUrl: string): RedisCaches {
  // Fail fast while Redis is down (no offline queue, one connect attempt of at most 3 s: a busy
  // host can take over a second to connect); every call goes through the breaker, which then
  // skips Redis for a while.
  const store = new KeyvRedis<string>(
    { url: redisUrl, disableOfflineQueue: true, socket: { connectTimeout: 3000, reconnectStrategy: false } },
    { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 3000 },
  );
  const breaker = new RedisBreaker();
  store.on('error', () => undefined); // failures are handled (and logged) by the breaker
  // Connect at start-up rather than on the first request.
  void breaker.run(undefined, async () => {
    await store.getClient();
  });
  const apqStore = new Keyv<string>({ store, namespace: 'eg-apq', throwOnErrors: true });
  const generations = new Keyv<string>({ store, namespace: 'eg-generation', throwOnErrors: true });
  /** A day: longer than any cache hint, so an evicted generation can never revive old entries. */
  const GENERATION_TTL_MS = 86_400_000;
  const bumpOnMutation: ApolloServerPlugin<Context> = {
    requestDidStart() {
      return Promise.resolve({
        async willSendResponse({ operation, contextValue }) {
          if (operation?.operation === OperationTypeNode.MUTATION && contextValue.authorization) {
            const hash = tokenHash(contextValue.authorization);
            await breaker.run(undefined, async () => {
              await generations.set(
                hash,
                `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}`,
                GENERATION_TTL_MS,
              );
            });
          }
        },
      });
    },
  };
  /** Token and write generation; null (do not cache) without a token or while Redis is down. */
  const sessionId = async ({ contextValue }: { contextValue: Context }) => {
    if (!contextValue.authorization) return null;
    const hash = tokenHash(contextValue.authorization);
    return breaker.run(null, async () => `${hash}:${(await generations.get(hash)) ?? '0'}`);
  };
  return {
    apq: guarded(new KeyvAdapter(apqStore as unknown as AdapterStore) as unknown as KeyValueCache, breaker),
    responseCachePlugin: responseCachePlugin<Context>({
      cache: guarded(redisStringCache(store, 'eg-response:'), breaker),
      sessionId,
    }),
    // After the cache (plugins answer in order): a miss of many identical requests computes once.
    plugins: [coalesceIdenticalQueries<Context>(sessionId), bumpOnMutation],
    async close() {
      await store.disconnect();
    },
  };
}
