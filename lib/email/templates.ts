import type { EmailMessage } from '../deliveries/email.js';
import { formatDate, formatPrice, renderEmail, type EmailCustomer, type EmailFact } from './layout.js';

/**
 * One template per email kind (README, "Email"), pure functions of plain data: the subgraph's
 * emails.ts gathers the data (its store, remote calls) and the relay sends the result.
 */

const SIGN_OFF = 'Happy learning!';

function facts(...list: (EmailFact | null | false | undefined)[]): EmailFact[] {
  return list.filter((f): f is EmailFact => Boolean(f));
}

function dateFact(label: string, date: Date | string | null | undefined): EmailFact | null {
  const value = formatDate(date);
  return value ? { label, value } : null;
}

// ---------------------------------------------------------------------------------------------
// Learner credit: assignments (enterprise-access)

export interface AssignmentEmailData {
  learnerEmail: string;
  customer: EmailCustomer;
  contentTitle: string;
  /** The allocated price (a positive number of cents). */
  priceCents: number;
  allocatedAt: Date;
  /** The earliest possible expiration (subsidy expiry, enroll-by date, allocation + 90 days), when known. */
  expiresAt: Date | null;
  /** `{LEARNER_PORTAL_URL}/{slug}` (or the content's page in it). */
  portalUrl: string;
}

function assignmentFacts(data: AssignmentEmailData): EmailFact[] {
  return facts(
    { label: 'Course', value: data.contentTitle },
    data.priceCents > 0 && { label: 'Paid by your organization', value: formatPrice(data.priceCents) },
    dateFact('Assigned on', data.allocatedAt),
    dateFact('Enroll by', data.expiresAt),
  );
}

export function assignmentAllocatedEmail(data: AssignmentEmailData): EmailMessage {
  return renderEmail({
    to: data.learnerEmail,
    subject: `${data.customer.name} assigned you "${data.contentTitle}"`,
    greeting: 'Hello,',
    paragraphs: [
      `${data.customer.name} has assigned you the course "${data.contentTitle}", paid for by your organization.`,
      'Enroll from your learner portal before the assignment expires.',
    ],
    facts: assignmentFacts(data),
    action: { label: 'Go to your learner portal', url: data.portalUrl },
    closing: SIGN_OFF,
    customer: data.customer,
  });
}

export function assignmentRemindedEmail(data: AssignmentEmailData): EmailMessage {
  return renderEmail({
    to: data.learnerEmail,
    subject: `Reminder: "${data.contentTitle}" is waiting for you`,
    greeting: 'Hello,',
    paragraphs: [
      `This is a reminder that ${data.customer.name} assigned you the course "${data.contentTitle}". You have not enrolled yet.`,
    ],
    facts: assignmentFacts(data),
    action: { label: 'Enroll from your learner portal', url: data.portalUrl },
    closing: SIGN_OFF,
    customer: data.customer,
  });
}

export function assignmentCancelledEmail(data: Omit<AssignmentEmailData, 'expiresAt'>): EmailMessage {
  return renderEmail({
    to: data.learnerEmail,
    subject: `Your assignment of "${data.contentTitle}" was cancelled`,
    greeting: 'Hello,',
    paragraphs: [
      `${data.customer.name} cancelled your assignment of the course "${data.contentTitle}". You can no longer enroll in it with your organization's funds.`,
      'Your learner portal shows what is still available to you.',
    ],
    facts: facts({ label: 'Course', value: data.contentTitle }, dateFact('Assigned on', data.allocatedAt)),
    action: { label: 'Go to your learner portal', url: data.portalUrl },
    closing: null,
    customer: data.customer,
  });
}

export function assignmentExpiringEmail(data: AssignmentEmailData & { expiresAt: Date }): EmailMessage {
  const when = formatDate(data.expiresAt) ?? 'soon';
  return renderEmail({
    to: data.learnerEmail,
    subject: `Your assignment of "${data.contentTitle}" expires on ${when}`,
    greeting: 'Hello,',
    paragraphs: [
      `Your assignment of the course "${data.contentTitle}" from ${data.customer.name} expires on ${when}.`,
      'Enroll before then, or the course goes back to your organization.',
    ],
    facts: assignmentFacts(data),
    action: { label: 'Enroll now', url: data.portalUrl },
    closing: SIGN_OFF,
    customer: data.customer,
  });
}

