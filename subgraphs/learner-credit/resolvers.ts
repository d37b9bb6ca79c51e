import { uuidArg } from '../../lib/validate.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { LearnerCreditContext } from './context.js';
import { listPolicies } from './store.js';
import type { SubsidyAccessPolicyRow } from './tables.js';

function visiblePolicy(policy: SubsidyAccessPolicyRow | null, ctx: LearnerCreditContext): SubsidyAccessPolicyRow | null {
  if (!policy) return null;
  ctx.viewer.assertCanViewCustomer(policy.enterpriseCustomerUuid);
  return policy;
}

export const resolvers: Resolvers = {
  Query: {
    async subsidyAccessPolicy(_root, { uuid }, ctx) {
      return visiblePolicy(await ctx.loaders.policy.load(uuidArg(uuid)), ctx);
    },
  },
  EnterpriseCustomer: {
    __resolveReference: (reference) => ({ uuid: reference.uuid }),
    subsidyAccessPolicies(customer, { active, first, after }, ctx) {
      ctx.viewer.assertCanViewCustomer(customer.uuid);
      return listPolicies(ctx.db, { enterpriseCustomerUuid: customer.uuid, active }, { first, after });
    },
  },
  SubsidyAccessPolicy: {
    async __resolveReference(reference, ctx) {
      return visiblePolicy(await ctx.loaders.policy.load(reference.uuid), ctx);
    },
    catalog: (policy) => ({ uuid: policy.catalogUuid }),
  },
};
