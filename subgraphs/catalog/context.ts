import type { RequestContext } from '../../lib/server/context.js';
import type { CatalogLoaders } from './loaders.js';
import type { CatalogDatabase } from './tables.js';

export type CatalogContext = RequestContext<CatalogDatabase, CatalogLoaders>;
