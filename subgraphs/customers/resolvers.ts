import { badInput } from '../../lib/errors.js';
import { emailArg, uuidArg } from '../../lib/validate.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { CustomersContext } from './context.js';
import { pairKey } from './loaders.js';
import { enrollLearners } from './mutations.js';
import { findCustomerBySlug, listCustomers } from './store.js';
import type { EnterpriseCustomerRow, EnterpriseCustomerUserRow } from './tables.js';

/** Returns the customer when the viewer may see it; FORBIDDEN otherwise, null when missing. */
function visible(customer: EnterpriseCustomerRow | null | undefined, ctx: CustomersContext): EnterpriseCustomerRow | null {
  if (!customer) return null;
  ctx.viewer.assertCanViewCustomer(customer.uuid);
  return customer;
}

/** Admins (and operators) see their customers' learners; a learner sees only its own record. */
function canSeeLearner(learner: EnterpriseCustomerUserRow, ctx: CustomersContext): boolean {
  return ctx.viewer.isAdminOf(learner.enterpriseCustomerUuid) || ctx.viewer.isSelf({ lmsUserId: learner.lmsUserId, email: learner.email });
}

// edx-enterprise branding defaults, returned when the customer configured none.
const BRANDING_DEFAULTS = { primary: '#2D494E', secondary: '#F2F0EF', tertiary: '#D23228' } as const;

export const resolvers: Resolvers = {
  Query: {
    async enterpriseCustomer(_root, { uuid, slug }, ctx) {
      if ((uuid == null) === (slug == null)) throw badInput('Give exactly one of uuid or slug');
      if (uuid != null) return visible(await ctx.loaders.customer.load(uuidArg(uuid, 'uuid')), ctx);
      return visible(await findCustomerBySlug(ctx.db, slug!.trim().toLowerCase()), ctx);
    },
    enterpriseCustomers(_root, { search, active, first, after }, ctx) {
      const uuids = ctx.viewer.isOperator ? undefined : ctx.viewer.customerUuids();
      return listCustomers(ctx.db, { search, active, ...(uuids ? { uuids } : {}) }, { first, after });
    },
    me: (_root, _args, ctx) => ctx.viewer,
  },
  Mutation: {
    enrollLearners: (_root, { input }, ctx) => enrollLearners(ctx, input),
  },
  EnterpriseCustomer: {
    async __resolveReference(reference, ctx) {
      return visible(await ctx.loaders.customer.load(reference.uuid), ctx);
    },
    enforceDataSharingConsent: (customer) => (customer.enforceDataSharingConsent === 'externally_managed' ? 'EXTERNALLY_MANAGED' : 'AT_ENROLLMENT'),
    brandingConfiguration: (customer) => customer,
    identityProviders: (customer, _args, ctx) => ctx.loaders.identityProviders.load(customer.uuid),
    async learner(customer, { lmsUserId, email }, ctx) {
      if ((lmsUserId == null) === (email == null)) throw badInput('Give exactly one of lmsUserId or email');
      const learner =
        lmsUserId != null
          ? await ctx.loaders.learnerByUser.load(pairKey(customer.uuid, lmsUserId))
          : await ctx.loaders.learnerByEmail.load(pairKey(customer.uuid, emailArg(email!, 'email')));
      if (!learner || !learner.linked || !learner.active) return null;
      return canSeeLearner(learner, ctx) ? learner : null;
    },
  },
  BrandingConfiguration: {
    logoUrl: (customer) => customer.brandingLogoUrl,
    primaryColor: (customer) => customer.brandingPrimaryColor ?? BRANDING_DEFAULTS.primary,
    secondaryColor: (customer) => customer.brandingSecondaryColor ?? BRANDING_DEFAULTS.secondary,
    tertiaryColor: (customer) => customer.brandingTertiaryColor ?? BRANDING_DEFAULTS.tertiary,
  },
  EnterpriseCustomerUser: {
    async __resolveReference(reference, ctx) {
      const id = Number(reference.id);
      if (!Number.isSafeInteger(id)) return null;
      const learner = await ctx.loaders.learner.load(id);
      if (!learner) return null;
      if (!canSeeLearner(learner, ctx)) ctx.viewer.assertAdminOf(learner.enterpriseCustomerUuid);
      return learner;
    },
    id: (learner) => String(learner.id),
    async enterpriseCustomer(learner, _args, ctx) {
      const customer = await ctx.loaders.customer.load(learner.enterpriseCustomerUuid);
      if (!customer) throw new Error(`Learner ${learner.id} points at a missing customer`);
      return customer;
    },
  },
  Viewer: {
    roles: (viewer) => [...viewer.roles],
    async enterpriseCustomers(viewer, _args, ctx) {
      const rows = await ctx.loaders.customer.loadMany(viewer.customerUuids());
      return rows.filter((row): row is EnterpriseCustomerRow => row !== null && !(row instanceof Error));
    },
    async activeEnterpriseCustomer(viewer, _args, ctx) {
      const rows = await ctx.loaders.customer.loadMany(viewer.customerUuids());
      const customers = rows.filter((row): row is EnterpriseCustomerRow => row !== null && !(row instanceof Error));
      return customers.find((c) => c.active) ?? null;
    },
  },
};
