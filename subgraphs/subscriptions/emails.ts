import type { Kysely } from 'kysely';
import { mintServiceToken } from '../../lib/auth/token.js';
import { settings } from '../../lib/config.js';
import type { EmailRoute } from '../../lib/deliveries/email.js';
import type { DeliveryEvent } from '../../lib/deliveries/relay.js';
import { portalLink, type EmailCustomer } from '../../lib/email/layout.js';
import {
  licenseAssignedEmail,
  licenseRemindedEmail,
  licenseRevokedEmail,
  type LicenseEmailData,
} from '../../lib/email/templates.js';
import { badInput } from '../../lib/errors.js';
import { payloadField, payloadString } from '../../lib/outbox-relay.js';
import { CHANNELS, EventType, type SubscriptionsEventType } from './events.js';
import { emailCustomerOf } from './remote.js';
import { findPlansByUuids } from './store/index.js';
import type { SubscriptionPlanRow, SubscriptionsDatabase } from './tables.js';

type DB = Kysely<SubscriptionsDatabase>;
const SERVICE = 'subscriptions';

/**
 * The license emails (README, "Email"): assigned (assignLicenses with notifyUsers, the default) and
 * reminded (remindLicenses), both with the admin's greeting and closing and the activation link
 * `{LEARNER_PORTAL_URL}/{customer slug}/licenses/{activation_key}/activate`; revoked
 * (bulkRevokeLicenses). assignLicenses with notifyUsers false writes no email event at all. The
 * customer (name, slug, sender alias, reply-to, branding) comes from the customers subgraph with a
 * service token: an outage throws and the relay retries; a missing plan or customer is a refusal.
 */
export function emailRoutes(db: DB): Record<string, EmailRoute> {
  const routes: Partial<Record<SubscriptionsEventType, EmailRoute>> = {
    [EventType.ASSIGNMENT_EMAIL_REQUESTED]: async (event) =>
      payloadField(event.payload, 'notify_users') === false ? null : licenseAssignedEmail(await licenseData(db, event)),
    [EventType.REMINDER_EMAIL_REQUESTED]: async (event) => licenseRemindedEmail(await licenseData(db, event)),
    [EventType.LICENSE_REVOKED]: async (event) => {
      const { plan, customer, userEmail } = await planAndCustomer(db, event);
      const revoked = payloadField(event.payload, 'revoked_date');
      return licenseRevokedEmail({
        userEmail,
        customer,
        planTitle: plan.title,
        revokedAt: typeof revoked === 'string' ? new Date(revoked) : null,
        portalUrl: portalLink(settings.learnerPortalUrl(), customer.slug),
      });
    },
  };
  return Object.fromEntries(
    Object.entries(CHANNELS)
      .filter(([, channels]) => channels.includes('email'))
      .map(([type]) => {
        const route = routes[type as SubscriptionsEventType];
        if (!route) throw new Error(`no email template for ${type}`);
        return [type, route];
      }),
  );
}

async function planAndCustomer(
  db: DB,
  event: DeliveryEvent,
): Promise<{ plan: SubscriptionPlanRow; customer: EmailCustomer; userEmail: string }> {
  const planUuid = payloadString(event.payload, 'subscription_plan_uuid');
  const userEmail = payloadField(event.payload, 'user_email');
  if (typeof userEmail !== 'string' || !userEmail.includes('@'))
    throw badInput(`license ${String(payloadField(event.payload, 'license_uuid'))} has no user email`);
  const [plan] = await findPlansByUuids(db, [planUuid]);
  if (!plan) throw badInput(`subscription plan ${planUuid} does not exist`);
  const customer = await emailCustomerOf(plan.enterpriseCustomerUuid, `JWT ${await mintServiceToken(SERVICE)}`);
  if (!customer) throw badInput(`customer ${plan.enterpriseCustomerUuid} of plan ${planUuid} does not exist`);
  return { plan, customer, userEmail };
}

async function licenseData(db: DB, event: DeliveryEvent): Promise<LicenseEmailData> {
  const { plan, customer, userEmail } = await planAndCustomer(db, event);
  const activationKey = payloadString(event.payload, 'activation_key');
  const text = (name: string) => {
    const value = payloadField(event.payload, name);
    return typeof value === 'string' ? value : null;
  };
  return {
    userEmail,
    customer,
    planTitle: plan.title,
    planExpiration: plan.expirationDate,
    activationUrl: portalLink(settings.learnerPortalUrl(), customer.slug, 'licenses', activationKey, 'activate'),
    greeting: text('greeting'),
    closing: text('closing'),
  };
}
