import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { badInput } from '../errors.js';

/**
 * The openedx-events Avro schemas of the events the graph publishes, one `.avsc` per event type in
 * `schema/events/` (record `CloudEvent`, namespace = the event type, fields in openedx-events'
 * order: schemaless Avro has no field names on the wire, so the order is the contract).
 */
export const EVENT_SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema/events');

const types = new Map<string, avro.Type>();

/** Event types with a schema in `schema/events/`. */
export function knownEventTypes(): string[] {
  return fs
    .readdirSync(EVENT_SCHEMA_DIR)
    .filter((f) => f.endsWith('.avsc'))
    .map((f) => f.replace(/\.avsc$/, ''))
    .sort();
}

/** The Avro type of one event type's CloudEvent record (read once). */
export function eventAvroType(eventType: string): avro.Type {
  let type = types.get(eventType);
  if (!type) {
    const file = path.join(EVENT_SCHEMA_DIR, `${eventType}.avsc`);
    if (!fs.existsSync(file)) throw new Error(`no Avro schema for ${eventType} (schema/events/${eventType}.avsc)`);
    type = avro.Type.forSchema(JSON.parse(fs.readFileSync(file, 'utf8')) as avro.Schema);
    types.set(eventType, type);
  }
  return type;
}

/** Why `data` does not fit the event type's schema (the paths and values that fail); empty when it fits. */
export function schemaErrors(eventType: string, data: unknown): string[] {
  const errors: string[] = [];
  eventAvroType(eventType).isValid(data, {
    noUndeclaredFields: true,
    errorHook: (pathParts: string[], value: unknown) => {
      errors.push(`${pathParts.join('.') || '(record)'} = ${JSON.stringify(value)}`);
    },
  });
  return errors;
}

/** Schemaless Avro binary of an event's data, as event-bus-redis puts it in `event_data`. */
export function encodeEventData(eventType: string, data: Record<string, unknown>): Buffer {
  const errors = schemaErrors(eventType, data);
  // A payload that cannot be encoded never will be: a refusal, FAILED at once with the reason.
  if (errors.length) throw badInput(`${eventType} data does not fit its Avro schema: ${errors.join('; ')}`);
  return eventAvroType(eventType).toBuffer(data);
}

/** The event's data back from `event_data` (the consumer finds the schema from the `type` field). */
export function decodeEventData(eventType: string, buffer: Uint8Array): Record<string, unknown> {
  // A copy: Redis clients hand out views of their read buffer, which avsc cannot read strings from.
  return eventAvroType(eventType).fromBuffer(Buffer.from(buffer)) as Record<string, unknown>;
}
