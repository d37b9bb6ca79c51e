import { badInput } from './errors.js';

/** Per-call list limits. */
export const LIMITS = { emails: 1000, uuids: 1000, contentKeys: 100 } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Pragmatic address check: one @, no spaces, a dot in the domain (what edX's forms accept).
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const DECIMAL_ID = /^[1-9][0-9]{0,15}$/;

/**
 * A numeric id given as a string (`ID` arguments): plain decimal digits only. `Number()` alone
 * would read "0x1", "0b1", "1e3" or " 1 " as numbers and act on another row than the caller wrote.
 */
export function decimalIdArg(value: string, name: string): number {
  const id = typeof value === 'string' && DECIMAL_ID.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id))
    throw badInput(`${name} must be a positive decimal id, got ${JSON.stringify(value)}`, { argument: name });
  return id;
}

/** Like decimalIdArg for entity references: null instead of an error. */
export function decimalIdOrNull(value: string): number | null {
  return typeof value === 'string' && DECIMAL_ID.test(value) && Number.isSafeInteger(Number(value))
    ? Number(value)
    : null;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Validates a uuid argument (any case, any version: the seeds' ids are not all RFC 4122). */
export function uuidArg(value: string, name = 'uuid'): string {
  if (typeof value !== 'string' || !UUID.test(value.trim()))
    throw badInput(`${name} must be a uuid, got "${value}"`, { argument: name });
  return value.trim().toLowerCase();
}

export function uuidList(values: readonly string[], name = 'uuids'): string[] {
  listSize(values, LIMITS.uuids, name);
  return [...new Set(values.map((v) => uuidArg(v, name)))];
}

export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

export function isEmail(value: string): boolean {
  return EMAIL.test(value) && value.length <= 254;
}

export function emailArg(value: string, name = 'email'): string {
  const email = normalizeEmail(value);
  if (!isEmail(email)) throw badInput(`${name} is not a valid email address: "${value}"`, { argument: name });
  return email;
}

/** Trims, lower-cases and de-duplicates; any invalid address fails the whole call. */
export function emailList(values: readonly string[], name = 'emails'): string[] {
  listSize(values, LIMITS.emails, name);
  return [...new Set(values.map((v) => emailArg(v, name)))];
}

export function listSize(values: readonly unknown[], max: number, name: string, min = 0): void {
  if (values.length > max)
    throw badInput(`${name} accepts at most ${max} items, got ${values.length}`, { argument: name });
  if (values.length < min) throw badInput(`${name} needs at least ${min} item(s)`, { argument: name });
}

export function nonEmptyString(value: string, name: string, max = 255): string {
  const trimmed = value.trim();
  if (!trimmed) throw badInput(`${name} must not be empty`, { argument: name });
  if (trimmed.length > max) throw badInput(`${name} is longer than ${max} characters`, { argument: name });
  return trimmed;
}

export function nonNegativeCents(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw badInput(`${name} must be a non-negative integer number of cents`, { argument: name });
  return value;
}
