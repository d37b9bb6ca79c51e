import type { MigrationSet } from '../../../lib/db/migrate.js';
import * as m0001 from './0001-subscription-plan.js';
import * as m0002 from './0002-licenses-renewals-jobs.js';
import * as m0003 from './0003-outbox-relay.js';
import * as m0004 from './0004-binary-keys.js';
import * as m0005 from './0005-outbox-deliveries.js';
import * as m0006 from './0006-license-counts.js';

/** The subscriptions subgraph's migrations, in order. Never edit a landed one: add the next. */
export const migrations: MigrationSet = {
  '0001-subscription-plan': m0001,
  '0002-licenses-renewals-jobs': m0002,
  '0003-outbox-relay': m0003,
  '0004-binary-keys': m0004,
  '0005-outbox-deliveries': m0005,
  '0006-license-counts': m0006,
};
