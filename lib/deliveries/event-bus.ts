import os from 'node:os';
import { createClient, defineScript, type RedisClientType } from '@redis/client';
import { intFromEnv } from '../config.js';
import { logger } from '../observability/logger.js';
import { encodeEventData } from './avro.js';
import type { DeliveryChannel, DeliveryEvent, DeliveryOutcome } from './relay.js';

/**
 * The Open edX event bus on Redis Streams, written the way openedx/event-bus-redis's producer
 * writes it (README, "Events and email"): one stream per topic, `<EVENT_BUS_TOPIC_PREFIX>-<topic>`,
 * `XADD <stream> MAXLEN ~ <EVENT_BUS_STREAM_MAX_LEN> *` with the fields `type`, `id`, `source`,
 * `time`, `minorversion`, `sourcehost`, `sourcelib` and `event_data` (schemaless Avro of the
 * event's CloudEvent record, lib/deliveries/avro.ts).
 */
export interface EventBusSettings {
  /** Unset: nothing is published (each delivery is marked SKIPPED, nothing piles up). */
  url: string | undefined;
  topicPrefix: string;
  streamMaxLen: number;
  /** How long an XADD may take before the attempt fails (and is retried after the backoff). */
  timeoutMs: number;
  /** How long a published id is remembered, so a resend after a crash is not a second message. */
  dedupTtlSeconds: number;
}

export function eventBusSettings(): EventBusSettings {
  return {
    url: process.env.EVENT_BUS_REDIS_URL || undefined,
    topicPrefix: process.env.EVENT_BUS_TOPIC_PREFIX ?? '',
    streamMaxLen: intFromEnv('EVENT_BUS_STREAM_MAX_LEN', 10_000),
    timeoutMs: intFromEnv('EVENT_BUS_TIMEOUT_MS', 5000),
    dedupTtlSeconds: intFromEnv('EVENT_BUS_DEDUP_TTL_S', 7 * 24 * 3600),
  };
}

/** The stream of a topic: `<prefix>-<topic>`, or the topic alone without a prefix (event-bus-redis). */
export function streamName(topic: string, prefix: string): string {
  return prefix ? `${prefix}-${topic}` : topic;
}

/** The key remembering that event `id` was published on `stream` (its value is the stream entry id). */
export function publishedKey(stream: string, id: string): string {
  return `${stream}:published:${id}`;
}

/** The openedx-events release whose schemas `schema/events/` holds (the `sourcelib` field). */
export const SOURCELIB = '9.15.0';

/** How one outbox event type goes on the bus: its topic, its openedx-events type and its data. */
export interface BusRoute {
  topic: string;
  /** The openedx-events type on the bus (the outbox's own type when omitted). */
  type?: string;
  /** The CloudEvent record's data (`{ ledger_transaction: {...} }`), fitting `schema/events/<type>.avsc`. */
  data: (event: DeliveryEvent) => Promise<Record<string, unknown>> | Record<string, unknown>;
}

/**
 * Publishes one message unless its id was published on this stream before, atomically (one Lua
 * script: a relay that crashed after an XADD and before marking the row sends it again, and the
 * stream still holds the id once). Returns the stream entry id.
 */
const publishScript = defineScript({
  NUMBER_OF_KEYS: 2,
  SCRIPT: `
local seen = redis.call('GET', KEYS[2])
if seen then return seen end
local entry = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, 3))
redis.call('SET', KEYS[2], entry, 'EX', ARGV[2])
return entry`,
  parseCommand(parser, stream: string, dedupKey: string, maxLen: number, ttl: number, fields: (string | Buffer)[]) {
    parser.pushKey(stream);
    parser.pushKey(dedupKey);
    parser.push(String(maxLen), String(ttl), ...fields);
  },
  transformReply: undefined as unknown as () => string,
});

type BusClient = RedisClientType<Record<string, never>, Record<string, never>, { publish: typeof publishScript }>;

/** A Redis client for the bus: fails fast while disconnected (the row is retried), reconnects with backoff. */
export function busClient(url: string, timeoutMs: number): BusClient {
  const client = createClient({
    url,
    scripts: { publish: publishScript },
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries: number) => Math.min(5000, 100 * 2 ** Math.min(retries, 6)),
    },
  }) as unknown as BusClient;
  // One line per outage, not one per reconnect attempt (the backlog gauge tells how long it lasts).
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err: error }, `[event bus] redis unavailable, events wait in the outbox: ${error.message}`);
  });
  client.on('ready', () => {
    if (down) logger.info('[event bus] redis is back');
    down = false;
  });
  return client;
}

/** The bus channel of one subgraph's outbox. */
export function eventBusChannel(
  service: string,
  routes: Readonly<Record<string, BusRoute>>,
  settings: EventBusSettings = eventBusSettings(),
): DeliveryChannel {
  let client: BusClient | undefined;
  let connecting: Promise<unknown> | undefined;
  const source = `openedx/enterprise-graph-${service}/web`;
  const sourcehost = os.hostname();

  async function connected(url: string): Promise<BusClient> {
    client ??= busClient(url, settings.timeoutMs);
    if (!client.isOpen)
      connecting ??= client.connect().catch((error: unknown) => {
        connecting = undefined;
        throw error;
      });
    if (!client.isReady) await withTimeout(connecting ?? Promise.resolve(), settings.timeoutMs, 'connect');
    return client;
  }

  return {
    name: 'bus',
    eventTypes: Object.keys(routes),
    async deliver(event): Promise<DeliveryOutcome> {
      const route = routes[event.eventType];
      if (!route) throw new Error(`no bus route for ${event.eventType}`);
      if (!settings.url) return 'SKIPPED';
      const type = route.type ?? event.eventType;
      const eventData = encodeEventData(type, await route.data(event));
      const stream = streamName(route.topic, settings.topicPrefix);
      const redis = await connected(settings.url);
      await withTimeout(
        redis.publish(stream, publishedKey(stream, event.id), settings.streamMaxLen, settings.dedupTtlSeconds, [
          'type',
          type,
          'id',
          event.id,
          'source',
          source,
          'time',
          event.created.toISOString(),
          'minorversion',
          '0',
          'sourcehost',
          sourcehost,
          'sourcelib',
          SOURCELIB,
          'event_data',
          eventData,
        ]),
        settings.timeoutMs,
        'XADD',
      );
      return 'DELIVERED';
    },
    async close() {
      const open = client;
      client = undefined;
      if (open?.isOpen) await open.close();
      else open?.destroy();
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`event bus ${what} timed out after ${ms} ms`));
      }, ms);
    }),
  ]).finally(() => {
    clearTimeout(timer);
  });
}
