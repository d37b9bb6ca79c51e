import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { createGatewayApp, type GatewayApp } from '../gateway/gateway.js';
import { SUBGRAPH_NAMES, type SubgraphName } from '../lib/config.js';
import { dropDatabase, openDatabase, parseDatabaseUrl, type Database } from '../lib/db/database.js';
import { isDatabaseOutage } from '../lib/db/outage.js';
import { flavourOf, statementTimeoutSetting } from '../lib/db/statement-timeout.js';
import { DEMO } from '../lib/demo-ids.js';
import { listen, type Listening } from '../lib/server/http.js';
import { prepareDatabase } from '../scripts/stack.js';
import { freePort, PieceProcess, statusOf, waitFor } from './support/processes.js';
import { mariadbBinaries, PrivateMariaDb } from './support/private-mariadb.js';
import { demoTokens, freshDatabaseUrl, type GraphQLResult } from './support/stack.js';

/**
 * The database of a piece goes away under load and comes back. The subscriptions subgraph runs
 * as its own process (scripts/start-piece.ts) behind an in-process gateway; while the database is
 * gone every request fails fast with SERVICE_UNAVAILABLE naming the subgraph, its /health is 503,
 * it recovers by itself when the database returns, and no multi-row mutation (assignLicenses:
 * several licenses plus their outbox events in one transaction) is ever left half done.
 *
 * MySQL: a private mariadbd (own data dir, socket, port), SIGKILLed and restarted by the test.
 * SQLite has no server to kill: another process holds the write lock past the busy timeout.
 */
process.env.NODE_ENV = 'production';
// Production pieces refuse the public development secret (lib/config.ts).
process.env.JWT_SECRET = 'faults-test-secret-0123456789abcdef-0123456789';

const PLAN = DEMO.plans.example;
const BATCH = 5;
const PLAN_QUERY = `query ($uuid: ID!) { subscriptionPlan(uuid: $uuid) { title licenseCounts { activated assigned unassigned revoked total } } }`;
const ASSIGN = `mutation ($input: AssignLicensesInput!) { assignLicenses(input: $input) { numSuccessfulAssignments } }`;

interface LicenseCounts {
  activated: number;
  assigned: number;
  unassigned: number;
  revoked: number;
  total: number;
}
interface PlanData {
  subscriptionPlan: { title: string; licenseCounts: LicenseCounts } | null;
}

/** The subscriptions subgraph as a process, a gateway in this process, and a writer load. */
class Scenario {
  piece!: PieceProcess;
  gateway!: GatewayApp;
  gatewayHttp!: Listening;
  token = '';
  private nextBatch = 0;
  private readonly stoppers: (() => Promise<void>)[] = [];
  /** Batches sent, with what the client was told: 'ok' or the error. */
  readonly outcomes = new Map<number, string>();

  constructor(
    readonly databaseUrl: string,
    private readonly env: Record<string, string>,
  ) {}

