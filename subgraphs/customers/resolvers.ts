import { badInput, forbidden } from '../../lib/errors.js';
import { decimalIdOrNull, emailArg, nonEmptyString, uuidArg } from '../../lib/validate.js';
import { MAX_PAGE_SIZE } from '../../lib/pagination.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { CustomersContext } from './context.js';
import { listConnection } from '../../lib/list-connection.js';
import { pairKey, viewerLmsUserId } from './loaders.js';
import {
  createInviteKey,
  deactivateInviteKey,
  enrollLearners,
  enrollWithFulfillment,
  enrollInCourse,
  revokeFulfillments,
  linkLearners,
  linkWithInviteKey,
  recordLearnerProgress,
  registerLmsUser,
  setActiveEnterpriseCustomer,
  setDataSharingConsent,
  setSavedForLater,
  unenroll,
  unlinkLearners,
  updateEnterpriseCustomer,
} from './mutations/index.js';
import { consentEnforcement, fulfillmentType, isInviteKeyValid, pickEnrollmentStatus } from './rules/index.js';
import {
  findCustomerBySlug,
  listConsents,
  listCustomers,
  listEnrollments,
  listEnrollmentsOfUser,
  listInviteKeys,
  listLearnerProgress,
  listLearners,
  listPendingLearners,
} from './store/index.js';
import type {
  DataSharingConsentRow,
  DataSharingConsentView,
  EnterpriseCustomerRow,
  EnterpriseCustomerUserRow,
} from './tables.js';

function consentView(row: DataSharingConsentRow): DataSharingConsentView {
  return {
    enterpriseCustomerUuid: row.enterpriseCustomerUuid,
    lmsUserId: row.lmsUserId,
    courseKey: row.courseKey,
    granted: row.granted,
    exists: true,
    created: row.created,
    modified: row.modified,
  };
}

/** Returns the customer when the viewer may see it; FORBIDDEN otherwise, null when missing. */
function visible(
  customer: EnterpriseCustomerRow | null | undefined,
  ctx: CustomersContext,
): EnterpriseCustomerRow | null {
  if (!customer) return null;
  ctx.viewer.assertCanViewCustomer(customer.uuid);
  return customer;
}

/** Admins (and operators) see their customers' learners; a learner sees only its own record. */
function canSeeLearner(learner: EnterpriseCustomerUserRow, ctx: CustomersContext): boolean {
  return (
    ctx.viewer.isAdminOf(learner.enterpriseCustomerUuid) ||
    ctx.viewer.isSelf({ lmsUserId: learner.lmsUserId, email: learner.email })
  );
}

/**
 * For customer-wide lists: undefined when the viewer sees every learner's rows (admin, operator),
 * else the only LMS user whose rows it may see (itself; -1 matches nobody).
 */
async function ownRowsOnly(customerUuid: string, ctx: CustomersContext): Promise<number | undefined> {
  if (ctx.viewer.isAdminOf(customerUuid)) return undefined;
  return (await viewerLmsUserId(ctx)) ?? -1;
}

function assertAdmin(customerUuid: string, ctx: CustomersContext): void {
  if (!ctx.viewer.isAdminOf(customerUuid))
    throw forbidden(`Only admins of enterprise customer ${customerUuid} see this`);
}

async function customers(uuids: readonly string[], ctx: CustomersContext): Promise<EnterpriseCustomerRow[]> {
  const rows = await ctx.loaders.customer.loadMany(uuids);
  return rows.filter((row): row is EnterpriseCustomerRow => row !== null && !(row instanceof Error));
}

/** The viewer's linked learner records (by LMS user id, else by its email's account). */
async function viewerLinks(ctx: CustomersContext): Promise<EnterpriseCustomerUserRow[]> {
  const userId = await viewerLmsUserId(ctx);
  return userId == null ? [] : ctx.loaders.linksOfUser.load(userId);
}

const toDate = (value: Date | null) => (value ? value.toISOString().slice(0, 10) : null);
const dollars = (cents: number | null) => (cents == null ? null : cents / 100);

// edx-enterprise branding defaults, returned when the customer configured none.
const BRANDING_DEFAULTS = { primary: '#2D494E', secondary: '#F2F0EF', tertiary: '#D23228' } as const;

