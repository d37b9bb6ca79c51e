/**
 * `npm run token -- --role enterprise_admin:<uuid> [--role ...] [--user-id N] [--email E] [--expires 12h]`
 * prints a dev token signed with JWT_SECRET.
 */
import { parseArgs } from 'node:util';
import { mintToken } from '../lib/auth/token.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true, default: [] },
    'user-id': { type: 'string' },
    email: { type: 'string' },
    expires: { type: 'string', default: '12h' },
    administrator: { type: 'boolean', default: false },
  },
});
if (!values.role.length && !values.administrator) {
  console.error(
    'usage: npm run token -- --role <role>:<customer uuid|*> [--role ...] [--user-id N] [--email E] [--expires 12h]',
  );
  process.exit(2);
}
const userId = values['user-id'] === undefined ? undefined : Number(values['user-id']);
if (userId !== undefined && !Number.isInteger(userId)) {
  console.error('--user-id must be an integer');
  process.exit(2);
}
console.log(
  await mintToken({
    roles: values.role,
    ...(userId !== undefined ? { userId } : {}),
    ...(values.email ? { email: values.email } : {}),
    ...(values.administrator ? { administrator: true } : {}),
    expiresIn: values.expires,
  }),
);
