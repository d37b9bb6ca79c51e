import { settings } from '../../lib/config.js';
import type { CatalogScope, CourseNode, CourseRunNode, CustomerInfo, Entitlement } from './tables.js';

/**
 * The catalog's content rules as pure functions of stored values and "now". The store's SQL (contents
 * filters) mirrors `isEnrollable`, `isActiveRun`, `runAvailability` and `AVAILABILITY_RANK`; keep them in step.
 */

export type AvailabilityValue = 'CURRENT' | 'STARTING_SOON' | 'UPCOMING' | 'ARCHIVED';

export const STARTING_SOON_DAYS = 60;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Rank used to pick a course's best availability (lower is better); the SQL uses the same ranks. */
export const AVAILABILITY_RANK: Record<AvailabilityValue, number> = {
  CURRENT: 1,
  STARTING_SOON: 2,
  UPCOMING: 3,
  ARCHIVED: 4,
};

export function startingSoonLimit(now: Date): Date {
  return new Date(now.getTime() + STARTING_SOON_DAYS * DAY_MS);
}

type RunDates = Pick<CourseRunNode, 'start' | 'end' | 'enrollmentStart' | 'enrollmentEnd' | 'isMarketable'>;

/** ARCHIVED once `end` has passed; CURRENT once started; STARTING_SOON within 60 days; else UPCOMING (also with no start). */
export function runAvailability(run: RunDates, now: Date): AvailabilityValue {
  if (run.end && run.end <= now) return 'ARCHIVED';
  if (run.start && run.start <= now) return 'CURRENT';
  if (run.start && run.start <= startingSoonLimit(now)) return 'STARTING_SOON';
  return 'UPCOMING';
}

/** Enrollment is open: the enrollment window (open-ended when null) contains now and the run has not ended. */
export function isEnrollable(run: RunDates, now: Date): boolean {
  return (
    (!run.enrollmentStart || run.enrollmentStart <= now) &&
    (!run.enrollmentEnd || run.enrollmentEnd > now) &&
    (!run.end || run.end > now)
  );
}

/** Active (listed by `contents`): not archived, and enrollable or marketable. */
export function isActiveRun(run: RunDates, now: Date): boolean {
  return runAvailability(run, now) !== 'ARCHIVED' && (isEnrollable(run, now) || run.isMarketable);
}

/** A course takes the best availability of its active runs; ARCHIVED when it has none. */
export function courseAvailability(runs: readonly RunDates[], now: Date): AvailabilityValue {
  let best: AvailabilityValue = 'ARCHIVED';
  for (const run of runs) {
    if (!isActiveRun(run, now)) continue;
    const availability = runAvailability(run, now);
    if (AVAILABILITY_RANK[availability] < AVAILABILITY_RANK[best]) best = availability;
  }
  return best;
}

/** The run a course advertises: the stored choice, else its first active run by start. */
export function advertisedRun(course: CourseNode, runs: readonly CourseRunNode[], now: Date): CourseRunNode | null {
  if (course.advertisedCourseRunUuid) {
    const chosen = runs.find((run) => run.uuid === course.advertisedCourseRunUuid);
    if (chosen) return chosen;
  }
  return runs.find((run) => isActiveRun(run, now)) ?? null;
}

/** Price of the first paid seat (in seat order) whose upgrade deadline has not passed; null when none. */
export function firstEnrollablePaidSeatPriceCents(run: CourseRunNode, now: Date): number | null {
  const seat = run.seats.find((s) => s.priceCents > 0 && (!s.upgradeDeadline || new Date(s.upgradeDeadline) > now));
  return seat ? seat.priceCents : null;
}

function paidEntitlement(entitlements: readonly Entitlement[], modes: readonly string[]): Entitlement | undefined {
  return entitlements.find((e) => e.priceCents > 0 && (modes.length === 0 || modes.includes(e.mode)));
}

/**
 * Canonical price of a run: its first enrollable paid seat, else the course's
 * entitlement price for that mode (the run's paid seat modes, or its run type), else 0.
 */
export function runCanonicalPriceCents(run: CourseRunNode, course: CourseNode | null, now: Date): number {
  const seatPrice = firstEnrollablePaidSeatPriceCents(run, now);
  if (seatPrice !== null) return seatPrice;
  const modes = [
    ...new Set([
      ...run.seats.filter((s) => s.priceCents > 0).map((s) => s.type),
      ...(typeof run.type === 'string' ? [run.type] : []),
    ]),
  ];
  if (!course || modes.length === 0) return 0;
  return paidEntitlement(course.entitlements, modes)?.priceCents ?? 0;
}

