import type { SubgraphCodegen } from '../../lib/codegen-types.js';

/** How `npm run codegen` types this subgraph's resolvers: context and GraphQL type -> row type. */
export const codegen: SubgraphCodegen = {
  context: 'CustomersContext',
  mappers: {
    EnterpriseCustomer: '../tables.js#EnterpriseCustomerRow',
    EnterpriseCustomerUser: '../tables.js#EnterpriseCustomerUserRow',
    IdentityProvider: '../tables.js#IdentityProviderRow',
    BrandingConfiguration: '../tables.js#EnterpriseCustomerRow',
    PendingEnterpriseCustomerUser: '../tables.js#PendingEnterpriseCustomerUserRow',
    EnterpriseCourseEnrollment: '../tables.js#EnterpriseCourseEnrollmentRow',
    EnrollmentFulfillment: '../tables.js#EnrollmentFulfillmentRow',
    DataSharingConsent: '../tables.js#DataSharingConsentView',
    LearnerProgressReport: '../tables.js#LearnerProgressRow',
    EnterpriseCustomerInviteKey: '../tables.js#InviteKeyRow',
    Viewer: '../../../lib/auth/viewer.js#Viewer as ViewerModel',
  },
};
