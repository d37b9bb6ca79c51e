import { badInput, forbidden } from '../../lib/errors.js';
import {
  decimalIdArg,
  emailArg,
  isEmail,
  listSize,
  LIMITS,
  nonEmptyString,
  normalizeEmail,
  uuidArg,
  uuidList,
} from '../../lib/validate.js';
import type { RunCheck, RunInfo } from './remote.js';
import type {
  ConsentEnforcementValue,
  EnrollmentFulfillmentRow,
  EnterpriseCourseEnrollmentRow,
  EnterpriseCustomerTable,
  EnterpriseCustomerUserRow,
  FulfillmentTypeValue,
  InviteKeyRow,
  LearnerProgressTable,
  LmsUserRow,
} from './tables.js';

/**
 * The customers rules as pure functions over plain data: input checks, the enum mappings, and the
 * plan steps of the writes (which links to create or re-activate, which enrollments to create or
 * re-enroll, how a bulk enrollment's pairs split). mutations.ts gathers the facts under its locks
 * and applies the plans; these functions never touch the database.
 */

/** At most 1000 (email, run) pairs per bulk enrollment. */
export const MAX_ENROLLMENT_PAIRS = 1000;
/** Learners written per transaction by a bulk enrollment. */
export const ENROLLMENT_CHUNK = 100;
/** Invite key limits (edx-enterprise's). */
export const INVITE_KEYS = {
  perCustomer: 100,
  defaultUsageLimit: 10_000,
  maxUsageLimit: 1_000_000,
  defaultDays: 365,
  maxDays: 3650,
} as const;
const DAY_MS = 86_400_000;

/**
 * A value the caller's own steps guarantee (a row it just wrote or locked, a key it just put in a
 * map). Missing means a bug in those steps, so it fails with a message naming what was looked up
 * rather than a TypeError further on.
 */
export function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`customers: ${what} is missing`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Enum-like columns: every stored value maps to exactly one GraphQL value, and a value the code
// does not know fails loudly instead of showing as some default.

export type ConsentEnforcement = 'AT_ENROLLMENT' | 'EXTERNALLY_MANAGED';
export type FulfillmentType = 'LICENSE' | 'LEARNER_CREDIT' | 'COUPON_CODE';

function unexpected(column: string, value: never): never {
  throw new Error(`Unexpected ${column} value ${JSON.stringify(value)}`);
}

export function consentEnforcement(value: ConsentEnforcementValue): ConsentEnforcement {
  switch (value) {
    case 'at_enrollment':
      return 'AT_ENROLLMENT';
    case 'externally_managed':
      return 'EXTERNALLY_MANAGED';
    default:
      return unexpected('enforce_data_sharing_consent', value);
  }
}

export function fulfillmentType(value: FulfillmentTypeValue): FulfillmentType {
  switch (value) {
    case 'license':
      return 'LICENSE';
    case 'learner_credit':
      return 'LEARNER_CREDIT';
    case 'coupon_code':
      return 'COUPON_CODE';
    default:
      return unexpected('fulfillment_type', value);
  }
}

export function fulfillmentTypeValue(type: FulfillmentType): FulfillmentTypeValue {
  switch (type) {
    case 'LICENSE':
      return 'license';
    case 'LEARNER_CREDIT':
      return 'learner_credit';
    case 'COUPON_CODE':
      return 'coupon_code';
    default:
      return unexpected('fulfillmentType', type);
  }
}

// ---------------------------------------------------------------------------------------------
// Linking

export type LinkOutcome = 'linked' | 'activated' | 'alreadyLinked' | 'notRelinkable';

export interface LinkResult {
  learnerId: number;
  outcome: LinkOutcome;
}

export interface LinkPlan {
  /** Outcomes decided without a write (already linked, not relinkable), by LMS user id. */
  decided: Map<number, LinkResult>;
  /** Existing links to link again and make active. */
  relink: EnterpriseCustomerUserRow[];
  /** LMS user ids that get a new link. */
  create: number[];
}

/**
 * edx-enterprise `link_user` decisions for existing LMS users, given every link those users have:
 * a linked link stays (unless `activate` asks to make an inactive one the active one), an unlinked
 * link that may not be relinked is refused, any other link is relinked, and a user without a link
 * to this customer gets one.
 */
