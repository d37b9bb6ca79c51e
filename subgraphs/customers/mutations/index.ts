/**
 * The customers mutations, one module per aggregate: every one is `(ctx, input)`, checks its input before any write, and
 * writes inside runMutation (one transaction, the request's loaders cleared after it). The
 * decisions are rules.ts's plans; this module gathers their facts under the locks and applies them.
 * Lock order everywhere: the customer row, then LMS user rows by id, so concurrent calls cannot deadlock.
 */
export * from './consent.js';
export * from './customers.js';
export * from './enrollments.js';
export * from './learners.js';
export * from './fulfillments.js';
export * from './enroll-in-course.js';
