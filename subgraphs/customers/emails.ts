import type { Kysely } from 'kysely';
import { settings } from '../../lib/config.js';
import type { EmailRoute } from '../../lib/deliveries/email.js';
import { portalLink, type EmailCustomer } from '../../lib/email/layout.js';
import { enrollmentNotificationEmail } from '../../lib/email/templates.js';
import { badInput } from '../../lib/errors.js';
import { payloadInt, payloadString } from '../../lib/outbox-relay.js';
import { CHANNELS, EVENTS, type EventType } from './events.js';
import { findCustomersByUuids, findEnrolledCourse, findLmsUsersByIds } from './store/index.js';
import type { CustomersDatabase, EnterpriseCustomerRow } from './tables.js';

type DB = Kysely<CustomersDatabase>;

/**
 * The enrollment notification (enrollLearners with notify: true; edx-enterprise's enrollment
 * notification email template): the learner's name (its username: the LMS gives no other), the
 * organization, the course name and start date from the enrollment's learner-progress row, and the
 * enrollment link (the learner portal's course page when the customer has the portal, else the LMS
 * course). From name = the customer's sender alias, Reply-To = its reply-to, when set. All from
 * this subgraph's store: a missing customer or enrollment is a refusal.
 */
export function emailRoutes(db: DB): Record<string, EmailRoute> {
  const routes: Partial<Record<EventType, EmailRoute>> = {
    [EVENTS.enrollmentNotification]: async (event) => {
      const customerUuid = payloadString(event.payload, 'enterprise_customer_uuid');
      const lmsUserId = payloadInt(event.payload, 'user_id');
      const courseRunKey = payloadString(event.payload, 'course_run_key');
      const email = payloadString(event.payload, 'email');
      if (!email.includes('@')) throw badInput(`enrollment notification for user ${lmsUserId} has no email`);
      const [customer] = await findCustomersByUuids(db, [customerUuid]);
      if (!customer) throw badInput(`customer ${customerUuid} does not exist`);
      const course = await findEnrolledCourse(db, { customerUuid, lmsUserId, courseRunKey });
      if (!course) throw badInput(`no enrollment of user ${lmsUserId} in ${courseRunKey} for customer ${customerUuid}`);
      const [user] = await findLmsUsersByIds(db, [lmsUserId]);
      return enrollmentNotificationEmail({
        email,
        userName: user?.username ?? course.userUsername,
        customer: emailCustomer(customer),
        courseName: course.courseTitle ?? courseRunKey,
        start: course.courseStart,
        enrollmentUrl: customer.enableLearnerPortal
          ? portalLink(settings.learnerPortalUrl(), customer.slug, 'course', course.courseKey ?? courseRunKey)
          : `${settings.lmsUrl()}/courses/${courseRunKey}/course/`,
      });
    },
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

function emailCustomer(customer: EnterpriseCustomerRow): EmailCustomer {
  return {
    name: customer.name,
    slug: customer.slug,
    contactEmail: customer.contactEmail,
    senderAlias: customer.senderAlias,
    replyTo: customer.replyTo,
    logoUrl: customer.brandingLogoUrl,
    primaryColor: customer.brandingPrimaryColor,
  };
}