// ---------------------------------------------------------------------------------------------
// Subscriptions: licenses (license-manager)

export interface LicenseEmailData {
  userEmail: string;
  customer: EmailCustomer;
  planTitle: string;
  planExpiration: Date | null;
  /** `{LEARNER_PORTAL_URL}/{slug}/licenses/{activation_key}/activate`. */
  activationUrl: string;
  /** The admin's custom text (assignLicenses / remindLicenses), null: the default. */
  greeting?: string | null;
  closing?: string | null;
}

export function licenseAssignedEmail(data: LicenseEmailData): EmailMessage {
  return renderEmail({
    to: data.userEmail,
    subject: `Activate your ${data.customer.name} learning subscription`,
    greeting: data.greeting?.trim() || 'Hello,',
    paragraphs: [
      `${data.customer.name} has given you a license to the "${data.planTitle}" subscription: courses in its catalog are free for you while it lasts.`,
      'Activate your license to start learning.',
    ],
    facts: facts({ label: 'Subscription', value: data.planTitle }, dateFact('Available until', data.planExpiration)),
    action: { label: 'Activate your license', url: data.activationUrl },
    closing: data.closing?.trim() || SIGN_OFF,
    customer: data.customer,
  });
}

export function licenseRemindedEmail(data: LicenseEmailData): EmailMessage {
  return renderEmail({
    to: data.userEmail,
    subject: `Reminder: activate your ${data.customer.name} learning subscription`,
    greeting: data.greeting?.trim() || 'Hello,',
    paragraphs: [
      `${data.customer.name} gave you a license to the "${data.planTitle}" subscription, and it is not activated yet.`,
    ],
    facts: facts({ label: 'Subscription', value: data.planTitle }, dateFact('Available until', data.planExpiration)),
    action: { label: 'Activate your license', url: data.activationUrl },
    closing: data.closing?.trim() || SIGN_OFF,
    customer: data.customer,
  });
}

export function licenseRevokedEmail(data: {
  userEmail: string;
  customer: EmailCustomer;
  planTitle: string;
  revokedAt: Date | null;
  portalUrl: string;
}): EmailMessage {
  return renderEmail({
    to: data.userEmail,
    subject: `Your ${data.customer.name} subscription license was revoked`,
    greeting: 'Hello,',
    paragraphs: [
      `${data.customer.name} revoked your license to the "${data.planTitle}" subscription. Courses you enrolled in with it continue in audit mode where the course allows it.`,
      `If you think this is a mistake, contact ${data.customer.contactEmail ?? `your ${data.customer.name} administrator`}.`,
    ],
    facts: facts({ label: 'Subscription', value: data.planTitle }, dateFact('Revoked on', data.revokedAt)),
    action: { label: 'Go to your learner portal', url: data.portalUrl },
    closing: null,
    customer: data.customer,
  });
}

// ---------------------------------------------------------------------------------------------
// Customers: enrollment notification (edx-enterprise's enrollment notification email template)

export interface EnrollmentNotificationData {
  email: string;
  /** The learner's name or username; null: greeted without a name. */
  userName: string | null;
  /** The sponsoring customer (organization_name, sender alias, reply-to, branding). */
  customer: EmailCustomer;
  courseName: string;
  /** "course" or "program". */
  type?: string;
  start: Date | null;
  enrollmentUrl: string;
}

export function enrollmentNotificationEmail(data: EnrollmentNotificationData): EmailMessage {
  const start = formatDate(data.start);
  const type = data.type ?? 'course';
  return renderEmail({
    to: data.email,
    subject: `You've been enrolled in ${data.courseName}!`,
    greeting: data.userName ? `Hello ${data.userName},` : 'Hello,',
    paragraphs: [
      `${data.customer.name} has enrolled you in the ${type} "${data.courseName}"${start ? `, which starts on ${start}` : ''}.`,
      'The course page shows what to expect and when each part opens.',
    ],
    facts: facts({ label: 'Course', value: data.courseName }, dateFact('Starts', data.start)),
    action: { label: 'Go to the course', url: data.enrollmentUrl },
    closing: SIGN_OFF,
    customer: data.customer,
  });
}
