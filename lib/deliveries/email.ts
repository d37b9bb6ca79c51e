import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { intFromEnv } from '../config.js';
import { logger } from '../observability/logger.js';
import type { DeliveryChannel, DeliveryEvent, DeliveryOutcome } from './relay.js';

/**
 * Email over SMTP with nodemailer (README, "Events and email"): `SMTP_URL`
 * (`smtp://user:pass@host:port`, `smtps://` for TLS) and `EMAIL_FROM`. Without `SMTP_URL` each
 * email is logged and its delivery marked SKIPPED: nothing is retried forever.
 */
export interface EmailSettings {
  url: string | undefined;
  from: string;
  /** Connection, greeting and socket timeouts of one send. */
  timeoutMs: number;
}

export function emailSettings(): EmailSettings {
  return {
    url: process.env.SMTP_URL || undefined,
    from: process.env.EMAIL_FROM ?? 'Enterprise Learning <no-reply@enterprise.example.com>',
    timeoutMs: intFromEnv('SMTP_TIMEOUT_MS', 10_000),
  };
}

/** One rendered email. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The sender's display name (the customer's sender alias), with EMAIL_FROM's address. */
  fromName?: string | null;
  replyTo?: string | null;
}

/**
 * Renders the email of one outbox event; null when there is nothing to send for it (a license
 * assigned with `notifyUsers: false`, say), which marks the delivery SKIPPED.
 */
export type EmailRoute = (event: DeliveryEvent) => Promise<EmailMessage | null>;

/** `Name <addr>` of EMAIL_FROM, with the display name replaced by `name` when given. */
export function fromAddress(from: string, name?: string | null): { name?: string; address: string } {
  const match = /^\s*(?:"?([^"<]*)"?\s*)?<([^>]+)>\s*$/.exec(from);
  const address = match?.[2]?.trim() ?? from.trim();
  const display = name?.trim() || match?.[1]?.trim() || undefined;
  return display ? { name: display, address } : { address };
}

/** nodemailer's SMTP options of SMTP_URL (user, password, host, port; `smtps:` is TLS from the start), with timeouts. */
export function smtpOptions(settings: Pick<EmailSettings, 'url' | 'timeoutMs'>): SMTPTransport.Options {
  const url = new URL(settings.url ?? 'smtp://localhost:25');
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 25,
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
  };
}

/** The email channel of one subgraph's outbox. */
export function emailChannel(
  service: string,
  routes: Readonly<Record<string, EmailRoute>>,
  settings: EmailSettings = emailSettings(),
): DeliveryChannel {
  let transport: Transporter | undefined;
  return {
    name: 'email',
    eventTypes: Object.keys(routes),
    async deliver(event): Promise<DeliveryOutcome> {
      const route = routes[event.eventType];
      if (!route) throw new Error(`no email template for ${event.eventType}`);
      const message = await route(event);
      if (!message) return 'SKIPPED';
      if (!settings.url) {
        logger.info(
          { subgraph: service, eventType: event.eventType, id: event.id, to: message.to, subject: message.subject },
          `[${service}] email not sent (no SMTP_URL): "${message.subject}" to ${message.to}`,
        );
        return 'SKIPPED';
      }
      transport ??= nodemailer.createTransport(smtpOptions(settings));
      await transport.sendMail({
        from: fromAddress(settings.from, message.fromName),
        to: message.to,
        replyTo: message.replyTo ?? undefined,
        subject: message.subject,
        text: message.text,
        html: message.html,
        // The outbox row's id: a receiving system can tell a resend after a crash from a new email.
        messageId: `<${event.id}@${fromAddress(settings.from).address.split('@')[1] ?? 'enterprise-graph'}>`,
        headers: { 'X-Enterprise-Event': event.eventType },
      });
      return 'DELIVERED';
    },
    close() {
      transport?.close();
      transport = undefined;
      return Promise.resolve();
    },
  };
}
