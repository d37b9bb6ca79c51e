import type { EmailMessage } from '../deliveries/email.js';

/**
 * The shared layout of every email to a learner (lib/email/templates.ts): a plain-text part and an
 * HTML part with the same content. The HTML part carries the customer's branding (primary colour
 * for the header band and the button, logo above the title) when set; every value is escaped.
 */

/** The customer as an email shows it (customers subgraph: name, slug, email settings, branding). */
export interface EmailCustomer {
  name: string;
  slug: string;
  /** From display name (null: EMAIL_FROM's own). */
  senderAlias?: string | null;
  replyTo?: string | null;
  contactEmail?: string | null;
  logoUrl?: string | null;
  /** #RRGGBB; anything else falls back to the platform default. */
  primaryColor?: string | null;
}

/** An `EnterpriseCustomer` as the email calls of the subgraphs ask for it (remote.customers.graphql). */
export interface EmailCustomerFields {
  name: string;
  slug: string;
  contactEmail?: string | null;
  senderAlias?: string | null;
  replyTo?: string | null;
  brandingConfiguration: { logoUrl?: string | null; primaryColor?: string | null };
}

/** The customer an email shows, from what the customers subgraph answered (null: no such customer). */
export function emailCustomerFrom(c: EmailCustomerFields | null | undefined): EmailCustomer | null {
  if (!c) return null;
  return {
    name: c.name,
    slug: c.slug,
    contactEmail: c.contactEmail ?? null,
    senderAlias: c.senderAlias ?? null,
    replyTo: c.replyTo ?? null,
    logoUrl: c.brandingConfiguration.logoUrl ?? null,
    primaryColor: c.brandingConfiguration.primaryColor ?? null,
  };
}

/** The platform's default primary colour (BrandingConfiguration.primaryColor when unset). */
export const DEFAULT_PRIMARY_COLOR = '#2D494E';

export interface EmailFact {
  label: string;
  value: string;
}

/** What one email says, before layout. */
export interface EmailContent {
  to: string;
  subject: string;
  /** First line ("Hello," or the admin's greeting); its own paragraph. */
  greeting: string;
  paragraphs: readonly string[];
  /** Label/value lines (course, price, dates), shown as a table in HTML. */
  facts?: readonly EmailFact[];
  /** The call to action: a button in HTML, "label: url" in text. */
  action?: { label: string; url: string } | null;
  /** Last lines (the admin's closing, or the default sign-off). */
  closing?: string | null;
  customer: EmailCustomer;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** `#RRGGBB` (or `#RGB`) as given, else the default: a colour lands in a style attribute. */
export function brandColor(color: string | null | undefined): string {
  return color && /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(color.trim()) ? color.trim() : DEFAULT_PRIMARY_COLOR;
}

/** An http(s) URL, else null (a logo or link never becomes `javascript:`). */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

/** A date as emails write it, in UTC: "3 December 2026". */
export function formatDate(date: Date | string | null | undefined): string | null {
  if (date === null || date === undefined) return null;
  const d = date instanceof Date ? date : new Date(date);
  if (Number.isNaN(d.getTime())) return null;
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** USD cents as "$1,234.50". */
export function formatPrice(cents: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
}

/** A path segment, URL-encoded except `+` and `:` (course keys keep their usual spelling). */
function segment(value: string): string {
  return encodeURIComponent(value).replace(/%2B/gi, '+').replace(/%3A/gi, ':');
}

/** `{base}/{slug}/{...path}` with each segment URL-encoded (a learner portal link). */
export function portalLink(base: string, slug: string, ...path: string[]): string {
  return [base.replace(/\/+$/, ''), ...[slug, ...path].map(segment)].join('/');
}

function textPart(content: EmailContent): string {
  const lines: string[] = [content.greeting, ''];
  for (const p of content.paragraphs) lines.push(p, '');
  if (content.facts?.length) {
    for (const f of content.facts) lines.push(`${f.label}: ${f.value}`);
    lines.push('');
  }
  if (content.action) lines.push(`${content.action.label}: ${content.action.url}`, '');
  if (content.closing) lines.push(content.closing, '');
  lines.push('--', `Sent on behalf of ${content.customer.name}.`);
  if (content.customer.contactEmail) lines.push(`Questions? Contact ${content.customer.contactEmail}.`);
  return `${lines.join('\n')}\n`;
}

/** Paragraph text with its line breaks kept. */
function htmlText(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, '<br>');
}

function htmlPart(content: EmailContent): string {
  const color = brandColor(content.customer.primaryColor);
  const logo = safeUrl(content.customer.logoUrl);
  const action = content.action ? { label: content.action.label, url: safeUrl(content.action.url) } : null;
  const facts = content.facts?.length
    ? `<table role="presentation" cellpadding="4" style="border-collapse:collapse;margin:16px 0">${content.facts
        .map(
          (f) =>
            `<tr><td style="color:#555;padding-right:16px">${escapeHtml(f.label)}</td><td><strong>${escapeHtml(f.value)}</strong></td></tr>`,
        )
        .join('')}</table>`
    : '';
  return [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f5f5f5;font-family:Helvetica,Arial,sans-serif;color:#222">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">',
    '<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;max-width:600px">',
    `<tr><td style="background:${color};padding:16px 24px;color:#ffffff;font-size:18px">`,
    logo
      ? `<img src="${escapeHtml(logo)}" alt="${escapeHtml(content.customer.name)}" style="max-height:48px;display:block">`
      : `<strong>${escapeHtml(content.customer.name)}</strong>`,
    '</td></tr>',
    '<tr><td style="padding:24px;font-size:15px;line-height:1.5">',
    `<p>${htmlText(content.greeting)}</p>`,
    ...content.paragraphs.map((p) => `<p>${htmlText(p)}</p>`),
    facts,
    action?.url
      ? `<p style="margin:24px 0"><a href="${escapeHtml(action.url)}" style="background:${color};color:#ffffff;padding:12px 20px;text-decoration:none;border-radius:4px;display:inline-block">${escapeHtml(action.label)}</a></p><p style="font-size:12px;color:#555">${escapeHtml(action.url)}</p>`
      : '',
    content.closing ? `<p>${htmlText(content.closing)}</p>` : '',
    '</td></tr>',
    `<tr><td style="padding:16px 24px;font-size:12px;color:#777;border-top:1px solid #eee">Sent on behalf of ${escapeHtml(content.customer.name)}.${
      content.customer.contactEmail ? ` Questions? Contact ${escapeHtml(content.customer.contactEmail)}.` : ''
    }</td></tr>`,
    '</table></td></tr></table></body></html>',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The message of `content`: both parts, From name = the sender alias, Reply-To = the customer's reply-to. */
export function renderEmail(content: EmailContent): EmailMessage {
  return {
    to: content.to,
    subject: content.subject,
    text: textPart(content),
    html: htmlPart(content),
    fromName: content.customer.senderAlias?.trim() || null,
    replyTo: content.customer.replyTo?.trim() || null,
  };
}
