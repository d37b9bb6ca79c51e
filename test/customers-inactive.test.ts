import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Kysely } from 'kysely';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect, token } from './support/stack.js';

const SEAL = DEMO.customers.sealTeamTen;

describeEachDialect('customers: an inactive customer', (stack) => {
  it('is hidden from its learners and still shown to its admins', async () => {
    const db = stack().subgraphs.customers.app.db as unknown as Kysely<{
      enterprise_customer: { uuid: string; active: boolean };
    }>;
    await db.updateTable('enterprise_customer').set({ active: false }).where('uuid', '=', SEAL).execute();
    try {
      const learner = await token({
        roles: [`enterprise_learner:${SEAL}`],
        userId: 4,
        email: 'alice@sealteamten.example.com',
      });
      const QUERY =
        'query ($c: ID!) { enterpriseCustomer(uuid: $c) { name } enterpriseCustomers { nodes { name } } me { enterpriseCustomers { name } activeEnterpriseCustomer { name } } }';
      const hidden = await stack().graphql(QUERY, { c: SEAL }, { token: learner });
      assert.deepEqual(hidden.data, {
        enterpriseCustomer: null,
        enterpriseCustomers: { nodes: [] },
        me: { enterpriseCustomers: [], activeEnterpriseCustomer: null },
      });
      const admin = await stack().graphql(QUERY, { c: SEAL }, { token: stack().tokens.sealAdmin });
      assert.deepEqual(admin.data, {
        enterpriseCustomer: { name: 'Seal Team Ten' },
        enterpriseCustomers: { nodes: [{ name: 'Seal Team Ten' }] },
        me: { enterpriseCustomers: [{ name: 'Seal Team Ten' }], activeEnterpriseCustomer: null },
      });
    } finally {
      await db.updateTable('enterprise_customer').set({ active: true }).where('uuid', '=', SEAL).execute();
    }
  });
});
