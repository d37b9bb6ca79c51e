import { forbidden } from '../../lib/errors.js';
import { emailList, LIMITS, listSize, uuidArg } from '../../lib/validate.js';
import type { AssignmentFilter, Resolvers } from './__generated__/resolvers-types.js';
import type { LearnerCreditContext } from './context.js';
import { isCourseRunKey } from './remote.js';
import {
  assignmentError,
  canReadTransaction,
  earliestPossibleExpiration,
  isLateRedemptionAllowed,
  isSubsidyActive,
  recentAction,
} from './rules/index.js';
import { canRedeem, policyAggregates } from './loaders.js';
import {
  allocateAssignments,
  cancelAssignments,
  expireAssignments,
  redeem,
  remindAssignments,
  reverseTransaction,
} from './mutations/index.js';
import { listAssignments, listPolicies, listPolicyTransactions, type AssignmentListFilter } from './store/index.js';
import type { AssignmentConfigurationRow, AssignmentRow, SubsidyAccessPolicyRow, SubsidyRow } from './tables.js';

/** Inactive policies are soft-deleted: only admins of the customer (and operators) still see them. */
function visiblePolicy(
  policy: SubsidyAccessPolicyRow | null,
  ctx: LearnerCreditContext,
): SubsidyAccessPolicyRow | null {
  if (!policy) return null;
  ctx.viewer.assertCanViewCustomer(policy.enterpriseCustomerUuid);
  return policy.active || ctx.viewer.isAdminOf(policy.enterpriseCustomerUuid) ? policy : null;
}

function policiesOf(
  ctx: LearnerCreditContext,
  customerUuid: string,
  args: { active?: boolean | null; policyType?: string | null; first?: number | null; after?: string | null },
) {
  ctx.viewer.assertCanViewCustomer(customerUuid);
  const filter = {
    enterpriseCustomerUuid: customerUuid,
    active: args.active,
    policyType: args.policyType,
    onlyActive: !ctx.viewer.isAdminOf(customerUuid),
  };
  return listPolicies(ctx.db, filter, { first: args.first, after: args.after });
}

function visibleConfiguration(
  configuration: AssignmentConfigurationRow | null,
  ctx: LearnerCreditContext,
): AssignmentConfigurationRow | null {
  if (!configuration) return null;
  ctx.viewer.assertCanViewCustomer(configuration.enterpriseCustomerUuid);
  return configuration;
}

function visibleSubsidy(subsidy: SubsidyRow | null, ctx: LearnerCreditContext): SubsidyRow | null {
  if (!subsidy) return null;
  ctx.viewer.assertCanViewCustomer(subsidy.enterpriseCustomerUuid);
  return subsidy;
}

/** Filter input -> store filter; emails are normalized, list sizes bounded. */
function assignmentFilter(
  filter: AssignmentFilter | null | undefined,
  search: string | null | undefined,
): AssignmentListFilter {
  const result: AssignmentListFilter = {};
  // Each exact filter and its `In` variant combine with AND, as separate REST query params do.
  const both = <T>(one: T | null | undefined, many: readonly T[] | null | undefined): T[] | undefined => {
    if (one == null && many == null) return undefined;
    const values = [...(many ?? [])];
    if (one != null) return many == null ? [one] : values.filter((v) => v === one);
    return values;
  };
  if (filter) {
    if (filter.contentKeyIn) listSize(filter.contentKeyIn, LIMITS.contentKeys, 'contentKeyIn');
    if (filter.lmsUserIdIn) listSize(filter.lmsUserIdIn, LIMITS.uuids, 'lmsUserIdIn');
    const email = filter.learnerEmail != null ? emailList([filter.learnerEmail], 'learnerEmail')[0] : null;
    const emails = filter.learnerEmailIn != null ? emailList(filter.learnerEmailIn, 'learnerEmailIn') : null;
    result.contentKeys = both(filter.contentKey, filter.contentKeyIn);
    result.learnerEmails = both(email, emails);
    result.learnerStates = both(filter.learnerState, filter.learnerStateIn);
    result.lmsUserIds = both(filter.lmsUserId, filter.lmsUserIdIn);
    result.states = both(filter.state, filter.stateIn);
  }
  const trimmed = search?.trim();
  if (trimmed) result.search = trimmed;
  return result;
}

async function enrollBy(ctx: LearnerCreditContext, assignment: AssignmentRow): Promise<Date | null> {
  const content = await ctx.loaders.remote.content.load(assignment.preferredCourseRunKey ?? assignment.contentKey);
  return content?.enrollBy ?? null;
}

