import type { MigrationSet } from '../../../lib/db/migrate.js';
import * as m0001 from './0001-catalog-content.js';
import * as m0002 from './0002-content-metadata.js';
import * as m0003 from './0003-active-run-covering-index.js';
import * as m0004 from './0004-binary-keys.js';
import * as m0005 from './0005-stored-content-activity.js';

/** The catalog subgraph's migrations, in order. Never edit a landed one: add the next. */
export const migrations: MigrationSet = {
  '0001-catalog-content': m0001,
  '0002-content-metadata': m0002,
  '0003-active-run-covering-index': m0003,
  '0004-binary-keys': m0004,
  '0005-stored-content-activity': m0005,
};
