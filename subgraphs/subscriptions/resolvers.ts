import { badInput, forbidden } from '../../lib/errors.js';
import { uuidArg } from '../../lib/validate.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { SubscriptionsContext } from './context.js';
import {
  activateLicense,
  assignLicenses,
  bulkRevokeLicenses,
  enqueueBulkLicenseEnrollment,
  remindLicenses,
} from './mutations.js';
import { canViewJob, daysUntil, isCurrent, isLockedForRenewal, licenseCounts, revocations } from './rules.js';
import { listOwnLicenses, listPlanLicenses, listPlans, type LicenseOwner } from './store/index.js';
import type { LicenseRow, RenewalRow, SubscriptionPlanRow } from './tables.js';

const MAX_SEARCH_LENGTH = 254;
/** Renewal chains are short; the bound only guards against a cycle written by hand. */
const MAX_CHAIN = 100;

/**
 * An argument with a schema default: graphql-js still passes an explicit null through, which the
 * generated argument types leave out.
 */
function withDefault<T>(value: T | null | undefined, fallback: T): T {
  return value ?? fallback;
}

/** A plan a renewal points at: renewals reference existing plans, so a missing one is a bug. */
function renewalPlan(plan: SubscriptionPlanRow | null, uuid: string, ctx: SubscriptionsContext): SubscriptionPlanRow {
  const visible = visiblePlan(plan, ctx);
  if (!visible) throw new Error(`Subscription plan ${uuid} of a renewal is missing`);
  return visible;
}

function visiblePlan(plan: SubscriptionPlanRow | null, ctx: SubscriptionsContext): SubscriptionPlanRow | null {
  if (!plan) return null;
  ctx.viewer.assertCanViewCustomer(plan.enterpriseCustomerUuid);
  return plan;
}

/** A license is visible to admins of its plan's customer, operators and the learner holding it. */
async function visibleLicense(license: LicenseRow | null, ctx: SubscriptionsContext): Promise<LicenseRow | null> {
  if (!license) return null;
  if (ctx.viewer.isSelf({ lmsUserId: license.lmsUserId, email: license.userEmail })) return license;
  const plan = await ctx.loaders.plan.load(license.subscriptionPlanUuid);
  if (plan && ctx.viewer.isAdminOf(plan.enterpriseCustomerUuid)) return license;
  throw forbidden(`No access to license ${license.uuid}`);
}

function searchArg(search: string | null | undefined): string | null {
  const trimmed = search?.trim();
  if (!trimmed) return null;
  if (trimmed.length > MAX_SEARCH_LENGTH)
    throw badInput(`search is longer than ${MAX_SEARCH_LENGTH} characters`, { argument: 'search' });
  return trimmed;
}

function viewerAsOwner(ctx: SubscriptionsContext): LicenseOwner {
  return { lmsUserId: ctx.viewer.lmsUserId, email: ctx.viewer.email };
}

/** The renewals that led to `plan`, oldest first (one batched statement per step back). */
async function priorRenewalChain(plan: SubscriptionPlanRow, ctx: SubscriptionsContext): Promise<RenewalRow[]> {
  const chain: RenewalRow[] = [];
  const seen = new Set([plan.uuid]);
  let current = plan.uuid;
  while (chain.length < MAX_CHAIN) {
    const renewal = await ctx.loaders.renewalByRenewedPlan.load(current);
    if (!renewal || seen.has(renewal.priorSubscriptionPlanUuid)) break;
    chain.unshift(renewal);
    seen.add(renewal.priorSubscriptionPlanUuid);
    current = renewal.priorSubscriptionPlanUuid;
  }
  return chain;
}

