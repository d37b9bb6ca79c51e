import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { CustomerFactsCache, customerFactsCache } from '../subgraphs/catalog/remote.js';
import { waitFor } from './support/processes.js';
import { describeEachDialect, errorCodes } from './support/stack.js';

process.env.LMS_URL = 'https://courses.example.org';
process.env.LEARNER_PORTAL_URL = 'https://portal.example.org';
// Far longer than the test: only the customer-changed event can refresh an entry in time.
process.env.CUSTOMER_FACTS_TTL_MS = '600000';

const SEAL = DEMO.customers.sealTeamTen;
const FACTS = { uuid: SEAL, slug: 'seal-team-ten', name: 'Seal Team Ten', enableLearnerPortal: true };

describe('the customer facts cache', () => {
  it('keeps a customer for the TTL and forgets it after, or when dropped', () => {
    const cache = new CustomerFactsCache(30_000);
    cache.set(SEAL, FACTS, 1_000);
    assert.deepEqual(cache.get(SEAL, 30_999), FACTS);
    assert.equal(cache.get(SEAL, 31_000), undefined);
    cache.set(SEAL, FACTS, 1_000);
    cache.drop(SEAL.toUpperCase());
    assert.equal(cache.get(SEAL, 1_001), undefined);
  });

  it('keeps nothing when the TTL is 0 (CUSTOMER_FACTS_TTL_MS=0)', () => {
    const cache = new CustomerFactsCache(0);
    cache.set(SEAL, FACTS, 1_000);
    assert.equal(cache.get(SEAL, 1_000), undefined);
  });
});

const URL_QUERY = /* GraphQL */ `
  query Url($catalog: ID!, $course: String!) {
    enterpriseCatalog(uuid: $catalog) {
      course(key: $course) {
        enrollmentUrl
      }
    }
  }
`;

describeEachDialect('catalog URLs from cached customer facts', (stack) => {
  async function enrollmentUrl(): Promise<string> {
    const result = await stack().graphql<{ enterpriseCatalog: { course: { enrollmentUrl: string } } }>(URL_QUERY, {
      catalog: DEMO.catalogs.sealTeamTenAll,
      course: DEMO.content.courseKey,
    });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return result.data!.enterpriseCatalog.course.enrollmentUrl;
  }

  it('asks the customers subgraph once per TTL, and a changed customer shows once its entry is dropped', async () => {
    const first = await stack().countStatements('customers', enrollmentUrl);
    const url = await enrollmentUrl();
    assert.match(url, /^https:\/\/portal\.example\.org\/seal-team-ten\//);
    assert.ok(first > 0, 'the first page asks the customers subgraph');
    assert.equal(
      await stack().countStatements('customers', enrollmentUrl),
      0,
      'a repeat page is served from the cache',
    );

    const update = await stack().graphql(
      /* GraphQL */ `
        mutation Off($input: UpdateEnterpriseCustomerInput!) {
          updateEnterpriseCustomer(input: $input) {
            enterpriseCustomer {
              enableLearnerPortal
            }
          }
        }
      `,
      { input: { enterpriseCustomerUuid: SEAL, enableLearnerPortal: false } },
    );
    assert.equal(update.errors, undefined, JSON.stringify(update.errors));
    // The customers relay delivers `enterprise_customer.updated.v1` to the catalog, which drops the
    // entry: the next page is built from the new settings, long before the 10-minute TTL.
    await waitFor(
      'the URL built from the changed customer',
      async () => (await enrollmentUrl()).startsWith('https://courses.example.org/'),
      { timeoutMs: 20_000 },
    );
  });

  it('customerFactsChanged is for operators and services, with valid uuids', async () => {
    const mutation = 'mutation ($u: [ID!]!) { customerFactsChanged(enterpriseCustomerUuids: $u) { dropped } }';
    const admin = await stack().graphql(mutation, { u: [SEAL] }, { token: stack().tokens.sealAdmin });
    assert.deepEqual(errorCodes(admin), ['FORBIDDEN']);
    const bad = await stack().graphql(mutation, { u: ['not-a-uuid'] });
    assert.deepEqual(errorCodes(bad), ['BAD_USER_INPUT']);
    await enrollmentUrl();
    const dropped = await stack().graphql<{ customerFactsChanged: { dropped: number } }>(mutation, { u: [SEAL, SEAL] });
    assert.equal(dropped.errors, undefined, JSON.stringify(dropped.errors));
    assert.equal(dropped.data!.customerFactsChanged.dropped, 1);
    assert.equal(
      customerFactsCache(stack().subgraphs.catalog.app.db).get(SEAL),
      undefined,
      'the next page asks the customers subgraph again',
    );
  });
});
