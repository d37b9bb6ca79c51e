import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { settings } from '../lib/config.js';
import { DEMO } from '../lib/demo-ids.js';
import { emailChannel, fromAddress } from '../lib/deliveries/email.js';
import { brandColor, escapeHtml, formatDate, portalLink, safeUrl, type EmailCustomer } from '../lib/email/layout.js';
import { assignmentAllocatedEmail, enrollmentNotificationEmail, licenseAssignedEmail } from '../lib/email/templates.js';
import { DeliveryRelay } from '../lib/deliveries/relay.js';
import { addRelayColumns, relaySettings, wakeOutboxRelays } from '../lib/outbox-relay.js';
import {
  createDeliveryTable,
  createOutboxTable,
  enqueueEvents,
  type OutboxDeliveryTable,
  type OutboxTable,
} from '../lib/outbox.js';
import { warnExpiringAssignments } from '../subgraphs/learner-credit/expiry.js';
import { emailRoutes as subscriptionsEmailRoutes } from '../subgraphs/subscriptions/emails.js';
import { EventType } from '../subgraphs/subscriptions/events.js';
import { createPolicy, learnerCreditDb } from './support/learner-credit-fixtures.js';
import { describeEachDialect, type TestStack } from './support/stack.js';
import { createTestPlan, planLicenses, subscriptionsDb } from './support/subscriptions-fixtures.js';

// ---------------------------------------------------------------------------------------------
// The templates on plain data