export function planLinks(
  customerUuid: string,
  users: readonly LmsUserRow[],
  links: readonly EnterpriseCustomerUserRow[],
  activate: boolean,
): LinkPlan {
  const plan: LinkPlan = { decided: new Map(), relink: [], create: [] };
  for (const user of users) {
    const link = links.find((l) => l.lmsUserId === user.id && l.enterpriseCustomerUuid === customerUuid);
    if (link?.linked && (link.active || !activate))
      plan.decided.set(user.id, { learnerId: link.id, outcome: 'alreadyLinked' });
    else if (link && !link.linked && !link.isRelinkable)
      plan.decided.set(user.id, { learnerId: link.id, outcome: 'notRelinkable' });
    else if (link) plan.relink.push(link);
    else plan.create.push(user.id);
  }
  return plan;
}

/** The one-active rule: the other customers' active links of users that were just (re)linked. */
export function linksToDeactivate(
  customerUuid: string,
  links: readonly EnterpriseCustomerUserRow[],
  changedUserIds: ReadonlySet<number>,
): number[] {
  return links
    .filter((l) => changedUserIds.has(l.lmsUserId) && l.enterpriseCustomerUuid !== customerUuid && l.linked && l.active)
    .map((l) => l.id);
}

/**
 * The one-active rule when a user picks its active customer: the chosen link becomes active, every
 * other active link of the user inactive. Null `activate` when the user has no linked link there.
 */
export function planActiveLink(
  customerUuid: string,
  links: readonly EnterpriseCustomerUserRow[],
): { activate: EnterpriseCustomerUserRow | null; deactivate: number[] } {
  const chosen = links.find((l) => l.enterpriseCustomerUuid === customerUuid && l.linked) ?? null;
  if (!chosen) return { activate: null, deactivate: [] };
  return { activate: chosen, deactivate: links.filter((l) => l.id !== chosen.id && l.active).map((l) => l.id) };
}

/** The enrollment a status reports: an active one first, else the most recently modified. */
export function pickEnrollmentStatus<E extends { isActive: boolean; modified: Date }>(
  enrollments: readonly E[],
): E | null {
  return (
    enrollments.find((e) => e.isActive) ??
    [...enrollments].sort((a, b) => b.modified.getTime() - a.modified.getTime())[0] ??
    null
  );
}

// ---------------------------------------------------------------------------------------------
// Portal settings (updateEnterpriseCustomer)

/** The flags updateEnterpriseCustomer sets, by their GraphQL (and column) name. */
export const CUSTOMER_FLAGS = [
  'enableLearnerPortal',
  'enableDataSharingConsent',
  'enableAuditEnrollment',
  'hideCourseOriginalPrice',
  'enablePortalLearnerCreditManagementScreen',
  'enablePortalSubscriptionManagementScreen',
  'enablePortalCodeManagementScreen',
  'enablePortalReportingConfigScreen',
  'enablePortalSamlConfigurationScreen',
  'enablePortalLmsConfigurationsScreen',
  'enableAnalyticsScreen',
  'enableUniversalLink',
  'enableBrowseAndRequest',
] as const satisfies readonly (keyof EnterpriseCustomerTable)[];

type CustomerFlag = (typeof CUSTOMER_FLAGS)[number];

export type CustomerUpdateInput = Partial<Record<CustomerFlag, boolean | null>> & {
  enforceDataSharingConsent?: ConsentEnforcement | null;
  contactEmail?: string | null;
  replyTo?: string | null;
  senderAlias?: string | null;
  defaultLanguage?: string | null;
  brandingConfiguration?: {
    logoUrl?: string | null;
    primaryColor?: string | null;
    secondaryColor?: string | null;
    tertiaryColor?: string | null;
  } | null;
};

type SettingsColumn =
  | CustomerFlag
  | 'enforceDataSharingConsent'
  | 'contactEmail'
  | 'replyTo'
  | 'senderAlias'
  | 'defaultLanguage'
  | 'brandingLogoUrl'
  | 'brandingPrimaryColor'
  | 'brandingSecondaryColor'
  | 'brandingTertiaryColor';
export type CustomerSettings = Pick<EnterpriseCustomerTable, SettingsColumn>;

export interface CustomerUpdatePlan {
  /** Only the columns whose value changes. */
  changes: Partial<CustomerSettings>;
  /** One entry per changed field (GraphQL name), for the outbox. */
  changed: { field: string; from: unknown; to: unknown }[];
}

const HEX_COLOR = /^#[0-9A-Fa-f]{6}$/;
// BCP 47-ish, as edx-platform's language codes: en, es-419, pt-br, zh-hans.
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

