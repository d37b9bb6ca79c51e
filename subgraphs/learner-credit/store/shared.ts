import { sql, type SqlBool } from 'kysely';
import { rowDecoder } from '../../../lib/db/codec.js';
import type {
  AssignmentActionRow,
  AssignmentConfigurationRow,
  AssignmentRow,
  LedgerReversalRow,
  LedgerRow,
  LedgerTransactionRow,
  SubsidyAccessPolicyRow,
  SubsidyRow,
} from '../tables.js';

const TIMESTAMPS = ['created', 'modified'] as const;

export const decodePolicy = rowDecoder<SubsidyAccessPolicyRow>({
  booleans: ['active', 'retired'],
  dates: [...TIMESTAMPS, 'retiredAt', 'lateRedemptionAllowedUntil'],
});
export const decodeSubsidy = rowDecoder<SubsidyRow>({ dates: [...TIMESTAMPS, 'activeDatetime', 'expirationDatetime'] });
export const decodeLedger = rowDecoder<LedgerRow>({ dates: [...TIMESTAMPS] });
export const decodeTransaction = rowDecoder<LedgerTransactionRow>({ booleans: ['isDeposit'], dates: [...TIMESTAMPS] });
export const decodeReversal = rowDecoder<LedgerReversalRow>({ dates: [...TIMESTAMPS] });
export const decodeConfiguration = rowDecoder<AssignmentConfigurationRow>({
  booleans: ['active'],
  dates: [...TIMESTAMPS],
});
export const decodeAction = rowDecoder<AssignmentActionRow>({ dates: [...TIMESTAMPS, 'completedAt'] });
const ASSIGNMENT_DATES = [
  ...TIMESTAMPS,
  'allocatedAt',
  'acceptedAt',
  'cancelledAt',
  'expiredAt',
  'erroredAt',
  'reversedAt',
] as const;
export const decodeAssignmentRow = rowDecoder<AssignmentRow>({
  dates: [...ASSIGNMENT_DATES, 'lastRemindedAt', 'recentActionTime'],
});

/** A predicate no row satisfies (an empty `...In` filter matches nothing). */
export const NOTHING = sql<SqlBool>`1 = 0`;

/** MySQL hands SUM() back as a decimal number and SQLite as an integer; null when nothing matched. */
export const toNumber = (value: unknown): number => Number(value ?? 0);
