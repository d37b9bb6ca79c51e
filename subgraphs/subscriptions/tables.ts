import type { OutboxDeliveryTable, OutboxTable } from '../../lib/outbox.js';

export interface SubscriptionPlanTable {
  uuid: string;
  title: string;
  startDate: Date;
  expirationDate: Date;
  isActive: boolean;
  enterpriseCustomerUuid: string;
  enterpriseCatalogUuid: string;
  created: Date;
  modified: Date;
  isRevocationCapEnabled: boolean;
  /** 0-100: share of the licenses whose activated ones may be revoked while the cap is on. */
  revokeMaxPercentage: number;
  /** Revocations of ACTIVATED licenses made while the cap was enabled. */
  numRevocationsApplied: number;
  shouldAutoApplyLicenses: boolean;
  planType: string | null;
  salesforceOpportunityLineItem: string | null;
  // Stored license counts per status (0006), kept by the license writes of store/licenses.ts under
  // the plan lock; optional because a new plan starts at 0 and its license inserts add to them.
  unassignedLicenses?: number;
  assignedLicenses?: number;
  activatedLicenses?: number;
  revokedLicenses?: number;
}

export type LicenseStatus = 'UNASSIGNED' | 'ASSIGNED' | 'ACTIVATED' | 'REVOKED';

export interface LicenseTable {
  uuid: string;
  subscriptionPlanUuid: string;
  status: LicenseStatus;
  /** Lower-case; null while UNASSIGNED. */
  userEmail: string | null;
  lmsUserId: number | null;
  activationKey: string | null;
  /** Salesforce id of the assignee when the admin gave one (license-manager's license source). */
  userSfid: string | null;
  assignedDate: Date | null;
  activationDate: Date | null;
  revokedDate: Date | null;
  lastRemindDate: Date | null;
  created: Date;
  modified: Date;
}

export type LicenseTypesToCopy = 'ASSIGNED_AND_ACTIVATED' | 'ACTIVATED' | 'NOTHING';

/** One renewal per prior plan and per renewed plan: the renewals form chains. */
export interface SubscriptionPlanRenewalTable {
  uuid: string;
  priorSubscriptionPlanUuid: string;
  renewedSubscriptionPlanUuid: string;
  numberOfLicenses: number;
  effectiveDate: Date;
  renewedExpirationDate: Date;
  licenseTypesToCopy: LicenseTypesToCopy;
  processed: boolean;
  processedDatetime: Date | null;
  created: Date;
  modified: Date;
}

export type BulkEnrollmentJobStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface BulkEnrollmentOutcome {
  email: string;
  courseRunKey: string;
  reason: string | null;
}

export interface BulkEnrollmentResults {
  successes: BulkEnrollmentOutcome[];
  pending: BulkEnrollmentOutcome[];
  failures: BulkEnrollmentOutcome[];
}

export interface BulkEnrollmentJobTable {
  uuid: string;
  enterpriseCustomerUuid: string;
  /** Who queued it (may read it back). */
  lmsUserId: number | null;
  requestedByEmail: string | null;
  /** JSON string[] on write, decoded on read. */
  emails: string;
  courseRunKeys: string;
  notify: boolean;
  status: BulkEnrollmentJobStatus;
  /** JSON BulkEnrollmentResults once SUCCEEDED. */
  results: string | null;
  error: string | null;
  attempts: number;
  /** A runner's lease: the job is not picked up again before this passes (also the retry backoff). */
  lockedUntil: Date | null;
  created: Date;
  modified: Date;
  completedAt: Date | null;
}

export interface SubscriptionsDatabase {
  subscription_plan: SubscriptionPlanTable;
  license: LicenseTable;
  subscription_plan_renewal: SubscriptionPlanRenewalTable;
  bulk_enrollment_job: BulkEnrollmentJobTable;
  subscriptions_outbox: OutboxTable;
  subscriptions_outbox_delivery: OutboxDeliveryTable;
}

export type SubscriptionPlanRow = SubscriptionPlanTable;
export type LicenseRow = LicenseTable;
export type RenewalRow = SubscriptionPlanRenewalTable;

export interface BulkEnrollmentJobRow extends Omit<BulkEnrollmentJobTable, 'emails' | 'courseRunKeys' | 'results'> {
  emails: string[];
  courseRunKeys: string[];
  results: BulkEnrollmentResults | null;
}

export interface LicenseCountsRow {
  subscriptionPlanUuid: string;
  status: LicenseStatus;
  n: number;
}

export interface CustomerRef {
  uuid: string;
}
