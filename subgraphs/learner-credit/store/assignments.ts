import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { AnyKysely } from '../../../lib/db/database.js';
import { forUpdate } from '../../../lib/db/locking.js';
import { containsInsensitive } from '../../../lib/db/search.js';
import { countRows, type PageArgs, paginate, type SortKey } from '../../../lib/pagination.js';
import type {
  AssignmentActionRow,
  AssignmentActionTable,
  AssignmentConfigurationRow,
  AssignmentConnection,
  AssignmentRow,
  AssignmentState,
  LearnerContentAssignmentTable,
  LearnerCreditDatabase,
  LearnerState,
  LearnerStateCountRow,
} from '../tables.js';
import { addToAllocated, allocatedOfAssignments } from './aggregates.js';
import { NOTHING, decodeAction, decodeAssignmentRow, decodeConfiguration, toNumber } from './shared.js';

type DB = Kysely<LearnerCreditDatabase>;

// ---------------------------------------------------------------------------------------------
// Assignment configurations

export async function findConfigurationsByUuids(
  db: DB,
  uuids: readonly string[],
): Promise<AssignmentConfigurationRow[]> {
  if (!uuids.length) return [];
  return (await db.selectFrom('assignment_configuration').selectAll().where('uuid', 'in', uuids).execute()).map(
    decodeConfiguration,
  );
}

export async function findConfigurationsByPolicyUuids(
  db: DB,
  uuids: readonly string[],
): Promise<AssignmentConfigurationRow[]> {
  if (!uuids.length) return [];
  return (
    await db.selectFrom('assignment_configuration').selectAll().where('subsidyAccessPolicyUuid', 'in', uuids).execute()
  ).map(decodeConfiguration);
}

/**
 * Per configuration: the sum of ALLOCATED assignments' content quantities (<= 0), stored on its
 * policy's row (store/aggregates.ts).
 */
export async function sumAllocatedByConfigurations(
  db: DB,
  uuids: readonly string[],
): Promise<{ configurationUuid: string; total: number }[]> {
  if (!uuids.length) return [];
  const rows = await db
    .selectFrom('assignment_configuration as c')
    .innerJoin('subsidy_access_policy as p', 'p.uuid', 'c.subsidyAccessPolicyUuid')
    .select(['c.uuid', 'p.allocatedCents'])
    .where('c.uuid', 'in', uuids)
    .execute();
  return rows.map((r) => ({ configurationUuid: r.uuid, total: toNumber(r.allocatedCents) }));
}

// ---------------------------------------------------------------------------------------------
// Assignments

// learner_state is derived in SQL from the state and the NOTIFIED actions; it is never stored.
const LEARNER_STATE = sql<LearnerState | null>`case
  when a.state = 'ALLOCATED' then (case
    when exists (select 1 from assignment_action n where n.assignment_uuid = a.uuid and n.action_type = 'NOTIFIED'
                 and n.error_reason is null and n.completed_at is not null) then 'WAITING'
    when exists (select 1 from assignment_action n where n.assignment_uuid = a.uuid and n.action_type = 'NOTIFIED'
                 and n.error_reason is not null) then 'FAILED'
    else 'NOTIFYING' end)
  when a.state = 'EXPIRED' then 'EXPIRED'
  when a.state = 'ERRORED' then 'FAILED'
  else null end`;

const LAST_REMINDED = sql<Date | null>`(select max(m.completed_at) from assignment_action m
  where m.assignment_uuid = a.uuid and m.action_type = 'REMINDED')`;

// The later of allocation and the last reminder: a reminder only counts when strictly later.
const RECENT_ACTION_TIME = sql<Date>`coalesce((select max(m.completed_at) from assignment_action m
  where m.assignment_uuid = a.uuid and m.action_type = 'REMINDED' and m.completed_at > a.allocated_at), a.allocated_at)`;

const LEARNER_STATE_SORT = sql<number>`(case (${LEARNER_STATE})
  when 'NOTIFYING' then 0 when 'WAITING' then 1 when 'EXPIRED' then 2 when 'FAILED' then 3 else 999 end)`;

/** Base assignment rows plus the derived columns, as a derived table `la` the list filters and sorts on. */
type AssignmentBase = SelectQueryBuilder<LearnerCreditDatabase & { a: LearnerContentAssignmentTable }, 'a', object>;

function derivedAssignments(db: DB, narrow: (q: AssignmentBase) => AssignmentBase) {
  const inner = narrow(db.selectFrom('learner_content_assignment as a'))
    .selectAll('a')
    .select([
      LEARNER_STATE.as('learnerState'),
      LAST_REMINDED.as('lastRemindedAt'),
      RECENT_ACTION_TIME.as('recentActionTime'),
      LEARNER_STATE_SORT.as('learnerStateSortOrder'),
    ]);
  return db.selectFrom(inner.as('la'));
}

