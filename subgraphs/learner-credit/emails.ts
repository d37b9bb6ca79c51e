import type { Kysely } from 'kysely';
import { mintServiceToken } from '../../lib/auth/token.js';
import { settings } from '../../lib/config.js';
import type { EmailMessage, EmailRoute } from '../../lib/deliveries/email.js';
import type { DeliveryEvent } from '../../lib/deliveries/relay.js';
import { portalLink, type EmailCustomer } from '../../lib/email/layout.js';
import {
  assignmentAllocatedEmail,
  assignmentCancelledEmail,
  assignmentExpiringEmail,
  assignmentRemindedEmail,
  type AssignmentEmailData,
} from '../../lib/email/templates.js';
import { badInput } from '../../lib/errors.js';
import { payloadString } from '../../lib/outbox-relay.js';
import { CHANNELS, EVENTS, type EventType } from './events.js';
import { contentOf, emailCustomerOf } from './remote.js';
import { earliestPossibleExpiration } from './rules/index.js';
import {
  findAssignmentsByUuids,
  findConfigurationsByUuids,
  findPoliciesByUuids,
  findSubsidiesByUuids,
} from './store/index.js';
import type { AssignmentRow, LearnerCreditDatabase } from './tables.js';

type DB = Kysely<LearnerCreditDatabase>;
const SERVICE = 'learner-credit';

/**
 * The assignment emails (README, "Email"): allocated, reminded, cancelled and expiring soon, to the
 * assignment's learner, with the content title, the price and dates, and the learner portal link
 * `{LEARNER_PORTAL_URL}/{customer slug}`. The customer (name, slug, sender alias, reply-to,
 * branding) and the enroll-by date come from the customers and catalog subgraphs with a service
 * token: an outage throws and the relay retries; a missing assignment or customer is a refusal.
 */
export function emailRoutes(db: DB): Record<string, EmailRoute> {
  const render =
    (template: (data: AssignmentEmailData, event: DeliveryEvent) => EmailMessage): EmailRoute =>
    async (event) =>
      template(await assignmentData(db, event), event);
  const routes: Partial<Record<EventType, EmailRoute>> = {
    [EVENTS.assignmentAllocated]: render(assignmentAllocatedEmail),
    [EVENTS.assignmentReminded]: render(assignmentRemindedEmail),
    [EVENTS.assignmentCancelled]: render(assignmentCancelledEmail),
    [EVENTS.assignmentExpiring]: render((data, event) => {
      // The warning pass wrote the date it warned about; the email says that date.
      const expiresAt = new Date(payloadString(event.payload, 'expires_at'));
      return assignmentExpiringEmail({ ...data, expiresAt });
    }),
  };
  return Object.fromEntries(
    Object.entries(CHANNELS)
      .filter(([, channels]) => channels.includes('email'))
      .map(([type]) => {
        const route = routes[type as EventType];
        if (!route) throw new Error(`no email template for ${type}`);
        return [type, route];
      }),
  );
}

async function assignmentData(db: DB, event: DeliveryEvent): Promise<AssignmentEmailData> {
  const uuid = payloadString(event.payload, 'assignment', 'uuid');
  const customerUuid = payloadString(event.payload, 'assignment', 'enterprise_customer_uuid');
  const learnerEmail = payloadString(event.payload, 'assignment', 'learner_email');
  if (!learnerEmail.includes('@')) throw badInput(`assignment ${uuid} has no learner email`);
  const [assignment] = await findAssignmentsByUuids(db, [uuid]);
  if (!assignment) throw badInput(`assignment ${uuid} does not exist`);
  const authorization = `JWT ${await mintServiceToken(SERVICE)}`;
  const customer = await emailCustomerOf(customerUuid, authorization);
  if (!customer) throw badInput(`customer ${customerUuid} of assignment ${uuid} does not exist`);
  const { title, expiresAt } = await contentAndExpiry(db, assignment, authorization);
  return {
    learnerEmail,
    customer,
    contentTitle: title,
    priceCents: -assignment.contentQuantity,
    allocatedAt: assignment.allocatedAt,
    expiresAt,
    portalUrl: learnerPortal(customer),
  };
}

function learnerPortal(customer: EmailCustomer): string {
  return portalLink(settings.learnerPortalUrl(), customer.slug);
}

/** The content's title (stored at allocation, else the catalog's) and the earliest possible expiration. */
async function contentAndExpiry(
  db: DB,
  assignment: AssignmentRow,
  authorization: string,
): Promise<{ title: string; expiresAt: Date | null }> {
  const content = await contentOf(assignment.preferredCourseRunKey ?? assignment.contentKey, authorization);
  const [configuration] = await findConfigurationsByUuids(db, [assignment.assignmentConfigurationUuid]);
  const [policy] = configuration ? await findPoliciesByUuids(db, [configuration.subsidyAccessPolicyUuid]) : [];
  const [subsidy] = policy ? await findSubsidiesByUuids(db, [policy.subsidyUuid]) : [];
  const expiration = earliestPossibleExpiration(
    assignment,
    subsidy?.expirationDatetime ?? null,
    content?.enrollBy ?? null,
  );
  return {
    title: assignment.contentTitle ?? content?.title ?? assignment.contentKey,
    expiresAt: expiration?.date ?? null,
  };
}
