import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect, errorCodes, token } from './support/stack.js';

/** Issue 13 item 5 (seed 004): course modes of runs, enrollment mode and isActive, me.enrollments, enrollmentStatus. */

const SEAL = DEMO.customers.sealTeamTen;
const TR = DEMO.content.courseRunKey;
const DATA_2024 = 'course-v1:HarvardX+DATA100+1T2024';

describeEachDialect('enrollment modes (seed 004)', (stack) => {
  it("lists a run's course modes from its seats", async () => {
    const result = await stack().graphql<{
      courseRun: {
        seats: {
          type: string;
          priceCents: number;
          sku: string | null;
          bulkSku: string | null;
          upgradeDeadline: string | null;
        }[];
        courseModes: Record<string, unknown>[];
      };
    }>(
      'query ($k: String!) { courseRun(key: $k) { seats { type priceCents sku bulkSku upgradeDeadline } courseModes { slug name minPriceCents currency expirationDatetime sku bulkSku description } } }',
      { k: TR },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const { seats, courseModes } = result.data!.courseRun;
    assert.ok(seats.length > 0);
    assert.deepEqual(courseModes.map((m) => m.slug).sort(), seats.map((s) => s.type).sort());
    const verified = courseModes.find((m) => m.slug === 'verified');
    const seat = seats.find((s) => s.type === 'verified');
    if (seat) {
      assert.deepEqual(verified, {
        slug: 'verified',
        name: 'Verified Certificate',
        minPriceCents: seat.priceCents,
        currency: 'usd',
        expirationDatetime: seat.upgradeDeadline,
        sku: seat.sku,
        bulkSku: seat.bulkSku,
        description: null,
      });
    }
  });

  it("shows each enrollment's mode and active flag, and unenrolling deactivates it", async () => {
    const bob = await token({ roles: [`enterprise_learner:${SEAL}`], userId: 5, email: 'bob@sealteamten.example.com' });
    const ME =
      '{ me { enrollments(first: 50) { totalCount nodes { id courseRunKey mode isActive enterpriseCustomerUuid } } } }';
    interface Me {
      me: {
        enrollments: {
          totalCount: number;
          nodes: {
            id: string;
            courseRunKey: string;
            mode: string;
            isActive: boolean;
            enterpriseCustomerUuid: string;
          }[];
        };
      };
    }
    const mine = await stack().graphql<Me>(ME, {}, { token: bob });
    assert.equal(mine.errors, undefined, JSON.stringify(mine.errors));
    const nodes = mine.data!.me.enrollments.nodes;
    assert.ok(nodes.length >= 2);
    assert.ok(nodes.every((n) => n.enterpriseCustomerUuid === SEAL));
    const audit = nodes.find((n) => n.courseRunKey === DATA_2024)!;
    assert.deepEqual({ mode: audit.mode, isActive: audit.isActive }, { mode: 'audit', isActive: true });

    // The learner-summary row reports the enrollment's mode.
    const report = await stack().graphql<{
      enterpriseCustomer: { learnerProgress: { nodes: { courserunKey: string; userCurrentEnrollmentMode: string }[] } };
    }>(
      'query ($c: ID!) { enterpriseCustomer(uuid: $c) { learnerProgress(first: 100) { nodes { courserunKey userCurrentEnrollmentMode } } } }',
      { c: SEAL },
      { token: bob },
    );
    assert.deepEqual(
      report.data!.enterpriseCustomer.learnerProgress.nodes.find((r) => r.courserunKey === DATA_2024)
        ?.userCurrentEnrollmentMode,
      'audit',
    );

    const STATUS =
      'query ($k: String!) { me { enrollmentStatus(courseRunKey: $k) { courseRunKey isEnrolled mode isActive enrollment { id } } } }';
    const before = await stack().graphql(STATUS, { k: DATA_2024 }, { token: bob });
    assert.deepEqual(before.data, {
      me: {
        enrollmentStatus: {
          courseRunKey: DATA_2024,
          isEnrolled: true,
          mode: 'audit',
          isActive: true,
          enrollment: { id: audit.id },
        },
      },
    });

    const unenrolled = await stack().graphql(
      'mutation ($i: UnenrollInput!) { unenroll(input: $i) { enrollment { isActive unenrolled } } }',
      { i: { enrollmentId: audit.id } },
      { token: bob },
    );
    assert.deepEqual(unenrolled.data, { unenroll: { enrollment: { isActive: false, unenrolled: true } } });
    const after = await stack().graphql(STATUS, { k: DATA_2024 }, { token: bob });
    assert.deepEqual(after.data, {
      me: {
        enrollmentStatus: {
          courseRunKey: DATA_2024,
          isEnrolled: false,
          mode: 'audit',
          isActive: false,
          enrollment: { id: audit.id },
        },
      },
    });

    const never = await stack().graphql(STATUS, { k: 'course-v1:nobody+nothing+1T2020' }, { token: bob });
    assert.deepEqual(never.data, {
      me: {
        enrollmentStatus: {
          courseRunKey: 'course-v1:nobody+nothing+1T2020',
          isEnrolled: false,
          mode: null,
          isActive: null,
          enrollment: null,
        },
      },
    });
    assert.deepEqual(errorCodes(await stack().graphql(STATUS, { k: ' ' }, { token: bob })), ['BAD_USER_INPUT']);
  });

  it("lists only the viewer's own enrollments, across its customers", async () => {
    // Alice linked to Bluth Company too and enrolled there: both customers' enrollments are hers.
    await stack().graphql('mutation ($i: EnrollLearnersInput!) { enrollLearners(input: $i) { successes { email } } }', {
      i: {
        enterpriseCustomerUuid: DEMO.customers.policyExample,
        emails: ['alice@sealteamten.example.com'],
        courseRunKeys: [TR],
      },
    });
    const alice = await token({
      roles: [`enterprise_learner:${SEAL}`],
      userId: 4,
      email: 'alice@sealteamten.example.com',
    });
    const result = await stack().graphql<{
      me: { enrollments: { nodes: { enterpriseCustomerUuid: string; learner: { lmsUserId: number } }[] } };
    }>('{ me { enrollments { nodes { enterpriseCustomerUuid learner { lmsUserId } } } } }', {}, { token: alice });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const nodes = result.data!.me.enrollments.nodes;
    assert.ok(nodes.every((n) => n.learner.lmsUserId === 4));
    assert.deepEqual(
      [...new Set(nodes.map((n) => n.enterpriseCustomerUuid))].sort(),
      [DEMO.customers.policyExample, SEAL].sort(),
    );
  });
});
