import { notFound } from '../../../lib/errors.js';
import { runMutation } from '../../../lib/mutation.js';
import { uuidArg } from '../../../lib/validate.js';
import type { CustomersContext } from '../context.js';
import { EVENTS, writeEvents } from '../events.js';
import { type CustomerUpdateInput, planCustomerUpdate } from '../rules/index.js';
import { lockCustomer, updateCustomer } from '../store/index.js';
import type { EnterpriseCustomerRow } from '../tables.js';

// ---------------------------------------------------------------------------------------------
// Portal settings

/**
 * The admin portal's settings screens (edx-enterprise's customer admin form): admins of the
 * customer and operators. Validated by planCustomerUpdate against the row as locked; the update
 * and one outbox event per changed field commit together, so a refused value writes nothing and a
 * concurrent update never announces a change it did not make.
 */
export async function updateEnterpriseCustomer(
  ctx: CustomersContext,
  input: CustomerUpdateInput & { enterpriseCustomerUuid: string },
): Promise<EnterpriseCustomerRow> {
  const uuid = uuidArg(input.enterpriseCustomerUuid, 'enterpriseCustomerUuid');
  ctx.viewer.assertAdminOf(uuid);
  const now = new Date();
  return runMutation(ctx, async (trx) => {
    const customer = await lockCustomer(trx, uuid);
    if (!customer) throw notFound(`Enterprise customer ${uuid} does not exist`);
    const plan = planCustomerUpdate(customer, input);
    if (plan.changed.length === 0) return customer;
    await updateCustomer(trx, uuid, plan.changes, now);
    await writeEvents(
      trx,
      plan.changed.map(({ field, from, to }) => ({
        eventType: EVENTS.customerUpdated,
        aggregateKey: uuid,
        payload: {
          enterprise_customer_uuid: uuid,
          field,
          old_value: from,
          new_value: to,
          changed_by: ctx.viewer.lmsUserId,
          modified: now.toISOString(),
        },
      })),
    );
    return { ...customer, ...plan.changes, modified: now };
  });
}
