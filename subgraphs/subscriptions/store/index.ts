/** The store: the only SQL of this subgraph, one module per aggregate. */
export * from './aggregates.js';
export * from './jobs.js';
export * from './licenses.js';
export * from './plans.js';
export * from './renewals.js';