export const resolvers: Resolvers = {
  Query: {
    async enterpriseCustomer(_root, { uuid, slug }, ctx) {
      let found: EnterpriseCustomerRow | null | undefined;
      if (uuid != null && slug == null) found = await ctx.loaders.customer.load(uuidArg(uuid, 'uuid'));
      else if (slug != null && uuid == null) found = await findCustomerBySlug(ctx.db, slug.trim().toLowerCase());
      else throw badInput('Give exactly one of uuid or slug');
      const customer = visible(found, ctx);
      // An inactive customer is hidden from its learners.
      if (
        customer &&
        !customer.active &&
        !ctx.viewer.isAdminOf(customer.uuid) &&
        !ctx.viewer.isCatalogAdminOf(customer.uuid)
      )
        return null;
      return customer;
    },
    enterpriseCustomers(_root, { search, active, first, after }, ctx) {
      if (ctx.viewer.isOperator) return listCustomers(ctx.db, { search, active }, { first, after });
      const uuids = ctx.viewer.customerUuids();
      // Inactive customers stay visible to their admins (and catalog admins) only.
      const managed = uuids.filter((uuid) => ctx.viewer.isAdminOf(uuid) || ctx.viewer.isCatalogAdminOf(uuid));
      return listCustomers(ctx.db, { search, active, uuids, inactiveVisibleFor: managed }, { first, after });
    },
    me: (_root, _args, ctx) => ctx.viewer,
  },
  Mutation: {
    enrollLearners: (_root, { input }, ctx) => enrollLearners(ctx, input),
    enrollWithFulfillment: (_root, { input }, ctx) => enrollWithFulfillment(ctx, input),
    enrollInCourse: (_root, { input }, ctx) => enrollInCourse(ctx, input),
    revokeFulfillments: async (_root, { input }, ctx) => ({ revoked: await revokeFulfillments(ctx, input) }),
    linkLearners: (_root, { input }, ctx) => linkLearners(ctx, input),
    unlinkLearners: (_root, { input }, ctx) => unlinkLearners(ctx, input),
    unenroll: async (_root, { input }, ctx) => ({ enrollment: await unenroll(ctx, input) }),
    setSavedForLater: async (_root, { input }, ctx) => ({ enrollment: await setSavedForLater(ctx, input) }),
    recordLearnerProgress: async (_root, { input }, ctx) => ({ row: await recordLearnerProgress(ctx, input) }),
    setDataSharingConsent: (_root, { input }, ctx) => setDataSharingConsent(ctx, input),
    createInviteKey: async (_root, { input }, ctx) => ({ inviteKey: await createInviteKey(ctx, input) }),
    deactivateInviteKey: async (_root, { input }, ctx) => ({ inviteKey: await deactivateInviteKey(ctx, input) }),
    linkWithInviteKey: (_root, { input }, ctx) => linkWithInviteKey(ctx, input),
    registerLmsUser: (_root, { input }, ctx) => registerLmsUser(ctx, input),
    updateEnterpriseCustomer: async (_root, { input }, ctx) => ({
      enterpriseCustomer: await updateEnterpriseCustomer(ctx, input),
    }),
    setActiveEnterpriseCustomer: async (_root, { input }, ctx) => {
      await setActiveEnterpriseCustomer(ctx, input);
      return { viewer: ctx.viewer };
    },
  },
  EnterpriseCustomer: {
    async __resolveReference(reference, ctx) {
      return visible(await ctx.loaders.customer.load(reference.uuid), ctx);
    },
    enforceDataSharingConsent: (customer) => consentEnforcement(customer.enforceDataSharingConsent),
    brandingConfiguration: (customer) => customer,
    identityProviders: (customer, _args, ctx) => ctx.loaders.identityProviders.load(customer.uuid),
    async learner(customer, { lmsUserId, email }, ctx) {
      let learner: EnterpriseCustomerUserRow | null;
      if (lmsUserId != null && email == null)
        learner = await ctx.loaders.learnerByUser.load(pairKey(customer.uuid, lmsUserId));
      else if (email != null && lmsUserId == null)
        learner = await ctx.loaders.learnerByEmail.load(pairKey(customer.uuid, emailArg(email, 'email')));
      else throw badInput('Give exactly one of lmsUserId or email');
      if (!learner || !learner.linked || !learner.active) return null;
      return canSeeLearner(learner, ctx) ? learner : null;
    },
    async learners(customer, { search, active, first, after }, ctx) {
      const only = await ownRowsOnly(customer.uuid, ctx);
      return listLearners(
        ctx.db,
        customer.uuid,
        { search, active, ...(only !== undefined ? { onlyLmsUserId: only } : {}) },
        { first, after },
      );
    },
    pendingLearners(customer, { first, after }, ctx) {
      assertAdmin(customer.uuid, ctx);
      return listPendingLearners(ctx.db, customer.uuid, { first, after });
    },
    async enrollments(customer, { courseRunKey, first, after }, ctx) {
      const only = await ownRowsOnly(customer.uuid, ctx);
      return listEnrollments(
        ctx.db,
        customer.uuid,
        { courseRunKey: courseRunKey?.trim(), ...(only !== undefined ? { onlyLmsUserId: only } : {}) },
        { first, after },
      );
    },
    async learnerProgress(customer, { filter, orderBy, first, after }, ctx) {
      const only = await ownRowsOnly(customer.uuid, ctx);
      if (
        filter?.enrollmentDateFrom &&
        filter.enrollmentDateTo &&
        filter.enrollmentDateFrom > filter.enrollmentDateTo
      ) {
        throw badInput('enrollmentDateFrom must not be after enrollmentDateTo', { argument: 'filter' });
      }
      return listLearnerProgress(
        ctx.db,
        customer.uuid,
        { ...filter, ...(only !== undefined ? { onlyLmsUserId: only } : {}) },
        { field: orderBy?.field ?? 'LAST_ACTIVITY_DATE', direction: orderBy?.direction ?? 'DESC' },
        { first, after },
        new Date(),
      );
    },
    async dataSharingConsents(customer, { courseKey, granted, first, after }, ctx) {
      const only = await ownRowsOnly(customer.uuid, ctx);
      const page = await listConsents(
        ctx.db,
        customer.uuid,
        { courseKey: courseKey?.trim(), granted, ...(only !== undefined ? { onlyLmsUserId: only } : {}) },
        { first, after },
      );
      const edges = page.edges.map((edge) => ({ cursor: edge.cursor, node: consentView(edge.node) }));
      return { ...page, nodes: edges.map((edge) => edge.node), edges };
    },
    inviteKeys(customer, { first, after }, ctx) {
      assertAdmin(customer.uuid, ctx);
      return listInviteKeys(ctx.db, customer.uuid, { first, after });
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
      const id = decimalIdOrNull(reference.id);
      if (id === null) return null;
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
    async enrollments(learner, { first, after }, ctx) {
      return listConnection(await ctx.loaders.enrollmentsOfLearner.load(learner.id), { first, after }, (e) => e.id);
    },
    async dataSharingConsents(learner, { first, after }, ctx) {
      return listConnection(
        await ctx.loaders.consents.load(pairKey(learner.enterpriseCustomerUuid, learner.lmsUserId)),
        { first, after },
        (c) => c.courseKey,
        'string',
      );
    },
  },
  PendingEnterpriseCustomerUser: {
    id: (pending) => String(pending.id),
    async enterpriseCustomer(pending, _args, ctx) {
      const customer = await ctx.loaders.customer.load(pending.enterpriseCustomerUuid);
      if (!customer) throw new Error(`Pending learner ${pending.id} points at a missing customer`);
      return customer;
    },
    async pendingCourseRunKeys(pending, _args, ctx) {
      return (await ctx.loaders.pendingEnrollments.load(pending.id)).map((e) => e.courseRunKey);
    },
  },
  EnterpriseCourseEnrollment: {
    id: (enrollment) => String(enrollment.id),
    courseRun: (enrollment) => ({ key: enrollment.courseRunKey }),
    async learner(enrollment, _args, ctx) {
      const learner = await ctx.loaders.learner.load(enrollment.enterpriseCustomerUserId);
      if (!learner) throw new Error(`Enrollment ${enrollment.id} points at a missing learner`);
      return learner;
    },
    fulfillment: (enrollment, _args, ctx) => ctx.loaders.fulfillment.load(enrollment.id),
  },
  EnrollmentFulfillment: {
    fulfillmentType: (f) => fulfillmentType(f.fulfillmentType),
  },
  DataSharingConsent: {
    async enterpriseCustomer(consent, _args, ctx) {
      const customer = await ctx.loaders.customer.load(consent.enterpriseCustomerUuid);
      if (!customer) throw new Error(`Consent points at a missing customer ${consent.enterpriseCustomerUuid}`);
      return customer;
    },
    learner: (consent, _args, ctx) =>
      ctx.loaders.learnerByUser.load(pairKey(consent.enterpriseCustomerUuid, consent.lmsUserId)),
    async username(consent, _args, ctx) {
      return (
        (await ctx.loaders.learnerByUser.load(pairKey(consent.enterpriseCustomerUuid, consent.lmsUserId)))?.username ??
        null
      );
    },
    async consentRequired(consent, _args, ctx) {
      const customer = await ctx.loaders.customer.load(consent.enterpriseCustomerUuid);
      return (
        consent.granted !== true &&
        customer != null &&
        customer.enableDataSharingConsent &&
        customer.enforceDataSharingConsent === 'at_enrollment'
      );
    },
  },
  LearnerProgressReport: {
    async enterpriseName(row, _args, ctx) {
      return (await ctx.loaders.customer.load(row.enterpriseCustomerUuid))?.name ?? '';
    },
    learner: (row, _args, ctx) => ctx.loaders.learner.load(row.enterpriseCustomerUserId),
    courseRun: (row) => ({ key: row.courserunKey }),
    courseApiUrl: (row) =>
      `/enterprise/v1/enterprise-catalogs/${row.enterpriseCustomerUuid}/courses/${row.courserunKey}`,
    courseStart: (row) => toDate(row.courseStart),
    courseEnd: (row) => toDate(row.courseEnd),
    passedDate: (row) => toDate(row.passedDate),
    lastActivityDate: (row) => toDate(row.lastActivityDate),
    enrollmentDate: (row) => row.enrollmentDate.toISOString().slice(0, 10),
    unenrollmentDate: (row) => toDate(row.unenrollmentDate),
    unenrollmentEndWithinDate: (row) => toDate(row.unenrollmentEndWithinDate),
    courseListPrice: (row) => dollars(row.courseListPriceCents),
    amountLearnerPaid: (row) => dollars(row.amountLearnerPaidCents),
  },
  EnterpriseCustomerInviteKey: {
    isValid: (key) => isInviteKeyValid(key),
    async enterpriseCustomer(key, _args, ctx) {
      const customer = await ctx.loaders.customer.load(key.enterpriseCustomerUuid);
      if (!customer) throw new Error(`Invite key ${key.uuid} points at a missing customer`);
      return customer;
    },
  },
  Viewer: {
    roles: (viewer) => [...viewer.roles],
    async enterpriseCustomers(viewer, _args, ctx) {
      const links = await viewerLinks(ctx);
      const rows = await customers(
        [...new Set([...links.map((l) => l.enterpriseCustomerUuid), ...viewer.customerUuids()])],
        ctx,
      );
      // Inactive customers are hidden from their learners; their admins still see them.
      return rows
        .filter((c) => c.active || viewer.isAdminOf(c.uuid))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async enrollments(_viewer, { first, after }, ctx) {
      const userId = await viewerLmsUserId(ctx);
      // -1 matches nobody: a token without an LMS account has no enrollments.
      return listEnrollmentsOfUser(ctx.db, userId ?? -1, {}, { first, after });
    },
    async enrollmentStatus(_viewer, { courseRunKey }, ctx) {
      const key = nonEmptyString(courseRunKey, 'courseRunKey');
      const userId = await viewerLmsUserId(ctx);
      const page = await listEnrollmentsOfUser(ctx.db, userId ?? -1, { courseRunKey: key }, { first: MAX_PAGE_SIZE });
      const enrollment = pickEnrollmentStatus(page.nodes);
      return {
        courseRunKey: key,
        isEnrolled: enrollment?.isActive === true,
        mode: enrollment?.mode ?? null,
        isActive: enrollment?.isActive ?? null,
        enrollment,
      };
    },
    async activeEnterpriseCustomer(viewer, _args, ctx) {
      const active = (await viewerLinks(ctx)).find((l) => l.active);
      if (active) {
        const customer = await ctx.loaders.customer.load(active.enterpriseCustomerUuid);
        if (customer?.active) return customer;
      }
      return (await customers(viewer.customerUuids(), ctx)).find((c) => c.active) ?? null;
    },
  },
};
