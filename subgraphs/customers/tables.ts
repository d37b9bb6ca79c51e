import type { Generated } from 'kysely';
import type { OutboxDeliveryTable, OutboxTable } from '../../lib/outbox.js';

/** `enterprise_customer`: columns are snake_case in SQL, camelCase here (Kysely CamelCasePlugin). */
/** `enterprise_customer.enforce_data_sharing_consent` (edx-enterprise spelling). */
export type ConsentEnforcementValue = 'at_enrollment' | 'externally_managed';
/** `enrollment_fulfillment.fulfillment_type` (edx-enterprise spelling). */
export type FulfillmentTypeValue = 'license' | 'learner_credit' | 'coupon_code';

export interface EnterpriseCustomerTable {
  uuid: string;
  name: string;
  slug: string;
  active: boolean;
  country: string | null;
  contactEmail: string | null;
  enableLearnerPortal: boolean;
  created: Date;
  modified: Date;
  senderAlias: string | null;
  replyTo: string | null;
  defaultLanguage: string | null;
  customerType: string;
  brandingLogoUrl: string | null;
  brandingPrimaryColor: string | null;
  brandingSecondaryColor: string | null;
  brandingTertiaryColor: string | null;
  /** edx-enterprise's values, lower case. */
  enforceDataSharingConsent: ConsentEnforcementValue;
  enableDataSharingConsent: boolean;
  enableUniversalLink: boolean;
  enableBrowseAndRequest: boolean;
  enableAuditEnrollment: boolean;
  hideCourseOriginalPrice: boolean;
  enablePortalLearnerCreditManagementScreen: boolean;
  enablePortalSubscriptionManagementScreen: boolean;
  enablePortalCodeManagementScreen: boolean;
  enablePortalReportingConfigScreen: boolean;
  enablePortalSamlConfigurationScreen: boolean;
  enablePortalLmsConfigurationsScreen: boolean;
  enableAnalyticsScreen: boolean;
}

export interface IdentityProviderTable {
  providerId: string;
  enterpriseCustomerUuid: string;
  defaultProvider: boolean;
  created: Date;
}

/** Local mirror of LMS accounts (`id` is the LMS user id). */
export interface LmsUserTable {
  id: number;
  email: string;
  username: string;
  country: string | null;
  dateJoined: Date;
}

export interface EnterpriseCustomerUserTable {
  id: Generated<number>;
  enterpriseCustomerUuid: string;
  lmsUserId: number;
  active: boolean;
  linked: boolean;
  isRelinkable: boolean;
  inviteKeyUuid: string | null;
  created: Date;
  modified: Date;
}

export interface PendingEnterpriseCustomerUserTable {
  id: Generated<number>;
  enterpriseCustomerUuid: string;
  userEmail: string;
  created: Date;
  modified: Date;
}

export interface PendingEnrollmentTable {
  id: Generated<number>;
  pendingUserId: number;
  courseRunKey: string;
  source: string;
  licenseUuid: string | null;
  courseKey: string | null;
  courseTitle: string | null;
  courseStart: Date | null;
  courseEnd: Date | null;
  created: Date;
}

export interface EnterpriseCourseEnrollmentTable {
  id: Generated<number>;
  enterpriseCustomerUserId: number;
  enterpriseCustomerUuid: string;
  courseRunKey: string;
  savedForLater: boolean;
  source: string;
  unenrolled: boolean | null;
  unenrolledAt: Date | null;
  /** The LMS enrollment mode: verified, audit, professional, ... */
  mode: string;
  /** False once unenrolled (the LMS enrollment's `is_active`). */
  isActive: boolean;
  created: Date;
  modified: Date;
}

export interface EnrollmentFulfillmentTable {
  uuid: string;
  enterpriseCourseEnrollmentId: number;
  fulfillmentType: FulfillmentTypeValue;
  licenseUuid: string | null;
  transactionUuid: string | null;
  isRevoked: boolean;
  created: Date;
  modified: Date;
}

export interface DataSharingConsentTable {
  id: Generated<number>;
  enterpriseCustomerUuid: string;
  lmsUserId: number;
  courseKey: string;
  granted: boolean | null;
  created: Date;
  modified: Date;
}

export interface InviteKeyTable {
  uuid: string;
  enterpriseCustomerUuid: string;
  usageLimit: number;
  expirationDate: Date;
  isActive: boolean;
  created: Date;
  modified: Date;
}