  async start(): Promise<void> {
    this.token = (await demoTokens()).operator;
    const database = await prepareDatabase(this.databaseUrl, { subgraphs: ['subscriptions'], seed: 'always' });
    await database.destroy();
    // Only the subscriptions subgraph runs; the others' URLs point at ports nobody listens on.
    const ports = Object.fromEntries(
      await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await freePort()])),
    ) as Record<SubgraphName, number>;
    const piece = new PieceProcess('subscriptions', ports.subscriptions, {
      DATABASE_URL: this.databaseUrl,
      NODE_ENV: 'production',
      DB_CONNECT_TIMEOUT_MS: '1000',
      ...this.env,
    });
    this.piece = piece;
    this.stoppers.push(() => piece.stop());
    await piece.start();
    const gateway = await createGatewayApp({
      serviceUrls: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`])),
      redisUrl: null,
    });
    this.gateway = gateway;
    this.stoppers.push(() => gateway.stop());
    const gatewayHttp = await listen(gateway.app, 0);
    this.gatewayHttp = gatewayHttp;
    this.stoppers.push(() => gatewayHttp.close());
  }

  /** Stops what `start` got to start (it may have failed part-way), last started first. */
  async stop(): Promise<void> {
    for (const stop of this.stoppers.splice(0).reverse()) await stop();
  }

  async graphql<T>(query: string, variables: Record<string, unknown>): Promise<GraphQLResult<T>> {
    const response = await fetch(`${this.gatewayHttp.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `JWT ${this.token}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as Omit<GraphQLResult<T>, 'status'>) };
  }

  plan(): Promise<GraphQLResult<PlanData>> {
    return this.graphql<PlanData>(PLAN_QUERY, { uuid: PLAN });
  }

  /** One multi-row mutation: BATCH fresh emails, all or nothing. */
  async assignBatch(): Promise<{ batch: number; result: GraphQLResult<unknown> }> {
    const batch = this.nextBatch++;
    const userEmails = Array.from({ length: BATCH }, (_, i) => `fault-b${batch}-${i}@example.com`);
    const result = await this.graphql(ASSIGN, {
      input: { subscriptionPlanUuid: PLAN, userEmails, notifyUsers: false },
    });
    this.outcomes.set(batch, result.errors ? String(result.errors[0]?.extensions?.code) : 'ok');
    return { batch, result };
  }

  okBatches(): number {
    return [...this.outcomes.values()].filter((outcome) => outcome === 'ok').length;
  }

  /** After recovery: every batch is wholly in or wholly out, licenses and outbox events alike. */
  async assertNoPartialWrite(before: LicenseCounts): Promise<void> {
    const database = openDatabase(this.databaseUrl, { poolSize: 1 });
    try {
      const licenses = await sql<{
        userEmail: string;
      }>`select user_email from license where subscription_plan_uuid = ${PLAN} and status = 'ASSIGNED' and user_email like 'fault-b%'`.execute(
        database.db,
      );
      const events = await sql<{
        payload: unknown;
      }>`select payload from subscriptions_outbox where payload like '%fault-b%'`.execute(database.db);
      let assignedInBatches = 0;
      for (const [batch, outcome] of this.outcomes) {
        const tag = `fault-b${batch}-`;
        const rows = licenses.rows.filter((row) => row.userEmail.startsWith(tag)).length;
        // mysql2 hands JSON columns back parsed, SQLite as text.
        const eventRows = events.rows.filter((row) =>
          (typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload)).includes(`"${tag}`),
        ).length;
        assert.ok(
          rows === 0 || rows === BATCH,
          `batch ${batch} (${outcome}) half written: ${rows} of ${BATCH} licenses`,
        );
        // Two events per license (assigned, learner link requested), written in the same transaction.
        assert.equal(
          eventRows,
          rows * 2,
          `batch ${batch} (${outcome}): ${rows} licenses but ${eventRows} outbox events`,
        );
        if (outcome === 'ok') assert.equal(rows, BATCH, `batch ${batch} was acknowledged but is not stored`);
        assignedInBatches += rows;
      }
      const after = await this.plan();
      assert.equal(after.errors, undefined, JSON.stringify(after.errors));
      const counts = after.data!.subscriptionPlan!.licenseCounts;
      // The plan's counts are derived from its license rows: nothing lost, nothing counted twice.
      assert.equal(counts.total, before.total);
      assert.equal(counts.activated + counts.assigned + counts.unassigned + counts.revoked, counts.total);
      assert.equal(counts.assigned, before.assigned + assignedInBatches);
    } finally {
      await database.destroy();
    }
  }
}

