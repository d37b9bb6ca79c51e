/**
 * The customers rules as pure functions over plain data: input checks, the enum mappings, and the
 * plan steps of the writes (which links to create or re-activate, which enrollments to create or
 * re-enroll, how a bulk enrollment's pairs split). mutations.ts gathers the facts under its locks
 * and applies the plans; these functions never touch the database.
 */
export * from './common.js';
export * from './enrollments.js';
export * from './learners.js';
export * from './settings.js';