function httpsUrl(value: string, name: string): string {
  const trimmed = value.trim();
  const url = URL.canParse(trimmed) ? new URL(trimmed) : null;
  if (url?.protocol !== 'https:' || !url.hostname)
    throw badInput(`${name} must be an https URL, got "${value}"`, { argument: name });
  if (trimmed.length > 1024) throw badInput(`${name} is longer than 1024 characters`, { argument: name });
  return trimmed;
}

function hexColor(value: string, name: string): string {
  if (!HEX_COLOR.test(value.trim()))
    throw badInput(`${name} must be a color #RRGGBB, got "${value}"`, { argument: name });
  return value.trim().toUpperCase();
}

/**
 * Validates an updateEnterpriseCustomer input against the customer as stored and returns only what
 * changes. Omitted fields are left alone; null clears a nullable string and is refused for flags.
 * Any invalid value throws BAD_USER_INPUT before anything is written.
 */
export function planCustomerUpdate(current: CustomerSettings, input: CustomerUpdateInput): CustomerUpdatePlan {
  const next: Partial<CustomerSettings> = {};
  for (const flag of CUSTOMER_FLAGS) {
    const value = input[flag];
    if (value === undefined) continue;
    if (value === null) throw badInput(`${flag} cannot be null`, { argument: flag });
    next[flag] = value;
  }
  if (input.enforceDataSharingConsent === null)
    throw badInput('enforceDataSharingConsent cannot be null', { argument: 'enforceDataSharingConsent' });
  if (input.enforceDataSharingConsent !== undefined)
    next.enforceDataSharingConsent = consentEnforcementValue(input.enforceDataSharingConsent);
  const text = (value: string | null | undefined, check: (v: string) => string): string | null | undefined =>
    value == null ? value : check(value);
  const email = (name: string) => (v: string) => emailArg(v, name);
  const strings: [
    SettingsColumn & ('contactEmail' | 'replyTo' | 'senderAlias' | 'defaultLanguage'),
    string | null | undefined,
  ][] = [
    ['contactEmail', text(input.contactEmail, email('contactEmail'))],
    ['replyTo', text(input.replyTo, email('replyTo'))],
    ['senderAlias', text(input.senderAlias, (v) => nonEmptyString(v, 'senderAlias'))],
    [
      'defaultLanguage',
      text(input.defaultLanguage, (v) => {
        const tag = v.trim().toLowerCase();
        if (!LANGUAGE.test(tag) || tag.length > 16)
          throw badInput(`defaultLanguage must be a language code such as en or es-419, got "${v}"`, {
            argument: 'defaultLanguage',
          });
        return tag;
      }),
    ],
  ];
  for (const [column, value] of strings) if (value !== undefined) next[column] = value;
  const branding = input.brandingConfiguration;
  if (branding === null)
    throw badInput('brandingConfiguration cannot be null (give its fields null to reset them)', {
      argument: 'brandingConfiguration',
    });
  if (branding) {
    const logo = text(branding.logoUrl, (v) => httpsUrl(v, 'brandingConfiguration.logoUrl'));
    if (logo !== undefined) next.brandingLogoUrl = logo;
    const colors = [
      ['brandingPrimaryColor', branding.primaryColor, 'primaryColor'],
      ['brandingSecondaryColor', branding.secondaryColor, 'secondaryColor'],
      ['brandingTertiaryColor', branding.tertiaryColor, 'tertiaryColor'],
    ] as const;
    for (const [column, value, name] of colors) {
      const color = text(value, (v) => hexColor(v, `brandingConfiguration.${name}`));
      if (color !== undefined) next[column] = color;
    }
  }
  if (Object.keys(next).length === 0) throw badInput('Give at least one setting to update', { argument: 'input' });

  const plan: CustomerUpdatePlan = { changes: {}, changed: [] };
  for (const [column, to] of Object.entries(next) as [SettingsColumn, CustomerSettings[SettingsColumn]][]) {
    const from = current[column];
    if (from === to) continue;
    (plan.changes as Record<string, unknown>)[column] = to;
    plan.changed.push({ field: column, from, to });
  }
  return plan;
}

function consentEnforcementValue(value: ConsentEnforcement): ConsentEnforcementValue {
  switch (value) {
    case 'AT_ENROLLMENT':
      return 'at_enrollment';
    case 'EXTERNALLY_MANAGED':
      return 'externally_managed';
    default:
      return unexpected('enforceDataSharingConsent', value);
  }
}

