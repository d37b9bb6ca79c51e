import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { fromJson } from '../../lib/db/codec.js';
import { DEMO } from '../../lib/demo-ids.js';
import { newUnassignedLicense } from '../../subgraphs/subscriptions/rules.js';
import { insertLicenses, insertPlans, insertRenewals } from '../../subgraphs/subscriptions/store/index.js';
import type {
  BulkEnrollmentJobRow,
  LicenseStatus,
  LicenseTable,
  SubscriptionPlanRow,
  SubscriptionsDatabase,
} from '../../subgraphs/subscriptions/tables.js';
import type { TestStack } from './stack.js';

const DAY = 86_400_000;

export const PLAN_FIELDS = /* GraphQL */ `
  uuid title startDate expirationDate enterpriseCustomerUuid enterpriseCatalogUuid isActive isCurrent
  isRevocationCapEnabled daysUntilExpiration daysUntilExpirationIncludingRenewals
  isLockedForRenewalProcessing shouldAutoApplyLicenses
  licenseCounts { activated assigned unassigned revoked total allocated }
  revocations { total used remaining }
  priorRenewals { priorSubscriptionPlanId priorSubscriptionPlanStartDate renewedSubscriptionPlanId renewedSubscriptionPlanStartDate }
`;

export function subscriptionsDb(stack: TestStack): Kysely<SubscriptionsDatabase> {
  return stack.database.db as Kysely<SubscriptionsDatabase>;
}

export interface TestPlanOptions {
  customer?: string;
  catalog?: string;
  unassigned?: number;
  holders?: { email: string; status: Exclude<LicenseStatus, 'UNASSIGNED'>; lmsUserId?: number | null }[];
  cap?: { percentage: number; used?: number };
  startDate?: Date;
  expirationDate?: Date;
  isActive?: boolean;
  title?: string;
}

/** Inserts a plan of its own for a test (current by default, Seal Team Ten's) with its licenses. */
export async function createTestPlan(stack: TestStack, options: TestPlanOptions = {}): Promise<SubscriptionPlanRow> {
  const now = new Date();
  const uuid = randomUUID();
  const plan: SubscriptionPlanRow = {
    uuid,
    title: options.title ?? `Test plan ${uuid.slice(0, 8)}`,
    startDate: options.startDate ?? new Date(now.getTime() - 30 * DAY),
    expirationDate: options.expirationDate ?? new Date(now.getTime() + 300 * DAY),
    isActive: options.isActive ?? true,
    enterpriseCustomerUuid: options.customer ?? DEMO.customers.sealTeamTen,
    enterpriseCatalogUuid: options.catalog ?? DEMO.catalogs.sealTeamTenAll,
    created: now,
    modified: now,
    isRevocationCapEnabled: options.cap !== undefined,
    revokeMaxPercentage: options.cap?.percentage ?? 5,
    numRevocationsApplied: options.cap?.used ?? 0,
    shouldAutoApplyLicenses: false,
    planType: null,
    salesforceOpportunityLineItem: null,
  };
  const db = subscriptionsDb(stack);
  await insertPlans(db, [plan]);
  const held = (options.holders ?? []).map((h): LicenseTable => {
    const activated = h.status === 'ACTIVATED' || (h.status === 'REVOKED' && h.lmsUserId != null);
    return {
      ...newUnassignedLicense(uuid, now),
      status: h.status,
      userEmail: h.email,
      lmsUserId: activated ? (h.lmsUserId ?? null) : null,
      activationKey: randomUUID(),
      assignedDate: now,
      lastRemindDate: now,
      activationDate: activated ? now : null,
      revokedDate: h.status === 'REVOKED' ? now : null,
    };
  });
  const free = Array.from({ length: options.unassigned ?? 0 }, () => newUnassignedLicense(uuid, now));
  await insertLicenses(db, [...held, ...free]);
  return plan;
}

export async function createTestRenewal(
  stack: TestStack,
  prior: SubscriptionPlanRow,
  renewed: SubscriptionPlanRow,
  effectiveDate = renewed.startDate,
) {
  const now = new Date();
  await insertRenewals(subscriptionsDb(stack), [
    {
      uuid: randomUUID(),
      priorSubscriptionPlanUuid: prior.uuid,
      renewedSubscriptionPlanUuid: renewed.uuid,
      numberOfLicenses: 10,
      effectiveDate,
      renewedExpirationDate: renewed.expirationDate,
      licenseTypesToCopy: 'ASSIGNED_AND_ACTIVATED',
      processed: false,
      processedDatetime: null,
      created: now,
      modified: now,
    },
  ]);
}

