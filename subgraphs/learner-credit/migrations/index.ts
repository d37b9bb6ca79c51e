import type { MigrationSet } from '../../../lib/db/migrate.js';
import * as m0001 from './0001-subsidy-access-policy.js';
import * as m0002 from './0002-ledger-and-assignments.js';
import * as m0003 from './0003-aggregate-covering-indexes.js';
import * as m0004 from './0004-outbox-relay.js';
import * as m0005 from './0005-binary-keys.js';
import * as m0006 from './0006-outbox-deliveries.js';
import * as m0007 from './0007-stored-aggregates.js';
import * as m0008 from './0008-assignment-expiry-warnings.js';

/** The learner-credit subgraph's migrations, in order. Never edit a landed one: add the next. */
export const migrations: MigrationSet = {
  '0001-subsidy-access-policy': m0001,
  '0002-ledger-and-assignments': m0002,
  '0003-aggregate-covering-indexes': m0003,
  '0004-outbox-relay': m0004,
  '0005-binary-keys': m0005,
  '0006-outbox-deliveries': m0006,
  '0007-stored-aggregates': m0007,
  '0008-assignment-expiry-warnings': m0008,
};
