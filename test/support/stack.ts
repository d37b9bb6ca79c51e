import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { mintToken, type MintOptions } from '../../lib/auth/token.js';
import { DEMO } from '../../lib/demo-ids.js';
import { dropDatabase, type DialectName } from '../../lib/db/database.js';
import { startStack, type Stack } from '../../scripts/stack.js';

/** Every integration suite runs once per dialect: the embedded default and real MySQL/MariaDB. */
export const DIALECTS: readonly DialectName[] = ['sqlite', 'mysql'];

// The functional suites fire bursts of concurrent requests (e.g. 104 parallel invite-key creates
// that serialize on one row) on a shared 2-core machine: the production default SUBGRAPH_TIMEOUT_MS
// (5 s) would turn a slow burst into SERVICE_UNAVAILABLE. The fault suites set their own, small one.
process.env.SUBGRAPH_TIMEOUT_MS ??= '30000';

const MYSQL_SERVER = (process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');

/** A fresh database per suite, so suites never collide (and can run in parallel). */
export function freshDatabaseUrl(dialect: DialectName): string {
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  return dialect === 'mysql'
    ? `${MYSQL_SERVER}/eg_test_${suffix}`
    : `sqlite:${path.join(os.tmpdir(), `eg-test-${suffix}.sqlite`)}`;
}

export interface GraphQLResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> & { code?: string } }[];
}

export interface TestStack extends Stack {
  dialect: DialectName;
  databaseUrl: string;
  tokens: Awaited<ReturnType<typeof demoTokens>>;
  /** POSTs an operation to the gateway (or to `url`) over real HTTP. `token: null` sends none. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string | null; url?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResult<T>>;
  /** Statements executed by one subgraph while `fn` runs. */
  countStatements(subgraph: keyof Stack['subgraphs'], fn: () => Promise<unknown>): Promise<number>;
}

/** Tokens for the demo personas. */
export async function demoTokens() {
  const seal = DEMO.customers.sealTeamTen;
  return {
    operator: await mintToken({
      roles: ['enterprise_openedx_operator:*'],
      userId: DEMO.users.operatorId,
      email: DEMO.users.operatorEmail,
    }),
    sealAdmin: await mintToken({
      roles: [`enterprise_admin:${seal}`],
      userId: DEMO.users.adminId,
      email: DEMO.users.adminEmail,
    }),
    sealLearner: await mintToken({
      roles: [`enterprise_learner:${seal}`],
      userId: DEMO.users.learnerId,
      email: DEMO.users.learnerEmail,
    }),
    foreignAdmin: await mintToken({
      roles: [`enterprise_admin:${DEMO.customers.foreign}`],
      userId: 900,
      email: 'admin@umbrella.example.com',
    }),
    /** Admin of each seed-example customer (the policy's, the plan's, the course example's). */
    policyAdmin: await mintToken({
      roles: [`enterprise_admin:${DEMO.customers.policyExample}`],
      userId: 901,
      email: 'admin@bluth.example.com',
    }),
    planAdmin: await mintToken({
      roles: [`enterprise_admin:${DEMO.customers.planExample}`],
      userId: 902,
      email: 'admin@initech.example.com',
    }),
    dusenberyAdmin: await mintToken({
      roles: [`enterprise_admin:${DEMO.customers.dusenberyDevices}`],
      userId: 903,
      email: 'admin@dusenbery.example.com',
    }),
  };
}

export function token(options: MintOptions): Promise<string> {
  return mintToken(options);
}

/** Boots the real stack (four subgraphs + gateway over HTTP) on a new database with the demo data. */
export async function startTestStack(dialect: DialectName): Promise<TestStack> {
  const databaseUrl = freshDatabaseUrl(dialect);
  let stack: Stack;
  try {
    stack = await startStack({ databaseUrl, seed: 'always' });
  } catch (error) {
    await dropDatabase(databaseUrl).catch(() => undefined);
    if (dialect === 'mysql') {
      throw new Error(
        `MySQL/MariaDB is required for the integration suite (TEST_MYSQL_URL=${MYSQL_SERVER}): ${(error as Error).message}`,
        { cause: error },
      );
    }
    throw error;
  }
  const tokens = await demoTokens();
  return {
    ...stack,
    dialect,
    databaseUrl,
    tokens,
    async graphql(query, variables = {}, options = {}) {
      const tokenValue = options.token === undefined ? tokens.operator : options.token;
      const response = await fetch(options.url ?? stack.gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(tokenValue ? { authorization: `JWT ${tokenValue}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResult, 'status'>;
      return { status: response.status, ...body } as GraphQLResult<never>;
    },
    async countStatements(subgraph, fn) {
      const counter = stack.subgraphs[subgraph].app.statements;
      const start = counter.count;
      await fn();
      return counter.count - start;
    },
    async stop() {
      await stack.stop();
      await dropDatabase(databaseUrl);
    },
  };
}

/**
 * Declares `suite` once per dialect with a stack booted before and dropped after.
 * `suite` receives a getter of the stack: call `stack()` inside tests and hooks, once the stack is up.
 */
export function describeEachDialect(
  name: string,
  suite: (stack: () => TestStack) => void,
  options: { beforeStart?: (dialect: DialectName) => void } = {},
): void {
  for (const dialect of DIALECTS) {
    describe(`${name} [${dialect}]`, () => {
      let current: TestStack | undefined;
      before(async () => {
        // Settings the stack reads when it starts (an env var per dialect, say).
        options.beforeStart?.(dialect);
        current = await startTestStack(dialect);
      });
      after(async () => {
        await current?.stop();
      });
      suite(() => {
        if (!current) throw new Error('stack not started');
        return current;
      });
    });
  }
}

/** The error codes of a result, for compact assertions. */
export function errorCodes(result: GraphQLResult<unknown>): string[] {
  return (result.errors ?? []).map((e) => String(e.extensions?.code));
}
