import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { accessFromRoles, cleanToken } from '../web/src/access.js';
import { problemOf, usd } from '../web/src/format.js';

/** The portal's pure decisions: which views a token gets, and how errors and money read. */

describe("the portal reads a token's roles as the graph does", () => {
  it('an admin role of a customer gives the admin view of that customer, a learner role the learner view', () => {
    const access = accessFromRoles(['enterprise_admin:9265C76D-224A-4333-9D6A-8651D5B7C442', 'enterprise_learner:abc']);
    assert.deepEqual(access, {
      adminOf: ['9265c76d-224a-4333-9d6a-8651d5b7c442'],
      learnerOf: ['abc'],
      operator: false,
    });
  });

  it('an operator role, or an admin role of every customer, makes the token an operator', () => {
    assert.equal(accessFromRoles(['enterprise_openedx_operator:*']).operator, true);
    assert.equal(accessFromRoles(['enterprise_admin:*']).operator, true);
    assert.deepEqual(accessFromRoles(['enterprise_admin:*']).adminOf, []);
  });

  it('roles of other services grant no view', () => {
    assert.deepEqual(accessFromRoles(['enterprise_catalog_admin:x', 'coupon-manager:y']), {
      adminOf: [],
      learnerOf: [],
      operator: false,
    });
  });

  it('a pasted token loses the header prefix and surrounding blanks', () => {
    assert.equal(cleanToken('  JWT abc.def.ghi\n'), 'abc.def.ghi');
    assert.equal(cleanToken('Bearer abc'), 'abc');
    assert.equal(cleanToken('abc'), 'abc');
  });
});

describe('the portal shows errors by their code, in words', () => {
  it('a GraphQL error is named by its extensions.code', () => {
    const error = new CombinedGraphQLErrors({
      data: null,
      errors: [{ message: 'not an admin of this customer', extensions: { code: 'FORBIDDEN' } }],
    });
    assert.deepEqual(problemOf(error), {
      code: 'FORBIDDEN',
      words: 'Your token does not allow this.',
      detail: 'not an admin of this customer',
    });
  });

  it('an HTTP error answer is named by the code in its body', () => {
    const body = JSON.stringify({ errors: [{ message: 'bad token', extensions: { code: 'UNAUTHENTICATED' } }] });
    const error = new ServerError('Response not successful', {
      response: new Response(body, { status: 401 }),
      bodyText: body,
    });
    const problem = problemOf(error);
    assert.equal(problem.code, 'UNAUTHENTICATED');
    assert.match(problem.words, /sign in again/);
  });

  it('an HTTP error without a GraphQL body is named by its status, a failed fetch as unreachable', () => {
    const error = new ServerError('Response not successful', {
      response: new Response('<html>', { status: 502 }),
      bodyText: '<html>',
    });
    assert.equal(problemOf(error).code, 'HTTP 502');
    assert.deepEqual(problemOf(new TypeError('Failed to fetch')), {
      code: 'NETWORK',
      words: 'The service could not be reached.',
      detail: 'Failed to fetch',
    });
  });

  it('money is shown in dollars from cents, an absent amount as a dash', () => {
    assert.equal(usd(4_985_000), '$49,850.00');
    assert.equal(usd(0), '$0.00');
    assert.equal(usd(null), '—');
  });
});