/** Floored whole days from now, the way the plan's derived fields count them. */
export function daysFromNow(date: Date | string): number {
  return Math.floor((new Date(date).getTime() - Date.now()) / DAY);
}

export const DAY_MS = DAY;

export interface OutboxRow {
  eventType: string;
  aggregateKey: string;
  payload: Record<string, unknown>;
}

/** Outbox rows of the subscriptions subgraph, oldest first. */
export async function outboxRows(stack: TestStack): Promise<OutboxRow[]> {
  const rows = (await subscriptionsDb(stack)
    .selectFrom('subscriptions_outbox')
    .select(['eventType', 'aggregateKey', 'payload', 'created'])
    .orderBy('created')
    .execute()) as {
    eventType: string;
    aggregateKey: string;
    payload: string | Record<string, unknown>;
  }[];
  return rows.map((r) => ({
    eventType: r.eventType,
    aggregateKey: r.aggregateKey,
    payload: fromJson(r.payload) as Record<string, unknown>,
  }));
}

/** Every license row of a plan, straight from the table. */
export async function planLicenses(stack: TestStack, planUuid: string): Promise<LicenseTable[]> {
  return subscriptionsDb(stack)
    .selectFrom('license')
    .selectAll()
    .where('subscriptionPlanUuid', '=', planUuid)
    .orderBy('uuid')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Bulk license enrollment jobs

export const ENROLL = /* GraphQL */ `
  mutation ($input: BulkLicenseEnrollmentInput!) {
    bulkLicenseEnrollment(input: $input) {
      jobId
      job {
        jobId
        status
      }
    }
  }
`;
export const JOB = /* GraphQL */ `
  query ($id: ID!) {
    bulkEnrollmentJob(jobId: $id) {
      jobId
      enterpriseCustomerUuid
      status
      emails
      courseRunKeys
      notify
      error
      completedAt
      successes {
        email
        courseRunKey
        reason
      }
      pending {
        email
        courseRunKey
        reason
      }
      failures {
        email
        courseRunKey
        reason
      }
    }
  }
`;

export interface Outcome {
  email: string;
  courseRunKey: string;
  reason: string | null;
}
export interface Job {
  jobId: string;
  enterpriseCustomerUuid: string;
  status: string;
  emails: string[];
  courseRunKeys: string[];
  notify: boolean;
  error: string | null;
  completedAt: string | null;
  successes: Outcome[];
  pending: Outcome[];
  failures: Outcome[];
}

export const seal = DEMO.customers.sealTeamTen;
export const RUN = DEMO.content.courseRunKey;
export const OTHER_RUN = DEMO.content.harvardRunKey;

export async function jobRowsCount(stack: TestStack): Promise<number> {
  return (await subscriptionsDb(stack).selectFrom('bulk_enrollment_job').select('uuid').execute()).length;
}

/** Polls the job through the gateway until it is finished (the runner works in the background). */
export async function finished(stack: TestStack, jobId: string): Promise<Job> {
  for (let i = 0; i < 600; i++) {
    const result = await stack.graphql<{ bulkEnrollmentJob: Job }>(JOB, { id: jobId });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const job = result.data!.bulkEnrollmentJob;
    if (job.status === 'SUCCEEDED' || job.status === 'FAILED') return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}

export function jobRow(
  values: Partial<BulkEnrollmentJobRow> & Pick<BulkEnrollmentJobRow, 'emails' | 'courseRunKeys'>,
): BulkEnrollmentJobRow {
  const now = new Date();
  return {
    uuid: randomUUID(),
    enterpriseCustomerUuid: seal,
    lmsUserId: DEMO.users.adminId,
    requestedByEmail: DEMO.users.adminEmail,
    notify: false,
    status: 'PENDING',
    results: null,
    error: null,
    attempts: 0,
    lockedUntil: null,
    created: now,
    modified: now,
    completedAt: null,
    ...values,
  };
}

/** Outcomes in (email, run) code-point order, so expectations do not depend on the locale. */
export const sorted = (outcomes: Outcome[]) =>
  [...outcomes].sort((a, b) => {
    const x = `${a.email} ${a.courseRunKey}`;
    const y = `${b.email} ${b.courseRunKey}`;
    return x < y ? -1 : x > y ? 1 : 0;
  });
