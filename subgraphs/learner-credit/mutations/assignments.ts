import { randomUUID } from 'node:crypto';
import { badInput, conflict, notFound } from '../../../lib/errors.js';
import { runMutation } from '../../../lib/mutation.js';
import { emailList, listSize, nonNegativeCents, uuidArg, uuidList } from '../../../lib/validate.js';
import type { LearnerCreditContext } from '../context.js';
import { assignmentEvent, EVENTS, writeEvents } from '../events.js';
import {
  ASSIGNED_POLICY,
  CANCELABLE,
  contentKeyArg,
  earliestPossibleExpiration,
  isRedemptionEnabled,
  isSubsidyActive,
  planAllocation,
  priceWithinTolerance,
} from '../rules/index.js';
import {
  findAllocatedAssignments,
  findAssignmentsByUuids,
  findAssignmentsForLearners,
  findConfigurationsByPolicyUuids,
  findConfigurationsByUuids,
  findSubsidiesByUuids,
  insertActions,
  insertAssignments,
  lockAssignments,
  lockLedger,
  lockPolicy,
  updateAssignments,
} from '../store/index.js';
import type { AssignmentConfigurationRow, AssignmentRow, SubsidyAccessPolicyRow, SubsidyRow } from '../tables.js';
import { type Trx, action } from './redemptions.js';

// ---------------------------------------------------------------------------------------------
// Assignments: allocate, remind, cancel, expire

export interface AllocateInput {
  policyUuid: string;
  learnerEmails: readonly string[];
  contentKey: string;
  contentPriceCents: number;
}

export interface AllocateResult {
  created: AssignmentRow[];
  updated: AssignmentRow[];
  noChange: AssignmentRow[];
}

function assertAllocatable(policy: SubsidyAccessPolicyRow, subsidy: SubsidyRow | null): asserts subsidy is SubsidyRow {
  if (!isRedemptionEnabled(policy))
    throw conflict(`Policy ${policy.uuid} is ${policy.active ? 'retired' : 'inactive'}`);
  if (!subsidy || !isSubsidyActive(subsidy, new Date()))
    throw conflict(`The subsidy of policy ${policy.uuid} is not active`);
}

/**
 * Allocation: the checks that need no lock first (admin, assigned policy, content in the catalog,
 * price within tolerance of the canonical one), then planAllocation under the policy and ledger
 * locks; any failure writes nothing. Notification (and learner linking) is delivered after commit
 * from the outbox.
 */
export async function allocateAssignments(ctx: LearnerCreditContext, input: AllocateInput): Promise<AllocateResult> {
  const policyUuid = uuidArg(input.policyUuid, 'policyUuid');
  listSize(input.learnerEmails, 1000, 'learnerEmails', 1);
  const emails = emailList(input.learnerEmails, 'learnerEmails');
  const contentKey = contentKeyArg(input.contentKey);
  const price = nonNegativeCents(input.contentPriceCents, 'contentPriceCents');
  const policy = await ctx.loaders.policy.load(policyUuid);
  if (!policy) throw notFound(`Subsidy access policy ${policyUuid} not found`);
  ctx.viewer.assertAdminOf(policy.enterpriseCustomerUuid);
  if (policy.policyType !== ASSIGNED_POLICY)
    throw conflict(`Policy ${policyUuid} is a ${policy.policyType}: only assigned policies allocate`);
  assertAllocatable(policy, await ctx.loaders.subsidy.load(policy.subsidyUuid));

  const catalog = await ctx.loaders.remote.catalogContent.load({ catalogUuid: policy.catalogUuid, contentKey });
  const content = catalog.content;
  if (!catalog.inCatalog || !content)
    throw badInput(`Content ${contentKey} is not in the policy's catalog`, { argument: 'contentKey' });
  const canonical = content.priceCents ?? 0;
  if (!priceWithinTolerance(price, canonical)) {
    throw badInput(`contentPriceCents ${price} is outside 95%-105% of the canonical price ${canonical}`, {
      argument: 'contentPriceCents',
      canonicalPriceCents: canonical,
    });
  }
  const learners = await ctx.loaders.remote.learner.loadMany(
    emails.map((email) => ({ customerUuid: policy.enterpriseCustomerUuid, email })),
  );
  const userIdByEmail = new Map<string, number>();
  learners.forEach((learner, i) => {
    if (learner instanceof Error) throw learner;
    const email = emails[i];
    if (email !== undefined && learner?.lmsUserId != null) userIdByEmail.set(email, learner.lmsUserId);
  });

  return runMutation(ctx, async (trx) => {
    const locked = await lockPolicy(trx, policyUuid);
    if (!locked) throw notFound(`Subsidy access policy ${policyUuid} not found`);
    const subsidy = (await findSubsidiesByUuids(trx, [locked.subsidyUuid]))[0] ?? null;
    assertAllocatable(locked, subsidy);
    const ledger = await lockLedger(trx, subsidy.ledgerUuid);
    if (!ledger) throw new Error(`Ledger ${subsidy.ledgerUuid} of subsidy ${subsidy.uuid} is missing`);
    const configuration = (await findConfigurationsByPolicyUuids(trx, [locked.uuid]))[0];
    if (!configuration?.active) throw conflict(`Policy ${policyUuid} has no active assignment configuration`);
    const existing = await findAssignmentsForLearners(trx, configuration.uuid, contentKey, emails, [
      ...userIdByEmail.values(),
    ]);
    const plan = planAllocation({
      policy: locked,
      configurationUuid: configuration.uuid,
      emails,
      userIdByEmail,
      existing,
      content,
      contentKey,
      priceCents: price,
      // The stored aggregates of the rows the locking reads returned: the latest committed values.
      totals: {
        balance: ledger.balanceCents ?? 0,
        redeemedTotal: locked.redeemedCents ?? 0,
        allocatedTotal: locked.allocatedCents ?? 0,
      },
      adminLmsUserId: ctx.viewer.lmsUserId,
      now: new Date(),
      newId: randomUUID,
    });

    await insertAssignments(trx, plan.create);
    const updatedUuids = plan.update.rows.map((r) => r.uuid);
    await lockAssignments(trx, updatedUuids);
    await updateAssignments(trx, updatedUuids, plan.update.changes);
    for (const { assignmentUuid, lmsUserId } of plan.learnUserIds)
      await updateAssignments(trx, [assignmentUuid], { lmsUserId });

    const rows = await findAssignmentsByUuids(trx, [...plan.create.map((c) => c.uuid), ...updatedUuids]);
    const result: AllocateResult = {
      created: inOrder(
        rows,
        plan.create.map((c) => c.uuid),
      ),
      updated: inOrder(rows, updatedUuids),
      noChange: plan.unchanged,
    };
    await writeEvents(
      trx,
      [...result.created, ...result.updated].map((row) =>
        assignmentEvent(EVENTS.assignmentAllocated, row, locked.enterpriseCustomerUuid),
      ),
    );
    return result;
  });
}