/** Canonical price of a course: its advertised run's, else its first paid entitlement, else 0. */
export function courseCanonicalPriceCents(course: CourseNode, advertised: CourseRunNode | null, now: Date): number {
  if (advertised) {
    const price = runCanonicalPriceCents(advertised, course, now);
    if (price > 0) return price;
  }
  return paidEntitlement(course.entitlements, [])?.priceCents ?? 0;
}

/** Django-style slug of a customer name: `Dusenbery Devices` -> `dusenbery-devices`. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9\s-]/g, '')
    .trim()
    .replace(/[\s-]+/g, '-');
}

function utmQuery(customer: CustomerInfo | null): string {
  const source = customer ? slugify(customer.name) : '';
  return `utm_medium=enterprise${source ? `&utm_source=${source}` : ''}`;
}

/** The About page with the customer's UTM parameters (replacing any the URL already carries). */
export function marketingUrlFor(url: string | null | undefined, customer: CustomerInfo | null): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  parsed.searchParams.delete('utm_medium');
  parsed.searchParams.delete('utm_source');
  const query = parsed.searchParams.toString();
  const hash = parsed.hash;
  parsed.search = '';
  parsed.hash = '';
  return `${parsed.toString()}?${query ? `${query}&` : ''}${utmQuery(customer)}${hash}`;
}

/**
 * Enrollment URL of a course or run reached through a catalog: the learner
 * portal when the customer has it, else the LMS enterprise enrollment page for the catalog. Both
 * carry `audit=true` when the catalog publishes audit enrollment URLs (enterprise-catalog adds it
 * to the base parameters of either form), then the UTM parameters.
 */
export function enrollmentUrlFor(
  content: { courseKey: string; runKey?: string },
  scope: CatalogScope,
  customer: CustomerInfo | null,
): string {
  const params = `${scope.publishAuditEnrollmentUrls ? 'audit=true&' : ''}${utmQuery(customer)}`;
  if (customer?.enableLearnerPortal) {
    const runQuery = content.runKey ? `course_run_key=${encodeURIComponent(content.runKey)}&` : '';
    return `${settings.learnerPortalUrl()}/${customer.slug}/course/${content.courseKey}?${runQuery}${params}`;
  }
  return `${settings.lmsUrl()}/enterprise/${scope.enterpriseCustomerUuid}/course/${content.runKey ?? content.courseKey}/enroll/?catalog=${scope.catalogUuid}&${params}`;
}

/** LMS display names of the course modes (edx-platform `CourseMode` defaults). */
const MODE_NAMES: Record<string, string> = {
  audit: 'Audit',
  honor: 'Honor Code Certificate',
  verified: 'Verified Certificate',
  professional: 'Professional Education',
  'no-id-professional': 'Professional Education',
  credit: 'Credit',
  masters: "Master's",
  'executive-education': 'Executive Education',
  'paid-executive-education': 'Executive Education',
  'unpaid-executive-education': 'Executive Education',
};

export interface CourseModeView {
  slug: string;
  name: string;
  minPriceCents: number;
  currency: string;
  expirationDatetime: string | null;
  sku: string | null;
  bulkSku: string | null;
  description: string | null;
}

/** A run's course modes (seed 004 `course_modes`), one per seat type, cheapest first. */
export function courseModes(run: Pick<CourseRunNode, 'seats'>): CourseModeView[] {
  const seen = new Set<string>();
  return run.seats
    .filter((seat) => (seen.has(seat.type) ? false : (seen.add(seat.type), true)))
    .map((seat) => ({
      slug: seat.type,
      name:
        MODE_NAMES[seat.type] ??
        seat.type.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => `${sep ? ' ' : ''}${c.toUpperCase()}`),
      minPriceCents: seat.priceCents,
      currency: seat.currency.toLowerCase(),
      expirationDatetime: seat.upgradeDeadlineOverride ?? seat.upgradeDeadline,
      sku: seat.sku,
      bulkSku: seat.bulkSku,
      description: null,
    }))
    .sort((a, b) => a.minPriceCents - b.minPriceCents);
}