export interface LearnerProgressTable {
  enterpriseEnrollmentId: number;
  enrollmentId: number;
  enterpriseCustomerUuid: string;
  enterpriseCustomerUserId: number;
  /** The learner's LMS user id (REST `enterprise_user_id`). */
  enterpriseUserId: number;
  enterpriseSsoUid: string | null;
  userEmail: string;
  userUsername: string | null;
  userCountry: string | null;
  userAccountCreationDate: Date | null;
  userCurrentEnrollmentMode: string | null;
  courseKey: string | null;
  courserunKey: string;
  courseTitle: string | null;
  coursePacingType: string | null;
  courseStart: Date | null;
  courseEnd: Date | null;
  courseDuration: number | null;
  courseMinEffort: number | null;
  courseMaxEffort: number | null;
  coursePrimaryProgram: string | null;
  coursePrimarySubject: string | null;
  courseListPriceCents: number | null;
  amountLearnerPaidCents: number | null;
  paidBy: string | null;
  seatDeliveryMethod: string | null;
  contractId: string | null;
  couponCode: string | null;
  couponName: string | null;
  offerName: string | null;
  offerType: string | null;
  isRefunded: boolean;
  hasPassed: boolean;
  passedDate: Date | null;
  currentGrade: number | null;
  letterGrade: string | null;
  lastActivityDate: Date | null;
  enrollmentDate: Date;
  unenrollmentDate: Date | null;
  unenrollmentEndWithinDate: Date | null;
  created: Date;
}

export interface CustomersDatabase {
  enterprise_customer: EnterpriseCustomerTable;
  enterprise_customer_identity_provider: IdentityProviderTable;
  lms_user: LmsUserTable;
  enterprise_customer_user: EnterpriseCustomerUserTable;
  pending_enterprise_customer_user: PendingEnterpriseCustomerUserTable;
  pending_enrollment: PendingEnrollmentTable;
  enterprise_course_enrollment: EnterpriseCourseEnrollmentTable;
  enrollment_fulfillment: EnrollmentFulfillmentTable;
  data_sharing_consent: DataSharingConsentTable;
  enterprise_customer_invite_key: InviteKeyTable;
  learner_progress: LearnerProgressTable;
  learner_progress_count: LearnerProgressCountTable;
  customers_outbox: OutboxTable;
  customers_outbox_delivery: OutboxDeliveryTable;
}

/** Stored aggregate (0011): the customer's learner-progress rows of linked learners (the report's count). */
export interface LearnerProgressCountTable {
  enterpriseCustomerUuid: string;
  linkedRows: number;
}

/** A customer as resolvers see it (decoded: booleans and dates are JS values on both dialects). */
export type EnterpriseCustomerRow = EnterpriseCustomerTable;
export type IdentityProviderRow = IdentityProviderTable;
export type LmsUserRow = LmsUserTable;

/** A learner link joined with its LMS account (what `EnterpriseCustomerUser` resolves from). */
export interface EnterpriseCustomerUserRow {
  id: number;
  enterpriseCustomerUuid: string;
  lmsUserId: number;
  active: boolean;
  linked: boolean;
  isRelinkable: boolean;
  inviteKeyUuid: string | null;
  created: Date;
  modified: Date;
  email: string;
  username: string;
  country: string | null;
  dateJoined: Date;
}

export type PendingEnterpriseCustomerUserRow = Omit<PendingEnterpriseCustomerUserTable, 'id'> & { id: number };
export type PendingEnrollmentRow = Omit<PendingEnrollmentTable, 'id'> & { id: number };
export type EnterpriseCourseEnrollmentRow = Omit<EnterpriseCourseEnrollmentTable, 'id'> & { id: number };
export type EnrollmentFulfillmentRow = EnrollmentFulfillmentTable;
export type DataSharingConsentRow = Omit<DataSharingConsentTable, 'id'> & { id: number };
/** A consent as the API shows it: a stored row, or the "no answer yet" record of an enrolled course. */
export interface DataSharingConsentView {
  enterpriseCustomerUuid: string;
  lmsUserId: number;
  courseKey: string;
  granted: boolean | null;
  exists: boolean;
  created: Date | null;
  modified: Date | null;
}
export type InviteKeyRow = InviteKeyTable & { usageCount: number };
export type ProgressStatusValue = 'PASSED' | 'FAILED' | 'IN_PROGRESS';
/** A learner-summary row with the values computed at read time. */
export type LearnerProgressRow = LearnerProgressTable & {
  progressStatus: ProgressStatusValue;
  isConsentGranted: boolean;
};
