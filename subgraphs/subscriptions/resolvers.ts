import { uuidArg } from '../../lib/validate.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { SubscriptionsContext } from './context.js';
import { listPlans } from './store.js';
import type { SubscriptionPlanRow } from './tables.js';

function visiblePlan(plan: SubscriptionPlanRow | null, ctx: SubscriptionsContext): SubscriptionPlanRow | null {
  if (!plan) return null;
  ctx.viewer.assertCanViewCustomer(plan.enterpriseCustomerUuid);
  return plan;
}

export const resolvers: Resolvers = {
  Query: {
    async subscriptionPlan(_root, { uuid }, ctx) {
      return visiblePlan(await ctx.loaders.plan.load(uuidArg(uuid)), ctx);
    },
  },
  EnterpriseCustomer: {
    __resolveReference: (reference) => ({ uuid: reference.uuid }),
    subscriptionPlans(customer, { first, after }, ctx) {
      ctx.viewer.assertCanViewCustomer(customer.uuid);
      return listPlans(ctx.db, customer.uuid, { first, after });
    },
  },
  SubscriptionPlan: {
    async __resolveReference(reference, ctx) {
      return visiblePlan(await ctx.loaders.plan.load(reference.uuid), ctx);
    },
    enterpriseCatalog: (plan) => ({ uuid: plan.enterpriseCatalogUuid }),
  },
};
