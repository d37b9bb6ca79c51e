import type { OutboxTable } from '../../lib/outbox.js';

export type PolicyType =
  | 'PerLearnerEnrollmentCreditAccessPolicy'
  | 'PerLearnerSpendCreditAccessPolicy'
  | 'AssignedLearnerCreditAccessPolicy';

export interface SubsidyAccessPolicyTable {
  uuid: string;
  policyType: PolicyType;
  displayName: string | null;
  active: boolean;
  enterpriseCustomerUuid: string;
  catalogUuid: string;
  /** USD cents; null: no policy-level limit. */
  spendLimitCents: number | null;
  created: Date;
  modified: Date;
}

export interface LearnerCreditDatabase {
  subsidy_access_policy: SubsidyAccessPolicyTable;
  learner_credit_outbox: OutboxTable;
}

export type SubsidyAccessPolicyRow = SubsidyAccessPolicyTable;

export interface CustomerRef {
  uuid: string;
}