export async function findAssignmentsByUuids(db: DB, uuids: readonly string[]): Promise<AssignmentRow[]> {
  if (!uuids.length) return [];
  const rows = await derivedAssignments(db, (q) => q.where('a.uuid', 'in', uuids))
    .selectAll('la')
    .execute();
  return rows.map(decodeAssignmentRow);
}

export interface AssignmentListFilter {
  contentKeys?: string[];
  learnerEmails?: string[];
  learnerStates?: LearnerState[];
  lmsUserIds?: number[];
  states?: AssignmentState[];
  search?: string;
  /** A learner sees only its own: assignments with its LMS user id or its email. */
  owner?: { lmsUserId: number | null; email: string | null };
}

export type AssignmentOrderField = 'RECENT_ACTION_TIME' | 'LEARNER_STATE' | 'CONTENT_QUANTITY';

const ORDER_COLUMNS: Record<
  AssignmentOrderField,
  {
    column: string;
    type: 'date' | 'int';
    value: (r: AssignmentRow & { learnerStateSortOrder?: number }) => Date | number;
  }
> = {
  RECENT_ACTION_TIME: { column: 'recentActionTime', type: 'date', value: (r) => r.recentActionTime },
  LEARNER_STATE: { column: 'learnerStateSortOrder', type: 'int', value: (r) => Number(r.learnerStateSortOrder) },
  CONTENT_QUANTITY: { column: 'contentQuantity', type: 'int', value: (r) => r.contentQuantity },
};

function filteredAssignments(db: DB, configurationUuid: string, filter: AssignmentListFilter) {
  let query = derivedAssignments(db, (q) => {
    let inner = q.where('a.assignmentConfigurationUuid', '=', configurationUuid);
    if (filter.contentKeys)
      inner = filter.contentKeys.length ? inner.where('a.contentKey', 'in', filter.contentKeys) : inner.where(NOTHING);
    if (filter.learnerEmails)
      inner = filter.learnerEmails.length
        ? inner.where('a.learnerEmail', 'in', filter.learnerEmails)
        : inner.where(NOTHING);
    if (filter.lmsUserIds)
      inner = filter.lmsUserIds.length ? inner.where('a.lmsUserId', 'in', filter.lmsUserIds) : inner.where(NOTHING);
    if (filter.states)
      inner = filter.states.length ? inner.where('a.state', 'in', filter.states) : inner.where(NOTHING);
    const search = filter.search;
    if (search)
      inner = inner.where((eb) =>
        eb.or([containsInsensitive('a.learner_email', search), containsInsensitive('a.content_title', search)]),
      );
    const owner = filter.owner;
    if (owner) {
      inner = inner.where((eb) =>
        eb.or([
          ...(owner.lmsUserId !== null ? [eb('a.lmsUserId', '=', owner.lmsUserId)] : []),
          ...(owner.email !== null ? [eb('a.learnerEmail', '=', owner.email)] : []),
          NOTHING,
        ]),
      );
    }
    return inner;
  });
  if (filter.learnerStates)
    query = filter.learnerStates.length
      ? query.where('la.learnerState', 'in', filter.learnerStates)
      : query.where(NOTHING);
  return query;
}

/** A configuration's assignments, filtered, searched and keyset-paginated, with lazy learner-state counts. */
export function listAssignments(
  db: DB,
  configurationUuid: string,
  filter: AssignmentListFilter,
  order: { field: AssignmentOrderField; direction: 'asc' | 'desc' },
  page: PageArgs,
): Promise<AssignmentConnection> {
  const query = filteredAssignments(db, configurationUuid, filter);
  const primary = ORDER_COLUMNS[order.field];
  const keys: SortKey<AssignmentRow>[] = [
    { column: `la.${primary.column}`, direction: order.direction, type: primary.type, value: primary.value },
    { column: 'la.uuid', direction: order.direction, type: 'string', value: (r) => r.uuid },
  ];
  return paginate(query.selectAll('la'), page, keys, decodeAssignmentRow, () => countRows(query)).then(
    (connection) => ({
      ...connection,
      learnerStateCounts: () => countLearnerStates(query),
    }),
  );
}

type FilteredAssignments = ReturnType<typeof filteredAssignments>;

