import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { conflict, forbidden, notFound } from '../../../lib/errors.js';
import { runMutation } from '../../../lib/mutation.js';
import { emailList, LIMITS, listSize, uuidArg } from '../../../lib/validate.js';
import { type RunInfo } from '../remote.js';
import type { CustomersContext } from '../context.js';
import { EVENTS, learnerPayload, writeEvents } from '../events.js';
import {
  clashingFields,
  INVITE_KEYS,
  inviteKeyTerms,
  isInviteKeyValid,
  type LinkResult,
  linksToDeactivate,
  newLmsUser,
  planActiveLink,
  planLinks,
  present,
  type RegisterLmsUserInput,
} from '../rules/index.js';
import {
  countInviteKeys,
  deactivateInviteKeyRow,
  deletePendingLearners,
  ensurePendingLearners,
  findCustomersByUuids,
  findEnrollmentsByIds,
  findInviteKey,
  findLearnersByCustomersAndUsers,
  findLearnersByIds,
  findLmsUserConflicts,
  findLmsUsersByEmails,
  findLmsUsersByIds,
  findPendingEnrollmentsByPendingUsers,
  findPendingLearners,
  findPendingLearnersByEmail,
  insertInviteKey,
  insertLearners,
  insertLmsUser,
  lockCustomer,
  lockLearnersOfUsers,
  lockLmsUsers,
  updateLearners,
} from '../store/index.js';
import type {
  CustomersDatabase,
  EnterpriseCourseEnrollmentRow,
  EnterpriseCustomerUserRow,
  InviteKeyRow,
  LmsUserRow,
  PendingEnterpriseCustomerUserRow,
} from '../tables.js';
import { customerForAdmin, viewerLmsUserId } from '../loaders.js';
import { enrollLinkedLearners } from './enrollments.js';

type Trx = Transaction<CustomersDatabase>;

// ---------------------------------------------------------------------------------------------
// Apply steps shared by several mutations (inside the caller's transaction)

/**
 * edx-enterprise `link_user` for existing LMS users (planLinks decides). A new or re-linked learner
 * becomes its user's one active link: every other linked link of the user is deactivated.
 * `activate` also makes an already linked but inactive link the active one (invite keys,
 * registration). The users' rows, then their links, are locked first, so concurrent links of one
 * user serialize. A fixed number of statements for any number of users.
 */
export async function linkUsers(
  trx: Trx,
  customerUuid: string,
  users: readonly LmsUserRow[],
  now: Date,
  options: { inviteKeyUuid?: string; activate?: boolean } = {},
): Promise<Map<number, LinkResult>> {
  const ids = users.map((u) => u.id);
  await lockLmsUsers(trx, ids);
  const links = await lockLearnersOfUsers(trx, ids);
  const { decided: results, relink, create } = planLinks(customerUuid, users, links, options.activate === true);
  await updateLearners(
    trx,
    relink.map((l) => l.id),
    { linked: true, active: true, ...(options.inviteKeyUuid ? { inviteKeyUuid: options.inviteKeyUuid } : {}) },
    now,
  );
  const created = await insertLearners(trx, customerUuid, create, now, options.inviteKeyUuid ?? null);
  for (const link of relink)
    results.set(link.lmsUserId, { learnerId: link.id, outcome: link.linked ? 'activated' : 'linked' });
  for (const [userId, learnerId] of created) results.set(userId, { learnerId, outcome: 'linked' });

  const changed = new Set([...relink.map((l) => l.lmsUserId), ...created.keys()]);
  await updateLearners(trx, linksToDeactivate(customerUuid, links, changed), { active: false }, now);
  const previous = new Map(relink.map((l) => [l.lmsUserId, l]));
  await writeEvents(
    trx,
    [...changed].map((userId) => ({
      eventType: EVENTS.learnerLinked,
      aggregateKey: `${customerUuid}:${userId}`,
      payload: learnerPayload({
        id: present(results.get(userId), `link result of user ${userId}`).learnerId,
        created: previous.get(userId)?.created ?? now,
        modified: now,
        enterpriseCustomerUuid: customerUuid,
        lmsUserId: userId,
        active: true,
        linked: true,
        isRelinkable: true,
        inviteKeyUuid: options.inviteKeyUuid ?? previous.get(userId)?.inviteKeyUuid ?? null,
      }),
    })),
  );
  return results;
}

