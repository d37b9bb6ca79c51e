/**
 * `npm run outbox:failed -- [--retry] [--id <event id> ...] [--channel graph|bus|email] [--json]`
 *
 * Lists every outbox event whose delivery gave up (FAILED after OUTBOX_RELAY_MAX_ATTEMPTS, or
 * refused), in the graph and on the event bus and email channels, with its last error; --retry
 * sends them (or the --id ones) again: the running relays take them on their next poll.
 * DATABASE_URL as for `npm start`.
 */
import { parseArgs } from 'node:util';
import { settings } from '../lib/config.js';
import { openDatabase } from '../lib/db/database.js';
import { listFailedDeliveries, retryFailedDeliveries, type FailedDelivery } from '../lib/deliveries/failed.js';
import { SUBGRAPHS } from '../subgraphs/registry.js';

const { values } = parseArgs({
  options: {
    retry: { type: 'boolean', default: false },
    id: { type: 'string', multiple: true },
    channel: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const channels = ['graph', 'bus', 'email'] as const;
const channel = values.channel as FailedDelivery['channel'] | undefined;
if (channel !== undefined && !channels.includes(channel)) {
  console.error(`--channel must be one of ${channels.join(', ')}`);
  process.exit(2);
}
const outboxes = Object.values(SUBGRAPHS).map((definition) => ({
  subgraph: definition.name,
  table: `${definition.name.replace(/-/g, '_')}_outbox`,
  deliveries: definition.outboxDeliveries === true,
}));
const database = openDatabase(settings.databaseUrl(), { poolSize: 2 });
try {
  const failed = (await listFailedDeliveries(database.db, outboxes)).filter(
    (f) => (!channel || f.channel === channel) && (!values.id || values.id.includes(f.id)),
  );
  if (values.json) for (const f of failed) console.log(JSON.stringify(f));
  else {
    for (const f of failed)
      console.log(
        `${f.created.toISOString()}  ${f.subgraph}/${f.channel}  ${f.eventType}  ${f.id}  key=${f.aggregateKey}  attempts=${f.attempts}\n    ${f.lastError ?? ''}`,
      );
    console.log(`${failed.length} failed deliver${failed.length === 1 ? 'y' : 'ies'}`);
  }
  if (values.retry) {
    const n = await retryFailedDeliveries(database.db, outboxes, { ids: values.id, channel });
    console.log(`${n} set back to PENDING; the relays send them on their next poll`);
  }
} finally {
  await database.destroy();
}
