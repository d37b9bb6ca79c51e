/**
 * Deterministic identifiers of the scale data (`npm run bench:data`), shared by the generator
 * (bench/data.ts) and the benchmark's operations (bench/operations.ts) so neither needs a file
 * of ids: every id is a pure function of a kind and an index.
 */

/** Namespaces of generated uuids (the first 8 hex digits carry the kind). */
export const KIND = {
  customer: 0x01,
  catalog: 0x02,
  course: 0x03,
  run: 0x04,
  program: 0x05,
  organization: 0x06,
  subject: 0x07,
  policy: 0x08,
  subsidy: 0x09,
  ledger: 0x0a,
  transaction: 0x0b,
  reversal: 0x0c,
  configuration: 0x0d,
  assignment: 0x0e,
  action: 0x0f,
  plan: 0x10,
  license: 0x11,
  activationKey: 0x12,
  fulfillment: 0x13,
  batch: 0x14,
} as const;

/** `be<kind:6>-0000-4000-8000-<index:12>`: valid v4-shaped uuids that never collide with demo ids. */
export function benchUuid(kind: number, index: number): string {
  return `be${kind.toString(16).padStart(6, '0')}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

/** LMS user ids, enterprise-customer-user ids and enrollment ids start here (demo rows stay below). */
export const LMS_USER_BASE = 1_000_000;
export const LEARNER_LINK_BASE = 1_000_000;
export const ENROLLMENT_BASE = 1_000_000;

/** The customer with the biggest catalog, the most learners, assigned policy and plan: the bench's viewer. */
export const BENCH = {
  customerUuid: benchUuid(KIND.customer, 0),
  /** Its first catalog (the biggest one). */
  catalogUuid: benchUuid(KIND.catalog, 0),
  /** An AssignedLearnerCreditAccessPolicy on that catalog with funds for millions of allocations. */
  assignedPolicyUuid: benchUuid(KIND.policy, 0),
  /** A current plan of the customer. */
  planUuid: benchUuid(KIND.plan, 0),
  /** The customer's first learner: enrollments, three ALLOCATED assignments in the assigned policy, an ACTIVATED license. */
  learnerLmsUserId: LMS_USER_BASE,
  /** An admin of the bench customer (an LMS user id outside the learners' range). */
  adminLmsUserId: 999_999,
  adminEmail: 'admin@bench-customer-0.example.com',
} as const;

/**
 * The 10x tenant of `npm run bench:data -- --tenant10`: a customer shaped like the bench customer
 * (as many catalogs, policies and plans, the same catalog windows) with ten times its learners,
 * enrollments, progress rows, licenses, assignments and transactions. Its customer index sits past
 * the regular ones so the same id holds at every scale.
 */
export const TENANT10 = {
  index: 100_000,
  customerUuid: benchUuid(KIND.customer, 100_000),
  adminLmsUserId: 999_998,
  adminEmail: 'admin@bench-customer-100000.example.com',
} as const;

export function customerSlug(index: number): string {
  return `bench-customer-${index}`;
}

export function learnerEmail(lmsUserId: number, customerIndex: number): string {
  return `learner${lmsUserId - LMS_USER_BASE}@${customerSlug(customerIndex)}.example.com`;
}

/** List price of generated course `i` in USD cents (the verified seat; also its canonical price). */
export function coursePriceCents(i: number): number {
  return 4900 + ((i * 2500) % 45000);
}
