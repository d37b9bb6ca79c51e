import type { Kysely } from 'kysely';
import type { EmailRoute } from '../../lib/deliveries/email.js';
import { CHANNELS } from './events.js';
import type { LearnerCreditDatabase } from './tables.js';

/** TEMPORARY (replaced by the email templates): renders nothing, so deliveries are SKIPPED. */
export function emailRoutes(_db: Kysely<LearnerCreditDatabase>): Record<string, EmailRoute> {
  return Object.fromEntries(
    Object.entries(CHANNELS)
      .filter(([, channels]) => channels.includes('email'))
      .map(([type]) => [type, () => Promise.resolve(null)]),
  );
}