describe('email templates (plain data)', () => {
  const customer: EmailCustomer = {
    name: 'Bluth <Company> & Sons',
    slug: 'bluth',
    contactEmail: 'hr@bluth.example.com',
    senderAlias: 'Bluth Learning',
    replyTo: 'learning@bluth.example.com',
    logoUrl: 'javascript:alert(1)',
    primaryColor: 'red; background:url(x)',
  };

  it('escapes every value in the HTML part, drops unsafe logo URLs and colours, keeps the text part plain', () => {
    const mail = assignmentAllocatedEmail({
      learnerEmail: 'gob@bluth.example.com',
      customer,
      contentTitle: 'Magic <script>alert(1)</script>',
      priceCents: 9_950,
      allocatedAt: new Date('2026-12-03T23:30:00Z'),
      expiresAt: new Date('2027-03-03T00:00:00Z'),
      portalUrl: portalLink('https://portal.example.com/', 'bluth'),
    });
    assert.equal(mail.to, 'gob@bluth.example.com');
    assert.equal(mail.fromName, 'Bluth Learning');
    assert.equal(mail.replyTo, 'learning@bluth.example.com');
    assert.ok(!mail.html.includes('<script>'));
    assert.ok(mail.html.includes('Magic &lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(mail.html.includes('Bluth &lt;Company&gt; &amp; Sons'));
    assert.ok(!mail.html.includes('javascript:'));
    assert.ok(mail.html.includes('background:#2D494E'), 'an invalid colour falls back to the default');
    assert.ok(mail.text.includes('Course: Magic <script>alert(1)</script>'));
    assert.ok(mail.text.includes('Paid by your organization: $99.50'));
    assert.ok(mail.text.includes('Assigned on: 3 December 2026'), 'dates are UTC');
    assert.ok(mail.text.includes('Enroll by: 3 March 2027'));
    assert.ok(mail.text.includes('Go to your learner portal: https://portal.example.com/bluth'));
    assert.ok(mail.text.includes('Questions? Contact hr@bluth.example.com.'));
  });

  it('licenses: the default greeting and closing when the admin gave none; enrollment: no name, no start', () => {
    const license = licenseAssignedEmail({
      userEmail: 'a@example.com',
      customer: { name: 'Initech', slug: 'initech' },
      planTitle: 'Initech 2026',
      planExpiration: null,
      activationUrl: portalLink('https://p.example.com', 'initech', 'licenses', 'k 1', 'activate'),
      greeting: '  ',
      closing: null,
    });
    assert.ok(license.text.startsWith('Hello,\n'));
    assert.ok(license.text.includes('Happy learning!'));
    assert.ok(license.text.includes('https://p.example.com/initech/licenses/k%201/activate'));
    assert.ok(!license.text.includes('Available until'));
    assert.equal(license.fromName, null);
    const enrollment = enrollmentNotificationEmail({
      email: 'b@example.com',
      userName: null,
      customer: { name: 'Initech', slug: 'initech', primaryColor: '#abcdef' },
      courseName: 'TPS Reports',
      start: null,
      enrollmentUrl: 'https://p.example.com/initech/course/initech+TPS',
    });
    assert.equal(enrollment.subject, "You've been enrolled in TPS Reports!");
    assert.ok(enrollment.text.startsWith('Hello,\n'));
    assert.ok(enrollment.text.includes('has enrolled you in the course "TPS Reports".'));
    assert.ok(enrollment.html.includes('background:#abcdef'));
  });

  it('helpers: colours, URLs, dates, portal links, the From address', () => {
    assert.equal(brandColor('#123abc'), '#123abc');
    assert.equal(brandColor(null), '#2D494E');
    assert.equal(safeUrl('https://x.example.com/a.png'), 'https://x.example.com/a.png');
    assert.equal(safeUrl('data:image/png;base64,xx'), null);
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(formatDate('2026-01-05T00:00:00Z'), '5 January 2026');
    assert.equal(formatDate(null), null);
    assert.equal(portalLink('https://p/', 'seal', 'course', 'edX+DemoX'), 'https://p/seal/course/edX+DemoX');
    assert.deepEqual(fromAddress('Enterprise <no-reply@e.example.com>', 'Seal Academy'), {
      name: 'Seal Academy',
      address: 'no-reply@e.example.com',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// A real SMTP server (smtp-server), parsed with mailparser; set up before any stack reads the env.

const received: ParsedMail[] = [];
/** Recipients the server refuses at RCPT TO (a failing mail server for them). */
const rejected = new Set<string>();
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onRcptTo(address, _session, callback) {
    if (rejected.has(address.address.toLowerCase())) {
      const error = new Error('Mailbox unavailable: try again later') as Error & { responseCode: number };
      error.responseCode = 450;
      callback(error);
      return;
    }
    callback();
  },
  onData(stream, _session, callback) {
    simpleParser(stream)
      .then((mail) => {
        received.push(mail);
        callback();
      })
      .catch((error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)));
      });
  },
});
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
const smtpPort = (smtp.server.address() as AddressInfo).port;
process.env.SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
process.env.EMAIL_FROM = 'Enterprise Learning <no-reply@enterprise.example.com>';
// Failures are retried fast and given up after 3 attempts in this file.
process.env.OUTBOX_RELAY_BACKOFF_MS = '50';
process.env.OUTBOX_RELAY_MAX_BACKOFF_MS = '200';
process.env.OUTBOX_RELAY_MAX_ATTEMPTS = '3';
process.env.OUTBOX_RELAY_POLL_MS = '200';

after(async () => {
  await new Promise<void>((resolve) => {
    smtp.close(() => {
      resolve();
    });
  });
});

/** Counted by kind, for the report. */
const tally = new Map<string, number>();
function count(kind: string): void {
  tally.set(kind, (tally.get(kind) ?? 0) + 1);
}
after(() => {
  console.log(`[deliveries-email] received ${received.length}: ${JSON.stringify(Object.fromEntries(tally))}`);
});

/** Polls `probe` until it returns a value; fails after ~20 s. */
async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function recipient(mail: ParsedMail): string {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return to?.value[0]?.address?.toLowerCase() ?? '';
}

/** The first email to `to` whose subject matches. */
function mailTo(to: string, subject: RegExp): Promise<ParsedMail> {
  return eventually<ParsedMail>(`an email "${String(subject)}" to ${to}`, () =>
    received.find((m) => recipient(m) === to && subject.test(m.subject ?? '')),
  );
}

function mailsTo(to: string): ParsedMail[] {
  return received.filter((m) => recipient(m) === to);
}

async function ok<T>(stack: TestStack, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const result = await stack.graphql<T>(query, variables, token ? { token } : {});
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!;
}

/** A delivery row as the test reads it (`<outbox>_delivery`). */
type DeliveryRow = Omit<OutboxDeliveryTable, 'seq'> & { seq: number };
type AnyDb = Kysely<Record<string, DeliveryRow>>;

/** The email deliveries of one subgraph's events about `aggregateKey`. */
async function emailDeliveries(stack: TestStack, outbox: string, aggregateKey: string): Promise<DeliveryRow[]> {
  const db = stack.database.db as unknown as AnyDb;
  return db
    .selectFrom(`${outbox}_delivery`)
    .selectAll()
    .where('channel', '=', 'email')
    .where('aggregateKey', '=', aggregateKey)
    .orderBy('seq')
    .execute();
}

async function slugOf(stack: TestStack, customer: string): Promise<string> {
  const data = await ok<{ enterpriseCustomer: { slug: string } }>(
    stack,
    'query ($c: ID!) { enterpriseCustomer(uuid: $c) { slug } }',
    { c: customer },
  );
  return data.enterpriseCustomer.slug;
}

const BLUTH = DEMO.customers.policyExample;
const SEAL = DEMO.customers.sealTeamTen;
const COURSE = DEMO.content.courseKey; // "Trench Run 10", canonical price 10000 cents
const FIH = 'course-v1:HarvardX+FIH+1T2026';

const ALLOCATE = `mutation ($input: AllocateAssignmentsInput!) {
  allocateAssignments(input: $input) { created { uuid learnerEmail assignmentConfigurationUuid } }
}`;
const REMIND = `mutation ($input: RemindAssignmentsInput!) { remindAssignments(input: $input) { reminded { uuid } } }`;
const CANCEL = `mutation ($input: CancelAssignmentsInput!) { cancelAssignments(input: $input) { cancelled { uuid } } }`;
const ASSIGN = `mutation ($input: AssignLicensesInput!) {
  assignLicenses(input: $input) { licenseAssignments { userEmail licenseUuid } }
}`;
const REMIND_LICENSES = `mutation ($input: RemindLicensesInput!) {
  remindLicenses(input: $input) { remindedLicenses { uuid status lastRemindDate } }
}`;
const REVOKE = `mutation ($input: BulkRevokeLicensesInput!) {
  bulkRevokeLicenses(input: $input) { revokedLicenses { licenseUuid } }
}`;
const UPDATE_CUSTOMER = `mutation ($i: UpdateEnterpriseCustomerInput!) {
  updateEnterpriseCustomer(input: $i) { enterpriseCustomer { uuid } }
}`;
const ENROLL = `mutation ($input: EnrollLearnersInput!) {
  enrollLearners(input: $input) { successes { email courseRunKey reason } }
}`;

describeEachDialect('email over SMTP: templates delivered to a real SMTP server', (stack) => {
  const unique = (name: string) => `${name}.${randomUUID().slice(0, 8)}@example.com`;

  async function allocateOne(email: string) {
    const policy = await createPolicy(learnerCreditDb(stack()), {
      customer: BLUTH,
      catalog: DEMO.catalogs.policyExample,
      policyType: 'AssignedLearnerCreditAccessPolicy',
      balanceCents: 1_000_000,
      spendLimitCents: 1_000_000,
    });
    const data = await ok<{
      allocateAssignments: { created: { uuid: string; assignmentConfigurationUuid: string }[] };
    }>(
      stack(),
      ALLOCATE,
      {
        input: { policyUuid: policy.policyUuid, learnerEmails: [email], contentKey: COURSE, contentPriceCents: 9_900 },
      },
      stack().tokens.policyAdmin,
    );
    return data.allocateAssignments.created[0]!;
  }

  it('allocate, remind, cancel: the learner receives each email with the course title, the price and the portal link', async () => {
    const email = unique('allocated');
    const assignment = await allocateOne(email);
    const portal = `${settings.learnerPortalUrl()}/${await slugOf(stack(), BLUTH)}`;

    const allocated = await mailTo(email, /assigned you "Trench Run 10"/);
    count('assignment allocated');
    assert.match(allocated.text ?? '', /Course: Trench Run 10/);
    assert.match(allocated.text ?? '', /\$99\.00/);
    assert.match(allocated.text ?? '', /Assigned on: \d{1,2} \w+ \d{4}/);
    assert.match(allocated.text ?? '', /Enroll by: \d{1,2} \w+ \d{4}/);
    assert.ok((allocated.text ?? '').includes(portal), allocated.text);
    assert.ok(String(allocated.html).includes(`href="${portal}"`));
    assert.equal(allocated.from?.value[0]?.address, 'no-reply@enterprise.example.com');
    assert.equal(
      allocated.headers.get('x-enterprise-event'),
      'org.openedx.enterprise.learner_content_assignment.allocated.v1',
    );

    const input = {
      assignmentConfigurationUuid: assignment.assignmentConfigurationUuid,
      assignmentUuids: [assignment.uuid],
    };
    await ok(stack(), REMIND, { input }, stack().tokens.policyAdmin);
    const reminder = await mailTo(email, /^Reminder: "Trench Run 10"/);
    count('assignment reminded');
    assert.ok((reminder.text ?? '').includes(portal));

    await ok(stack(), CANCEL, { input }, stack().tokens.policyAdmin);
    const cancelled = await mailTo(email, /was cancelled/);
    count('assignment cancelled');
    assert.match(cancelled.text ?? '', /cancelled your assignment of the course "Trench Run 10"/);

    const deliveries = await eventually('three delivered emails', async () => {
      const rows = await emailDeliveries(stack(), 'learner_credit_outbox', assignment.uuid);
      return rows.length === 3 && rows.every((r) => r.status === 'DELIVERED') && rows;
    });
    assert.deepEqual(
      deliveries.map((d) => d.attempts),
      [0, 0, 0],
    );
    assert.equal(mailsTo(email).length, 3);
  });

  it('warns once about an allocation close to its expiration (the expiring-soon email)', async () => {
    const email = unique('expiring');
    const assignment = await allocateOne(email);
    await mailTo(email, /assigned you/);
    const db = learnerCreditDb(stack());
    const row = await db
      .selectFrom('learner_content_assignment')
      .select('allocatedAt')
      .where('uuid', '=', assignment.uuid)
      .executeTakeFirstOrThrow();
    const allocatedAt = new Date(row.allocatedAt);
    // 88 days later, the 90-day timeout is 2 days away: within the 3-day warning.
    const now = new Date(allocatedAt.getTime() + 88 * 24 * 60 * 60_000);
    assert.ok((await warnExpiringAssignments(db, { now, settings: { withinDays: 3 } })) >= 1);
    assert.equal(
      (await emailDeliveries(stack(), 'learner_credit_outbox', assignment.uuid)).filter((d) =>
        d.eventType.endsWith('.expiring.v1'),
      ).length,
      1,
    );
    // A second pass warns nobody again.
    await warnExpiringAssignments(db, { now, settings: { withinDays: 3 } });
    const expiring = await mailTo(email, /expires on/);
    count('assignment expiring soon');
    assert.match(expiring.subject ?? '', /"Trench Run 10" expires on \d{1,2} \w+ \d{4}/);
    assert.match(expiring.text ?? '', /Enroll now: https?:\/\//);
    assert.equal(
      (await emailDeliveries(stack(), 'learner_credit_outbox', assignment.uuid)).filter((d) =>
        d.eventType.endsWith('.expiring.v1'),
      ).length,
      1,
    );
  });

  it('assignLicenses with greeting and closing sends the activation link; remind and revoke send theirs; notifyUsers false sends nothing', async () => {
    const plan = await createTestPlan(stack(), { unassigned: 3, title: 'Seal Team Ten Learning 2026' });
    const email = unique('licensed');
    const quiet = unique('quiet');
    await ok(
      stack(),
      ASSIGN,
      {
        input: {
          subscriptionPlanUuid: plan.uuid,
          userEmails: [email],
          greeting: 'Welcome aboard, sailor!',
          closing: 'Fair winds, the Seal Team Ten L&D team',
        },
      },
      stack().tokens.sealAdmin,
    );
    const silent = await ok<{ assignLicenses: { licenseAssignments: { licenseUuid: string }[] } }>(
      stack(),
      ASSIGN,
      { input: { subscriptionPlanUuid: plan.uuid, userEmails: [quiet], notifyUsers: false } },
      stack().tokens.sealAdmin,
    );
    const license = (await planLicenses(stack(), plan.uuid)).find((l) => l.userEmail === email)!;
    const activation = `${settings.learnerPortalUrl()}/${await slugOf(stack(), SEAL)}/licenses/${license.activationKey}/activate`;

    const assigned = await mailTo(email, /^Activate your/);
    count('license assigned');
    const text = assigned.text ?? '';
    assert.ok(text.startsWith('Welcome aboard, sailor!'), text);
    assert.match(text, /Fair winds, the Seal Team Ten L&D team/);
    assert.match(text, /"Seal Team Ten Learning 2026"/);
    assert.ok(text.includes(`Activate your license: ${activation}`), text);
    assert.ok(String(assigned.html).includes('Fair winds, the Seal Team Ten L&amp;D team'));

    // notifyUsers false: no email event was written with the assignment, so nothing is pending or sent.
    const quietLicense = silent.assignLicenses.licenseAssignments[0]!.licenseUuid;
    assert.deepEqual(await emailDeliveries(stack(), 'subscriptions_outbox', quietLicense), []);

    const reminded = await ok<{
      remindLicenses: { remindedLicenses: { uuid: string; status: string; lastRemindDate: string }[] };
    }>(
      stack(),
      REMIND_LICENSES,
      { input: { subscriptionPlanUuid: plan.uuid, userEmails: [email.toUpperCase()], greeting: 'Ahoy again,' } },
      stack().tokens.sealAdmin,
    );
    assert.deepEqual(
      reminded.remindLicenses.remindedLicenses.map((l) => [l.uuid, l.status]),
      [[license.uuid, 'ASSIGNED']],
    );
    const reminder = await mailTo(email, /^Reminder: activate/);
    count('license reminded');
    assert.ok((reminder.text ?? '').startsWith('Ahoy again,'));
    assert.ok((reminder.text ?? '').includes(activation));

    await ok(
      stack(),
      REVOKE,
      { input: { subscriptionPlanUuid: plan.uuid, userEmails: [email] } },
      stack().tokens.sealAdmin,
    );
    const revoked = await mailTo(email, /was revoked/);
    count('license revoked');
    assert.match(revoked.text ?? '', /revoked your license to the "Seal Team Ten Learning 2026" subscription/);

    const delivered = await eventually('the license emails delivered', async () => {
      const rows = await emailDeliveries(stack(), 'subscriptions_outbox', license.uuid);
      return rows.length === 3 && rows.every((r) => r.status === 'DELIVERED') && rows;
    });
    assert.equal(delivered.length, 3);
    assert.equal(mailsTo(quiet).length, 0);
  });

  it('remindLicenses refuses emails without an ASSIGNED license, writing nothing', async () => {
    const plan = await createTestPlan(stack(), {
      unassigned: 1,
      holders: [{ email: 'active.one@example.com', status: 'ACTIVATED', lmsUserId: 3 }],
    });
    const missing = await stack().graphql(
      REMIND_LICENSES,
      { input: { subscriptionPlanUuid: plan.uuid, userEmails: ['nobody@example.com'] } },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(missing.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const activated = await stack().graphql(
      REMIND_LICENSES,
      { input: { subscriptionPlanUuid: plan.uuid, userEmails: ['active.one@example.com'] } },
      { token: stack().tokens.sealAdmin },
    );
    assert.equal(activated.errors?.[0]?.extensions?.code, 'CONFLICT');
    const foreign = await stack().graphql(
      REMIND_LICENSES,
      { input: { subscriptionPlanUuid: plan.uuid, userEmails: ['active.one@example.com'] } },
      { token: stack().tokens.foreignAdmin },
    );
    assert.equal(foreign.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });

  it('enrollLearners(notify: true) sends the enrollment notification: course name, start date, sender alias, reply-to, branding colour', async () => {
    await ok(stack(), UPDATE_CUSTOMER, {
      i: {
        enterpriseCustomerUuid: SEAL,
        senderAlias: 'Seal Academy',
        replyTo: 'learning@sealteamten.example.com',
        brandingConfiguration: { primaryColor: '#123ABC', logoUrl: 'https://cdn.example.com/seal.png' },
      },
    });
    const email = 'alice@sealteamten.example.com';
    const result = await ok<{ enrollLearners: { successes: { reason: string }[] } }>(
      stack(),
      ENROLL,
      { input: { enterpriseCustomerUuid: SEAL, emails: [email], courseRunKeys: [FIH], notify: true } },
      stack().tokens.sealAdmin,
    );
    assert.deepEqual(
      result.enrollLearners.successes.map((s) => s.reason),
      ['enrolled'],
    );
    const mail = await mailTo(email, /^You've been enrolled in /);
    count('enrollment notification');
    assert.equal(mail.from?.value[0]?.name, 'Seal Academy');
    assert.equal(mail.from.value[0].address, 'no-reply@enterprise.example.com');
    assert.equal(mail.replyTo?.value[0]?.address, 'learning@sealteamten.example.com');
    const text = mail.text ?? '';
    const course = /enrolled you in the course "([^"]+)", which starts on (\d{1,2} \w+ \d{4})/.exec(text);
    assert.ok(course, text);
    assert.equal(mail.subject, `You've been enrolled in ${course[1]}!`);
    assert.match(text, /Go to the course: https?:\/\/\S+/);
    const html = String(mail.html);
    assert.ok(html.includes('background:#123ABC'), 'the HTML part carries the branding colour');
    assert.ok(html.includes('src="https://cdn.example.com/seal.png"'), 'and the logo');
  });

  it('a failing SMTP server: attempts with backoff, then FAILED with the last error; a retry after it recovers delivers', async () => {
    const plan = await createTestPlan(stack(), { unassigned: 1 });
    const email = unique('bounce');
    rejected.add(email);
    const data = await ok<{ assignLicenses: { licenseAssignments: { licenseUuid: string }[] } }>(
      stack(),
      ASSIGN,
      { input: { subscriptionPlanUuid: plan.uuid, userEmails: [email] } },
      stack().tokens.sealAdmin,
    );
    const licenseUuid = data.assignLicenses.licenseAssignments[0]!.licenseUuid;
    const failed = await eventually('the delivery FAILED', async () => {
      const [row] = await emailDeliveries(stack(), 'subscriptions_outbox', licenseUuid);
      return row?.status === 'FAILED' && row;
    });
    assert.equal(failed.attempts, relaySettings().maxAttempts);
    assert.equal(failed.attempts, 3);
    assert.match(failed.lastError ?? '', /Mailbox unavailable/);
    assert.equal(mailsTo(email).length, 0);

    // The server recovers; the retry (what `npm run outbox:failed -- --retry` does) sends it once.
    rejected.delete(email);
    const db = stack().database.db as unknown as AnyDb;
    await db
      .updateTable('subscriptions_outbox_delivery')
      .set({ status: 'PENDING', attempts: 0, nextAttemptAt: null, lastError: null })
      .where('seq', '=', failed.seq)
      .execute();
    wakeOutboxRelays();
    await mailTo(email, /^Activate your/);
    count('license assigned (after retry)');
    const delivered = await eventually('the delivery DELIVERED', async () => {
      const [row] = await emailDeliveries(stack(), 'subscriptions_outbox', licenseUuid);
      return row?.status === 'DELIVERED' && row;
    });
    assert.equal(delivered.lastError, null);
    assert.equal(mailsTo(email).length, 1);
  });

  it('without SMTP_URL an email is logged and its delivery SKIPPED, nothing left pending', async () => {
    // A relay of its own over an outbox of its own, with the email channel configured without SMTP_URL.
    const db = stack().database.db;
    const table = `email_nosmtp_${randomUUID().slice(0, 8)}_outbox`;
    await createOutboxTable(db, table);
    await addRelayColumns(db, table);
    await createDeliveryTable(db, table);
    const plan = await createTestPlan(stack(), { unassigned: 1 });
    const email = unique('nosmtp');
    await enqueueEvents(
      db as unknown as Kysely<Record<string, OutboxTable>>,
      table,
      [
        {
          eventType: EventType.ASSIGNMENT_EMAIL_REQUESTED,
          aggregateKey: randomUUID(),
          payload: {
            license_uuid: randomUUID(),
            subscription_plan_uuid: plan.uuid,
            enterprise_customer_uuid: SEAL,
            user_email: email,
            activation_key: randomUUID(),
            greeting: null,
            closing: null,
          },
        },
      ],
      { [EventType.ASSIGNMENT_EMAIL_REQUESTED]: ['email'] },
    );
    const channel = emailChannel('subscriptions', subscriptionsEmailRoutes(subscriptionsDb(stack())), {
      url: undefined,
      from: 'x <no-reply@example.com>',
      timeoutMs: 1000,
    });
    const relay = new DeliveryRelay(db, table, channel, { ...relaySettings(), maxAttempts: 3 });
    assert.equal(await relay.drain(), 1);
    const rows = await (db as unknown as AnyDb).selectFrom(`${table}_delivery`).selectAll().execute();
    assert.deepEqual(
      rows.map((r) => [r.channel, r.status, r.attempts]),
      [['email', 'SKIPPED', 0]],
    );
    assert.equal(await relay.drain(), 0, 'nothing is pending');
    assert.equal(mailsTo(email).length, 0);
    await channel.close();
    await db.schema.dropTable(`${table}_delivery`).execute();
    await db.schema.dropTable(table).execute();
  });
});