// ---------------------------------------------------------------------------------------------
// Enrollment

/** What pays for an enrollment, as mutations receive it (GraphQL enum values). */
export interface FulfillmentSpec {
  fulfillmentType: FulfillmentType;
  licenseUuid: string | null;
  transactionUuid: string | null;
}

export interface FulfillmentInput {
  email: string;
  courseRunKey?: string | null;
  fulfillmentType: FulfillmentType;
  licenseUuid?: string | null;
  transactionUuid?: string | null;
}

export type FulfillmentLookup = (email: string, runKey: string) => FulfillmentSpec | undefined;

/** Validates the fulfillments of a bulk enrollment and indexes them by (email, run) and (email, any run). */
export function fulfillmentIndex(inputs: readonly FulfillmentInput[] | null | undefined): FulfillmentLookup {
  const index = new Map<string, FulfillmentSpec>();
  for (const input of inputs ?? []) {
    const email = emailArg(input.email, 'fulfillments.email');
    const licenseUuid = input.licenseUuid != null ? uuidArg(input.licenseUuid, 'fulfillments.licenseUuid') : null;
    const transactionUuid =
      input.transactionUuid != null ? uuidArg(input.transactionUuid, 'fulfillments.transactionUuid') : null;
    if (input.fulfillmentType === 'LICENSE' && !licenseUuid)
      throw badInput('A LICENSE fulfillment needs licenseUuid', { argument: 'fulfillments' });
    if (input.fulfillmentType === 'LEARNER_CREDIT' && !transactionUuid)
      throw badInput('A LEARNER_CREDIT fulfillment needs transactionUuid', { argument: 'fulfillments' });
    // One reference per fulfillment, of its own kind: a LICENSE naming a transaction (or the
    // reverse) would store a reference nothing checks or revokes.
    if (input.fulfillmentType !== 'LICENSE' && licenseUuid)
      throw badInput(`A ${input.fulfillmentType} fulfillment takes no licenseUuid`, { argument: 'fulfillments' });
    if (input.fulfillmentType !== 'LEARNER_CREDIT' && transactionUuid)
      throw badInput(`A ${input.fulfillmentType} fulfillment takes no transactionUuid`, { argument: 'fulfillments' });
    index.set(`${email}\u0000${input.courseRunKey?.trim() ?? '*'}`, {
      fulfillmentType: input.fulfillmentType,
      licenseUuid,
      transactionUuid,
    });
  }
  return (email, runKey) => index.get(`${email}\u0000${runKey}`) ?? index.get(`${email}\u0000*`);
}

export interface EnrollmentOutcome {
  courseRunKey: string;
  enrollmentId: number;
  /** `enrolled`, `already enrolled` or `re-enrolled`. */
  reason: string;
}

export interface EnrollmentPlan {
  /** Outcomes of the pairs that already have an enrollment, by learner id. */
  outcomes: Map<number, EnrollmentOutcome[]>;
  /** Unenrolled enrollments to enroll again. */
  reenroll: number[];
  create: { learnerId: number; courseRunKey: string; source: string }[];
}

/** edx-enterprise's get-or-create of the ECE: idempotent per (learner, run); an unenrolled one is re-enrolled. */
export function planEnrollments(
  learnerIds: readonly number[],
  runs: readonly RunInfo[],
  existing: readonly EnterpriseCourseEnrollmentRow[],
  source: string,
): EnrollmentPlan {
  const byPair = new Map(existing.map((e) => [`${e.enterpriseCustomerUserId}:${e.courseRunKey}`, e]));
  const plan: EnrollmentPlan = { outcomes: new Map(learnerIds.map((id) => [id, []])), reenroll: [], create: [] };
  for (const learnerId of learnerIds) {
    for (const run of runs) {
      const current = byPair.get(`${learnerId}:${run.key}`);
      if (!current) plan.create.push({ learnerId, courseRunKey: run.key, source });
      else {
        if (current.unenrolled) plan.reenroll.push(current.id);
        present(plan.outcomes.get(learnerId), `outcomes of learner ${learnerId}`).push({
          courseRunKey: run.key,
          enrollmentId: current.id,
          reason: current.unenrolled ? 're-enrolled' : 'already enrolled',
        });
      }
    }
  }
  return plan;
}

