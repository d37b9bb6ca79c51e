import { forbidden } from '../errors.js';

export const Role = {
  OPERATOR: 'enterprise_openedx_operator',
  ADMIN: 'enterprise_admin',
  LEARNER: 'enterprise_learner',
  CATALOG_ADMIN: 'enterprise_catalog_admin',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** The claims we read from an edX-style JWT. */
export interface TokenClaims {
  user_id?: number;
  email?: string;
  administrator?: boolean;
  roles?: string[];
  /** Set on tokens minted for background work (jobs, outbox delivery). */
  service?: string;
}

/**
 * Who is asking. Built once per request from verified claims; every access rule in every
 * subgraph goes through these methods so tenant isolation reads the same everywhere.
 */
export class Viewer {
  readonly lmsUserId: number | null;
  readonly email: string | null;
  readonly roles: readonly string[];
  readonly isOperator: boolean;
  readonly service: string | null;
  readonly #admin = new Set<string>();
  readonly #learner = new Set<string>();
  readonly #catalogAdmin = new Set<string>();

  constructor(claims: TokenClaims) {
    this.lmsUserId = typeof claims.user_id === 'number' && Number.isInteger(claims.user_id) ? claims.user_id : null;
    this.email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null;
    this.roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
    this.service = typeof claims.service === 'string' ? claims.service : null;
    let operator = claims.administrator === true;
    for (const entry of this.roles) {
      const separator = entry.indexOf(':');
      const role = separator === -1 ? entry : entry.slice(0, separator);
      const context = separator === -1 ? '' : entry.slice(separator + 1).toLowerCase();
      switch (role) {
        case Role.OPERATOR:
          operator = true;
          break;
        case Role.ADMIN:
          if (context === '*') operator = true;
          else this.#admin.add(context);
          break;
        case Role.LEARNER:
          this.#learner.add(context);
          break;
        case Role.CATALOG_ADMIN:
          this.#catalogAdmin.add(context);
          break;
        default:
          break; // roles of other services are carried but grant nothing here
      }
    }
    this.isOperator = operator;
  }

  /** Admin (or operator) of the customer: reads and writes its data. */
  isAdminOf(customerUuid: string): boolean {
    return this.isOperator || this.#admin.has(customerUuid.toLowerCase());
  }

  isLearnerOf(customerUuid: string): boolean {
    return this.#learner.has(customerUuid.toLowerCase());
  }

  isCatalogAdminOf(customerUuid: string): boolean {
    return this.isOperator || this.#catalogAdmin.has(customerUuid.toLowerCase());
  }

  /** Any role in the customer: reads its profile, catalogs and content. */
  canViewCustomer(customerUuid: string): boolean {
    const uuid = customerUuid.toLowerCase();
    return this.isOperator || this.#admin.has(uuid) || this.#learner.has(uuid) || this.#catalogAdmin.has(uuid);
  }

  /** Customers this viewer holds any role in (empty for operators, who see all). */
  customerUuids(): string[] {
    return [...new Set([...this.#admin, ...this.#learner, ...this.#catalogAdmin])].filter((c) => c !== '*');
  }

  adminCustomerUuids(): string[] {
    return [...this.#admin];
  }

  /** True when the record belongs to the viewer itself (by LMS user id or email). */
  isSelf(record: { lmsUserId?: number | null; email?: string | null }): boolean {
    if (record.lmsUserId != null && this.lmsUserId != null && record.lmsUserId === this.lmsUserId) return true;
    return record.email != null && this.email != null && record.email.toLowerCase() === this.email;
  }

  assertAdminOf(customerUuid: string): void {
    if (!this.isAdminOf(customerUuid))
      throw forbidden(`Only admins of enterprise customer ${customerUuid} may do this`);
  }

  assertCanViewCustomer(customerUuid: string): void {
    if (!this.canViewCustomer(customerUuid)) throw forbidden(`No access to enterprise customer ${customerUuid}`);
  }

  assertOperator(): void {
    if (!this.isOperator) throw forbidden('Only operators may do this');
  }
}
