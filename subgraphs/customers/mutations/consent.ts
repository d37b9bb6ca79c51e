import { badInput, forbidden, notFound } from '../../../lib/errors.js';
import { runMutation } from '../../../lib/mutation.js';
import { nonEmptyString, uuidArg } from '../../../lib/validate.js';
import type { CustomersContext } from '../context.js';
import { EVENTS, writeEvents } from '../events.js';
import { pairKey, viewerLmsUserId } from '../loaders.js';
import { isKnownCourse } from '../remote.js';
import { upsertConsent } from '../store/index.js';
import type { DataSharingConsentView } from '../tables.js';

// ---------------------------------------------------------------------------------------------
// Consent

export async function setDataSharingConsent(
  ctx: CustomersContext,
  input: { enterpriseCustomerUuid: string; courseKey: string; granted: boolean },
): Promise<DataSharingConsentView> {
  const customerUuid = uuidArg(input.enterpriseCustomerUuid, 'enterpriseCustomerUuid');
  const courseKey = nonEmptyString(input.courseKey, 'courseKey');
  if (courseKey.startsWith('course-v1:'))
    throw badInput('courseKey must be a course key (org+number), not a course run key', { argument: 'courseKey' });
  const customer = await ctx.loaders.customer.load(customerUuid);
  if (!customer) throw notFound(`Enterprise customer ${customerUuid} does not exist`);
  const lmsUserId = await viewerLmsUserId(ctx);
  const link = lmsUserId == null ? null : await ctx.loaders.learnerByUser.load(pairKey(customerUuid, lmsUserId));
  if (!link?.linked) throw forbidden('Only a linked learner of the customer sets its own consent');
  // A consent record for a course nobody offers would be a row no enrollment ever matches.
  if (!(await isKnownCourse(courseKey, ctx.authorization)))
    throw badInput(`courseKey ${courseKey} is not a course the catalog knows`, { argument: 'courseKey' });
  const now = new Date();
  const row = await runMutation(ctx, async (trx) => {
    const stored = await upsertConsent(trx, customerUuid, link.lmsUserId, courseKey, input.granted, now);
    await writeEvents(trx, [
      {
        eventType: EVENTS.consentChanged,
        aggregateKey: `${customerUuid}:${link.lmsUserId}`,
        payload: {
          enterprise_customer_uuid: customerUuid,
          username: link.username,
          user_id: link.lmsUserId,
          course_id: courseKey,
          granted: input.granted,
        },
      },
    ]);
    return stored;
  });
  return {
    enterpriseCustomerUuid: customerUuid,
    lmsUserId: row.lmsUserId,
    courseKey,
    granted: row.granted,
    exists: true,
    created: row.created,
    modified: row.modified,
  };
}
