import type { ConsentEnforcementValue, FulfillmentTypeValue } from '../tables.js';

/** At most 1000 (email, run) pairs per bulk enrollment. */
export const MAX_ENROLLMENT_PAIRS = 1000;
/** Learners written per transaction by a bulk enrollment. */
export const ENROLLMENT_CHUNK = 100;
/** Invite key limits (edx-enterprise's). */
export const INVITE_KEYS = {
  perCustomer: 100,
  defaultUsageLimit: 10_000,
  maxUsageLimit: 1_000_000,
  defaultDays: 365,
  maxDays: 3650,
} as const;
export const DAY_MS = 86_400_000;

/**
 * A value the caller's own steps guarantee (a row it just wrote or locked, a key it just put in a
 * map). Missing means a bug in those steps, so it fails with a message naming what was looked up
 * rather than a TypeError further on.
 */
export function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`customers: ${what} is missing`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Enum-like columns: every stored value maps to exactly one GraphQL value, and a value the code
// does not know fails loudly instead of showing as some default.

export type ConsentEnforcement = 'AT_ENROLLMENT' | 'EXTERNALLY_MANAGED';
export type FulfillmentType = 'LICENSE' | 'LEARNER_CREDIT' | 'COUPON_CODE';

export function unexpected(column: string, value: never): never {
  throw new Error(`Unexpected ${column} value ${JSON.stringify(value)}`);
}

export function consentEnforcement(value: ConsentEnforcementValue): ConsentEnforcement {
  switch (value) {
    case 'at_enrollment':
      return 'AT_ENROLLMENT';
    case 'externally_managed':
      return 'EXTERNALLY_MANAGED';
    default:
      return unexpected('enforce_data_sharing_consent', value);
  }
}

export function fulfillmentType(value: FulfillmentTypeValue): FulfillmentType {
  switch (value) {
    case 'license':
      return 'LICENSE';
    case 'learner_credit':
      return 'LEARNER_CREDIT';
    case 'coupon_code':
      return 'COUPON_CODE';
    default:
      return unexpected('fulfillment_type', value);
  }
}

export function fulfillmentTypeValue(type: FulfillmentType): FulfillmentTypeValue {
  switch (type) {
    case 'LICENSE':
      return 'license';
    case 'LEARNER_CREDIT':
      return 'learner_credit';
    case 'COUPON_CODE':
      return 'coupon_code';
    default:
      return unexpected('fulfillmentType', type);
  }
}
