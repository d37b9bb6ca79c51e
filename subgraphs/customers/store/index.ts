/**
 * The customers store: the only SQL of this subgraph, one module per aggregate (a customer and its
 * identity providers, LMS users and learner links, enrollments and fulfillments, consent, invite
 * keys, learner progress).
 */
export * from './aggregates.js';
export * from './consent.js';
export * from './customers.js';
export * from './enrollments.js';
export * from './invite-keys.js';
export * from './learners.js';
export * from './progress.js';
export * from './demo.js';
