import { uuidArg } from '../../lib/validate.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { CatalogContext } from './context.js';
import { listCatalogContent, listCatalogs } from './store.js';
import type { CatalogScope, ContentNode, EnterpriseCatalogRow } from './tables.js';

function visibleCatalog(catalog: EnterpriseCatalogRow | null, ctx: CatalogContext): EnterpriseCatalogRow | null {
  if (!catalog) return null;
  ctx.viewer.assertCanViewCustomer(catalog.enterpriseCustomerUuid);
  return catalog;
}

function scoped<T extends ContentNode>(node: T | null, scope: CatalogScope): T | null {
  return node && { ...node, scope };
}

export const resolvers: Resolvers = {
  Query: {
    async enterpriseCatalog(_root, { uuid }, ctx) {
      return visibleCatalog(await ctx.loaders.catalog.load(uuidArg(uuid)), ctx);
    },
    enterpriseCatalogs(_root, { enterpriseCustomerUuid, first, after }, ctx) {
      if (enterpriseCustomerUuid != null) {
        const customer = uuidArg(enterpriseCustomerUuid, 'enterpriseCustomerUuid');
        ctx.viewer.assertCanViewCustomer(customer);
        return listCatalogs(ctx.db, [customer], { first, after });
      }
      return listCatalogs(ctx.db, ctx.viewer.isOperator ? undefined : ctx.viewer.customerUuids(), { first, after });
    },
    course: (_root, { key }, ctx) => ctx.loaders.course.load(key.trim()),
    courseRun: (_root, { key }, ctx) => ctx.loaders.courseRun.load(key.trim()),
    program: (_root, { uuid }, ctx) => ctx.loaders.program.load(uuidArg(uuid)),
  },
  EnterpriseCustomer: {
    __resolveReference: (reference) => ({ uuid: reference.uuid }),
    catalogs(customer, { first, after }, ctx) {
      ctx.viewer.assertCanViewCustomer(customer.uuid);
      return listCatalogs(ctx.db, [customer.uuid], { first, after });
    },
  },
  EnterpriseCatalog: {
    async __resolveReference(reference, ctx) {
      return visibleCatalog(await ctx.loaders.catalog.load(reference.uuid), ctx);
    },
    enterpriseCustomer: (catalog) => ({ uuid: catalog.enterpriseCustomerUuid }),
    async contents(catalog, { first, after }, ctx) {
      const page = await listCatalogContent(ctx.db, catalog.uuid, { first, after });
      const scope: CatalogScope = { catalogUuid: catalog.uuid, enterpriseCustomerUuid: catalog.enterpriseCustomerUuid };
      const nodes = await Promise.all(
        page.nodes.map(async (row): Promise<ContentNode | null> => {
          switch (row.contentType) {
            case 'course':
              return scoped(await ctx.loaders.course.load(row.contentKey), scope);
            case 'courserun':
              return scoped(await ctx.loaders.courseRun.load(row.contentKey), scope);
            case 'program':
              return scoped(await ctx.loaders.program.load(row.contentKey), scope);
          }
        }),
      );
      const edges = page.edges.flatMap((edge, i) => (nodes[i] ? [{ cursor: edge.cursor, node: nodes[i] }] : []));
      return { ...page, edges, nodes: edges.map((e) => e.node) };
    },
  },
  ContentItem: {
    __resolveType: (node) => node.kind,
  },
  Course: {
    async __resolveReference(reference, ctx) {
      return 'key' in reference && reference.key
        ? ctx.loaders.course.load(reference.key)
        : ctx.loaders.courseByUuid.load((reference as { uuid: string }).uuid);
    },
    contentType: () => 'COURSE',
    aggregationKey: (course) => `course:${course.key}`,
    enrollmentUrl: () => null,
    courseRuns: async (course, _args, ctx) => (await ctx.loaders.runsOfCourse.load(course.key)).map((run) => ({ ...run, ...(course.scope ? { scope: course.scope } : {}) })),
  },
  CourseRun: {
    __resolveReference: (reference, ctx) => ctx.loaders.courseRun.load(reference.key),
    contentType: () => 'COURSERUN',
    aggregationKey: (run) => `courserun:${run.key}`,
    enrollmentUrl: () => null,
    async course(run, _args, ctx) {
      const course = await ctx.loaders.course.load(run.courseKey);
      if (!course) throw new Error(`Course ${run.courseKey} of run ${run.key} is missing`);
      return course;
    },
  },
  Program: {
    __resolveReference: (reference, ctx) => ctx.loaders.program.load(reference.uuid),
    contentType: () => 'PROGRAM',
    aggregationKey: (program) => `program:${program.uuid}`,
    enrollmentUrl: () => null,
  },
};
