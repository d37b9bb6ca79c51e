import { badInput } from '../../lib/errors.js';
import { listSize, LIMITS, uuidArg, uuidList } from '../../lib/validate.js';
import type { ContentType, Resolvers } from './__generated__/resolvers-types.js';
import type { CatalogContext } from './context.js';
import { selectsField } from '../../lib/selection.js';
import { contentCountKey, membershipKey, normalizeContentKey } from './loaders.js';
import {
  advertisedRun,
  courseAvailability,
  courseCanonicalPriceCents,
  enrollmentUrlFor,
  courseModes,
  firstEnrollablePaidSeatPriceCents,
  isEnrollable,
  marketingUrlFor,
  runAvailability,
  runCanonicalPriceCents,
} from './rules.js';
import { customerFactsCache } from './remote.js';
import { listCatalogContent, listCatalogs } from './store/index.js';
import type {
  CatalogScope,
  ContentNode,
  ContentTypeValue,
  CourseNode,
  CourseRunNode,
  EnterpriseCatalogRow,
} from './tables.js';

function visibleCatalog(catalog: EnterpriseCatalogRow | null, ctx: CatalogContext): EnterpriseCatalogRow | null {
  if (!catalog) return null;
  ctx.viewer.assertCanViewCustomer(catalog.enterpriseCustomerUuid);
  return catalog;
}

function scopeOf(catalog: EnterpriseCatalogRow): CatalogScope {
  return {
    catalogUuid: catalog.uuid,
    enterpriseCustomerUuid: catalog.enterpriseCustomerUuid,
    publishAuditEnrollmentUrls: catalog.publishAuditEnrollmentUrls,
  };
}

/** Marks a node as reached through a catalog (URLs are then built for it); keeps the loader's cached row untouched. */
function scoped<T extends ContentNode>(node: T, scope: CatalogScope | undefined): T;
function scoped<T extends ContentNode>(node: T | null, scope: CatalogScope | undefined): T | null;
function scoped<T extends ContentNode>(node: T | null, scope: CatalogScope | undefined): T | null {
  return node && scope ? { ...node, scope } : node;
}

const CONTENT_TYPES: Record<ContentType, ContentTypeValue> = {
  COURSE: 'course',
  COURSERUN: 'courserun',
  PROGRAM: 'program',
};

/** A content key argument: trimmed, non-empty. */
function contentKeyArg(key: string, name = 'key'): string {
  const trimmed = normalizeContentKey(key);
  // Newlines are refused: the membership loader joins catalog and key with one.
  if (!trimmed || trimmed.length > 255 || /[\r\n]/.test(trimmed))
    throw badInput(`${name} must be a content key of 1 to 255 characters`, { argument: name });
  return trimmed;
}

async function isMember(ctx: CatalogContext, catalog: EnterpriseCatalogRow, key: string): Promise<boolean> {
  return ctx.loaders.membership.load(membershipKey(catalog.uuid, key));
}

async function customerOf(ctx: CatalogContext, scope: CatalogScope) {
  return ctx.loaders.customer.load(scope.enterpriseCustomerUuid);
}

async function marketingUrl(node: ContentNode, ctx: CatalogContext): Promise<string | null> {
  if (!node.scope) return node.marketingUrl;
  return marketingUrlFor(node.marketingUrl, await customerOf(ctx, node.scope));
}

async function courseOfRun(run: CourseRunNode, ctx: CatalogContext): Promise<CourseNode> {
  const course = await ctx.loaders.course.load(run.courseKey);
  if (!course) throw new Error(`Course ${run.courseKey} of run ${run.key} is missing`);
  return course;
}

async function advertisedRunOf(course: CourseNode, ctx: CatalogContext, now: Date): Promise<CourseRunNode | null> {
  return advertisedRun(course, await ctx.loaders.runsOfCourse.load(course.key), now);
}

