/**
 * The learner-credit rules as pure functions over facts the callers gather
 * (from loaders for reads, from the locked transaction for writes), so reads and writes decide
 * identically. Money: integer USD cents; ledger and assignment quantities are <= 0 for spend.
 */
export * from './ledger.js';
export * from './plans.js';
export * from './policies.js';