/** learner_state counts over the whole filtered set; null states are left out; largest first. */
async function countLearnerStates(query: FilteredAssignments): Promise<LearnerStateCountRow[]> {
  const rows = await query
    .select(['la.learnerState', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('la.learnerState', 'is not', null)
    .groupBy('la.learnerState')
    .execute();
  // The query already drops null states; the type does not know it.
  return rows
    .flatMap((r) => (r.learnerState === null ? [] : [{ learnerState: r.learnerState, count: Number(r.count) }]))
    .sort((a, b) => b.count - a.count || a.learnerState.localeCompare(b.learnerState));
}

/** Existing records of a configuration for one content, matched by email or LMS user id (allocate). */
export async function findAssignmentsForLearners(
  db: DB,
  configurationUuid: string,
  contentKey: string,
  emails: readonly string[],
  lmsUserIds: readonly number[],
): Promise<AssignmentRow[]> {
  const rows = await derivedAssignments(db, (q) =>
    q
      .where('a.assignmentConfigurationUuid', '=', configurationUuid)
      .where('a.contentKey', '=', contentKey)
      .where((eb) =>
        eb.or([
          eb('a.learnerEmail', 'in', emails.length ? emails : ['']),
          ...(lmsUserIds.length ? [eb('a.lmsUserId', 'in', lmsUserIds)] : []),
        ]),
      ),
  )
    .selectAll('la')
    .execute();
  return rows.map(decodeAssignmentRow);
}

/**
 * The learner's assignments in a configuration for a content key: the key
 * itself, a run assigned under the requested course, or the course of the requested run.
 */
export async function findLearnerAssignments(
  db: DB,
  configurationUuid: string,
  learner: { lmsUserId: number; email: string | null },
  contentKeys: readonly string[],
): Promise<AssignmentRow[]> {
  const rows = await derivedAssignments(db, (q) =>
    q
      .where('a.assignmentConfigurationUuid', '=', configurationUuid)
      .where((eb) =>
        eb.or([
          eb('a.lmsUserId', '=', learner.lmsUserId),
          ...(learner.email ? [eb('a.learnerEmail', '=', learner.email)] : []),
        ]),
      )
      .where((eb) => eb.or([eb('a.contentKey', 'in', contentKeys), eb('a.parentContentKey', 'in', contentKeys)])),
  )
    .selectAll('la')
    .execute();
  return rows.map(decodeAssignmentRow);
}

/** A configuration's ALLOCATED assignments (the expiry candidates). */
export async function findAllocatedAssignments(db: DB, configurationUuid: string): Promise<AssignmentRow[]> {
  const rows = await derivedAssignments(db, (q) =>
    q.where('a.assignmentConfigurationUuid', '=', configurationUuid).where('a.state', '=', 'ALLOCATED'),
  )
    .selectAll('la')
    .execute();
  return rows.map(decodeAssignmentRow);
}

export async function findAssignmentUuidsByTransaction(db: DB, transactionUuid: string): Promise<string[]> {
  return (
    await db
      .selectFrom('learner_content_assignment')
      .select('uuid')
      .where('transactionUuid', '=', transactionUuid)
      .execute()
  ).map((r) => r.uuid);
}

/** Locks assignment rows (after the policy and ledger: see lockLedger). */
export async function lockAssignments(trx: DB, uuids: readonly string[]): Promise<void> {
  if (!uuids.length) return;
  await forUpdate(
    trx as AnyKysely,
    trx.selectFrom('learner_content_assignment').select('uuid').where('uuid', 'in', uuids),
  ).execute();
}

/** Inserts assignments and adds the ALLOCATED ones to their policies' allocated totals (hold the policy lock). */
export async function insertAssignments(db: DB, rows: readonly LearnerContentAssignmentTable[]): Promise<void> {
  if (!rows.length) return;
  await db
    .insertInto('learner_content_assignment')
    .values([...rows])
    .execute();
  const allocated = new Map<string, number>();
  for (const row of rows)
    if (row.state === 'ALLOCATED')
      allocated.set(
        row.assignmentConfigurationUuid,
        (allocated.get(row.assignmentConfigurationUuid) ?? 0) + row.contentQuantity,
      );
  await addToAllocated(db, allocated);
}

/**
 * Updates assignments (locked by the caller, after the policy lock). A change of state or
 * quantity moves the policies' allocated totals by what the rows' ALLOCATED sum became.
 */
export async function updateAssignments(
  db: DB,
  uuids: readonly string[],
  changes: Partial<LearnerContentAssignmentTable>,
): Promise<void> {
  if (!uuids.length) return;
  const moves = changes.state !== undefined || changes.contentQuantity !== undefined;
  const before = moves ? await allocatedOfAssignments(db, uuids) : new Map<string, number>();
  await db.updateTable('learner_content_assignment').set(changes).where('uuid', 'in', uuids).execute();
  if (!moves) return;
  const deltas = await allocatedOfAssignments(db, uuids);
  for (const [configurationUuid, total] of before)
    deltas.set(configurationUuid, (deltas.get(configurationUuid) ?? 0) - total);
  await addToAllocated(db, deltas);
}

export async function insertActions(db: DB, rows: readonly AssignmentActionTable[]): Promise<void> {
  if (rows.length)
    await db
      .insertInto('assignment_action')
      .values([...rows])
      .execute();
}

export async function findActionsByAssignmentUuids(db: DB, uuids: readonly string[]): Promise<AssignmentActionRow[]> {
  if (!uuids.length) return [];
  const rows = await db
    .selectFrom('assignment_action')
    .selectAll()
    .where('assignmentUuid', 'in', uuids)
    .orderBy('created')
    .orderBy('uuid')
    .execute();
  return rows.map(decodeAction);
}
