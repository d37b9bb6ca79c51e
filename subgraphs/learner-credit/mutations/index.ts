/**
 * The learner-credit mutations: every one is `(ctx, input)`, reads other subgraphs before any lock
 * (no row stays locked while another service answers), and writes inside runMutation under the
 * policy lock, then the ledger lock. The decisions are rules.ts's plans over facts read under
 * those locks.
 */
export * from './assignments.js';
export * from './redemptions.js';
