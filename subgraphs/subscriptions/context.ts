import type { RequestContext } from '../../lib/server/context.js';
import type { SubscriptionsLoaders } from './loaders.js';
import type { SubscriptionsDatabase } from './tables.js';

export type SubscriptionsContext = RequestContext<SubscriptionsDatabase, SubscriptionsLoaders>;