/** The renewals after `plan`: its renewal, the renewed plan's renewal, and so on. */
async function futureRenewalChain(plan: SubscriptionPlanRow, ctx: SubscriptionsContext): Promise<RenewalRow[]> {
  const chain: RenewalRow[] = [];
  const seen = new Set([plan.uuid]);
  let current = plan.uuid;
  while (chain.length < MAX_CHAIN) {
    const renewal = await ctx.loaders.renewalByPriorPlan.load(current);
    if (!renewal || seen.has(renewal.renewedSubscriptionPlanUuid)) break;
    chain.push(renewal);
    seen.add(renewal.renewedSubscriptionPlanUuid);
    current = renewal.renewedSubscriptionPlanUuid;
  }
  return chain;
}

async function countsOf(plan: SubscriptionPlanRow, ctx: SubscriptionsContext) {
  return licenseCounts(await ctx.loaders.licenseCounts.load(plan.uuid));
}

export const resolvers: Resolvers = {
  Query: {
    async subscriptionPlan(_root, { uuid }, ctx) {
      return visiblePlan(await ctx.loaders.plan.load(uuidArg(uuid)), ctx);
    },
    subscriptionPlans(_root, { enterpriseCustomerUuid, current, first, after }, ctx) {
      const customer = uuidArg(enterpriseCustomerUuid, 'enterpriseCustomerUuid');
      ctx.viewer.assertCanViewCustomer(customer);
      return listPlans(ctx.db, customer, { current, now: new Date() }, { first, after });
    },
    async license(_root, { uuid }, ctx) {
      return visibleLicense(await ctx.loaders.license.load(uuidArg(uuid)), ctx);
    },
    myLicenses(_root, { enterpriseCustomerUuid, includeRevoked, currentPlansOnly, first, after }, ctx) {
      const customer = enterpriseCustomerUuid ? uuidArg(enterpriseCustomerUuid, 'enterpriseCustomerUuid') : null;
      return listOwnLicenses(
        ctx.db,
        viewerAsOwner(ctx),
        {
          enterpriseCustomerUuid: customer,
          includeRevoked: withDefault(includeRevoked, false),
          currentPlansOnly: withDefault(currentPlansOnly, true),
          now: new Date(),
        },
        { first, after },
      );
    },
    async bulkEnrollmentJob(_root, { jobId }, ctx) {
      const job = await ctx.loaders.job.load(uuidArg(jobId, 'jobId'));
      if (!job) return null;
      if (!canViewJob(ctx.viewer, job)) throw forbidden(`No access to bulk enrollment job ${job.uuid}`);
      return job;
    },
  },
  Mutation: {
    // runMutation wakes the outbox relay after the commit: the learner-link requests go out at once.
    assignLicenses: (_root, { input }, ctx) => assignLicenses(ctx, input),
    async bulkRevokeLicenses(_root, { input }, ctx) {
      return { revokedLicenses: await bulkRevokeLicenses(ctx, input) };
    },
    async remindLicenses(_root, { input }, ctx) {
      return { remindedLicenses: await remindLicenses(ctx, input) };
    },
    async activateLicense(_root, { input }, ctx) {
      return { license: await activateLicense(ctx, input) };
    },
    async bulkLicenseEnrollment(_root, { input }, ctx) {
      const job = await enqueueBulkLicenseEnrollment(ctx, input);
      return { jobId: job.uuid, job };
    },
  },
  EnterpriseCustomer: {
    __resolveReference: (reference) => ({ uuid: reference.uuid }),
    subscriptionPlans(customer, { current, first, after }, ctx) {
      ctx.viewer.assertCanViewCustomer(customer.uuid);
      return listPlans(ctx.db, customer.uuid, { current, now: new Date() }, { first, after });
    },
  },
  SubscriptionPlan: {
    async __resolveReference(reference, ctx) {
      return visiblePlan(await ctx.loaders.plan.load(reference.uuid), ctx);
    },
    enterpriseCustomer: (plan) => ({ uuid: plan.enterpriseCustomerUuid }),
    enterpriseCatalog: (plan) => ({ uuid: plan.enterpriseCatalogUuid }),
    isCurrent: (plan) => isCurrent(plan, new Date()),
    daysUntilExpiration: (plan) => daysUntil(plan.expirationDate, new Date()),
    async daysUntilExpirationIncludingRenewals(plan, _args, ctx) {
      const future = await futureRenewalChain(plan, ctx);
      if (!future.length) return daysUntil(plan.expirationDate, new Date());
      const latest = Math.max(...future.map((r) => r.renewedExpirationDate.getTime()));
      return daysUntil(new Date(latest), new Date());
    },
    async isLockedForRenewalProcessing(plan, _args, ctx) {
      return isLockedForRenewal(await ctx.loaders.renewalByPriorPlan.load(plan.uuid), new Date());
    },
    licenseCounts: (plan, _args, ctx) => countsOf(plan, ctx),
    async revocations(plan, _args, ctx) {
      return revocations(plan, await countsOf(plan, ctx));
    },
    async priorRenewals(plan, _args, ctx) {
      const chain = await priorRenewalChain(plan, ctx);
      const plans = await ctx.loaders.plan.loadMany(
        chain.flatMap((r) => [r.priorSubscriptionPlanUuid, r.renewedSubscriptionPlanUuid]),
      );
      const startOf = new Map<string, Date>();
      for (const p of plans) if (p && !(p instanceof Error)) startOf.set(p.uuid, p.startDate);
      return chain.flatMap((r) => {
        const priorStart = startOf.get(r.priorSubscriptionPlanUuid);
        const renewedStart = startOf.get(r.renewedSubscriptionPlanUuid);
        if (!priorStart || !renewedStart) return [];
        return [
          {
            priorSubscriptionPlanId: r.priorSubscriptionPlanUuid,
            priorSubscriptionPlanStartDate: priorStart,
            renewedSubscriptionPlanId: r.renewedSubscriptionPlanUuid,
            renewedSubscriptionPlanStartDate: renewedStart,
          },
        ];
      });
    },
    renewal: (plan, _args, ctx) => ctx.loaders.renewalByPriorPlan.load(plan.uuid),
    licenses(plan, { status, search, first, after }, ctx) {
      const customer = plan.enterpriseCustomerUuid;
      let owner: LicenseOwner | undefined;
      if (!ctx.viewer.isAdminOf(customer)) {
        // Learners of the customer see their own licenses only; nobody else sees any.
        if (!ctx.viewer.isLearnerOf(customer))
          throw forbidden(`Only admins of enterprise customer ${customer} may list its licenses`);
        owner = viewerAsOwner(ctx);
      }
      return listPlanLicenses(
        ctx.db,
        plan.uuid,
        { statuses: status, search: searchArg(search), owner },
        { first, after },
      );
    },
  },
  SubscriptionPlanRenewal: {
    async priorSubscriptionPlan(renewal, _args, ctx) {
      return renewalPlan(
        await ctx.loaders.plan.load(renewal.priorSubscriptionPlanUuid),
        renewal.priorSubscriptionPlanUuid,
        ctx,
      );
    },
    async renewedSubscriptionPlan(renewal, _args, ctx) {
      return renewalPlan(
        await ctx.loaders.plan.load(renewal.renewedSubscriptionPlanUuid),
        renewal.renewedSubscriptionPlanUuid,
        ctx,
      );
    },
  },
  License: {
    async __resolveReference(reference, ctx) {
      return visibleLicense(await ctx.loaders.license.load(reference.uuid), ctx);
    },
    // Whoever may see the license may see the plan it belongs to.
    async subscriptionPlan(license, _args, ctx) {
      const plan = await ctx.loaders.plan.load(license.subscriptionPlanUuid);
      if (!plan) throw new Error(`License ${license.uuid} points at a missing plan`);
      return plan;
    },
  },
  BulkEnrollmentJob: {
    jobId: (job) => job.uuid,
    enterpriseCustomer: (job) => ({ uuid: job.enterpriseCustomerUuid }),
    successes: (job) => job.results?.successes ?? [],
    pending: (job) => job.results?.pending ?? [],
    failures: (job) => job.results?.failures ?? [],
  },
};
