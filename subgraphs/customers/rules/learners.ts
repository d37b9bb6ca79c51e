import { badInput } from '../../../lib/errors.js';
import { decimalIdArg, emailArg, nonEmptyString } from '../../../lib/validate.js';
import type { EnterpriseCustomerUserRow, InviteKeyRow, LmsUserRow } from '../tables.js';
import { DAY_MS, INVITE_KEYS } from './common.js';

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
