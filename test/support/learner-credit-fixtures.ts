import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type {
  AssignmentState,
  LearnerCreditDatabase,
  PolicyType,
  SubsidyAccessPolicyTable,
  TransactionState,
} from '../../subgraphs/learner-credit/tables.js';
import type { TestStack } from './stack.js';
import { initialDeposit } from '../../subgraphs/learner-credit/rules/index.js';
import { insertAssignments, insertTransaction } from '../../subgraphs/learner-credit/store/index.js';

/**
 * Test fixtures for learner credit: a policy on its own subsidy and ledger (so tests never share
 * a balance), written straight into the store. What tests assert goes through the gateway.
 */
export function learnerCreditDb(stack: TestStack): Kysely<LearnerCreditDatabase> {
  return stack.subgraphs['learner-credit'].app.db as unknown as Kysely<LearnerCreditDatabase>;
}

const DAY = 24 * 60 * 60 * 1000;

export interface PolicyFixtureOptions {
  customer: string;
  catalog: string;
  policyType: PolicyType;
  balanceCents: number;
  spendLimitCents?: number | null;
  perLearnerEnrollmentLimit?: number | null;
  perLearnerSpendLimitCents?: number | null;
  active?: boolean;
  retired?: boolean;
  /** false: the subsidy expired yesterday. */
  subsidyActive?: boolean;
  /** When the subsidy expires (default: in 365 days). */
  subsidyExpiresInDays?: number;
  lateRedemptionAllowedUntil?: Date | null;
}

export interface PolicyFixture {
  policyUuid: string;
  subsidyUuid: string;
  ledgerUuid: string;
  configurationUuid: string | null;
}

export async function createPolicy(
  db: Kysely<LearnerCreditDatabase>,
  options: PolicyFixtureOptions,
): Promise<PolicyFixture> {
  const now = new Date();
  const subsidyUuid = randomUUID();
  const ledgerUuid = randomUUID();
  const policyUuid = randomUUID();
  const assigned = options.policyType === 'AssignedLearnerCreditAccessPolicy';
  const configurationUuid = assigned ? randomUUID() : null;
  await db
    .insertInto('ledger')
    .values({
      uuid: ledgerUuid,
      idempotencyKey: `ledger-for-subsidy-${subsidyUuid}`,
      unit: 'usd_cents',
      created: now,
      modified: now,
    })
    .execute();
  await db
    .insertInto('subsidy')
    .values({
      uuid: subsidyUuid,
      title: 'Test subsidy',
      enterpriseCustomerUuid: options.customer,
      ledgerUuid,
      unit: 'usd_cents',
      startingBalanceCents: options.balanceCents,
      activeDatetime: new Date(now.getTime() - 30 * DAY),
      expirationDatetime: new Date(
        now.getTime() + (options.subsidyActive === false ? -DAY : (options.subsidyExpiresInDays ?? 365) * DAY),
      ),
      created: now,
      modified: now,
    })
    .execute();
  await insertTransaction(
    db,
    initialDeposit({ uuid: randomUUID(), ledgerUuid, subsidyUuid, balanceCents: options.balanceCents, at: now }),
  );
  const policy: SubsidyAccessPolicyTable = {
    uuid: policyUuid,
    policyType: options.policyType,
    displayName: `Test ${options.policyType} ${policyUuid.slice(0, 8)}`,
    description: '',
    active: options.active ?? true,
    retired: options.retired ?? false,
    retiredAt: options.retired ? now : null,
    enterpriseCustomerUuid: options.customer,
    catalogUuid: options.catalog,
    subsidyUuid,
    accessMethod: assigned ? 'ASSIGNED' : 'DIRECT',
    spendLimitCents: options.spendLimitCents === undefined ? null : options.spendLimitCents,
    perLearnerEnrollmentLimit: options.perLearnerEnrollmentLimit ?? null,
    perLearnerSpendLimitCents: options.perLearnerSpendLimitCents ?? null,
    lateRedemptionAllowedUntil: options.lateRedemptionAllowedUntil ?? null,
    created: now,
    modified: now,
  };
  await db.insertInto('subsidy_access_policy').values(policy).execute();
  if (configurationUuid) {
    await db
      .insertInto('assignment_configuration')
      .values({
        uuid: configurationUuid,
        subsidyAccessPolicyUuid: policyUuid,
        enterpriseCustomerUuid: options.customer,
        active: true,
        created: now,
        modified: now,
      })
      .execute();
  }
  return { policyUuid, subsidyUuid, ledgerUuid, configurationUuid };
}

export interface AssignmentFixtureOptions {
  email: string;
  lmsUserId?: number | null;
  contentKey: string;
  priceCents: number;
  state?: AssignmentState;
  allocatedAt?: Date;
  title?: string;
}

export async function addAssignment(
  db: Kysely<LearnerCreditDatabase>,
  configurationUuid: string,
  options: AssignmentFixtureOptions,
): Promise<string> {
  const uuid = randomUUID();
  const at = options.allocatedAt ?? new Date();
  await insertAssignments(db, [
    {
      uuid,
      assignmentConfigurationUuid: configurationUuid,
      learnerEmail: options.email,
      lmsUserId: options.lmsUserId ?? null,
      contentKey: options.contentKey,
      parentContentKey: options.contentKey.startsWith('course-v1:')
        ? options.contentKey.slice(10).split('+').slice(0, 2).join('+')
        : null,
      contentTitle: options.title ?? options.contentKey,
      contentQuantity: -options.priceCents,
      preferredCourseRunKey: null,
      state: options.state ?? 'ALLOCATED',
      allocatedAt: at,
      acceptedAt: null,
      cancelledAt: null,
      expiredAt: null,
      erroredAt: null,
      reversedAt: null,
      transactionUuid: null,
      allocationBatchId: null,
      adminLmsUserId: null,
      created: at,
      modified: at,
    },
  ]);
  return uuid;
}

export async function addTransaction(
  db: Kysely<LearnerCreditDatabase>,
  fixture: PolicyFixture,
  options: { lmsUserId: number; contentKey: string; quantity: number; state: TransactionState },
): Promise<string> {
  const uuid = randomUUID();
  const now = new Date();
  await insertTransaction(db, {
    uuid,
    ledgerUuid: fixture.ledgerUuid,
    idempotencyKey: `fixture-${uuid}`,
    quantity: options.quantity,
    state: options.state,
    lmsUserId: options.lmsUserId,
    lmsUserEmail: null,
    contentKey: options.contentKey,
    parentContentKey: null,
    contentTitle: null,
    fulfillmentIdentifier: null,
    subsidyAccessPolicyUuid: fixture.policyUuid,
    isDeposit: false,
    created: now,
    modified: now,
  });
  return uuid;
}

/** Rows of a table, for "nothing was written" assertions. */
export async function countRowsOf(
  db: Kysely<LearnerCreditDatabase>,
  table: keyof LearnerCreditDatabase,
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | bigint | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
