/**
 * `npm run events:tail -- [--topic T ...] [--group G] [--consumer C] [--new] [--once] [--count N] [--json]`
 *
 * Reads the graph's event bus streams (EVENT_BUS_REDIS_URL, EVENT_BUS_TOPIC_PREFIX) the way an
 * event-bus-redis consumer does: a consumer group (created with MKSTREAM), pending messages first,
 * each message decoded with schema/events/<type>.avsc, printed and acknowledged. Without --topic it
 * reads every topic the graph publishes on. --new starts a new group at the end of the streams;
 * --once exits when nothing is left; --count N exits after N events.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createClient } from '@redis/client';
import { ensureGroup, readEvents, type ConsumedEvent } from '../lib/deliveries/consumer.js';
import { eventBusSettings, streamName } from '../lib/deliveries/event-bus.js';
import { ALL_TOPICS } from '../lib/deliveries/topics.js';

const { values } = parseArgs({
  options: {
    topic: { type: 'string', multiple: true, default: [] },
    group: { type: 'string', default: 'events-tail' },
    consumer: { type: 'string', default: `${os.hostname()}-${process.pid}` },
    new: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
    count: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const settings = eventBusSettings();
if (!settings.url) {
  console.error('EVENT_BUS_REDIS_URL is not set: the graph publishes nothing, and there is nothing to read.');
  process.exit(2);
}
const limit = values.count === undefined ? Infinity : Number(values.count);
if (!(limit > 0)) {
  console.error('--count must be a positive integer');
  process.exit(2);
}
const topics = values.topic.length ? values.topic : ALL_TOPICS;
const streams = topics.map((t) => streamName(t, settings.topicPrefix));

const client = createClient({ url: settings.url });
client.on('error', (error: Error) => {
  console.error(`redis: ${error.message}`);
});
await client.connect();
const run = { stopping: false };
process.once('SIGINT', () => (run.stopping = true));
process.once('SIGTERM', () => (run.stopping = true));

function print(event: ConsumedEvent): void {
  if (values.json) {
    console.log(
      JSON.stringify({
        stream: event.stream,
        entry: event.entryId,
        ...event.headers,
        data: event.data,
        error: event.error,
      }),
    );
    return;
  }
  const h = event.headers;
  console.log(`--- ${event.stream} ${event.entryId}`);
  console.log(`type: ${h.type}\nid: ${h.id}\nsource: ${h.source}\ntime: ${h.time}`);
  console.log(`minorversion: ${h.minorversion}  sourcehost: ${h.sourcehost}  sourcelib: ${h.sourcelib}`);
  console.log(
    event.error ? `event_data: cannot decode: ${event.error}` : `event_data: ${JSON.stringify(event.data, null, 2)}`,
  );
}

try {
  await ensureGroup(client, streams, values.group, values.new ? '$' : '0');
  console.error(`reading ${streams.join(', ')} as ${values.group}/${values.consumer}`);
  let seen = 0;
  while (!run.stopping && seen < limit) {
    const events = await readEvents(client, streams, values.group, values.consumer, {
      count: Math.min(100, limit - seen),
      blockMs: values.once ? 0 : 2000,
    });
    for (const event of events) print(event);
    seen += events.length;
    if (values.once && events.length === 0) break;
  }
} finally {
  await client.close();
}
