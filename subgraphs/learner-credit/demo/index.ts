import { insertMissingDemoRows } from '../store/index.js';
import type { Kysely } from 'kysely';
import { DEMO } from '../../../lib/demo-ids.js';
import { initialDeposit } from '../rules/index.js';
import type {
  ActionErrorReason,
  ActionType,
  AssignmentActionTable,
  AssignmentConfigurationTable,
  AssignmentState,
  LearnerContentAssignmentTable,
  LearnerCreditDatabase,
  LedgerReversalTable,
  LedgerTable,
  LedgerTransactionTable,
  SubsidyAccessPolicyTable,
  SubsidyTable,
  TransactionState,
} from '../tables.js';

const CREATED = new Date('2023-01-01T00:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

/** Ids of the demo data other tests and the README refer to. */
export const LC_DEMO = {
  subsidies: {
    /** The seed's example policy's subsidy. */
    example: '1b6c28b4-2f17-4b18-bbde-b32930e2705c',
    sealTeamTen: '5ea17ea0-0000-4000-8000-0000000000c1',
    foreign: 'f0f0f0f0-0000-4000-8000-0000000000c1',
  },
  policies: {
    example: DEMO.policies.example,
    sealSpend: '5ea17ea0-0000-4000-8000-0000000000a1',
    sealEnrollment: '5ea17ea0-0000-4000-8000-0000000000a2',
    foreign: 'f0f0f0f0-0000-4000-8000-0000000000a1',
  },
  /** The seed allocate example's assignment of abc@example.com (seed uuid 4fa11bd53f29c131aa72, padded to a uuid). */
  abcAssignment: '4fa11bd5-3f29-c131-aa72-000000000001',
  transactions: {
    exampleReversed: '7a000000-0000-4000-8000-000000000004',
    exampleFailed: '7a000000-0000-4000-8000-000000000005',
    sealCommitted: '7a000000-0000-4000-8000-000000000101',
  },
} as const;

const SUBSIDIES: SubsidyTable[] = [
  {
    uuid: LC_DEMO.subsidies.example,
    title: 'Bluth Company learner credit',
    enterpriseCustomerUuid: DEMO.customers.policyExample,
    ledgerUuid: '1ed6e700-0000-4000-8000-000000000001',
    unit: 'usd_cents',
    startingBalanceCents: 150_000_000,
    // The seed's active date; the expiration is moved from 2025-11-15 to 2030-11-15 so the seed's
    // `is_subsidy_active: true` still holds today and the example policy can allocate and redeem.
    activeDatetime: new Date('2023-11-15T20:16:59Z'),
    expirationDatetime: new Date('2030-11-15T20:17:01Z'),
    created: CREATED,
    modified: CREATED,
  },
  {
    uuid: LC_DEMO.subsidies.sealTeamTen,
    title: 'Seal Team Ten learner credit',
    enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
    ledgerUuid: '1ed6e700-0000-4000-8000-000000000002',
    unit: 'usd_cents',
    startingBalanceCents: 10_000_000,
    activeDatetime: new Date('2024-01-01T00:00:00Z'),
    expirationDatetime: new Date('2030-12-31T23:59:59Z'),
    created: CREATED,
    modified: CREATED,
  },
  {
    uuid: LC_DEMO.subsidies.foreign,
    title: 'Umbrella learner credit',
    enterpriseCustomerUuid: DEMO.customers.foreign,
    ledgerUuid: '1ed6e700-0000-4000-8000-000000000003',
    unit: 'usd_cents',
    startingBalanceCents: 2_000_000,
    activeDatetime: new Date('2024-01-01T00:00:00Z'),
    expirationDatetime: new Date('2030-12-31T23:59:59Z'),
    created: CREATED,
    modified: CREATED,
  },
];

const policyDefaults = {
  description: '',
  retired: false,
  retiredAt: null,
  perLearnerEnrollmentLimit: null,
  perLearnerSpendLimitCents: null,
  lateRedemptionAllowedUntil: null,
  created: CREATED,
  modified: CREATED,
};

const POLICIES: SubsidyAccessPolicyTable[] = [
  {
    ...policyDefaults,
    uuid: LC_DEMO.policies.example,
    policyType: 'AssignedLearnerCreditAccessPolicy',
    displayName: 'Assignable Budget ALC General Testing',
    description: 'Budget for general Assigned LC Testing',
    active: true,
    enterpriseCustomerUuid: DEMO.customers.policyExample,
    catalogUuid: DEMO.catalogs.policyExample,
    subsidyUuid: LC_DEMO.subsidies.example,
    accessMethod: 'ASSIGNED',
    spendLimitCents: 100_000_000,
  },
  {
    ...policyDefaults,
    uuid: LC_DEMO.policies.sealSpend,
    policyType: 'PerLearnerSpendCreditAccessPolicy',
    displayName: 'Seal Team Ten learner credit',
    description: 'Up to $2,000 per learner',
    active: true,
    enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
    catalogUuid: DEMO.catalogs.sealTeamTenAll,
    subsidyUuid: LC_DEMO.subsidies.sealTeamTen,
    accessMethod: 'DIRECT',
    spendLimitCents: 5_000_000,
    perLearnerSpendLimitCents: 200_000,
  },
  {
    ...policyDefaults,
    uuid: LC_DEMO.policies.sealEnrollment,
    policyType: 'PerLearnerEnrollmentCreditAccessPolicy',
    displayName: 'Seal Team Ten enrollment credit',
    description: 'Two enrollments per learner',
    active: true,
    enterpriseCustomerUuid: DEMO.customers.sealTeamTen,
    catalogUuid: DEMO.catalogs.sealTeamTenBusiness,
    subsidyUuid: LC_DEMO.subsidies.sealTeamTen,
    accessMethod: 'DIRECT',
    spendLimitCents: 2_000_000,
    perLearnerEnrollmentLimit: 2,
  },
  {
    ...policyDefaults,
    uuid: LC_DEMO.policies.foreign,
    policyType: 'PerLearnerEnrollmentCreditAccessPolicy',
    displayName: 'Umbrella enrollment credit',
    active: true,
    enterpriseCustomerUuid: DEMO.customers.foreign,
    catalogUuid: DEMO.catalogs.foreign,
    subsidyUuid: LC_DEMO.subsidies.foreign,
    accessMethod: 'DIRECT',
    spendLimitCents: 1_000_000,
    perLearnerEnrollmentLimit: 3,
  },
];

const CONFIGURATIONS: AssignmentConfigurationTable[] = [
  {
    uuid: DEMO.policies.exampleAssignmentConfiguration,
    subsidyAccessPolicyUuid: LC_DEMO.policies.example,
    enterpriseCustomerUuid: DEMO.customers.policyExample,
    active: true,
    created: CREATED,
    modified: CREATED,
  },
];

function deposit(subsidy: SubsidyTable): LedgerTransactionTable {
  return initialDeposit({
    uuid: `7a0000de-${subsidy.ledgerUuid.slice(9)}`,
    ledgerUuid: subsidy.ledgerUuid,
    subsidyUuid: subsidy.uuid,
    balanceCents: subsidy.startingBalanceCents,
    at: subsidy.created,
  });
}

function spend(
  n: string,
  subsidy: SubsidyTable,
  policyUuid: string,
  learner: { lmsUserId: number; email: string },
  contentKey: string,
  title: string,
  quantity: number,
  state: TransactionState,
  created: string,
): LedgerTransactionTable {
  const at = new Date(created);
  const run = contentKey.startsWith('course-v1:');
  return {
    uuid: `7a000000-0000-4000-8000-000000000${n}`,
    ledgerUuid: subsidy.ledgerUuid,
    idempotencyKey: `demo-redemption-${n}`,
    quantity,
    state,
    lmsUserId: learner.lmsUserId,
    lmsUserEmail: learner.email,
    contentKey,
    parentContentKey: run ? contentKey.slice('course-v1:'.length).split('+').slice(0, 2).join('+') : null,
    contentTitle: title,
    fulfillmentIdentifier: state === 'COMMITTED' ? `f0000000-0000-4000-8000-000000000${n}` : null,
    subsidyAccessPolicyUuid: policyUuid,
    isDeposit: false,
    created: at,
    modified: at,
  };
}

const learner = (lmsUserId: number) => {
  const found = DEMO.learners.find((l) => l.lmsUserId === lmsUserId);
  if (!found) throw new Error(`No demo learner ${lmsUserId}`);
  return { lmsUserId, email: found.email };
};

const [EXAMPLE, SEAL] = SUBSIDIES;
if (!EXAMPLE || !SEAL) throw new Error('The demo data needs the example and the SEAL subsidies');
const TR1012 = DEMO.content.courseKey;
const FIH_RUN = DEMO.content.harvardRunKey;

// The example policy's redeemed total is the seed's 181450 cents: committed 10000 + 49900 + 120050,
// pending 1000, created 500; the reversed 30000 nets to 0 and the failed 20000 is excluded.
const TRANSACTIONS: LedgerTransactionTable[] = [
  ...SUBSIDIES.map(deposit),
  spend(
    '001',
    EXAMPLE,
    LC_DEMO.policies.example,
    learner(10),
    TR1012,
    'Trench Run 10',
    -10_000,
    'COMMITTED',
    '2024-02-01T10:00:00Z',
  ),
  spend(
    '002',
    EXAMPLE,
    LC_DEMO.policies.example,
    learner(11),
    FIH_RUN,
    'Fat Chance: Probability from the Ground Up',
    -49_900,
    'COMMITTED',
    '2024-02-02T10:00:00Z',
  ),
  spend(
    '003',
    EXAMPLE,
    LC_DEMO.policies.example,
    learner(10),
    'edx+api101',
    'edX API 101',
    -120_050,
    'COMMITTED',
    '2024-02-03T10:00:00Z',
  ),
  spend(
    '004',
    EXAMPLE,
    LC_DEMO.policies.example,
    learner(11),
    TR1012,
    'Trench Run 10',
    -30_000,
    'COMMITTED',
    '2024-02-04T10:00:00Z',
  ),
  spend(
    '005',
    EXAMPLE,
    LC_DEMO.policies.example,
    learner(11),
    'edx+api101',
    'edX API 101',
    -20_000,
    'FAILED',
    '2024-02-05T10:00:00Z',
  ),
  spend(
    '006',
    EXAMPLE,
    LC_DEMO.policies.example,
    learner(11),
    'edx+api102',
    'edX API 102',
    -1_000,
    'PENDING',
    '2024-02-06T10:00:00Z',
  ),
  spend(
    '007',
    EXAMPLE,
    LC_DEMO.policies.example,
    learner(10),
    'edx+api102',
    'edX API 102',
    -500,
    'CREATED',
    '2024-02-07T10:00:00Z',
  ),
  spend(
    '101',
    SEAL,
    LC_DEMO.policies.sealSpend,
    learner(3),
    'HarvardX+FIH',
    'Fat Chance: Probability from the Ground Up',
    -15_000,
    'COMMITTED',
    '2024-03-01T10:00:00Z',
  ),
  spend(
    '102',
    SEAL,
    LC_DEMO.policies.sealSpend,
    learner(4),
    TR1012,
    'Trench Run 10',
    -10_000,
    'FAILED',
    '2024-03-02T10:00:00Z',
  ),
  spend(
    '103',
    SEAL,
    LC_DEMO.policies.sealEnrollment,
    learner(5),
    'HarvardX+FIH',
    'Fat Chance: Probability from the Ground Up',
    -15_000,
    'COMMITTED',
    '2024-03-03T10:00:00Z',
  ),
];

const REVERSALS: LedgerReversalTable[] = [
  {
    uuid: '7e000000-0000-4000-8000-000000000004',
    transactionUuid: LC_DEMO.transactions.exampleReversed,
    idempotencyKey: 'unenrollment-reversal-f0000000-0000-4000-8000-000000000004-2024-02-10T10:00:00Z',
    quantity: 30_000,
    state: 'COMMITTED',
    created: new Date('2024-02-10T10:00:00Z'),
    modified: new Date('2024-02-10T10:00:00Z'),
  },
  {
    uuid: '7e000000-0000-4000-8000-000000000103',
    transactionUuid: '7a000000-0000-4000-8000-000000000103',
    idempotencyKey: 'unenrollment-reversal-f0000000-0000-4000-8000-000000000103-2024-03-05T10:00:00Z',
    quantity: 15_000,
    state: 'COMMITTED',
    created: new Date('2024-03-05T10:00:00Z'),
    modified: new Date('2024-03-05T10:00:00Z'),
  },
];

interface DemoAssignment {
  uuid: string;
  email: string;
  lmsUserId: number | null;
  contentKey: string;
  title: string;
  quantity: number;
  state: AssignmentState;
  /** Days before seeding it was (last) allocated: recent, so the 90-day window is still open. */
  allocatedDaysAgo: number;
  transactionUuid?: string;
  actions: { type: ActionType; daysAgo: number; error?: ActionErrorReason }[];
}

// The example configuration's ALLOCATED total is the seed's 279100 cents: 10000 + 10000 + 199100 + 60000.
const ASSIGNMENTS: DemoAssignment[] = [
  {
    uuid: LC_DEMO.abcAssignment,
    email: DEMO.pendingLearnerEmail,
    lmsUserId: null,
    contentKey: TR1012,
    title: 'Trench Run 10',
    quantity: -10_000,
    state: 'ALLOCATED',
    allocatedDaysAgo: 1,
    actions: [],
  },
  {
    uuid: 'a5000000-0000-4000-8000-000000000002',
    email: 'xyz@example.com',
    lmsUserId: null,
    contentKey: TR1012,
    title: 'Trench Run 10',
    quantity: -10_000,
    state: 'ALLOCATED',
    allocatedDaysAgo: 2,
    actions: [{ type: 'NOTIFIED', daysAgo: 2 }],
  },
  {
    uuid: 'a5000000-0000-4000-8000-000000000003',
    email: 'gob@bluth.example.com',
    lmsUserId: 10,
    contentKey: 'HarvardX+FIH',
    title: 'Fat Chance: Probability from the Ground Up',
    quantity: -199_100,
    state: 'ALLOCATED',
    allocatedDaysAgo: 20,
    actions: [
      { type: 'LEARNER_LINKED', daysAgo: 20 },
      { type: 'NOTIFIED', daysAgo: 20 },
      { type: 'REMINDED', daysAgo: 5 },
    ],
  },
  {
    uuid: 'a5000000-0000-4000-8000-000000000004',
    email: 'failed-notify@example.com',
    lmsUserId: null,
    contentKey: FIH_RUN,
    title: 'Fat Chance: Probability from the Ground Up',
    quantity: -60_000,
    state: 'ALLOCATED',
    allocatedDaysAgo: 3,
    actions: [{ type: 'NOTIFIED', daysAgo: 3, error: 'EMAIL_ERROR' }],
  },
  {
    uuid: 'a5000000-0000-4000-8000-000000000005',
    email: 'gob@bluth.example.com',
    lmsUserId: 10,
    contentKey: TR1012,
    title: 'Trench Run 10',
    quantity: -10_000,
    state: 'ACCEPTED',
    allocatedDaysAgo: 40,
    transactionUuid: '7a000000-0000-4000-8000-000000000001',
    actions: [
      { type: 'NOTIFIED', daysAgo: 40 },
      { type: 'REDEEMED', daysAgo: 35 },
    ],
  },
  {
    uuid: 'a5000000-0000-4000-8000-000000000006',
    email: 'lindsay@bluth.example.com',
    lmsUserId: 11,
    contentKey: TR1012,
    title: 'Trench Run 10',
    quantity: -30_000,
    state: 'REVERSED',
    allocatedDaysAgo: 50,
    transactionUuid: LC_DEMO.transactions.exampleReversed,
    actions: [
      { type: 'NOTIFIED', daysAgo: 50 },
      { type: 'REDEEMED', daysAgo: 45 },
      { type: 'REVERSED', daysAgo: 30 },
    ],
  },
  {
    uuid: 'a5000000-0000-4000-8000-000000000007',
    email: 'errored@example.com',
    lmsUserId: null,
    contentKey: TR1012,
    title: 'Trench Run 10',
    quantity: -10_000,
    state: 'ERRORED',
    allocatedDaysAgo: 10,
    actions: [
      { type: 'NOTIFIED', daysAgo: 10 },
      { type: 'REDEEMED', daysAgo: 8, error: 'ENROLLMENT_ERROR' },
    ],
  },
  {
    uuid: 'a5000000-0000-4000-8000-000000000008',
    email: 'cancelled@example.com',
    lmsUserId: null,
    contentKey: TR1012,
    title: 'Trench Run 10',
    quantity: -10_000,
    state: 'CANCELLED',
    allocatedDaysAgo: 15,
    actions: [
      { type: 'NOTIFIED', daysAgo: 15 },
      { type: 'CANCELLED', daysAgo: 12 },
    ],
  },
  {
    uuid: 'a5000000-0000-4000-8000-000000000009',
    email: 'expired@example.com',
    lmsUserId: null,
    contentKey: FIH_RUN,
    title: 'Fat Chance: Probability from the Ground Up',
    quantity: -60_000,
    state: 'EXPIRED',
    allocatedDaysAgo: 95,
    actions: [
      { type: 'NOTIFIED', daysAgo: 95 },
      { type: 'EXPIRED', daysAgo: 5 },
    ],
  },
];

function assignmentRows(now: number): {
  assignments: LearnerContentAssignmentTable[];
  actions: AssignmentActionTable[];
} {
  const assignments: LearnerContentAssignmentTable[] = [];
  const actions: AssignmentActionTable[] = [];
  for (const a of ASSIGNMENTS) {
    const allocatedAt = new Date(now - a.allocatedDaysAgo * DAY);
    const stamp = (state: AssignmentState, type: ActionType) => {
      if (a.state !== state) return null;
      const entry = a.actions.find((x) => x.type === type);
      return entry ? new Date(now - entry.daysAgo * DAY) : allocatedAt;
    };
    const run = a.contentKey.startsWith('course-v1:');
    assignments.push({
      uuid: a.uuid,
      assignmentConfigurationUuid: DEMO.policies.exampleAssignmentConfiguration,
      learnerEmail: a.email,
      lmsUserId: a.lmsUserId,
      contentKey: a.contentKey,
      parentContentKey: run ? 'HarvardX+FIH' : null,
      contentTitle: a.title,
      contentQuantity: a.quantity,
      preferredCourseRunKey: run ? a.contentKey : null,
      state: a.state,
      allocatedAt,
      acceptedAt: stamp('ACCEPTED', 'REDEEMED'),
      cancelledAt: stamp('CANCELLED', 'CANCELLED'),
      expiredAt: stamp('EXPIRED', 'EXPIRED'),
      erroredAt: stamp('ERRORED', 'REDEEMED'),
      reversedAt: stamp('REVERSED', 'REVERSED'),
      transactionUuid: a.transactionUuid ?? null,
      allocationBatchId: 'ba000000-0000-4000-8000-000000000001',
      adminLmsUserId: 901,
      created: allocatedAt,
      modified: allocatedAt,
    });
    a.actions.forEach((x, i) => {
      const at = new Date(now - x.daysAgo * DAY + i);
      actions.push({
        uuid: `ac000000-0000-4000-8000-${a.uuid.slice(-6)}${String(i).padStart(6, '0')}`,
        assignmentUuid: a.uuid,
        actionType: x.type,
        completedAt: x.error ? null : at,
        errorReason: x.error ?? null,
        created: at,
        modified: at,
      });
    });
  }
  return { assignments, actions };
}

/** Inserts the demo learner-credit data that is missing (idempotent). */
export async function seedDemoData(db: Kysely<LearnerCreditDatabase>): Promise<void> {
  const { assignments, actions } = assignmentRows(Date.now());
  const ledgers: LedgerTable[] = SUBSIDIES.map((s) => ({
    uuid: s.ledgerUuid,
    idempotencyKey: `ledger-for-subsidy-${s.uuid}`,
    unit: s.unit,
    created: s.created,
    modified: s.created,
  }));
  await insertMissingDemoRows(db, {
    ledger: ledgers,
    subsidy: SUBSIDIES,
    subsidy_access_policy: POLICIES,
    assignment_configuration: CONFIGURATIONS,
    ledger_transaction: TRANSACTIONS,
    ledger_reversal: REVERSALS,
    learner_content_assignment: assignments,
    assignment_action: actions,
  });
}
