import type { MigrationSet } from '../../../lib/db/migrate.js';
import * as m0001 from './0001-enterprise-customer.js';
import * as m0002 from './0002-learners-enrollments.js';
import * as m0003 from './0003-consent-list.js';
import * as m0004 from './0004-progress-by-learner-link.js';
import * as m0005 from './0005-unlinked-learners.js';
import * as m0006 from './0006-outbox-relay.js';
import * as m0007 from './0007-portal-screen-flags.js';
import * as m0008 from './0008-enrollment-mode.js';
import * as m0009 from './0009-binary-keys.js';
import * as m0010 from './0010-outbox-deliveries.js';
import * as m0011 from './0011-learner-progress-count.js';

/** The customers subgraph's migrations, in order. Never edit a landed one: add the next. */
export const migrations: MigrationSet = {
  '0001-enterprise-customer': m0001,
  '0002-learners-enrollments': m0002,
  '0003-consent-list': m0003,
  '0004-progress-by-learner-link': m0004,
  '0005-unlinked-learners': m0005,
  '0006-outbox-relay': m0006,
  '0007-portal-screen-flags': m0007,
  '0008-enrollment-mode': m0008,
  '0009-binary-keys': m0009,
  '0010-outbox-deliveries': m0010,
  '0011-learner-progress-count': m0011,
};
