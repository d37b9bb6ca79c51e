/** What a token's roles let the portal show; pure, so the unit tests read it without a browser. */

/** A pasted token, without the `JWT ` / `Bearer ` prefix people copy from Sandbox headers. */
export function cleanToken(input: string): string {
  return input.trim().replace(/^(?:JWT|Bearer)\s+/i, '');
}

export interface Access {
  /** Customers the token administers (`enterprise_admin:<uuid>`). */
  adminOf: string[];
  /** Customers the token is a learner of (`enterprise_learner:<uuid>`). */
  learnerOf: string[];
  operator: boolean;
}

/** Reads the viewer's role strings (`me.roles`) as the graph does (lib/auth/viewer.ts). */
export function accessFromRoles(roles: readonly string[]): Access {
  const access: Access = { adminOf: [], learnerOf: [], operator: false };
  for (const entry of roles) {
    const [role = '', context = ''] = entry.split(':', 2);
    if (role === 'enterprise_openedx_operator' || (role === 'enterprise_admin' && context === '*'))
      access.operator = true;
    else if (role === 'enterprise_admin') access.adminOf.push(context.toLowerCase());
    else if (role === 'enterprise_learner') access.learnerOf.push(context.toLowerCase());
  }
  return access;
}
