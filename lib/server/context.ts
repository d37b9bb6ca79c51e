import type { Kysely } from 'kysely';
import type { Viewer } from '../auth/viewer.js';

/** What every resolver of every subgraph receives. Loaders are new for each request. */
export interface RequestContext<DB, Loaders> {
  viewer: Viewer;
  /** The caller's `Authorization` header, forwarded on service-to-service calls. */
  authorization: string;
  db: Kysely<DB>;
  loaders: Loaders;
}