export interface AssignmentUuidsInput {
  assignmentConfigurationUuid: string;
  assignmentUuids: readonly string[];
}

/**
 * Loads, locks (policy first) and checks the requested assignments of a configuration: all must
 * exist in it (else NOT_FOUND) and be in an accepted state (else CONFLICT), or nothing is written.
 */
async function withConfigurationAssignments<T>(
  ctx: LearnerCreditContext,
  input: AssignmentUuidsInput,
  allowed: ReadonlySet<string>,
  verb: string,
  apply: (trx: Trx, rows: AssignmentRow[], configuration: AssignmentConfigurationRow, now: Date) => Promise<T>,
): Promise<T> {
  const configurationUuid = uuidArg(input.assignmentConfigurationUuid, 'assignmentConfigurationUuid');
  listSize(input.assignmentUuids, 1000, 'assignmentUuids', 1);
  const uuids = uuidList(input.assignmentUuids, 'assignmentUuids');
  const configuration = await ctx.loaders.configuration.load(configurationUuid);
  if (!configuration) throw notFound(`Assignment configuration ${configurationUuid} not found`);
  ctx.viewer.assertAdminOf(configuration.enterpriseCustomerUuid);

  return runMutation(ctx, async (trx) => {
    await lockPolicy(trx, configuration.subsidyAccessPolicyUuid);
    const [current] = await findConfigurationsByUuids(trx, [configurationUuid]);
    if (!current) throw new Error(`Assignment configuration ${configurationUuid} vanished while locked`);
    await lockAssignments(trx, uuids);
    const rows = (await findAssignmentsByUuids(trx, uuids)).filter(
      (r) => r.assignmentConfigurationUuid === configurationUuid,
    );
    const found = new Set(rows.map((r) => r.uuid));
    const missing = uuids.filter((u) => !found.has(u));
    if (missing.length)
      throw notFound(`Assignments not found in configuration ${configurationUuid}: ${missing.join(', ')}`, {
        assignmentUuids: missing,
      });
    const refused = rows.filter((r) => !allowed.has(r.state));
    if (refused.length) {
      throw conflict(`Cannot ${verb} assignments ${refused.map((r) => `${r.uuid} (${r.state})`).join(', ')}`, {
        assignmentUuids: refused.map((r) => r.uuid),
      });
    }
    return apply(trx, inOrder(rows, uuids), current, new Date());
  });
}

/**
 * The assignments of uuids, in that order. Only for rows read under their lock, which nothing
 * deletes: a missing one is a bug, not bad input.
 */
