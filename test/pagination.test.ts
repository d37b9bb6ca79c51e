import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect, errorCodes, type GraphQLResult } from './support/stack.js';

const CUSTOMERS = /* GraphQL */ `
  query ($first: Int, $after: String) {
    enterpriseCustomers(first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          uuid
          name
        }
      }
      nodes {
        uuid
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

interface Page {
  enterpriseCustomers: {
    totalCount: number;
    edges: { cursor: string; node: { uuid: string; name: string } }[];
    nodes: { uuid: string }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

describeEachDialect('keyset pagination', (stack) => {
  it('walks every customer page by page with first/after, without duplicates or gaps', async () => {
    const all = await stack().graphql<Page>(CUSTOMERS, { first: 500 });
    const expected = all.data!.enterpriseCustomers.nodes.map((n) => n.uuid);
    assert.ok(expected.length >= 5, 'the demo data has several customers');
    assert.equal(all.data!.enterpriseCustomers.totalCount, expected.length);

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result: GraphQLResult<Page> = await stack().graphql<Page>(CUSTOMERS, { first: 2, after });
      const connection: Page['enterpriseCustomers'] = result.data!.enterpriseCustomers;
      pages += 1;
      assert.equal(connection.pageInfo.hasPreviousPage, after !== null);
      assert.ok(connection.edges.length <= 2);
      assert.deepEqual(
        connection.nodes.map((n) => n.uuid),
        connection.edges.map((e) => e.node.uuid),
      );
      seen.push(...connection.nodes.map((n) => n.uuid));
      if (!connection.pageInfo.hasNextPage) break;
      assert.equal(connection.pageInfo.endCursor, connection.edges.at(-1)!.cursor);
      after = connection.pageInfo.endCursor;
    }
    assert.deepEqual(seen, expected);
    assert.equal(pages, Math.ceil(expected.length / 2));
  });

  it('orders customers by name', async () => {
    const result = await stack().graphql<Page>(CUSTOMERS, { first: 500 });
    const names = result.data!.enterpriseCustomers.edges.map((e) => e.node.name);
    assert.deepEqual(
      names,
      [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });

  it('rejects a page size above 500 or below 0 and a forged cursor with BAD_USER_INPUT', async () => {
    for (const variables of [{ first: 501 }, { first: -1 }, { first: 5, after: 'not-a-cursor' }]) {
      const result = await stack().graphql(CUSTOMERS, variables);
      assert.deepEqual(errorCodes(result), ['BAD_USER_INPUT'], JSON.stringify(variables));
      assert.equal(result.data ?? null, null);
    }
  });

  it('defaults to 20 items per page', async () => {
    const result = await stack().graphql<Page>(CUSTOMERS, {});
    assert.ok(result.data!.enterpriseCustomers.edges.length <= 20);
  });
});
