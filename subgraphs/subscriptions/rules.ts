import { randomUUID } from 'node:crypto';
import type { Viewer } from '../../lib/auth/viewer.js';
import { badInput } from '../../lib/errors.js';
import { emailList, listSize, LIMITS, nonEmptyString, uuidArg } from '../../lib/validate.js';
import type {
  BulkEnrollmentJobRow,
  LicenseCountsRow,
  LicenseTable,
  RenewalRow,
  SubscriptionPlanRow,
} from './tables.js';

/**
 * The subscriptions rules as pure functions over plain data: plan dates and counts, the revocation
 * cap, new license rows, and the checks of a bulk license enrollment request.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** license-manager's SUBSCRIPTION_PLAN_RENEWAL_LOCK_PERIOD_HOURS. */
export const RENEWAL_LOCK_PERIOD_HOURS = 12;

/** start <= now <= expiration, inclusive on both ends. */
export function isCurrent(plan: Pick<SubscriptionPlanRow, 'startDate' | 'expirationDate'>, now: Date): boolean {
  return plan.startDate.getTime() <= now.getTime() && now.getTime() <= plan.expirationDate.getTime();
}

/** Whole days from now to `date`, floored like Python's timedelta.days (an hour past is -1). */
export function daysUntil(date: Date, now: Date): number {
  return Math.floor((date.getTime() - now.getTime()) / DAY_MS);
}

/** True when the renewal takes effect within the lock period from now (not once it is effective). */
export function isLockedForRenewal(renewal: RenewalRow | null, now: Date): boolean {
  if (!renewal) return false;
  const hours = Math.floor((renewal.effectiveDate.getTime() - now.getTime()) / HOUR_MS);
  return hours >= 0 && hours < RENEWAL_LOCK_PERIOD_HOURS;
}

export interface LicenseCounts {
  activated: number;
  assigned: number;
  unassigned: number;
  revoked: number;
  total: number;
  allocated: number;
}

export function licenseCounts(rows: readonly LicenseCountsRow[]): LicenseCounts {
  const by = { ACTIVATED: 0, ASSIGNED: 0, UNASSIGNED: 0, REVOKED: 0 };
  for (const row of rows) by[row.status] += row.n;
  return {
    activated: by.ACTIVATED,
    assigned: by.ASSIGNED,
    unassigned: by.UNASSIGNED,
    revoked: by.REVOKED,
    // Revoked licenses are excluded: a revocation adds an unassigned one, so total stays put.
    total: by.ACTIVATED + by.ASSIGNED + by.UNASSIGNED,
    allocated: by.ACTIVATED + by.ASSIGNED,
  };
}

export interface Revocations {
  total: number;
  used: number;
  remaining: number;
}

/** The cap (null when disabled): ceil(total x percentage / 100) slots, used by ACTIVATED revocations only. */
export function revocations(plan: SubscriptionPlanRow, counts: LicenseCounts): Revocations | null {
  if (!plan.isRevocationCapEnabled) return null;
  const total = Math.ceil((counts.total * plan.revokeMaxPercentage) / 100);
  return { total, used: plan.numRevocationsApplied, remaining: total - plan.numRevocationsApplied };
}

/** A fresh UNASSIGNED license of a plan (plan creation, and the replacement of a revoked one). */
export function newUnassignedLicense(planUuid: string, now: Date): LicenseTable {
  return {
    uuid: randomUUID(),
    subscriptionPlanUuid: planUuid,
    status: 'UNASSIGNED',
    userEmail: null,
    lmsUserId: null,
    activationKey: null,
    userSfid: null,
    assignedDate: null,
    activationDate: null,
    revokedDate: null,
    lastRemindDate: null,
    created: now,
    modified: now,
  };
}

/** At most 1000 (email, course run) pairs per bulk enrollment. */
export const MAX_ENROLLMENT_PAIRS = 1000;

export interface BulkLicenseEnrollmentInput {
  enterpriseCustomerUuid: string;
  emails: readonly string[];
  courseRunKeys: readonly string[];
  notify: boolean;
}

/** A bulk license enrollment request, checked and normalized (BAD_USER_INPUT, nothing written). */
export function bulkEnrollmentJobRequest(input: BulkLicenseEnrollmentInput): {
  customerUuid: string;
  emails: string[];
  courseRunKeys: string[];
} {
  const customerUuid = uuidArg(input.enterpriseCustomerUuid, 'enterpriseCustomerUuid');
  listSize(input.emails, LIMITS.emails, 'emails', 1);
  const emails = emailList(input.emails, 'emails');
  listSize(input.courseRunKeys, LIMITS.contentKeys, 'courseRunKeys', 1);
  const courseRunKeys = [...new Set(input.courseRunKeys.map((k) => nonEmptyString(k, 'courseRunKeys')))];
  if (emails.length * courseRunKeys.length > MAX_ENROLLMENT_PAIRS) {
    throw badInput(
      `Too many enrollments: ${emails.length} emails x ${courseRunKeys.length} course runs exceeds ${MAX_ENROLLMENT_PAIRS}`,
      {
        argument: 'input',
      },
    );
  }
  return { customerUuid, emails, courseRunKeys };
}

/** Who may read a job: admins of its customer, operators and whoever queued it. */
export function canViewJob(viewer: Viewer, job: BulkEnrollmentJobRow): boolean {
  return viewer.isAdminOf(job.enterpriseCustomerUuid) || (job.lmsUserId !== null && viewer.lmsUserId === job.lmsUserId);
}
