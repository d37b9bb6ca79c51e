import { createGatewayApp, type GatewayApp } from '../gateway/gateway.js';
import { settings, SUBGRAPH_NAMES, type SubgraphName } from '../lib/config.js';
import { ensureDatabase, openDatabase, type Database } from '../lib/db/database.js';
import { migrateSubgraph } from '../lib/db/migrate.js';
import { listen, type Listening } from '../lib/server/http.js';
import { createSubgraphApp, type SubgraphApp } from '../lib/server/subgraph-server.js';
import { markDraining, type ShutdownStep } from '../lib/server/shutdown.js';
import { setSubgraphUrls } from '../lib/subgraph-client.js';
import { SUBGRAPHS } from '../subgraphs/registry.js';

export type SeedMode = 'always' | 'if-empty' | 'never';

/** Creates the database if missing, migrates the given subgraphs' tables and loads demo data as asked. */
export async function prepareDatabase(
  url: string,
  options: { subgraphs?: readonly SubgraphName[]; seed?: SeedMode; poolSize?: number; readUrl?: string } = {},
): Promise<Database> {
  await ensureDatabase(url);
  const poolSize = options.poolSize ?? settings.databasePoolSize();
  // Migrations and seeding always talk to the primary; the replica only serves plain reads.
  const database = openDatabase(url, { poolSize });
  const names = options.subgraphs ?? SUBGRAPH_NAMES;
  for (const name of names) await migrateSubgraph(database.db, name, SUBGRAPHS[name].migrations);
  const seed = options.seed ?? 'never';
  for (const name of names) {
    const definition = SUBGRAPHS[name];
    if (seed === 'always' || (seed === 'if-empty' && (await definition.isEmpty(database.db)))) {
      await definition.seedDemoData(database.db);
    }
  }
  if (!options.readUrl) return database;
  await database.destroy();
  return openDatabase(url, { poolSize, readUrl: options.readUrl });
}

export interface RunningSubgraph {
  app: SubgraphApp;
  http: Listening;
}

export interface Stack {
  database: Database;
  gatewayUrl: string;
  subgraphs: Record<SubgraphName, RunningSubgraph>;
  gateway: GatewayApp;
  /** The graceful shutdown of every piece in order (`npm start` logs each step). */
  shutdownSteps(deadline: number): ShutdownStep[];
  stop(): Promise<void>;
}

export interface StackOptions {
  databaseUrl: string;
  readUrl?: string;
  seed?: SeedMode;
  /** Ports per piece; 0 (the default) picks a free one, as the tests do. */
  ports?: Partial<Record<SubgraphName | 'gateway', number>>;
  host?: string;
}

/** Boots the four subgraphs and the gateway in this process (used by `npm start` and the tests). */
export async function startStack(options: StackOptions): Promise<Stack> {
  const database = await prepareDatabase(options.databaseUrl, {
    seed: options.seed ?? 'never',
    ...(options.readUrl ? { readUrl: options.readUrl } : {}),
  });
  const subgraphs = {} as Record<SubgraphName, RunningSubgraph>;
  try {
    for (const name of SUBGRAPH_NAMES) {
      const app = await createSubgraphApp(SUBGRAPHS[name], database.db);
      const http = await listen(app.app, options.ports?.[name] ?? 0, options.host);
      subgraphs[name] = { app, http };
    }
    const serviceUrls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `${subgraphs[name].http.url}/graphql`]));
    setSubgraphUrls(serviceUrls);
    const gateway = await createGatewayApp({ serviceUrls });
    const gatewayHttp = await listen(gateway.app, options.ports?.gateway ?? 0, options.host);
    /**
     * Every /health turns 503 at once; the gateway drains first (its requests still need the
     * subgraphs), then background work stops (it calls other subgraphs), then the subgraphs drain.
     */
    const shutdownSteps = (deadline: number): ShutdownStep[] => {
      const running = Object.values(subgraphs);
      for (const { app } of running) markDraining(app.app);
      const gatewayDrained = gatewayHttp.close(deadline);
      return [
        { name: 'not accepting connections, every /health answers 503', run: () => Promise.resolve() },
        { name: 'gateway requests in flight answered', run: () => gatewayDrained },
        { name: 'gateway stopped', run: () => gateway.stop() },
        { name: 'background work stopped', run: () => Promise.all(running.map(({ app }) => app.stopBackground())) },
        {
          name: 'subgraph requests in flight answered',
          run: () => Promise.all(running.map(({ http }) => http.close(deadline))),
        },
        { name: 'subgraphs stopped', run: () => Promise.all(running.map(({ app }) => app.stop())) },
        { name: 'database pool closed', run: () => database.destroy() },
      ];
    };
    return {
      database,
      gateway,
      subgraphs,
      gatewayUrl: `${gatewayHttp.url}/graphql`,
      shutdownSteps,
      async stop() {
        for (const step of shutdownSteps(Date.now() + settings.shutdownGraceMs())) await step.run();
      },
    };
  } catch (error) {
    for (const { app, http } of Object.values(subgraphs)) {
      await http.close();
      await app.stop();
    }
    await database.destroy();
    throw error;
  }
}