/** The learner-summary row of a new enrollment (what the reporting ETL would write). */
export function progressRow(args: {
  customerUuid: string;
  learnerId: number;
  user: LmsUserRow;
  run: RunInfo;
  enrollment: EnterpriseCourseEnrollmentRow;
  now: Date;
}): LearnerProgressTable {
  const { user, run, enrollment, now } = args;
  // Refund window: 14 days after enrollment or course start, whichever is later.
  const refundBase = run.start && run.start > now ? run.start : now;
  return {
    enterpriseEnrollmentId: enrollment.id,
    enrollmentId: enrollment.id,
    enterpriseCustomerUuid: args.customerUuid,
    enterpriseCustomerUserId: args.learnerId,
    enterpriseUserId: user.id,
    enterpriseSsoUid: null,
    userEmail: user.email,
    userUsername: user.username,
    userCountry: user.country,
    userAccountCreationDate: user.dateJoined,
    userCurrentEnrollmentMode: enrollment.mode,
    courseKey: run.courseKey,
    courserunKey: run.key,
    courseTitle: run.title ?? run.courseTitle,
    coursePacingType: run.pacingType ?? null,
    courseStart: run.start,
    courseEnd: run.end,
    courseDuration:
      run.weeksToComplete ??
      (run.start && run.end ? Math.max(1, Math.round((run.end.getTime() - run.start.getTime()) / (7 * DAY_MS))) : null),
    courseMinEffort: run.minEffort ?? null,
    courseMaxEffort: run.maxEffort ?? null,
    coursePrimaryProgram: null,
    coursePrimarySubject: null,
    courseListPriceCents: run.priceCents ?? null,
    amountLearnerPaidCents: 0,
    paidBy: 'enterprise',
    seatDeliveryMethod: null,
    contractId: null,
    couponCode: null,
    couponName: null,
    offerName: null,
    offerType: null,
    isRefunded: false,
    hasPassed: false,
    passedDate: null,
    currentGrade: 0,
    letterGrade: null,
    // Enrolling is the learner's first activity in the course.
    lastActivityDate: now,
    enrollmentDate: now,
    unenrollmentDate: null,
    unenrollmentEndWithinDate: new Date(refundBase.getTime() + 14 * DAY_MS),
    created: now,
  };
}

// ---------------------------------------------------------------------------------------------
// Bulk enrollment

export interface EnrollmentResult {
  email: string;
  courseRunKey: string;
  reason: string | null;
}

export interface EnrollLearnersResult {
  successes: EnrollmentResult[];
  pending: EnrollmentResult[];
  failures: EnrollmentResult[];
}

export interface EnrollLearnersInput {
  enterpriseCustomerUuid: string;
  emails: readonly string[];
  courseRunKeys: readonly string[];
  notify?: boolean | null;
  fulfillments?: readonly FulfillmentInput[] | null;
}

/** The input shape and limits of a bulk enrollment (BAD_USER_INPUT, nothing written). */
/** The licenses and ledger transactions a list of fulfillments names, each once. */
export function fulfillmentReferences(inputs: readonly FulfillmentInput[] | null | undefined): {
  licenseUuids: string[];
  transactionUuids: string[];
} {
  const licenses = new Set<string>();
  const transactions = new Set<string>();
  for (const input of inputs ?? []) {
    if (input.licenseUuid != null) licenses.add(uuidArg(input.licenseUuid, 'fulfillments.licenseUuid'));
    if (input.transactionUuid != null) transactions.add(uuidArg(input.transactionUuid, 'fulfillments.transactionUuid'));
  }
  return { licenseUuids: [...licenses], transactionUuids: [...transactions] };
}

/**
 * Every license and transaction a fulfillment names must exist (else BAD_USER_INPUT) and belong
 * to the enrolling customer (else FORBIDDEN): an enrollment must never record, nor an outbox event
 * announce, another customer's license or ledger transaction.
 */
export function checkFulfillmentReferences(
  customerUuid: string,
  refs: { licenseUuids: readonly string[]; transactionUuids: readonly string[] },
  owners: {
    licenses: ReadonlyMap<string, { enterpriseCustomerUuid: string | null } | null>;
    transactions: ReadonlyMap<string, { enterpriseCustomerUuid: string | null } | null>;
  },
): void {
  const check = (
    kind: 'license' | 'ledger transaction',
    argument: string,
    uuid: string,
    owner: { enterpriseCustomerUuid: string | null } | null | undefined,
  ) => {
    if (!owner) throw badInput(`fulfillments name ${kind} ${uuid}, which does not exist`, { argument });
    if (owner.enterpriseCustomerUuid === null)
      throw badInput(`fulfillments name ${kind} ${uuid}, which is not a redemption`, { argument });
    if (owner.enterpriseCustomerUuid !== customerUuid)
      throw forbidden(`${kind} ${uuid} belongs to another enterprise customer`);
  };
  for (const uuid of refs.licenseUuids) check('license', 'fulfillments.licenseUuid', uuid, owners.licenses.get(uuid));
  for (const uuid of refs.transactionUuids)
    check('ledger transaction', 'fulfillments.transactionUuid', uuid, owners.transactions.get(uuid));
}

