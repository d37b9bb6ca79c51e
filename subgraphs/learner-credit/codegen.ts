import type { SubgraphCodegen } from '../../lib/codegen-types.js';

/** How `npm run codegen` types this subgraph's resolvers: context and GraphQL type -> row type. */
export const codegen: SubgraphCodegen = {
  context: 'LearnerCreditContext',
  mappers: {
    EnterpriseCustomer: '../tables.js#CustomerRef',
    SubsidyAccessPolicy: '../tables.js#SubsidyAccessPolicyRow',
    Subsidy: '../tables.js#SubsidyRow',
    Ledger: '../tables.js#LedgerRow',
    LedgerTransaction: '../tables.js#LedgerTransactionRow',
    LedgerTransactionReversal: '../tables.js#LedgerReversalRow',
    AssignmentConfiguration: '../tables.js#AssignmentConfigurationRow',
    LearnerContentAssignment: '../tables.js#AssignmentRow',
    LearnerContentAssignmentAction: '../tables.js#AssignmentActionRow',
    LearnerContentAssignmentConnection: '../tables.js#AssignmentConnection',
  },
};
