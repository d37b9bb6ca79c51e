import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createClient, RESP_TYPES } from '@redis/client';
import { decodeEventData } from '../../lib/deliveries/avro.js';
import { freePort, waitFor } from './processes.js';

/** The shared Redis of the machine (the tests use their own stream prefixes on it, never flush it). */
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** A stream prefix no other test or run uses. */
export function uniquePrefix(what: string): string {
  return `eg-test-${what}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** One raw stream entry: its fields in the order XADD wrote them, `event_data` as bytes. */
export interface RawEntry {
  entryId: string;
  fieldNames: string[];
  fields: Record<string, string>;
  eventData: Buffer;
  /** `event_data` decoded with the project's schema of the entry's `type`. */
  data: Record<string, unknown>;
}

/** Every entry of a stream (XRANGE), decoded with schema/events/<type>.avsc. */
export async function readStream(url: string, stream: string): Promise<RawEntry[]> {
  const client = createClient({ url });
  await client.connect();
  try {
    const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    const entries = (await binary.xRange(stream, '-', '+')) as unknown as {
      id: Buffer | string;
      message: Record<string, Buffer>;
    }[];
    return entries.map(({ id, message }) => {
      const fieldNames = Object.keys(message);
      const fields: Record<string, string> = {};
      for (const name of fieldNames) if (name !== 'event_data') fields[name] = message[name]!.toString();
      const eventData = Buffer.from(message.event_data ?? Buffer.alloc(0));
      return {
        entryId: id.toString(),
        fieldNames,
        fields,
        eventData,
        data: decodeEventData(fields.type ?? '', eventData),
      };
    });
  } finally {
    await client.close();
  }
}

/** Deletes every key under `prefix` (the test's streams and their published-id keys). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length) await client.del(keys);
  } finally {
    await client.close();
  }
}

/** A private redis-server on its own port (a test may stop it: the shared one is never touched). */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async create(): Promise<PrivateRedis> {
    return new PrivateRedis(await freePort());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    this.child = child;
    await waitFor(`redis-server on ${this.port}`, async () => {
      const client = createClient({ url: this.url, socket: { reconnectStrategy: false } });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        if (client.isOpen) await client.close();
      }
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child?.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