export function bulkEnrollmentRequest(input: EnrollLearnersInput): {
  emails: string[];
  runKeys: string[];
  fulfillmentFor: FulfillmentLookup;
} {
  listSize(input.emails, LIMITS.emails, 'emails', 1);
  listSize(input.courseRunKeys, LIMITS.contentKeys, 'courseRunKeys', 1);
  const emails = [...new Set(input.emails.map(normalizeEmail))];
  const runKeys = [...new Set(input.courseRunKeys.map((k) => k.trim()))];
  if (runKeys.some((k) => k === '' || k.length > 255))
    throw badInput('courseRunKeys must be non-empty run keys', { argument: 'courseRunKeys' });
  if (emails.length * runKeys.length > MAX_ENROLLMENT_PAIRS) {
    throw badInput(
      `At most ${MAX_ENROLLMENT_PAIRS} (email, course run) pairs per call, got ${emails.length * runKeys.length}`,
      { argument: 'emails' },
    );
  }
  listSize(input.fulfillments ?? [], MAX_ENROLLMENT_PAIRS, 'fulfillments');
  return { emails, runKeys, fulfillmentFor: fulfillmentIndex(input.fulfillments) };
}

export interface BulkEnrollmentPlan {
  /** The runs every workable learner is enrolled in. */
  runs: RunInfo[];
  /** Pairs that fail before any write: invalid emails, unknown runs, runs outside the customer's catalogs. */
  failures: EnrollmentResult[];
  /** Emails to enroll in `runs`, in lock order (LMS user id; emails without an account first), in transactions of ENROLLMENT_CHUNK. */
  chunks: string[][];
}

/**
 * Splits a bulk enrollment's pairs: every (email, run) pair that cannot succeed fails here with its
 * reason; the other emails are grouped into transactions, ordered as every writer locks users.
 */
export function planBulkEnrollment(
  emails: readonly string[],
  runKeys: readonly string[],
  checks: readonly RunCheck[],
  userIdByEmail: ReadonlyMap<string, number>,
): BulkEnrollmentPlan {
  const runs: RunInfo[] = [];
  const runFailures = new Map<string, string>();
  runKeys.forEach((key, i) => {
    const check = present(checks[i], `catalog check of run ${key}`);
    if (!check.run) runFailures.set(key, 'course run not found');
    else if (!check.inCustomerCatalog) runFailures.set(key, "course run is not in any of the customer's catalogs");
    else runs.push(check.run);
  });
  const failures: EnrollmentResult[] = [];
  const workable: string[] = [];
  for (const email of emails) {
    if (!isEmail(email)) {
      for (const courseRunKey of runKeys) failures.push({ email, courseRunKey, reason: 'invalid email address' });
      continue;
    }
    for (const [courseRunKey, reason] of runFailures) failures.push({ email, courseRunKey, reason });
    if (runs.length) workable.push(email);
  }
  const userId = (email: string) => userIdByEmail.get(email) ?? -1;
  workable.sort((a, b) => userId(a) - userId(b));
  const chunks: string[][] = [];
  for (let i = 0; i < workable.length; i += ENROLLMENT_CHUNK) chunks.push(workable.slice(i, i + ENROLLMENT_CHUNK));
  return { runs, failures, chunks };
}

export function mergeResults(into: EnrollLearnersResult, part: EnrollLearnersResult): void {
  into.successes.push(...part.successes);
  into.pending.push(...part.pending);
  into.failures.push(...part.failures);
}

// ---------------------------------------------------------------------------------------------
// Enrollments, learner progress, invite keys, registration

export function enrollmentIdArg(value: string): number {
  return decimalIdArg(value, 'enrollmentId');
}

export interface LearnerProgressInput {
  enrollmentId: string;
  currentGrade?: number | null;
  letterGrade?: string | null;
  hasPassed?: boolean | null;
  passedDate?: string | null;
  lastActivityDate?: string | null;
}

const dayStart = (date: string) => new Date(`${date}T00:00:00Z`);