function inOrder(rows: readonly AssignmentRow[], uuids: readonly string[]): AssignmentRow[] {
  const byUuid = new Map(rows.map((r) => [r.uuid, r]));
  return uuids.map((uuid) => {
    const row = byUuid.get(uuid);
    if (!row) throw new Error(`Assignment ${uuid} is missing after it was locked`);
    return row;
  });
}

async function reread(trx: Trx, rows: readonly AssignmentRow[]): Promise<AssignmentRow[]> {
  const uuids = rows.map((r) => r.uuid);
  return inOrder(await findAssignmentsByUuids(trx, uuids), uuids);
}

/** ALLOCATED assignments get a REMINDED action; any other requested one fails the call. */
export function remindAssignments(ctx: LearnerCreditContext, input: AssignmentUuidsInput): Promise<AssignmentRow[]> {
  return withConfigurationAssignments(
    ctx,
    input,
    new Set(['ALLOCATED']),
    'remind',
    async (trx, rows, configuration, now) => {
      const uuids = rows.map((r) => r.uuid);
      await updateAssignments(trx, uuids, { modified: now });
      await insertActions(
        trx,
        uuids.map((u) => action(u, 'REMINDED', now)),
      );
      await writeEvents(
        trx,
        rows.map((r) => assignmentEvent(EVENTS.assignmentReminded, r, configuration.enterpriseCustomerUuid)),
      );
      return reread(trx, rows);
    },
  );
}

/** ALLOCATED or ERRORED become CANCELLED (CANCELLED ones stay); any other fails the call. */
export function cancelAssignments(ctx: LearnerCreditContext, input: AssignmentUuidsInput): Promise<AssignmentRow[]> {
  return withConfigurationAssignments(
    ctx,
    input,
    new Set([...CANCELABLE, 'CANCELLED']),
    'cancel',
    async (trx, rows, configuration, now) => {
      const changing = rows.filter((r) => CANCELABLE.has(r.state));
      const uuids = changing.map((r) => r.uuid);
      await updateAssignments(trx, uuids, { state: 'CANCELLED', cancelledAt: now, modified: now });
      await insertActions(
        trx,
        uuids.map((u) => action(u, 'CANCELLED', now)),
      );
      await writeEvents(
        trx,
        changing.map((r) => assignmentEvent(EVENTS.assignmentCancelled, r, configuration.enterpriseCustomerUuid)),
      );
      return reread(trx, rows);
    },
  );
}

/**
 * Expires ALLOCATED assignments whose earliest possible expiration (subsidy expiry, enrollment
 * deadline, allocation + 90 days) has passed: state EXPIRED, an EXPIRED action and an event,
 * under the policy lock so a concurrent redemption either wins before or sees EXPIRED after.
 */
export async function expireAssignments(
  ctx: LearnerCreditContext,
  input: { assignmentConfigurationUuid: string },
): Promise<AssignmentRow[]> {
  const configurationUuid = uuidArg(input.assignmentConfigurationUuid, 'assignmentConfigurationUuid');
  const configuration = await ctx.loaders.configuration.load(configurationUuid);
  if (!configuration) throw notFound(`Assignment configuration ${configurationUuid} not found`);
  ctx.viewer.assertAdminOf(configuration.enterpriseCustomerUuid);
  const policy = await ctx.loaders.policy.load(configuration.subsidyAccessPolicyUuid);
  const subsidy = policy ? await ctx.loaders.subsidy.load(policy.subsidyUuid) : null;
  const candidates = await findAllocatedAssignments(ctx.db, configurationUuid);
  // Enroll-by dates come from the catalog subgraph, before any lock is taken.
  const contents = await ctx.loaders.remote.content.loadMany(
    candidates.map((a) => a.preferredCourseRunKey ?? a.contentKey),
  );
  const now = new Date();
  const due = candidates
    .filter((assignment, i) => {
      const content = contents[i];
      if (content instanceof Error) throw content;
      const expiration = earliestPossibleExpiration(
        assignment,
        subsidy?.expirationDatetime ?? null,
        content?.enrollBy ?? null,
      );
      return expiration !== null && expiration.date <= now;
    })
    .map((a) => a.uuid);
  if (!due.length) return [];

  return runMutation(ctx, async (trx) => {
    await lockPolicy(trx, configuration.subsidyAccessPolicyUuid);
    await lockAssignments(trx, due);
    const still = (await findAssignmentsByUuids(trx, due)).filter((a) => a.state === 'ALLOCATED');
    const uuids = still.map((a) => a.uuid);
    await updateAssignments(trx, uuids, { state: 'EXPIRED', expiredAt: now, modified: now });
    await insertActions(
      trx,
      uuids.map((u) => action(u, 'EXPIRED', now)),
    );
    await writeEvents(
      trx,
      still.map((r) => assignmentEvent(EVENTS.assignmentExpired, r, configuration.enterpriseCustomerUuid)),
    );
    return reread(trx, still);
  });
}
