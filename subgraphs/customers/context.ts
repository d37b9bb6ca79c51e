import type { RequestContext } from '../../lib/server/context.js';
import type { CustomersLoaders } from './loaders.js';
import type { CustomersDatabase } from './tables.js';

export type CustomersContext = RequestContext<CustomersDatabase, CustomersLoaders>;
