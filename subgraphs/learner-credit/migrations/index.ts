import type { MigrationSet } from '../../../lib/db/migrate.js';
import * as m0001 from './0001-subsidy-access-policy.js';
import * as m0002 from './0002-ledger-and-assignments.js';

/** The learner-credit subgraph's migrations, in order. Never edit a landed one: add the next. */
export const migrations: MigrationSet = {
  '0001-subsidy-access-policy': m0001,
  '0002-ledger-and-assignments': m0002,
};
