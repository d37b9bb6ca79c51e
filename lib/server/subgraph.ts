import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type DocumentNode } from 'graphql';
import type { Kysely } from 'kysely';
import type { SubgraphName } from '../config.js';
import type { AnyKysely } from '../db/database.js';
import type { MigrationSet } from '../db/migrate.js';
import type { StoredAggregates } from '../aggregates.js';
import type { Viewer } from '../auth/viewer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Everything the shared server factory, the scripts and the tests need to know about one subgraph. */
export interface SubgraphDefinition<DB = unknown, Loaders = unknown> {
  name: SubgraphName;
  typeDefs: DocumentNode;
  /** Resolvers typed by the subgraph with its generated `Resolvers` type. */
  resolvers: object;
  migrations: MigrationSet;
  createLoaders(db: Kysely<DB>, viewer: Viewer, authorization: string): Loaders;
  /** Loads the demo data (idempotent). */
  seedDemoData(db: Kysely<DB>): Promise<void>;
  /** True when the subgraph's tables hold no data yet (`npm start` seeds then). */
  isEmpty(db: Kysely<DB>): Promise<boolean>;
  /**
   * How responses without a @cacheControl hint may be cached. `hinted` (the catalog): only what
   * the schema's hints allow. `private` (tenant data): every query response is cacheable for
   * CACHE_PRIVATE_MAX_AGE seconds, PRIVATE to the caller, never PUBLIC.
   */
  cachePolicy: 'hinted' | 'private';
  /** Its outbox events also leave the graph on delivery channels (`<name>_outbox_delivery`: bus, email). */
  outboxDeliveries?: boolean;
  /** Background work started with the server (job runners, outbox relays); returns a stopper. */
  startBackgroundWork?(db: Kysely<DB>): () => Promise<void>;
  /** Its stored aggregates (README "Stored aggregates"): `npm run db:check-aggregates` checks and repairs them. */
  aggregates?: StoredAggregates<DB>;
}

/**
 * Tables of the shared root handle (`AnyKysely`): every subgraph's store is typed with its own
 * tables, and all of them run on the one handle the server factory opens.
 */
type AnyDatabase = AnyKysely extends Kysely<infer Tables> ? Tables : never;

/** A subgraph as the registry holds it: any subgraph's definition, with its own tables erased. */
export type RegisteredSubgraph = SubgraphDefinition<AnyDatabase>;

export function schemaPath(name: string): string {
  return path.join(ROOT, 'schema', `${name}.graphql`);
}

export function loadTypeDefs(name: SubgraphName): DocumentNode {
  return parse(fs.readFileSync(schemaPath(name), 'utf8'));
}

export const PROJECT_ROOT = ROOT;
