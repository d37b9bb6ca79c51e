/** The catalog's SQL, by concern: row decoding, entity lookups, catalog contents, demo inserts. */
export * from './aggregates.js';
export * from './contents.js';
export * from './decode.js';
export * from './demo.js';
export * from './entities.js';
