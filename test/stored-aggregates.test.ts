import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { DEMO } from '../lib/demo-ids.js';
import { checkAllAggregates } from '../scripts/aggregates.js';
import { countCatalogContent, insertMissingContent } from '../subgraphs/catalog/store/index.js';
import type { CatalogDatabase } from '../subgraphs/catalog/tables.js';
import type { SubscriptionsDatabase } from '../subgraphs/subscriptions/tables.js';
import { assertAggregatesConsistent } from './support/aggregates.js';
import { addAssignment, addTransaction, createPolicy, learnerCreditDb } from './support/learner-credit-fixtures.js';
import { describeEachDialect, type TestStack } from './support/stack.js';

// The date-boundary refresh is waited on, not slept for: poll it often in this suite's stack.
process.env.CATALOG_REFRESH_POLL_MS = '200';

const run = promisify(execFile);
const SEAL = DEMO.customers.sealTeamTen;

/** `npm run db:check-aggregates` against the suite's database, as an operator runs it. */
async function checkScript(stack: TestStack, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run('npx', [
      'tsx',
      'scripts/check-aggregates.ts',
      '--database',
      stack.databaseUrl,
      ...args,
    ]);
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, out: failed.stdout ?? '' };
  }
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeEachDialect('stored aggregates', (stack) => {
  it('match their recomputation from the rows after the demo load and the fixtures the suites write', async () => {
    const lc = learnerCreditDb(stack());
    const policy = await createPolicy(lc, {
      customer: SEAL,
      catalog: DEMO.catalogs.sealTeamTenAll,
      policyType: 'AssignedLearnerCreditAccessPolicy',
      balanceCents: 50_000,
      spendLimitCents: 40_000,
    });
    await addAssignment(lc, policy.configurationUuid!, {
      email: 'a@example.com',
      contentKey: 'edX+DemoX',
      priceCents: 900,
    });
    await addAssignment(lc, policy.configurationUuid!, {
      email: 'b@example.com',
      contentKey: 'edX+DemoX',
      priceCents: 700,
      state: 'CANCELLED',
    });
    await addTransaction(lc, policy, { lmsUserId: 3, contentKey: 'edX+DemoX', quantity: -1200, state: 'COMMITTED' });
    await addTransaction(lc, policy, { lmsUserId: 4, contentKey: 'edX+DemoX', quantity: -300, state: 'FAILED' });
    const [ledger] = await lc.selectFrom('ledger').selectAll().where('uuid', '=', policy.ledgerUuid).execute();
    const [row] = await lc
      .selectFrom('subsidy_access_policy')
      .selectAll()
      .where('uuid', '=', policy.policyUuid)
      .execute();
    assert.deepEqual(
      {
        balance: Number(ledger!.balanceCents),
        redeemed: Number(row!.redeemedCents),
        allocated: Number(row!.allocatedCents),
      },
      { balance: 50_000 - 1200, redeemed: -1200, allocated: -900 },
    );
    await assertAggregatesConsistent(stack());
  });

  it('db:check-aggregates reports a corrupted aggregate of each subgraph, and --repair rewrites it from the rows', async () => {
    const db = stack().database.db;
    const ledger = await learnerCreditDb(stack())
      .selectFrom('ledger')
      .select('uuid')
      .limit(1)
      .executeTakeFirstOrThrow();
    const plan = await (db as Kysely<SubscriptionsDatabase>)
      .selectFrom('subscription_plan')
      .select('uuid')
      .limit(1)
      .executeTakeFirstOrThrow();
    await db.updateTable('ledger').set({ balanceCents: -12_345 }).where('uuid', '=', ledger.uuid).execute();
    await db.updateTable('subscription_plan').set({ revokedLicenses: 999 }).where('uuid', '=', plan.uuid).execute();
    await db
      .updateTable('learner_progress_count')
      .set({ linkedRows: 777 })
      .where('enterpriseCustomerUuid', '=', SEAL)
      .execute();
    await db
      .updateTable('catalog_content_count')
      .set({ activeItems: 555 })
      .where('catalogUuid', '=', DEMO.catalogs.sealTeamTenAll)
      .execute();

    const found = await checkAllAggregates(db);
    const seen = (aggregate: string, key: string, stored: number) =>
      found.some((d) => d.aggregate === aggregate && d.key.startsWith(key) && d.stored === stored);
    assert.ok(seen('ledger.balance_cents', ledger.uuid, -12_345), JSON.stringify(found));
    assert.ok(seen('subscription_plan.revoked_licenses', plan.uuid, 999), JSON.stringify(found));
    assert.ok(seen('learner_progress_count.linked_rows', SEAL, 777), JSON.stringify(found));
    assert.ok(seen('catalog_content_count.active_items', DEMO.catalogs.sealTeamTenAll, 555), JSON.stringify(found));

    const checked = await checkScript(stack());
    assert.equal(checked.code, 1);
    assert.match(
      checked.out,
      new RegExp(`learner-credit: ledger.balance_cents \\[${ledger.uuid}\\] stored -12345, actual \\d+`),
    );
    assert.match(checked.out, /subscriptions: subscription_plan.revoked_licenses .* stored 999/);

    const repaired = await checkScript(stack(), '--repair');
    assert.equal(repaired.code, 0, repaired.out);
    assert.match(repaired.out, /Repaired \d+ stored aggregate/);
    await assertAggregatesConsistent(stack());
    assert.equal((await checkScript(stack())).code, 0);
  });

  it('a run whose end passes leaves the catalog counts after the scheduled refresh, with no write', async () => {
    const db = stack().database.db as Kysely<CatalogDatabase>;
    const now = new Date();
    const catalogUuid = randomUUID();
    const courseKey = `AggX+End${catalogUuid.slice(0, 6)}`;
    const runKey = `course-v1:${courseKey}+1T2026`;
    // Ends a moment from now: active at the load, archived by the clock soon after.
    const end = new Date(now.getTime() + 1500);
    await insertMissingContent(db, {
      catalogs: [
        {
          uuid: catalogUuid,
          title: 'Ends soon',
          enterpriseCustomerUuid: SEAL,
          catalogQueryUuid: null,
          queryTitle: null,
          contentFilter: null,
          includeExecEdCourses: null,
          enabledCourseModes: null,
          publishAuditEnrollmentUrls: false,
          created: now,
          modified: now,
        },
      ],
      organizations: [],
      subjects: [],
      courses: [
        {
          uuid: randomUUID(),
          key: courseKey,
          title: 'Ends soon',
          shortDescription: null,
          marketingUrl: null,
          advertisedCourseRunUuid: null,
          entitlements: null,
          metadata: null,
          created: now,
          modified: now,
        },
      ],
      runs: [
        {
          uuid: randomUUID(),
          key: runKey,
          courseKey,
          title: 'Ends soon',
          shortDescription: null,
          marketingUrl: null,
          start: new Date(now.getTime() - 86_400_000),
          end,
          enrollmentStart: null,
          enrollmentEnd: null,
          status: 'published',
          isMarketable: true,
          hidden: false,
          seats: null,
          metadata: null,
          created: now,
          modified: now,
        },
      ],
      programs: [],
      owners: [],
      courseSubjects: [],
      programCourses: [],
      programAuthors: [],
      membership: [
        { catalogUuid, contentType: 'course', contentKey: courseKey, parentContentKey: null },
        { catalogUuid, contentType: 'courserun', contentKey: runKey, parentContentKey: courseKey },
      ],
    });
    const total = async () => (await countCatalogContent(db, [catalogUuid], {}, new Date())).get(catalogUuid) ?? 0;
    // The poller may already have run past `end` on a slow machine; otherwise both items count.
    const before = await total();
    if (Date.now() < end.getTime()) assert.equal(before, 2);
    assert.equal(await waitFor('active items after the end passed', total, (n) => n === 0), 0);
    await assertAggregatesConsistent(stack());
  });
});
