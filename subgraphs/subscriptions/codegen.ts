import type { SubgraphCodegen } from '../../lib/codegen-types.js';

/** How `npm run codegen` types this subgraph's resolvers: context and GraphQL type -> row type. */
export const codegen: SubgraphCodegen = {
  context: 'SubscriptionsContext',
  mappers: {
    EnterpriseCustomer: '../tables.js#CustomerRef',
    SubscriptionPlan: '../tables.js#SubscriptionPlanRow',
    License: '../tables.js#LicenseRow',
    SubscriptionPlanRenewal: '../tables.js#RenewalRow',
    BulkEnrollmentJob: '../tables.js#BulkEnrollmentJobRow',
  },
};
