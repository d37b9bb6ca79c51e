import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { print } from 'graphql';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AdminDashboardDocument, type AdminDashboardQuery } from '../client/generated/graphql.js';
import { DEMO } from '../lib/demo-ids.js';
import { PROJECT_ROOT } from '../lib/server/subgraph.js';
import { createPolicy, learnerCreditDb } from './support/learner-credit-fixtures.js';
import { freePort, statusOf, waitFor } from './support/processes.js';
import { describeEachDialect, type TestStack } from './support/stack.js';

/**
 * Issue 16: the portal (`npm run web`, a real child process) in Debian's Chromium against a real
 * stack on another origin. What a person sees: the admin's live numbers, an allocation lowering
 * the balance, a learner's enrollment appearing; the browser console stays free of errors.
 */

const SEAL = DEMO.customers.sealTeamTen;
const RESULTS = path.join(PROJECT_ROOT, 'test-results');
/** The launch flags issue 16 names: no sandbox (root in CI), no GPU, no background traffic. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
/** A stand-in for the demo customers' logos on example.com: the test never leaves the machine. */
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#1B365D"/></svg>';

/** Debian's `chromium` on PATH (`.ci/run` installs it with apt-get when missing). */
function chromiumPath(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'chromium');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error('chromium is not on PATH: apt-get install -y --no-install-recommends chromium (as .ci/run does)');
}

/** `npm run web` on a free port against `graphqlUrl`, built into a temp dir; stops with its process group. */
async function startWeb(graphqlUrl: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-web-'));
  const output: string[] = [];
  const child: ChildProcess = spawn('npm', ['run', 'web'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, WEB_PORT: String(port), GRAPHQL_URL: graphqlUrl, WEB_OUT_DIR: outDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm, sh and vite stop together
  });
  const keep = (chunk: Buffer) => output.push(chunk.toString());
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://localhost:${port}/`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    fs.rmSync(outDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'npm run web to serve the portal',
      async () => {
        if (child.exitCode !== null) throw new Error(`npm run web exited ${child.exitCode}:\n${output.join('')}`);
        return (await statusOf(url)) === 200;
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

/** A fresh page that records console errors and uncaught exceptions. */
async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, errors };
}

async function signIn(page: Page, tokenValue: string): Promise<void> {
  await page.getByLabel('Token').fill(tokenValue);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The learner-progress report's size as the graph counts it (the table's caption must agree). */
async function progressCount(stack: TestStack, filter: Record<string, unknown>): Promise<number> {
  const result = await stack.graphql<{ enterpriseCustomer: { learnerProgress: { totalCount: number } } }>(
    'query ($c: ID!, $f: LearnerProgressFilter) { enterpriseCustomer(uuid: $c) { learnerProgress(filter: $f) { totalCount } } }',
    { c: SEAL, f: filter },
    { token: stack.tokens.sealAdmin },
  );
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!.enterpriseCustomer.learnerProgress.totalCount;
}

const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