/** What a client sees of a database outage: the code, the subgraph, the field, and nothing else. */
function assertUnavailable(result: GraphQLResult<unknown>, path: (string | number)[]): void {
  assert.equal(result.errors?.length, 1, JSON.stringify(result.errors));
  const error = result.errors[0]!;
  assert.deepEqual(error.path, path);
  assert.deepEqual(error.extensions, { code: 'SERVICE_UNAVAILABLE', serviceName: 'subscriptions' });
  assert.doesNotMatch(
    JSON.stringify(result.errors),
    /ECONNREFUSED|PROTOCOL|SQLITE|mysql|select|update|127\.0\.0\.1|stack/i,
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const binaries = mariadbBinaries();

describe('the statement timeout per server flavour', () => {
  it('uses max_statement_time (seconds) on MariaDB and max_execution_time (ms) on MySQL', () => {
    // Only MariaDB runs here; MySQL's spelling is checked on the version strings it reports.
    assert.equal(statementTimeoutSetting(flavourOf('10.11.19-MariaDB-0+deb12u1'), 2500), 'max_statement_time = 2.500');
    assert.equal(statementTimeoutSetting(flavourOf('8.0.36'), 2500), 'max_execution_time = 2500');
    assert.equal(statementTimeoutSetting(flavourOf('8.4.3-0ubuntu0.24.04.1'), 2500), 'max_execution_time = 2500');
  });
});

describe(
  'a database that is killed and restarted [mysql]',
  {
    skip: binaries
      ? false
      : 'mariadbd or mariadb-install-db is not installed: the private-server outage test needs them (apt install mariadb-server)',
  },
  () => {
    let server: PrivateMariaDb;
    let scenario: Scenario;
    // before() may fail part-way: after() undoes only what it got to, last first.
    const cleanups: (() => Promise<void>)[] = [];

    before(async () => {
      server = new PrivateMariaDb(binaries!, await freePort());
      cleanups.push(() => server.destroy());
      await server.install();
      await server.start();
      scenario = new Scenario(server.url('eg_faults'), { DB_STATEMENT_TIMEOUT_MS: '2000' });
      cleanups.push(() => scenario.stop());
      await scenario.start();
    });

    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    it('sets the statement timeout MariaDB understands on every pooled connection', async () => {
      const database: Database = openDatabase(server.url('eg_faults'), { poolSize: 1, statementTimeoutMs: 300 });
      try {
        const setting = await sql<{ value: string | number }>`select @@session.max_statement_time as value`.execute(
          database.db,
        );
        assert.equal(Number(setting.rows[0]!.value), 0.3);
        const error = await sql`select sleep(3)`.execute(database.db).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(error, 'a statement running past the timeout is cut');
        assert.equal((error as { errno?: number }).errno, 1969, 'ER_STATEMENT_TIMEOUT (max_statement_time exceeded)');
        assert.ok(isDatabaseOutage(error), 'and reported as an outage (SERVICE_UNAVAILABLE), not a bug');
      } finally {
        await database.destroy();
      }
    });

    it('fails fast with SERVICE_UNAVAILABLE, turns /health 503, recovers on its own, and never half-writes', async () => {
      const baseline = await scenario.plan();
      assert.equal(baseline.errors, undefined, JSON.stringify(baseline.errors));
      const before = baseline.data!.subscriptionPlan!.licenseCounts;

      // Two writers keep multi-row mutations in flight through the whole outage.
      let stopWriters = false;
      const writers = [0, 1].map(async () => {
        while (!stopWriters) await scenario.assignBatch();
      });
      await waitFor('some writes before the outage', () => scenario.okBatches() >= 2);

      const killedAt = Date.now();
      await server.kill();
      const first = await waitFor('the first SERVICE_UNAVAILABLE', async () => {
        const result = await scenario.plan();
        return result.errors?.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE') ? result : undefined;
      });
      const firstErrorMs = Date.now() - killedAt;
      assert.equal(first.data?.subscriptionPlan ?? null, null);
      assertUnavailable(first, ['subscriptionPlan']);
      const during: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const started = Date.now();
        assertUnavailable(await scenario.plan(), ['subscriptionPlan']);
        during.push(Date.now() - started);
      }
      await waitFor('the piece to report 503', async () => (await statusOf(`${scenario.piece.url}/health`)) === 503);

      const restartedAt = Date.now();
      await server.start();
      const dbReadyMs = Date.now() - restartedAt;
      await waitFor(
        'the piece to report healthy',
        async () => (await statusOf(`${scenario.piece.url}/health`)) === 200,
      );
      await waitFor('a read to succeed', async () => (await scenario.plan()).errors === undefined);
      const recoverMs = Date.now() - restartedAt;
      const okBeforeRecovery = scenario.okBatches();
      await waitFor('a write to succeed again', () => scenario.okBatches() > okBeforeRecovery);
      stopWriters = true;
      await Promise.all(writers);

      await scenario.assertNoPartialWrite(before);
      const failed = [...scenario.outcomes.values()].filter((outcome) => outcome !== 'ok');
      assert.ok(
        failed.length > 0 && failed.every((code) => code === 'SERVICE_UNAVAILABLE'),
        `failed writes: ${failed.join(', ')}`,
      );
      console.log(
        `[faults] mariadbd SIGKILL: first SERVICE_UNAVAILABLE ${firstErrorMs} ms after the kill; ` +
          `median answer during the outage ${median(during)} ms; mariadbd ready ${dbReadyMs} ms after restart, ` +
          `piece healthy and answering ${recoverMs} ms after restart; ` +
          `${scenario.outcomes.size} assignLicenses sent (${scenario.okBatches()} ok, ${failed.length} SERVICE_UNAVAILABLE), none half written`,
      );
    });
  },
);

describe('a database that cannot take writes [sqlite]', () => {
  const databaseUrl = freshDatabaseUrl('sqlite');
  const scenario = new Scenario(databaseUrl, { DB_STATEMENT_TIMEOUT_MS: '300' });

  before(() => scenario.start());
  after(async () => {
    await scenario.stop();
    await dropDatabase(databaseUrl);
  });

  it('a write lock held past the busy timeout is SERVICE_UNAVAILABLE, writes nothing, and clears by itself', async () => {
    const baseline = await scenario.plan();
    assert.equal(baseline.errors, undefined, JSON.stringify(baseline.errors));
    const before = baseline.data!.subscriptionPlan!.licenseCounts;
    const location = parseDatabaseUrl(databaseUrl);
    assert.equal(location.dialect, 'sqlite');
    const holder = new SQLite(location.file);
    try {
      holder.exec('BEGIN IMMEDIATE');
      const lockedAt = Date.now();
      const { result } = await scenario.assignBatch();
      const firstErrorMs = Date.now() - lockedAt;
      assertUnavailable(result, ['assignLicenses']);
      // WAL: readers are not blocked by a writer, so reads (and /health) carry on.
      assert.equal((await scenario.plan()).errors, undefined);
      assert.equal(await statusOf(`${scenario.piece.url}/health`), 200);
      holder.exec('ROLLBACK');
      const releasedAt = Date.now();
      await waitFor('a write to succeed again', async () => (await scenario.assignBatch()).result.errors === undefined);
      console.log(
        `[faults] sqlite write lock held: SERVICE_UNAVAILABLE after ${firstErrorMs} ms (busy timeout 300 ms); writes again ${Date.now() - releasedAt} ms after release`,
      );
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
    }
    await scenario.assertNoPartialWrite(before);
  });
});