export const resolvers: Resolvers = {
  Mutation: {
    customerFactsChanged(_root, { enterpriseCustomerUuids }, ctx) {
      const uuids = uuidList(enterpriseCustomerUuids, 'enterpriseCustomerUuids');
      ctx.viewer.assertOperator();
      const cache = customerFactsCache(ctx.db);
      return { dropped: uuids.filter((uuid) => cache.drop(uuid)).length };
    },
  },
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
    course: (_root, { key }, ctx) => ctx.loaders.course.load(contentKeyArg(key)),
    courseRun: (_root, { key }, ctx) => ctx.loaders.courseRun.load(contentKeyArg(key)),
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
    catalogModified: (catalog) => catalog.modified,
    includeExecEd2UCourses: (catalog) => catalog.includeExecEdCourses,
    async contentLastModified(catalog, _args, ctx) {
      const content = await ctx.loaders.contentModified.load(catalog.uuid);
      return content?.modified && content.modified > catalog.modified ? content.modified : catalog.modified;
    },
    async contents(catalog, { contentTypes, availability, search, first, after }, ctx, info) {
      const filter = {
        ...(contentTypes ? { contentTypes: contentTypes.map((t) => CONTENT_TYPES[t]) } : {}),
        ...(availability ? { availability } : {}),
        ...(search ? { search } : {}),
      };
      // Asked for now, the count joins the counts of sibling catalogs in one batch (one statement).
      const count = selectsField(info, 'totalCount')
        ? ctx.loaders.contentCount.load(contentCountKey(catalog.uuid, filter))
        : undefined;
      // When the page fails first (a full pool under overload), nothing awaits the count: its own
      // rejection must not be unhandled, which ends the process. Whoever awaits it still sees it.
      count?.catch(() => undefined);
      const page = await listCatalogContent(
        ctx.db,
        catalog.uuid,
        filter,
        { first, after },
        new Date(),
        () => count ?? ctx.loaders.contentCount.load(contentCountKey(catalog.uuid, filter)),
      );
      const scope = scopeOf(catalog);
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
    async course(catalog, { key }, ctx) {
      const contentKey = contentKeyArg(key);
      const [member, course] = await Promise.all([
        isMember(ctx, catalog, contentKey),
        ctx.loaders.course.load(contentKey),
      ]);
      return member ? scoped(course, scopeOf(catalog)) : null;
    },
    async courseRun(catalog, { key }, ctx) {
      const contentKey = contentKeyArg(key);
      const [member, run] = await Promise.all([
        isMember(ctx, catalog, contentKey),
        ctx.loaders.courseRun.load(contentKey),
      ]);
      return member ? scoped(run, scopeOf(catalog)) : null;
    },
    async program(catalog, { uuid }, ctx) {
      const programUuid = uuidArg(uuid);
      const [member, program] = await Promise.all([
        isMember(ctx, catalog, programUuid),
        ctx.loaders.program.load(programUuid),
      ]);
      return member ? scoped(program, scopeOf(catalog)) : null;
    },
    async containsContent(catalog, { keys }, ctx) {
      listSize(keys, LIMITS.contentKeys, 'keys', 1);
      const normalized = keys.map((key) => contentKeyArg(key, 'keys'));
      const members = await Promise.all(normalized.map((key) => isMember(ctx, catalog, key)));
      return members.every(Boolean);
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
    marketingUrl: (course, _args, ctx) => marketingUrl(course, ctx),
    async enrollmentUrl(course, _args, ctx) {
      if (!course.scope) return null;
      return enrollmentUrlFor({ courseKey: course.key }, course.scope, await customerOf(ctx, course.scope));
    },
    courseRuns: async (course, _args, ctx) =>
      (await ctx.loaders.runsOfCourse.load(course.key)).map((run) => scoped(run, course.scope)),
    courseRunKeys: async (course, _args, ctx) =>
      (await ctx.loaders.runsOfCourse.load(course.key)).map((run) => run.key),
    courseRunStatuses: async (course, _args, ctx) => [
      ...new Set((await ctx.loaders.runsOfCourse.load(course.key)).flatMap((run) => (run.status ? [run.status] : []))),
    ],
    advertisedCourseRun: async (course, _args, ctx) =>
      scoped(await advertisedRunOf(course, ctx, new Date()), course.scope),
    availability: async (course, _args, ctx) =>
      courseAvailability(await ctx.loaders.runsOfCourse.load(course.key), new Date()),
    programs: (course, _args, ctx) => ctx.loaders.programsOfCourse.load(course.key),
    owners: (course, _args, ctx) => ctx.loaders.ownersOfCourse.load(course.key),
    subjects: (course, _args, ctx) => ctx.loaders.subjectsOfCourse.load(course.key),
    async canonicalPriceCents(course, _args, ctx) {
      const now = new Date();
      return courseCanonicalPriceCents(course, await advertisedRunOf(course, ctx, now), now);
    },
  },
  CourseRun: {
    __resolveReference: (reference, ctx) => ctx.loaders.courseRun.load(reference.key),
    contentType: () => 'COURSERUN',
    aggregationKey: (run) => `courserun:${run.key}`,
    marketingUrl: (run, _args, ctx) => marketingUrl(run, ctx),
    async enrollmentUrl(run, _args, ctx) {
      if (!run.scope) return null;
      return enrollmentUrlFor(
        { courseKey: run.courseKey, runKey: run.key },
        run.scope,
        await customerOf(ctx, run.scope),
      );
    },
    pacingType: (run) =>
      typeof run.pacingType === 'string' ? (run.pacingType.toUpperCase() as 'INSTRUCTOR_PACED' | 'SELF_PACED') : null,
    isEnrollable: (run) => isEnrollable(run, new Date()),
    availability: (run) => runAvailability(run, new Date()),
    course: async (run, _args, ctx) => scoped(await courseOfRun(run, ctx), run.scope),
    courseUuid: async (run, _args, ctx) => (await courseOfRun(run, ctx)).uuid,
    programs: (run, _args, ctx) => ctx.loaders.programsOfCourse.load(run.courseKey),
    firstEnrollablePaidSeatPriceCents: (run) => firstEnrollablePaidSeatPriceCents(run, new Date()),
    courseModes: (run) => courseModes(run),
    canonicalPriceCents: async (run, _args, ctx) =>
      runCanonicalPriceCents(run, await ctx.loaders.course.load(run.courseKey), new Date()),
  },
  Program: {
    __resolveReference: (reference, ctx) => ctx.loaders.program.load(reference.uuid),
    contentType: () => 'PROGRAM',
    aggregationKey: (program) => `program:${program.uuid}`,
    marketingUrl: (program, _args, ctx) => marketingUrl(program, ctx),
    enrollmentUrl: () => null,
    courses: (program, _args, ctx) => ctx.loaders.coursesOfProgram.load(program.uuid),
    authoringOrganizations: (program, _args, ctx) => ctx.loaders.authorsOfProgram.load(program.uuid),
  },
};