/** Checks a learner-progress update that needs no stored row (grades in range, no future dates). */
export function checkProgressInput(input: LearnerProgressInput, today: string): { letterGrade: string | undefined } {
  if (input.currentGrade != null && !(input.currentGrade >= 0 && input.currentGrade <= 1))
    throw badInput('currentGrade must be between 0 and 1', { argument: 'currentGrade' });
  const letterGrade = input.letterGrade == null ? undefined : nonEmptyString(input.letterGrade, 'letterGrade', 16);
  for (const [name, value] of [
    ['passedDate', input.passedDate],
    ['lastActivityDate', input.lastActivityDate],
  ] as const) {
    if (value != null && value > today) throw badInput(`${name} must not be in the future`, { argument: name });
  }
  if (input.passedDate != null && input.hasPassed === false)
    throw badInput('passedDate needs hasPassed', { argument: 'passedDate' });
  return { letterGrade };
}

/**
 * The columns a learner-progress update writes, given whether the row has passed already (the
 * caller refuses un-passing). Passing stamps passedDate (today unless given).
 */
export function progressChanges(
  input: LearnerProgressInput,
  letterGrade: string | undefined,
  alreadyPassed: boolean,
  today: string,
) {
  if (!alreadyPassed && input.hasPassed !== true && input.passedDate != null)
    throw badInput('passedDate needs hasPassed', { argument: 'passedDate' });
  const passing = input.hasPassed === true && !alreadyPassed;
  return {
    ...(input.currentGrade != null ? { currentGrade: input.currentGrade } : {}),
    ...(letterGrade !== undefined ? { letterGrade } : {}),
    ...(passing
      ? { hasPassed: true, passedDate: dayStart(input.passedDate ?? today) }
      : input.passedDate != null
        ? { passedDate: dayStart(input.passedDate) }
        : {}),
    ...(input.lastActivityDate != null ? { lastActivityDate: dayStart(input.lastActivityDate) } : {}),
  };
}

export function isInviteKeyValid(key: InviteKeyRow, now = new Date()): boolean {
  return key.isActive && now < key.expirationDate && key.usageCount < key.usageLimit;
}

/** A new invite key's usage limit and expiration, defaults filled in and bounds checked. */
export function inviteKeyTerms(
  input: { usageLimit?: number | null; expirationDate?: Date | null },
  now: Date,
): { usageLimit: number; expirationDate: Date } {
  const usageLimit = input.usageLimit ?? INVITE_KEYS.defaultUsageLimit;
  if (!Number.isSafeInteger(usageLimit) || usageLimit < 1 || usageLimit > INVITE_KEYS.maxUsageLimit) {
    throw badInput(`usageLimit must be between 1 and ${INVITE_KEYS.maxUsageLimit}`, { argument: 'usageLimit' });
  }
  const expirationDate = input.expirationDate ?? new Date(now.getTime() + INVITE_KEYS.defaultDays * DAY_MS);
  if (
    Number.isNaN(expirationDate.getTime()) ||
    expirationDate <= now ||
    expirationDate.getTime() > now.getTime() + INVITE_KEYS.maxDays * DAY_MS
  ) {
    throw badInput(`expirationDate must be in the future and at most ${INVITE_KEYS.maxDays} days ahead`, {
      argument: 'expirationDate',
    });
  }
  return { usageLimit, expirationDate };
}

const USERNAME = /^[\w.@+-]{1,150}$/;
const COUNTRY = /^[A-Z]{2}$/;

export interface RegisterLmsUserInput {
  lmsUserId: number;
  email: string;
  username: string;
  country?: string | null;
  dateJoined?: Date | null;
}

/** The mirror row of a new LMS account, its fields checked and normalized. */
export function newLmsUser(input: RegisterLmsUserInput, now: Date): LmsUserRow {
  if (!Number.isSafeInteger(input.lmsUserId) || input.lmsUserId <= 0)
    throw badInput('lmsUserId must be a positive integer', { argument: 'lmsUserId' });
  const email = emailArg(input.email, 'email');
  const username = input.username.trim();
  if (!USERNAME.test(username))
    throw badInput('username must be 1-150 letters, digits or . @ + - _', { argument: 'username' });
  const country = input.country == null ? null : input.country.trim().toUpperCase();
  if (country !== null && !COUNTRY.test(country))
    throw badInput('country must be an ISO 3166-1 alpha-2 code', { argument: 'country' });
  return { id: input.lmsUserId, email, username, country, dateJoined: input.dateJoined ?? now };
}

