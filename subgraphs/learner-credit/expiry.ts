import type { Kysely } from 'kysely';
import { mintServiceToken } from '../../lib/auth/token.js';
import { startPoller } from '../../lib/background.js';
import { intFromEnv } from '../../lib/config.js';
import { wakeOutboxRelays } from '../../lib/outbox-relay.js';
import { assignmentEvent, EVENTS, writeEvents } from './events.js';
import { contentsOf } from './remote.js';
import { earliestPossibleExpiration } from './rules/index.js';
import {
  findConfigurationsByUuids,
  findPoliciesByUuids,
  findStillUnwarned,
  findSubsidiesByUuids,
  findUnwarnedAllocatedAssignments,
  lockAssignments,
  recordExpiryWarnings,
  type WarnableAssignment,
} from './store/index.js';
import type { LearnerCreditDatabase } from './tables.js';

type DB = Kysely<LearnerCreditDatabase>;
const SERVICE = 'learner-credit';
const DAY_MS = 24 * 60 * 60_000;

/**
 * The expiry warning (enterprise-access sends a reminder a few days before an allocated assignment
 * expires): a pass finds ALLOCATED assignments whose earliest possible expiration (subsidy expiry,
 * enroll-by date, allocation + 90 days) is within ASSIGNMENT_EXPIRY_WARNING_DAYS (default 3) and
 * not yet passed, and writes one `learner_content_assignment.expiring` event per allocation, with
 * its warning record, in one transaction: the email channel sends it (emails.ts). A re-allocation
 * is warned again. Runs every ASSIGNMENT_EXPIRY_WARNING_POLL_MS (default one hour).
 */
export interface ExpiryWarningSettings {
  withinDays: number;
  pollMs: number;
  /** Assignments examined per page. */
  pageSize: number;
}

export function expiryWarningSettings(): ExpiryWarningSettings {
  return {
    withinDays: intFromEnv('ASSIGNMENT_EXPIRY_WARNING_DAYS', 3),
    pollMs: intFromEnv('ASSIGNMENT_EXPIRY_WARNING_POLL_MS', 60 * 60_000),
    pageSize: 200,
  };
}

/** One pass over every unwarned allocation; returns the number of warnings written. */
export async function warnExpiringAssignments(
  db: DB,
  options: { now?: Date; settings?: Partial<ExpiryWarningSettings> } = {},
): Promise<number> {
  const settings = { ...expiryWarningSettings(), ...options.settings };
  const now = options.now ?? new Date();
  const horizon = now.getTime() + settings.withinDays * DAY_MS;
  let authorization: string | null = null;
  let warned = 0;
  let after: { allocatedAt: Date; uuid: string } | undefined;
  for (;;) {
    const page = await findUnwarnedAllocatedAssignments(db, settings.pageSize, after);
    if (!page.length) return warned;
    const last = page[page.length - 1];
    if (last) after = { allocatedAt: last.allocatedAt, uuid: last.uuid };
    authorization ??= `JWT ${await mintServiceToken(SERVICE)}`;
    const due = await dueAssignments(db, page, now, horizon, authorization);
    if (due.size) {
      warned += await db.transaction().execute(async (trx) => {
        await lockAssignments(trx, [...due.keys()]);
        const still = (await findStillUnwarned(trx, [...due.keys()])).flatMap((a) => {
          const expiration = due.get(a.uuid);
          return expiration ? [{ assignment: a, expiration }] : [];
        });
        await recordExpiryWarnings(
          trx,
          still.map(({ assignment: a, expiration }) => ({
            assignmentUuid: a.uuid,
            allocatedAt: a.allocatedAt,
            expiresAt: expiration.date,
            created: now,
          })),
        );
        await writeEvents(
          trx,
          still.map(({ assignment: a, expiration }) => {
            const event = assignmentEvent(EVENTS.assignmentExpiring, a, a.enterpriseCustomerUuid);
            return {
              ...event,
              payload: {
                ...(event.payload as object),
                expires_at: expiration.date.toISOString(),
                expiration_reason: expiration.reason,
              },
            };
          }),
        );
        return still.length;
      });
      wakeOutboxRelays();
    }
    if (page.length < settings.pageSize) return warned;
  }
}

/** The page's assignments whose earliest possible expiration is after now and within the horizon. */
async function dueAssignments(
  db: DB,
  page: readonly WarnableAssignment[],
  now: Date,
  horizon: number,
  authorization: string,
): Promise<Map<string, { date: Date; reason: string }>> {
  const configurations = await findConfigurationsByUuids(db, [
    ...new Set(page.map((a) => a.assignmentConfigurationUuid)),
  ]);
  const policies = await findPoliciesByUuids(db, [...new Set(configurations.map((c) => c.subsidyAccessPolicyUuid))]);
  const subsidies = await findSubsidiesByUuids(db, [...new Set(policies.map((p) => p.subsidyUuid))]);
  const policyOf = new Map(configurations.map((c) => [c.uuid, c.subsidyAccessPolicyUuid]));
  const subsidyOf = new Map(policies.map((p) => [p.uuid, p.subsidyUuid]));
  const subsidyExpiration = new Map(subsidies.map((s) => [s.uuid, s.expirationDatetime]));
  const contents = await contentsOf(
    page.map((a) => a.preferredCourseRunKey ?? a.contentKey),
    authorization,
  );
  const due = new Map<string, { date: Date; reason: string }>();
  for (const a of page) {
    const subsidy = subsidyOf.get(policyOf.get(a.assignmentConfigurationUuid) ?? '');
    const expiration = earliestPossibleExpiration(
      a,
      subsidyExpiration.get(subsidy ?? '') ?? null,
      contents.get(a.preferredCourseRunKey ?? a.contentKey)?.enrollBy ?? null,
    );
    if (expiration && expiration.date.getTime() > now.getTime() && expiration.date.getTime() <= horizon)
      due.set(a.uuid, expiration);
  }
  return due;
}

/**
 * The pass on its poll; the stopper waits for the pass in flight. The first pass runs one poll
 * interval after start, not at once: at start the catalog subgraph may not be up yet, and a
 * warning days ahead loses nothing by waiting.
 */
export function startExpiryWarnings(
  db: DB,
  settings: ExpiryWarningSettings = expiryWarningSettings(),
): () => Promise<void> {
  let started = false;
  return startPoller({
    name: 'learner-credit assignment expiry warnings',
    work: () => {
      if (!started) {
        started = true;
        return Promise.resolve(0);
      }
      return warnExpiringAssignments(db, { settings });
    },
    pollMs: settings.pollMs,
  });
}
