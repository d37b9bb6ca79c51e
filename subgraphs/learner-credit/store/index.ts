/** The store: the only SQL of this subgraph, one module per aggregate. */
export * from './aggregates.js';
export * from './assignments.js';
export * from './demo.js';
export * from './expiry.js';
export * from './policies.js';
export * from './transactions.js';