/** Which of a new user's identifiers clash with existing accounts. */
export function clashingFields(user: LmsUserRow, clashes: readonly LmsUserRow[]): string[] {
  const fields = clashes.flatMap((c) => [
    c.id === user.id ? 'lmsUserId' : null,
    c.email === user.email ? 'email' : null,
    c.username === user.username ? 'username' : null,
  ]);
  return [...new Set(fields)].filter((f): f is string => f !== null);
}

// ---------------------------------------------------------------------------------------------
// Enrollment paid by one fulfillment (the outbox relays, self-enrollment)

/**
 * What enrollWithFulfillment does with the learner's current enrollment in the run:
 * - `repeat`: it already carries this fulfillment (revoked or not): nothing to write, so a
 *   redelivered redemption never revives an enrollment its reversal ended;
 * - `keep`: active and paid by another, unrevoked fulfillment: left as it is;
 * - `attach`: active without a live fulfillment: this one pays for it now;
 * - `reenroll`: ended: re-enrolled with this fulfillment;
 * - `create`: none yet.
 */
export type FulfilledEnrollmentStep = 'repeat' | 'keep' | 'attach' | 'reenroll' | 'create';

export function planFulfilledEnrollment(
  enrollment: Pick<EnterpriseCourseEnrollmentRow, 'unenrolled'> | undefined,
  current:
    Pick<EnrollmentFulfillmentRow, 'fulfillmentType' | 'licenseUuid' | 'transactionUuid' | 'isRevoked'> | undefined,
  spec: FulfillmentSpec,
): FulfilledEnrollmentStep {
  if (!enrollment) return 'create';
  const same =
    current?.fulfillmentType === fulfillmentTypeValue(spec.fulfillmentType) &&
    current.licenseUuid === spec.licenseUuid &&
    current.transactionUuid === spec.transactionUuid;
  if (same) return 'repeat';
  if (enrollment.unenrolled) return 'reenroll';
  return current && !current.isRevoked ? 'keep' : 'attach';
}

/** Checks enrollWithFulfillment's input: the uuid its type needs, and only that one. */
export function fulfillmentSpecArg(input: {
  fulfillmentType: FulfillmentType;
  licenseUuid?: string | null;
  transactionUuid?: string | null;
}): FulfillmentSpec {
  const licenseUuid = input.licenseUuid != null ? uuidArg(input.licenseUuid, 'licenseUuid') : null;
  const transactionUuid = input.transactionUuid != null ? uuidArg(input.transactionUuid, 'transactionUuid') : null;
  if (input.fulfillmentType === 'LICENSE' && (!licenseUuid || transactionUuid))
    throw badInput('A LICENSE fulfillment needs licenseUuid (and no transactionUuid)', { argument: 'licenseUuid' });
  if (input.fulfillmentType === 'LEARNER_CREDIT' && (!transactionUuid || licenseUuid))
    throw badInput('A LEARNER_CREDIT fulfillment needs transactionUuid (and no licenseUuid)', {
      argument: 'transactionUuid',
    });
  if (input.fulfillmentType === 'COUPON_CODE')
    throw badInput('COUPON_CODE fulfillments are not recorded here', { argument: 'fulfillmentType' });
  return { fulfillmentType: input.fulfillmentType, licenseUuid, transactionUuid };
}

/** Checks revokeFulfillments' input: exactly one non-empty uuid list. */
export function revocationArg(input: {
  licenseUuids?: readonly string[] | null;
  transactionUuids?: readonly string[] | null;
}): { licenseUuids: string[]; transactionUuids: string[] } {
  const licenses = input.licenseUuids ?? null;
  const transactions = input.transactionUuids ?? null;
  if ((licenses === null) === (transactions === null))
    throw badInput('Give exactly one of licenseUuids or transactionUuids', { argument: 'licenseUuids' });
  const list = licenses ?? transactions ?? [];
  listSize(list, LIMITS.uuids, licenses ? 'licenseUuids' : 'transactionUuids', 1);
  return {
    licenseUuids: licenses ? uuidList(licenses, 'licenseUuids') : [],
    transactionUuids: transactions ? uuidList(transactions, 'transactionUuids') : [],
  };
}

export function nonEmptyRunKey(value: string): string {
  const key = value.trim();
  if (key === '' || key.length > 255)
    throw badInput('courseRunKey must be a non-empty run key', { argument: 'courseRunKey' });
  return key;
}
