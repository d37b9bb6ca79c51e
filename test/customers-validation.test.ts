import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO } from '../lib/demo-ids.js';
import { describeEachDialect, errorCodes } from './support/stack.js';

const SEAL = DEMO.customers.sealTeamTen;

/** Each mutation with malformed input: BAD_USER_INPUT. */
const CASES: { name: string; query: string; input: Record<string, unknown> }[] = [
  {
    name: 'linkLearners: malformed email',
    query: 'mutation ($i: LinkLearnersInput!) { linkLearners(input: $i) { pending { id } } }',
    input: { enterpriseCustomerUuid: SEAL, emails: ['a@b'] },
  },
  {
    name: 'linkLearners: no emails',
    query: 'mutation ($i: LinkLearnersInput!) { linkLearners(input: $i) { pending { id } } }',
    input: { enterpriseCustomerUuid: SEAL, emails: [] },
  },
  {
    name: 'unlinkLearners: malformed uuid',
    query: 'mutation ($i: UnlinkLearnersInput!) { unlinkLearners(input: $i) { notFound } }',
    input: { enterpriseCustomerUuid: '9265c76d', emails: ['a@b.co'] },
  },
  {
    name: 'enrollLearners: too many run keys',
    query: 'mutation ($i: EnrollLearnersInput!) { enrollLearners(input: $i) { pending { email } } }',
    input: {
      enterpriseCustomerUuid: SEAL,
      emails: ['a@b.co'],
      courseRunKeys: Array.from({ length: 101 }, (_, i) => `course-v1:x+y+${i}`),
    },
  },
  {
    name: 'enrollLearners: empty run key',
    query: 'mutation ($i: EnrollLearnersInput!) { enrollLearners(input: $i) { pending { email } } }',
    input: { enterpriseCustomerUuid: SEAL, emails: ['a@b.co'], courseRunKeys: [' '] },
  },
  {
    name: 'unenroll: not an id',
    query: 'mutation ($i: UnenrollInput!) { unenroll(input: $i) { enrollment { id } } }',
    input: { enrollmentId: 'abc' },
  },
  {
    name: 'setDataSharingConsent: empty course key',
    query: 'mutation ($i: SetDataSharingConsentInput!) { setDataSharingConsent(input: $i) { granted } }',
    input: { enterpriseCustomerUuid: SEAL, courseKey: ' ', granted: true },
  },
  {
    name: 'createInviteKey: negative usage limit',
    query: 'mutation ($i: CreateInviteKeyInput!) { createInviteKey(input: $i) { inviteKey { uuid } } }',
    input: { enterpriseCustomerUuid: SEAL, usageLimit: -1 },
  },
  {
    name: 'deactivateInviteKey: malformed uuid',
    query: 'mutation ($i: DeactivateInviteKeyInput!) { deactivateInviteKey(input: $i) { inviteKey { uuid } } }',
    input: { uuid: 'key' },
  },
  {
    name: 'linkWithInviteKey: malformed uuid',
    query: 'mutation ($i: LinkWithInviteKeyInput!) { linkWithInviteKey(input: $i) { created } }',
    input: { inviteKeyUuid: 'key' },
  },
  {
    name: 'registerLmsUser: malformed email',
    query: 'mutation ($i: RegisterLmsUserInput!) { registerLmsUser(input: $i) { lmsUserId } }',
    input: { lmsUserId: 9000, email: 'nope', username: 'nope' },
  },
  {
    name: 'registerLmsUser: bad country',
    query: 'mutation ($i: RegisterLmsUserInput!) { registerLmsUser(input: $i) { lmsUserId } }',
    input: { lmsUserId: 9000, email: 'ok@example.com', username: 'ok', country: 'USA' },
  },
  {
    name: 'registerLmsUser: bad user id',
    query: 'mutation ($i: RegisterLmsUserInput!) { registerLmsUser(input: $i) { lmsUserId } }',
    input: { lmsUserId: 0, email: 'ok@example.com', username: 'ok' },
  },
  {
    name: 'registerLmsUser: bad username',
    query: 'mutation ($i: RegisterLmsUserInput!) { registerLmsUser(input: $i) { lmsUserId } }',
    input: { lmsUserId: 9000, email: 'ok@example.com', username: 'has space' },
  },
];

describeEachDialect('customers: input validation', (stack) => {
  for (const c of CASES) {
    it(`answers BAD_USER_INPUT and writes nothing: ${c.name}`, async () => {
      const before = await stack().graphql<{
        enterpriseCustomer: {
          learners: { totalCount: number };
          pendingLearners: { totalCount: number };
          inviteKeys: { totalCount: number };
        };
      }>(
        'query ($c: ID!) { enterpriseCustomer(uuid: $c) { learners { totalCount } pendingLearners { totalCount } inviteKeys { totalCount } } }',
        { c: SEAL },
      );
      const result = await stack().graphql(c.query, { i: c.input });
      assert.deepEqual(errorCodes(result), ['BAD_USER_INPUT']);
      const after = await stack().graphql(
        'query ($c: ID!) { enterpriseCustomer(uuid: $c) { learners { totalCount } pendingLearners { totalCount } inviteKeys { totalCount } } }',
        { c: SEAL },
      );
      assert.deepEqual(after.data, before.data);
    });
  }

  it('answers NOT_FOUND for a missing customer, enrollment or invite key', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    assert.deepEqual(
      errorCodes(
        await stack().graphql(
          'mutation ($i: EnrollLearnersInput!) { enrollLearners(input: $i) { pending { email } } }',
          { i: { enterpriseCustomerUuid: missing, emails: ['a@b.co'], courseRunKeys: [DEMO.content.courseRunKey] } },
        ),
      ),
      ['NOT_FOUND'],
    );
    assert.deepEqual(
      errorCodes(
        await stack().graphql('mutation ($i: UnenrollInput!) { unenroll(input: $i) { enrollment { id } } }', {
          i: { enrollmentId: '999999' },
        }),
      ),
      ['NOT_FOUND'],
    );
    assert.deepEqual(
      errorCodes(
        await stack().graphql(
          'mutation ($i: DeactivateInviteKeyInput!) { deactivateInviteKey(input: $i) { inviteKey { uuid } } }',
          { i: { uuid: missing } },
        ),
      ),
      ['NOT_FOUND'],
    );
  });
});
