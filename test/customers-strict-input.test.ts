import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Kysely } from 'kysely';
import { DEMO } from '../lib/demo-ids.js';
import { LC_DEMO } from '../subgraphs/learner-credit/demo/index.js';
import { DEMO_LICENSES } from '../subgraphs/subscriptions/demo/index.js';
import { describeEachDialect, errorCodes, type TestStack } from './support/stack.js';

/** Issue 13 item 8: references checked with their owners, strict ids, dates, course keys, cursors, balances. */

const SEAL = DEMO.customers.sealTeamTen;
const ENROLL =
  'mutation ($input: EnrollLearnersInput!) { enrollLearners(input: $input) { successes { email courseRunKey reason } failures { email reason } } }';

async function rowCounts(stack: TestStack) {
  const db = stack.subgraphs.customers.app.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const count = async (table: string) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    );
  return {
    enrollments: await count('enterprise_course_enrollment'),
    fulfillments: await count('enrollment_fulfillment'),
    pending: await count('pending_enrollment'),
    consents: await count('data_sharing_consent'),
    outbox: await count('customers_outbox'),
  };
}

describeEachDialect('strict references and parsing', (stack) => {
  it("refuses fulfillments naming a missing or another customer's license or transaction, writing nothing", async () => {
    const before = await rowCounts(stack());
    const email = 'alice@sealteamten.example.com';
    const run = 'course-v1:HarvardX+FIH+1T2026';
    const attempt = (fulfillment: Record<string, unknown>) =>
      stack().graphql(
        ENROLL,
        {
          input: {
            enterpriseCustomerUuid: SEAL,
            emails: [email],
            courseRunKeys: [run],
            fulfillments: [{ email, ...fulfillment }],
          },
        },
        { token: stack().tokens.sealAdmin },
      );

    // Initech's license, the example policy's (Bluth Company) transaction: FORBIDDEN for Seal Team Ten.
    assert.deepEqual(
      errorCodes(await attempt({ fulfillmentType: 'LICENSE', licenseUuid: DEMO_LICENSES.peterInitech })),
      ['FORBIDDEN'],
    );
    assert.deepEqual(
      errorCodes(
        await attempt({ fulfillmentType: 'LEARNER_CREDIT', transactionUuid: '7a000000-0000-4000-8000-000000000001' }),
      ),
      ['FORBIDDEN'],
    );
    // Nobody's license or transaction; a license named on a LEARNER_CREDIT fulfillment.
    assert.deepEqual(
      errorCodes(await attempt({ fulfillmentType: 'LICENSE', licenseUuid: '11111111-2222-4333-8444-555555555555' })),
      ['BAD_USER_INPUT'],
    );
    assert.deepEqual(
      errorCodes(
        await attempt({ fulfillmentType: 'LEARNER_CREDIT', transactionUuid: '11111111-2222-4333-8444-555555555555' }),
      ),
      ['BAD_USER_INPUT'],
    );
    assert.deepEqual(
      errorCodes(
        await attempt({
          fulfillmentType: 'LEARNER_CREDIT',
          transactionUuid: LC_DEMO.transactions.sealCommitted,
          licenseUuid: DEMO_LICENSES.aliceSeal,
        }),
      ),
      ['BAD_USER_INPUT'],
    );
    assert.deepEqual(await rowCounts(stack()), before);

    // The customer's own license is accepted and recorded.
    const ok = await attempt({ fulfillmentType: 'LICENSE', licenseUuid: DEMO_LICENSES.aliceSeal });
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    const read = await stack().graphql<{
      enterpriseCustomer: {
        enrollments: { nodes: { learner: { email: string }; fulfillment: { licenseUuid: string } | null }[] };
      };
    }>(
      'query ($c: ID!, $run: String) { enterpriseCustomer(uuid: $c) { enrollments(courseRunKey: $run) { nodes { learner { email } fulfillment { licenseUuid } } } } }',
      { c: SEAL, run },
    );
    assert.deepEqual(
      read.data!.enterpriseCustomer.enrollments.nodes.find((n) => n.learner.email === email)?.fulfillment,
      { licenseUuid: DEMO_LICENSES.aliceSeal },
    );
  });

  it('takes enrollment ids as plain decimal digits only', async () => {
    const SAVE =
      'mutation ($i: SetSavedForLaterInput!) { setSavedForLater(input: $i) { enrollment { id savedForLater } } }';
    for (const enrollmentId of ['0x1', '0b1', '1e3', ' 1', '+1', '01', '1.0', '-1', '9007199254740993']) {
      const result = await stack().graphql(SAVE, { i: { enrollmentId, savedForLater: true } });
      assert.deepEqual(errorCodes(result), ['BAD_USER_INPUT'], enrollmentId);
    }
    const UNENROLL = 'mutation ($i: UnenrollInput!) { unenroll(input: $i) { enrollment { id } } }';
    assert.deepEqual(errorCodes(await stack().graphql(UNENROLL, { i: { enrollmentId: '0x1' } })), ['BAD_USER_INPUT']);
    // Enrollment 1 was never touched.
    const db = stack().subgraphs.customers.app.db as unknown as Kysely<{
      enterprise_course_enrollment: { id: number; savedForLater: unknown; unenrolled: unknown };
    }>;
    const row = await db
      .selectFrom('enterprise_course_enrollment')
      .select(['savedForLater', 'unenrolled'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    assert.equal(Boolean(row.savedForLater), false);
    assert.ok(!row.unenrolled);
    assert.ok('savedForLater' in row);
  });

  it('refuses impossible dates and date-times', async () => {
    const PROGRESS =
      'mutation ($i: RecordLearnerProgressInput!) { recordLearnerProgress(input: $i) { row { lastActivityDate } } }';
    for (const date of ['2020-02-30', '2021-02-29', '2020-13-01', '2020-04-31']) {
      assert.deepEqual(
        errorCodes(await stack().graphql(PROGRESS, { i: { enrollmentId: '1', lastActivityDate: date } })),
        ['BAD_USER_INPUT'],
        date,
      );
    }
    const leap = await stack().graphql(PROGRESS, { i: { enrollmentId: '1', lastActivityDate: '2024-02-29' } });
    assert.equal(leap.errors, undefined, JSON.stringify(leap.errors));
    const KEY = 'mutation ($i: CreateInviteKeyInput!) { createInviteKey(input: $i) { inviteKey { uuid } } }';
    assert.deepEqual(
      errorCodes(
        await stack().graphql(KEY, { i: { enterpriseCustomerUuid: SEAL, expirationDate: '2030-02-30T00:00:00Z' } }),
      ),
      ['BAD_USER_INPUT'],
    );
  });

  it('takes consent only for courses the catalog knows', async () => {
    const before = await rowCounts(stack());
    const SET = 'mutation ($i: SetDataSharingConsentInput!) { setDataSharingConsent(input: $i) { courseKey granted } }';
    const unknown = await stack().graphql(
      SET,
      { i: { enterpriseCustomerUuid: SEAL, courseKey: 'anything+goes', granted: true } },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(errorCodes(unknown), ['BAD_USER_INPUT']);
    assert.deepEqual(await rowCounts(stack()), before);
    const known = await stack().graphql(
      SET,
      { i: { enterpriseCustomerUuid: SEAL, courseKey: DEMO.content.courseKey, granted: true } },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(known.data, { setDataSharingConsent: { courseKey: DEMO.content.courseKey, granted: true } });
  });

  it('refuses malformed and forged cursors', async () => {
    const forge = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
    const ENROLLMENTS =
      'query ($c: ID!, $after: String) { enterpriseCustomer(uuid: $c) { enrollments(first: 2, after: $after) { nodes { id } } } }';
    // An id where a string goes, a string where an id goes, the wrong length, not base64url JSON.
    for (const after of [
      forge(['1']),
      forge([1, 2]),
      forge([null]),
      forge([{ d: '2020-01-01T00:00:00.000Z' }]),
      'not a cursor!',
      forge([]),
      'e30',
    ]) {
      assert.deepEqual(errorCodes(await stack().graphql(ENROLLMENTS, { c: SEAL, after })), ['BAD_USER_INPUT'], after);
    }
    const page = await stack().graphql<{ enterpriseCustomer: { enrollments: { nodes: { id: string }[] } } }>(
      ENROLLMENTS,
      { c: SEAL, after: forge([1]) },
    );
    assert.equal(page.errors, undefined);
    // A date-keyed connection (transactions: created, uuid): an impossible date or a number is refused.
    const TX =
      'query ($p: ID!, $after: String) { subsidyAccessPolicy(uuid: $p) { transactions(first: 2, after: $after) { nodes { uuid } } } }';
    for (const after of [
      forge([{ d: '2024-02-30T10:00:00.000Z' }, 'x']),
      forge([5, 'x']),
      forge(['2024-02-01', 'x']),
    ]) {
      assert.deepEqual(
        errorCodes(await stack().graphql(TX, { p: DEMO.policies.example, after })),
        ['BAD_USER_INPUT'],
        after,
      );
    }
    const issued = await stack().graphql<{
      subsidyAccessPolicy: { transactions: { pageInfo: { endCursor: string } } };
    }>('query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { transactions(first: 2) { pageInfo { endCursor } } } }', {
      p: DEMO.policies.example,
    });
    const next = await stack().graphql<{ subsidyAccessPolicy: { transactions: { nodes: unknown[] } } }>(TX, {
      p: DEMO.policies.example,
      after: issued.data!.subsidyAccessPolicy.transactions.pageInfo.endCursor,
    });
    assert.equal(next.errors, undefined);
    assert.equal(next.data!.subsidyAccessPolicy.transactions.nodes.length, 2);
  });

  it('shows subsidy balances to admins and operators only', async () => {
    const QUERY = 'query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { uuid subsidy { title currentBalanceCents } } }';
    const learner = await stack().graphql(
      QUERY,
      { p: LC_DEMO.policies.sealSpend },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(errorCodes(learner), ['FORBIDDEN']);
    const ledger = await stack().graphql(
      'query ($p: ID!) { subsidyAccessPolicy(uuid: $p) { subsidy { ledger { balanceCents } } } }',
      { p: LC_DEMO.policies.sealSpend },
      { token: stack().tokens.sealLearner },
    );
    assert.deepEqual(errorCodes(ledger), ['FORBIDDEN']);
    const admin = await stack().graphql<{ subsidyAccessPolicy: { subsidy: { currentBalanceCents: number } } }>(
      QUERY,
      { p: LC_DEMO.policies.sealSpend },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(admin.errors, undefined);
    assert.equal(typeof admin.data!.subsidyAccessPolicy.subsidy.currentBalanceCents, 'number');
  });
});