describeEachDialect('the portal in Chromium', (stack: () => TestStack) => {
  let web: Awaited<ReturnType<typeof startWeb>> | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let assigned: { policyUuid: string; configurationUuid: string };

  before(async () => {
    // Seal Team Ten's demo credit is all direct; assigned credit is what an admin allocates from.
    const fixture = await createPolicy(learnerCreditDb(stack()), {
      customer: SEAL,
      catalog: DEMO.catalogs.sealTeamTenAll,
      policyType: 'AssignedLearnerCreditAccessPolicy',
      balanceCents: 1_000_000,
      spendLimitCents: 1_000_000,
    });
    assigned = { policyUuid: fixture.policyUuid, configurationUuid: fixture.configurationUuid! };
    web = await startWeb(stack().gatewayUrl);
    // playwright's launch() starts Chromium on a fresh, temporary user-data-dir every time.
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_FLAGS });
    context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    await context.route(/^https?:\/\/(?!localhost[:/]|127\.0\.0\.1[:/])/, (route) =>
      route.fulfill({ status: 200, contentType: 'image/svg+xml', body: LOGO }),
    );
    fs.mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it("an admin sees Seal Team Ten's catalogs, policies and plans with the graph's live numbers", async () => {
    const truth = await stack().graphql<AdminDashboardQuery>(
      print(AdminDashboardDocument),
      { customerUuid: SEAL },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(truth.errors, undefined, JSON.stringify(truth.errors));
    const customer = truth.data!.enterpriseCustomer!;
    const { page, errors } = await openPage(context, web!.url);
    await signIn(page, stack().tokens.sealAdmin);
    await page.getByTestId('customer-name').filter({ hasText: 'Seal Team Ten' }).waitFor();

    const catalogs = customer.catalogs!.nodes;
    assert.ok(catalogs.length > 0);
    for (const catalog of catalogs) {
      const row = page.getByTestId('catalogs').getByRole('row').filter({ hasText: catalog.title });
      assert.equal(await row.getByRole('cell').nth(1).textContent(), String(catalog.contents.totalCount));
    }
    const policies = customer.subsidyAccessPolicies!.nodes;
    assert.ok(
      policies.some((p) => p.aggregates.amountRedeemedUsdCents > 0),
      'the demo has redeemed credit to show',
    );
    for (const policy of policies) {
      const card = page.getByTestId(`policy-${policy.uuid}`);
      assert.equal(
        await card.getByTestId('spend-available').textContent(),
        USD.format(policy.aggregates.spendAvailableUsdCents / 100),
      );
      assert.equal(
        await card.getByTestId('redeemed').textContent(),
        USD.format(policy.aggregates.amountRedeemedUsdCents / 100),
      );
      assert.equal(
        await card.getByTestId('allocated').textContent(),
        USD.format(policy.aggregates.amountAllocatedUsdCents / 100),
      );
    }
    const plans = customer.subscriptionPlans!.nodes;
    assert.ok(plans.length > 0);
    for (const plan of plans) {
      const card = page.getByTestId(`plan-${plan.uuid}`);
      assert.equal(await card.getByTestId('licenses-total').textContent(), String(plan.licenseCounts.total));
      assert.equal(await card.getByTestId('licenses-activated').textContent(), String(plan.licenseCounts.activated));
    }
    await page.screenshot({ path: path.join(RESULTS, `web-admin-${stack().dialect}.png`) });
    // The progress table: a status filter narrows it as the graph does, and pages go by cursor.
    const progress = page.getByTestId('progress-table');
    const total = await progressCount(stack(), {});
    const failed = await progressCount(stack(), { progressStatus: 'FAILED' });
    assert.ok(total > 3 && failed > 0 && failed < total, `demo progress rows: ${total} (${failed} failed)`);
    await progress
      .locator('caption')
      .filter({ hasText: exactly(`${total} enrollments`) })
      .waitFor();
    await page.getByLabel('Progress status').selectOption('FAILED');
    await progress
      .locator('caption')
      .filter({ hasText: exactly(`${failed} enrollments`) })
      .waitFor();
    await page.getByLabel('Progress status').selectOption('');
    await page.getByLabel('Rows per page').selectOption('3');
    await page.getByTestId('progress').getByText('Page 1', { exact: true }).waitFor();
    await progress.locator('tbody tr').nth(2).waitFor();
    const firstPage = await progress.locator('tbody tr').allTextContents();
    assert.equal(firstPage.length, 3);
    await page.getByTestId('progress').getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('progress').getByText('Page 2', { exact: true }).waitFor();
    const secondPage = await waitFor('the second page of progress rows', async () => {
      const rows = await progress.locator('tbody tr').allTextContents();
      return rows.length > 0 && !firstPage.includes(rows[0]!) && rows;
    });
    assert.equal(secondPage.length, Math.min(3, total - 3));
    assert.deepEqual(
      secondPage.filter((row) => firstPage.includes(row)),
      [],
    );

    assert.deepEqual(errors, []);
    await page.close();
  });

  it('an admin allocates assigned credit and sees the spend available drop by the price', async () => {
    const course = await stack().graphql<{
      enterpriseCatalog: { contents: { nodes: { key: string; canonicalPriceCents: number }[] } };
    }>(
      `query ($c: ID!) { enterpriseCatalog(uuid: $c) { contents(contentTypes: [COURSE], first: 1) {
        nodes { ... on Course { key canonicalPriceCents } } } } }`,
      { c: DEMO.catalogs.sealTeamTenAll },
    );
    const { key, canonicalPriceCents } = course.data!.enterpriseCatalog.contents.nodes[0]!;
    assert.ok(canonicalPriceCents > 0);
    const { page, errors } = await openPage(context, web!.url);
    await signIn(page, stack().tokens.sealAdmin);
    const card = page.getByTestId(`policy-${assigned.policyUuid}`);
    await card
      .getByTestId('spend-available')
      .filter({ hasText: exactly(USD.format(10_000)) })
      .waitFor();

    await card.getByLabel('Learner emails').fill(`portal-${stack().dialect}@sealteamten.example.com`);
    await card.getByLabel('Content key').fill(key);
    await card.getByLabel('Price (USD)').fill((canonicalPriceCents / 100).toFixed(2));
    await card.getByRole('button', { name: 'Allocate' }).click();

    const after = USD.format((1_000_000 - canonicalPriceCents) / 100);
    await card
      .getByTestId('spend-available')
      .filter({ hasText: exactly(after) })
      .waitFor();
    assert.equal(await card.getByTestId('allocated').textContent(), USD.format(canonicalPriceCents / 100));
    await card
      .getByTestId('assignments')
      .getByRole('row')
      .filter({ hasText: `portal-${stack().dialect}@` })
      .waitFor();
    const graph = await stack().graphql<{ subsidyAccessPolicy: { aggregates: { spendAvailableUsdCents: number } } }>(
      'query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { aggregates { spendAvailableUsdCents } } }',
      { p: assigned.policyUuid },
    );
    assert.equal(graph.data!.subsidyAccessPolicy.aggregates.spendAvailableUsdCents, 1_000_000 - canonicalPriceCents);
    await card.screenshot({ path: path.join(RESULTS, `web-allocate-${stack().dialect}.png`) });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a learner enrolls in a catalog course and sees the new enrollment', async () => {
    const { page, errors } = await openPage(context, web!.url);
    await signIn(page, stack().tokens.sealLearner);
    await page.getByTestId('active-customer').filter({ hasText: 'Seal Team Ten' }).waitFor();
    await page.getByTestId('my-license').filter({ hasText: 'activated' }).waitFor();
    const first = page
      .getByTestId('browse')
      .locator('li')
      .filter({ has: page.getByRole('button', { name: 'Enroll' }) })
      .first();
    const testId = (await first.getAttribute('data-testid'))!;
    const course = page.getByTestId(testId); // the same item once its button is gone
    const courseKey = testId.replace(/^course-/, '');
    const runKey = await stack().graphql<{ course: { advertisedCourseRun: { key: string } } }>(
      'query ($k: String!) { course(key: $k) { advertisedCourseRun { key } } }',
      { k: courseKey },
    );
    const run = runKey.data!.course.advertisedCourseRun.key;
    await course.getByRole('button', { name: 'Enroll' }).click();

    const row = page.getByTestId(`enrollment-${run}`);
    await row.waitFor();
    await course.getByText('Enrolled').waitFor();
    const status = await stack().graphql<{ me: { enrollmentStatus: { isEnrolled: boolean; mode: string } } }>(
      'query ($k: String!) { me { enrollmentStatus(courseRunKey: $k) { isEnrolled mode } } }',
      { k: run },
      { token: stack().tokens.sealLearner },
    );
    assert.equal(status.data!.me.enrollmentStatus.isEnrolled, true);
    assert.equal(await row.getByRole('cell').nth(1).textContent(), status.data!.me.enrollmentStatus.mode);
    await page.screenshot({ path: path.join(RESULTS, `web-learner-${stack().dialect}.png`) });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a token the gateway refuses shows the error code in words, not a blank page', async () => {
    const { page } = await openPage(context, web!.url);
    await signIn(page, 'not-a-token');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /sign in again.*UNAUTHENTICATED/);
    await page.close();
  });
});
