import { RESP_TYPES, type RedisClientType } from '@redis/client';
import { decodeEventData } from './avro.js';

/** One event as a consumer of the bus reads it: the message's fields and its decoded data. */
export interface ConsumedEvent {
  stream: string;
  /** The stream entry id (`<ms>-<n>`). */
  entryId: string;
  /** The message fields but `event_data`: type, id, source, time, minorversion, sourcehost, sourcelib. */
  headers: Record<string, string>;
  /** `event_data` decoded with the type's schema (schema/events/<type>.avsc); undefined if it could not be. */
  data: Record<string, unknown> | undefined;
  /** Why the data could not be decoded (unknown type, bad binary). */
  error?: string;
}

// Any connected client (scripts or none); reads map bulk strings to Buffers, event_data being binary.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Client = RedisClientType<any, any, any, any, any>;

interface StreamReply {
  name: Buffer | string;
  messages: { id: Buffer | string; message: Record<string, Buffer | string> }[];
}

/**
 * Creates the consumer group on each stream if missing (`XGROUP CREATE ... MKSTREAM`, from
 * `start`: `0` for the whole stream, `$` for new messages only), as event-bus-redis's consumer does.
 */
export async function ensureGroup(
  client: Client,
  streams: readonly string[],
  group: string,
  start = '0',
): Promise<void> {
  for (const stream of streams) {
    try {
      await client.xGroupCreate(stream, group, start, { MKSTREAM: true });
    } catch (error) {
      if (!(error as Error).message.includes('BUSYGROUP')) throw error;
    }
  }
}

/**
 * Reads the next messages of the group, pending ones of this consumer first (delivered before but
 * not acknowledged: a crash of the last run), then new ones, decodes each and acknowledges it.
 * `blockMs` 0 returns at once when there is nothing new.
 */
export async function readEvents(
  client: Client,
  streams: readonly string[],
  group: string,
  consumer: string,
  options: { count?: number; blockMs?: number } = {},
): Promise<ConsumedEvent[]> {
  const count = options.count ?? 100;
  const events: ConsumedEvent[] = [];
  for (const pending of [true, false]) {
    const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    const reply = (await binary.xReadGroup(
      group,
      consumer,
      streams.map((key) => ({ key, id: pending ? '0' : '>' })),
      { COUNT: count, ...(pending || !options.blockMs ? {} : { BLOCK: options.blockMs }) },
    )) as StreamReply[] | null;
    for (const stream of reply ?? []) {
      const name = stream.name.toString();
      for (const message of stream.messages) {
        const entryId = message.id.toString();
        events.push(decodeMessage(name, entryId, message.message));
        await client.xAck(name, group, entryId);
      }
    }
    if (events.length) return events;
  }
  return events;
}

/** Decodes one message (its fields read as Buffers). */
function decodeMessage(stream: string, entryId: string, fields: Record<string, string | Buffer>): ConsumedEvent {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) if (key !== 'event_data') headers[key] = value.toString();
  const raw = fields.event_data;
  const type = headers.type ?? '';
  try {
    if (raw === undefined) throw new Error('no event_data');
    return { stream, entryId, headers, data: decodeEventData(type, Buffer.isBuffer(raw) ? raw : Buffer.from(raw)) };
  } catch (error) {
    return { stream, entryId, headers, data: undefined, error: (error as Error).message };
  }
}