/** `linkUsers` for one user. */
async function linkUser(
  trx: Trx,
  customerUuid: string,
  user: LmsUserRow,
  now: Date,
  options: { inviteKeyUuid?: string; activate?: boolean } = {},
): Promise<LinkResult> {
  return present(
    (await linkUsers(trx, customerUuid, [user], now, options)).get(user.id),
    `link result of user ${user.id}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Linking

export async function linkLearners(
  ctx: CustomersContext,
  input: { enterpriseCustomerUuid: string; emails: readonly string[] },
): Promise<{
  linked: EnterpriseCustomerUserRow[];
  pending: PendingEnterpriseCustomerUserRow[];
  alreadyLinked: EnterpriseCustomerUserRow[];
}> {
  listSize(input.emails, LIMITS.emails, 'emails', 1);
  const emails = emailList(input.emails, 'emails');
  const customer = await customerForAdmin(ctx, input.enterpriseCustomerUuid);
  const now = new Date();
  return runMutation(ctx, async (trx) => {
    await lockCustomer(trx, customer.uuid);
    const users = new Map((await findLmsUsersByEmails(trx, emails)).map((u) => [u.email, u]));
    const linkedIds: number[] = [];
    const alreadyIds: number[] = [];
    const pendingEmails: string[] = [];
    const notRelinkable: string[] = [];
    const links = await linkUsers(trx, customer.uuid, [...users.values()], now);
    for (const email of emails) {
      const user = users.get(email);
      if (!user) {
        pendingEmails.push(email);
        continue;
      }
      const { learnerId, outcome } = present(links.get(user.id), `link result of user ${user.id}`);
      if (outcome === 'notRelinkable') notRelinkable.push(email);
      else if (outcome === 'alreadyLinked') alreadyIds.push(learnerId);
      else linkedIds.push(learnerId);
    }
    // All or nothing: the transaction rolls back every link of this call.
    if (notRelinkable.length)
      throw conflict(`These learners were unlinked and cannot be relinked: ${notRelinkable.join(', ')}`, {
        emails: notRelinkable,
      });
    const rows = new Map((await findLearnersByIds(trx, [...linkedIds, ...alreadyIds])).map((r) => [r.id, r]));
    const pending = new Map(
      (await ensurePendingLearners(trx, customer.uuid, pendingEmails, now)).map((p) => [p.userEmail, p]),
    );
    return {
      linked: linkedIds.map((id) => present(rows.get(id), `learner ${id}`)),
      alreadyLinked: alreadyIds.map((id) => present(rows.get(id), `learner ${id}`)),
      pending: pendingEmails.map((email) => present(pending.get(email), `pending learner ${email}`)),
    };
  });
}

export async function unlinkLearners(
  ctx: CustomersContext,
  input: { enterpriseCustomerUuid: string; emails: readonly string[]; isRelinkable?: boolean | null },
): Promise<{ unlinked: EnterpriseCustomerUserRow[]; removedPending: string[]; notFound: string[] }> {
  listSize(input.emails, LIMITS.emails, 'emails', 1);
  const emails = emailList(input.emails, 'emails');
  const customer = await customerForAdmin(ctx, input.enterpriseCustomerUuid);
  const isRelinkable = input.isRelinkable !== false;
  const now = new Date();
  return runMutation(ctx, async (trx) => {
    await lockCustomer(trx, customer.uuid);
    const users = await findLmsUsersByEmails(trx, emails);
    await lockLmsUsers(
      trx,
      users.map((u) => u.id),
    );
    const links = new Map(
      (
        await findLearnersByCustomersAndUsers(
          trx,
          [customer.uuid],
          users.map((u) => u.id),
        )
      ).map((l) => [l.email, l]),
    );
    const pending = new Map((await findPendingLearners(trx, customer.uuid, emails)).map((p) => [p.userEmail, p]));
    const unlinkedIds: number[] = [];
    const removedPending: string[] = [];
    const missing: string[] = [];
    for (const email of emails) {
      const link = links.get(email);
      if (link) unlinkedIds.push(link.id);
      else if (pending.has(email)) removedPending.push(email);
      else missing.push(email);
    }
    await updateLearners(trx, unlinkedIds, { linked: false, active: false, isRelinkable }, now);
    await deletePendingLearners(
      trx,
      removedPending.map((email) => present(pending.get(email), `pending learner ${email}`).id),
    );
    const rows = await findLearnersByIds(trx, unlinkedIds);
    await writeEvents(
      trx,
      rows.map((row) => ({
        eventType: EVENTS.learnerUnlinked,
        aggregateKey: `${customer.uuid}:${row.lmsUserId}`,
        payload: learnerPayload(row),
      })),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return {
      unlinked: unlinkedIds.map((id) => present(byId.get(id), `learner ${id}`)),
      removedPending,
      notFound: missing,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Invite keys

export async function createInviteKey(
  ctx: CustomersContext,
  input: { enterpriseCustomerUuid: string; usageLimit?: number | null; expirationDate?: Date | null },
): Promise<InviteKeyRow> {
  const now = new Date();
  const { usageLimit, expirationDate } = inviteKeyTerms(input, now);
  const customer = await customerForAdmin(ctx, input.enterpriseCustomerUuid);
  return runMutation(ctx, async (trx) => {
    // The customer row lock makes count-then-insert safe against concurrent creations.
    await lockCustomer(trx, customer.uuid);
    const count = await countInviteKeys(trx, customer.uuid);
    if (count >= INVITE_KEYS.perCustomer) {
      throw conflict(`A customer has at most ${INVITE_KEYS.perCustomer} invite keys (inactive ones included)`, {
        count,
      });
    }
    const uuid = randomUUID();
    await insertInviteKey(trx, {
      uuid,
      enterpriseCustomerUuid: customer.uuid,
      usageLimit,
      expirationDate,
      isActive: true,
      created: now,
      modified: now,
    });
    return present(await findInviteKey(trx, uuid), `invite key ${uuid} just created`);
  });
}

export async function deactivateInviteKey(ctx: CustomersContext, input: { uuid: string }): Promise<InviteKeyRow> {
  const uuid = uuidArg(input.uuid, 'uuid');
  return runMutation(ctx, async (trx) => {
    const key = await findInviteKey(trx, uuid, true);
    if (!key) throw notFound(`Invite key ${uuid} does not exist`);
    ctx.viewer.assertAdminOf(key.enterpriseCustomerUuid);
    if (!key.isActive) return key;
    const now = new Date();
    await deactivateInviteKeyRow(trx, uuid, now);
    return { ...key, isActive: false, modified: now };
  });
}

export async function linkWithInviteKey(
  ctx: CustomersContext,
  input: { inviteKeyUuid: string },
): Promise<{ learner: EnterpriseCustomerUserRow; created: boolean }> {
  const uuid = uuidArg(input.inviteKeyUuid, 'inviteKeyUuid');
  const lmsUserId = await viewerLmsUserId(ctx);
  if (lmsUserId == null) throw forbidden('Only an LMS user can join a customer with an invite key');
  const now = new Date();
  return runMutation(ctx, async (trx) => {
    const key = await findInviteKey(trx, uuid, true);
    if (!key) throw notFound(`Invite key ${uuid} does not exist`);
    if (!isInviteKeyValid(key, now)) throw conflict('Enterprise customer invite key is not valid');
    const customer = await lockCustomer(trx, key.enterpriseCustomerUuid);
    if (!customer?.active) throw conflict('The invite key belongs to an inactive customer');
    const [user] = await findLmsUsersByIds(trx, [lmsUserId]);
    if (!user) throw notFound(`No LMS account ${lmsUserId} is known`);
    const { learnerId, outcome } = await linkUser(trx, key.enterpriseCustomerUuid, user, now, {
      inviteKeyUuid: uuid,
      activate: true,
    });
    if (outcome === 'notRelinkable') throw conflict('This learner was unlinked and cannot be relinked');
    const [learner] = await findLearnersByIds(trx, [learnerId]);
    return { learner: present(learner, `learner ${learnerId} just linked`), created: outcome !== 'alreadyLinked' };
  });
}

// ---------------------------------------------------------------------------------------------
// A user appears (registration)

/**
 * An LMS account appears (edx-enterprise's user post_save handler): the mirror row, the links of
 * every pending learner of its email (the most recent invitation ends up active), their pending
 * enrollments applied with their source and license, and the pending rows removed. One
 * transaction: any failure writes nothing.
 */
export async function registerLmsUser(
  ctx: CustomersContext,
  input: RegisterLmsUserInput,
): Promise<{ lmsUserId: number; learners: EnterpriseCustomerUserRow[]; enrollments: EnterpriseCourseEnrollmentRow[] }> {
  ctx.viewer.assertOperator();
  const now = new Date();
  const user = newLmsUser(input, now);
  return runMutation(ctx, async (trx) => {
    const clashes = await findLmsUserConflicts(trx, user);
    if (clashes.length) {
      const fields = clashingFields(user, clashes);
      throw conflict(`An LMS user with this ${fields.join(' and ')} already exists`, { fields });
    }
    await insertLmsUser(trx, user);
    const pending = await findPendingLearnersByEmail(trx, user.email);
    const pendingEnrollments = await findPendingEnrollmentsByPendingUsers(
      trx,
      pending.map((p) => p.id),
    );
    const learnerIds: number[] = [];
    const enrollmentIds: number[] = [];
    for (const p of pending) {
      const { learnerId, outcome } = await linkUser(trx, p.enterpriseCustomerUuid, user, now, { activate: true });
      if (outcome === 'notRelinkable') continue;
      learnerIds.push(learnerId);
      const mine = pendingEnrollments.filter((e) => e.pendingUserId === p.id);
      for (const source of new Set(mine.map((e) => e.source))) {
        const group = mine.filter((e) => e.source === source);
        const runs: RunInfo[] = group.map((e) => ({
          key: e.courseRunKey,
          title: e.courseTitle,
          courseKey: e.courseKey ?? e.courseRunKey,
          courseTitle: e.courseTitle,
          start: e.courseStart,
          end: e.courseEnd,
        }));
        const licenses = new Map(group.map((e) => [e.courseRunKey, e.licenseUuid]));
        const outcomes = await enrollLinkedLearners(trx, {
          customerUuid: p.enterpriseCustomerUuid,
          learners: [{ learnerId, user }],
          runs,
          source,
          notify: false,
          fulfillmentFor: (_user, runKey) => {
            const licenseUuid = licenses.get(runKey);
            return licenseUuid ? { fulfillmentType: 'LICENSE', licenseUuid, transactionUuid: null } : undefined;
          },
          now,
        });
        enrollmentIds.push(
          ...present(outcomes.get(learnerId), `enrollment outcomes of learner ${learnerId}`).map((o) => o.enrollmentId),
        );
      }
    }
    await deletePendingLearners(
      trx,
      pending.map((p) => p.id),
    );
    const learners = await findLearnersByIds(trx, learnerIds);
    return { lmsUserId: user.id, learners, enrollments: await findEnrollmentsByIds(trx, enrollmentIds) };
  });
}

// ---------------------------------------------------------------------------------------------
// The active customer

/**
 * The viewer picks its active customer: one of its linked links becomes the active one. Under the LMS user's row lock, like every
 * link change of a user, so concurrent switches serialize and exactly one link stays active.
 */
export async function setActiveEnterpriseCustomer(
  ctx: CustomersContext,
  input: { enterpriseCustomerUuid: string },
): Promise<void> {
  const customerUuid = uuidArg(input.enterpriseCustomerUuid, 'enterpriseCustomerUuid');
  const lmsUserId = await viewerLmsUserId(ctx);
  if (lmsUserId == null) throw forbidden('Only a linked learner switches its active customer');
  const now = new Date();
  await runMutation(ctx, async (trx) => {
    await lockLmsUsers(trx, [lmsUserId]);
    const links = await lockLearnersOfUsers(trx, [lmsUserId]);
    const plan = planActiveLink(customerUuid, links);
    if (!plan.activate) throw forbidden(`The viewer is not a linked learner of enterprise customer ${customerUuid}`);
    const [customer] = await findCustomersByUuids(trx, [customerUuid]);
    if (!customer?.active) throw conflict(`Enterprise customer ${customerUuid} is inactive`);
    if (plan.activate.active && plan.deactivate.length === 0) return;
    await updateLearners(trx, plan.deactivate, { active: false }, now);
    await updateLearners(trx, [plan.activate.id], { active: true }, now);
    await writeEvents(trx, [
      {
        eventType: EVENTS.learnerActivated,
        aggregateKey: `${customerUuid}:${lmsUserId}`,
        payload: learnerPayload({ ...plan.activate, active: true, modified: now }),
      },
    ]);
  });
}
