import type { SubgraphCodegen } from '../../lib/codegen-types.js';

/** How `npm run codegen` types this subgraph's resolvers: context and GraphQL type -> row type. */
export const codegen: SubgraphCodegen = {
  context: 'CustomersContext',
  mappers: {
    EnterpriseCustomer: '../tables.js#EnterpriseCustomerRow',
    EnterpriseCustomerUser: '../tables.js#EnterpriseCustomerUserRow',
    IdentityProvider: '../tables.js#IdentityProviderRow',
    BrandingConfiguration: '../tables.js#EnterpriseCustomerRow',
    Viewer: '../../../lib/auth/viewer.js#Viewer as ViewerModel',
  },
};
