import type { SubgraphCodegen } from '../../lib/codegen-types.js';

/** How `npm run codegen` types this subgraph's resolvers: context and GraphQL type -> row type. */
export const codegen: SubgraphCodegen = {
  context: 'CatalogContext',
  mappers: {
    EnterpriseCustomer: '../tables.js#CustomerRef',
    EnterpriseCatalog: '../tables.js#EnterpriseCatalogRow',
    Course: '../tables.js#CourseNode',
    CourseRun: '../tables.js#CourseRunNode',
    Program: '../tables.js#ProgramNode',
    ContentItem: '../tables.js#ContentNode',
    Organization: '../tables.js#OrganizationRow',
    Subject: '../tables.js#SubjectRow',
  },
};
