import { badInput } from '../../lib/errors.js';
import { uuidArg } from '../../lib/validate.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { CustomersContext } from './context.js';
import { findCustomerBySlug, listCustomers } from './store.js';
import type { EnterpriseCustomerRow } from './tables.js';

/** Returns the customer when the viewer may see it; FORBIDDEN otherwise, null when missing. */
function visible(customer: EnterpriseCustomerRow | null | undefined, ctx: CustomersContext): EnterpriseCustomerRow | null {
  if (!customer) return null;
  ctx.viewer.assertCanViewCustomer(customer.uuid);
  return customer;
}

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
  EnterpriseCustomer: {
    async __resolveReference(reference, ctx) {
      return visible(await ctx.loaders.customer.load(reference.uuid), ctx);
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
