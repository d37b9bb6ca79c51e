import type { MigrationSet } from '../../../lib/db/migrate.js';
import * as m0001 from './0001-catalog-content.js';
import * as m0002 from './0002-content-metadata.js';

/** The catalog subgraph's migrations, in order. Never edit a landed one: add the next. */
export const migrations: MigrationSet = {
  '0001-catalog-content': m0001,
  '0002-content-metadata': m0002,
};