async function subsidyOfConfiguration(
  ctx: LearnerCreditContext,
  configurationUuid: string,
): Promise<SubsidyRow | null> {
  const configuration = await ctx.loaders.configuration.load(configurationUuid);
  const policy = configuration ? await ctx.loaders.policy.load(configuration.subsidyAccessPolicyUuid) : null;
  return policy ? ctx.loaders.subsidy.load(policy.subsidyUuid) : null;
}

export const resolvers: Resolvers = {
  Query: {
    async subsidyAccessPolicy(_root, { uuid }, ctx) {
      return visiblePolicy(await ctx.loaders.policy.load(uuidArg(uuid)), ctx);
    },
    subsidyAccessPolicies(_root, { enterpriseCustomerUuid, ...args }, ctx) {
      return policiesOf(ctx, uuidArg(enterpriseCustomerUuid, 'enterpriseCustomerUuid'), args);
    },
    async assignmentConfiguration(_root, { uuid }, ctx) {
      return visibleConfiguration(await ctx.loaders.configuration.load(uuidArg(uuid)), ctx);
    },
    async subsidy(_root, { uuid }, ctx) {
      return visibleSubsidy(await ctx.loaders.subsidy.load(uuidArg(uuid)), ctx);
    },
    async ledgerTransaction(_root, { uuid }, ctx) {
      const tx = await ctx.loaders.transaction.load(uuidArg(uuid));
      if (!tx) return null;
      const policy = tx.subsidyAccessPolicyUuid ? await ctx.loaders.policy.load(tx.subsidyAccessPolicyUuid) : null;
      if (!canReadTransaction(ctx.viewer, policy?.enterpriseCustomerUuid ?? null, tx))
        throw forbidden(`No access to ledger transaction ${tx.uuid}`);
      return tx;
    },
  },
  Mutation: {
    async allocateAssignments(_root, { input }, ctx) {
      return allocateAssignments(ctx, input);
    },
    async remindAssignments(_root, { input }, ctx) {
      return { reminded: await remindAssignments(ctx, input) };
    },
    async cancelAssignments(_root, { input }, ctx) {
      return { cancelled: await cancelAssignments(ctx, input) };
    },
    async expireAssignments(_root, { input }, ctx) {
      return { expired: await expireAssignments(ctx, input) };
    },
    async redeem(_root, { input }, ctx) {
      return { transaction: await redeem(ctx, input) };
    },
    async reverseTransaction(_root, { input }, ctx) {
      return { transaction: await reverseTransaction(ctx, input) };
    },
  },
  EnterpriseCustomer: {
    __resolveReference: (reference) => ({ uuid: reference.uuid }),
    subsidyAccessPolicies(customer, args, ctx) {
      return policiesOf(ctx, customer.uuid, args);
    },
  },
  SubsidyAccessPolicy: {
    async __resolveReference(reference, ctx) {
      return visiblePolicy(await ctx.loaders.policy.load(reference.uuid), ctx);
    },
    enterpriseCustomer: (policy) => ({ uuid: policy.enterpriseCustomerUuid }),
    catalog: (policy) => ({ uuid: policy.catalogUuid }),
    subsidy: (policy, _args, ctx) => ctx.loaders.subsidy.load(policy.subsidyUuid),
    subsidyActiveDatetime: async (policy, _args, ctx) =>
      (await ctx.loaders.subsidy.load(policy.subsidyUuid))?.activeDatetime ?? null,
    subsidyExpirationDatetime: async (policy, _args, ctx) =>
      (await ctx.loaders.subsidy.load(policy.subsidyUuid))?.expirationDatetime ?? null,
    isSubsidyActive: async (policy, _args, ctx) =>
      isSubsidyActive(await ctx.loaders.subsidy.load(policy.subsidyUuid), new Date()),
    isLateRedemptionAllowed: (policy) => isLateRedemptionAllowed(policy, new Date()),
    aggregates: (policy, _args, ctx) => policyAggregates(ctx, policy),
    assignmentConfiguration: (policy, _args, ctx) => ctx.loaders.configurationByPolicy.load(policy.uuid),
    groupAssociations: async (policy, _args, ctx) =>
      (await ctx.loaders.groupsByPolicy.load(policy.uuid)).map((g) => g.enterpriseGroupUuid),
    totalSpendLimitsForSubsidyCents: (policy, _args, ctx) => ctx.loaders.spendLimitsBySubsidy.load(policy.subsidyUuid),
    async totalDepositsForSubsidyCents(policy, _args, ctx) {
      const subsidy = await ctx.loaders.subsidy.load(policy.subsidyUuid);
      return subsidy ? ctx.loaders.depositsByLedger.load(subsidy.ledgerUuid) : 0;
    },
    canRedeem: (policy, { lmsUserId, contentKey }, ctx) => canRedeem(ctx, policy, lmsUserId, contentKey),
    transactions(policy, { first, after }, ctx) {
      // Admins read every transaction of their customer's policies; a learner only its own.
      const own = ctx.viewer.isAdminOf(policy.enterpriseCustomerUuid) ? null : (ctx.viewer.lmsUserId ?? -1);
      return listPolicyTransactions(ctx.db, policy.uuid, own, { first, after });
    },
  },
  Subsidy: {
    isActive: (subsidy) => isSubsidyActive(subsidy, new Date()),
    // Balances are the customer's finances: admins of the customer and operators only (a learner
    // sees what it may spend through the policy's aggregates instead).
    startingBalanceCents(subsidy, _args, ctx) {
      ctx.viewer.assertAdminOf(subsidy.enterpriseCustomerUuid);
      return subsidy.startingBalanceCents;
    },
    currentBalanceCents(subsidy, _args, ctx) {
      ctx.viewer.assertAdminOf(subsidy.enterpriseCustomerUuid);
      return ctx.loaders.balanceByLedger.load(subsidy.ledgerUuid);
    },
    totalDepositsCents(subsidy, _args, ctx) {
      ctx.viewer.assertAdminOf(subsidy.enterpriseCustomerUuid);
      return ctx.loaders.depositsByLedger.load(subsidy.ledgerUuid);
    },
    async ledger(subsidy, _args, ctx) {
      ctx.viewer.assertAdminOf(subsidy.enterpriseCustomerUuid);
      const ledger = await ctx.loaders.ledger.load(subsidy.ledgerUuid);
      if (!ledger) throw new Error(`Subsidy ${subsidy.uuid} has no ledger ${subsidy.ledgerUuid}`);
      return ledger;
    },
  },
  Ledger: {
    balanceCents: (ledger, _args, ctx) => ctx.loaders.balanceByLedger.load(ledger.uuid),
  },
  LedgerTransaction: {
    subsidyAccessPolicy: (tx, _args, ctx) =>
      tx.subsidyAccessPolicyUuid ? ctx.loaders.policy.load(tx.subsidyAccessPolicyUuid) : null,
    courseRun: (tx) => (tx.contentKey && isCourseRunKey(tx.contentKey) ? { key: tx.contentKey } : null),
    reversal: (tx, _args, ctx) => ctx.loaders.reversalByTransaction.load(tx.uuid),
  },
  AssignmentConfiguration: {
    async __resolveReference(reference, ctx) {
      return visibleConfiguration(await ctx.loaders.configuration.load(reference.uuid), ctx);
    },
    async subsidyAccessPolicy(configuration, _args, ctx) {
      const policy = await ctx.loaders.policy.load(configuration.subsidyAccessPolicyUuid);
      if (!policy) throw new Error(`Assignment configuration ${configuration.uuid} has no policy`);
      return policy;
    },
    assignments(configuration, { filter, orderBy, search, first, after }, ctx) {
      const viewer = ctx.viewer;
      const listFilter = assignmentFilter(filter, search);
      // Admins read every assignment; a learner only its own (by LMS user id or email).
      if (!viewer.isAdminOf(configuration.enterpriseCustomerUuid))
        listFilter.owner = { lmsUserId: viewer.lmsUserId, email: viewer.email };
      const order = {
        field: orderBy?.field ?? 'RECENT_ACTION_TIME',
        direction: (orderBy?.direction ?? 'DESC') === 'ASC' ? ('asc' as const) : ('desc' as const),
      };
      return listAssignments(ctx.db, configuration.uuid, listFilter, order, { first, after });
    },
  },
  LearnerContentAssignmentConnection: {
    learnerStateCounts: (connection) => connection.learnerStateCounts(),
  },
  LearnerContentAssignment: {
    isAssignedCourseRun: (assignment) => assignment.parentContentKey !== null,
    content: (assignment) => ({ key: assignment.parentContentKey ?? assignment.contentKey }),
    actions: (assignment, _args, ctx) => ctx.loaders.actionsByAssignment.load(assignment.uuid),
    recentAction: (assignment) => recentAction(assignment),
    async earliestPossibleExpiration(assignment, _args, ctx) {
      const [subsidy, deadline] = await Promise.all([
        subsidyOfConfiguration(ctx, assignment.assignmentConfigurationUuid),
        enrollBy(ctx, assignment),
      ]);
      return earliestPossibleExpiration(assignment, subsidy?.expirationDatetime ?? null, deadline);
    },
    async errorReason(assignment, _args, ctx) {
      return assignmentError(assignment.state, await ctx.loaders.actionsByAssignment.load(assignment.uuid));
    },
  },
};
