/**
 * `npm run bench:data -- --scale N [--database mysql://root@127.0.0.1:3306/enterprise_bench]`
 *
 * Drops and recreates the bench database, runs every subgraph's migrations with the demo data and
 * seed examples, then bulk-loads a realistic, deterministic dataset (seeded PRNG; dates relative to
 * today so runs, plans and subsidies are current). At scale 1: 20 customers, 200 catalogs, 20,000
 * courses, 60,000 runs, 2,000 programs, 100,000 learners, 500,000 enrollments and progress rows,
 * 1,000 policies, 200,000 assignments, 300,000 transactions, 50 plans, 200,000 licenses; scale N
 * multiplies every count by N, except the bench customer's own size (fixed from scale 1 up). Rows
 * go in as multi-row INSERTs of CHUNK rows through a small mysql2 pool (two statements in flight,
 * so generating the next chunk overlaps the insert).
 *
 * Coherence: every learner is linked to one customer and enrolls only in runs of its customer's
 * catalogs; policies spend from their own subsidy, whose starting balance covers every spend and
 * allocation generated for it; assignments and transactions name learners of the policy's customer
 * and courses of the policy's catalog; ACCEPTED assignments point at their committed transaction;
 * licenses belong to plans of the learner's customer. Ids shared with the benchmark are in ids.ts.
 *
 * `--tenant10` adds the 10x tenant (ids.ts `TENANT10`) in the same load: the bench customer's
 * catalogs, policies and plans mirrored onto one more customer, with ten times the bench customer's
 * learners, enrollments, progress rows, licenses, assignments and transactions, so one run measures
 * what a tenant ten times bigger costs its admin dashboard.
 */
import { parseArgs } from 'node:util';
import type { Insertable } from 'kysely';
import { createPool, type Pool, type PoolConnection } from 'mysql2/promise';
import { dropDatabase, openDatabase } from '../lib/db/database.js';
import { repairAllAggregates } from '../scripts/aggregates.js';
import { prepareDatabase } from '../scripts/stack.js';
import type {
  CatalogContentTable,
  CourseOwnerTable,
  CourseRunTable,
  CourseSubjectTable,
  CourseTable,
  EnterpriseCatalogTable,
  OrganizationTable,
  ProgramAuthoringOrganizationTable,
  ProgramCourseTable,
  ProgramTable,
  Seat,
  SubjectTable,
} from '../subgraphs/catalog/tables.js';
import type {
  EnterpriseCourseEnrollmentTable,
  EnterpriseCustomerTable,
  EnterpriseCustomerUserTable,
  LearnerProgressTable,
  LmsUserTable,
} from '../subgraphs/customers/tables.js';
import type {
  AssignmentActionTable,
  AssignmentConfigurationTable,
  AssignmentState,
  LearnerContentAssignmentTable,
  LedgerReversalTable,
  LedgerTable,
  LedgerTransactionTable,
  PolicyType,
  SubsidyAccessPolicyTable,
  SubsidyTable,
  TransactionState,
} from '../subgraphs/learner-credit/tables.js';
import type { LicenseStatus, LicenseTable, SubscriptionPlanTable } from '../subgraphs/subscriptions/tables.js';
import {
  BENCH,
  benchUuid,
  coursePriceCents,
  customerSlug,
  ENROLLMENT_BASE,
  KIND,
  LEARNER_LINK_BASE,
  learnerEmail,
  LMS_USER_BASE,
  TENANT10,
} from './ids.js';
import { initialDeposit } from '../subgraphs/learner-credit/rules/index.js';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    database: { type: 'string' },
    chunk: { type: 'string', default: '1000' },
    tenant10: { type: 'boolean', default: false },
  },
});

const scale = Number(args.scale);
if (!(scale > 0)) throw new Error('--scale must be a positive number (e.g. 0.01, 1, 10)');
const databaseUrl = args.database ?? process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/enterprise_bench';
if (!databaseUrl.startsWith('mysql://'))
  throw new Error('bench:data fills a MySQL database: pass --database mysql://...');
const CHUNK = Number(args.chunk);
const tenant10 = args.tenant10;
/** Customer index of the 10x tenant (only with --tenant10). */
const BIG = TENANT10.index;
/** How many times the bench customer's rows the 10x tenant holds. */
const BIG_FACTOR = 10;

const DAY = 86_400_000;
const NOW = Date.now();
/** Midnight UTC today: dates relative to it keep every availability (current, upcoming, archived) present. */
const TODAY = NOW - (NOW % DAY);
const day = (offsetDays: number) => new Date(TODAY + offsetDays * DAY);

/** Counts at this scale (small floors keep tiny scales coherent). */
const N = {
  customers: Math.max(2, Math.round(20 * scale)),
  catalogs: 0,
  courses: Math.max(200, Math.round(20_000 * scale)),
  programs: Math.max(20, Math.round(2_000 * scale)),
  organizations: 60,
  subjects: 30,
  learners: Math.max(100, Math.round(100_000 * scale)),
  enrollmentsPerLearner: 5,
  policies: 0,
  assignments: Math.round(200_000 * scale),
  transactions: Math.round(300_000 * scale),
  plans: 0,
  licenses: Math.round(200_000 * scale),
};
N.catalogs = Math.max(N.customers, Math.round(200 * scale));
N.policies = Math.max(3 * N.customers, Math.round(1_000 * scale));
N.plans = Math.max(N.customers, Math.round(50 * scale));

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: a tiny seeded PRNG, so the same scale always produces the same rows. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20_261_123);
const int = (n: number) => Math.floor(rand() * n);
/** `list[index]` of the generator's fixed tables; a missing item is a bug in the generator. */
function itemAt<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`bench data: no item ${index} in a list of ${list.length}`);
  return item;
}
const pick = <T>(list: readonly T[]): T => itemAt(list, int(list.length));

// ---------------------------------------------------------------------------------------------
// Bulk loader

type Row<T> = Required<Insertable<T>>;

function snake(column: string): string {
  return column.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Buffers rows of one table and sends them as multi-row INSERTs; at most two statements in flight. */
class Loader {
  readonly counts = new Map<string, number>();
  readonly #inFlight = new Set<Promise<void>>();
  constructor(private readonly pool: Pool) {}

  table<T>(name: string): Table<T> {
    return new Table<T>(this, name);
  }

  async send(name: string, columns: readonly string[], rows: unknown[][]): Promise<void> {
    while (this.#inFlight.size >= 2) await Promise.race(this.#inFlight);
    const statement = `INSERT INTO \`${name}\` (${columns.map((c) => `\`${snake(c)}\``).join(', ')}) VALUES ?`;
    const promise = this.pool.query(statement, [rows]).then(() => {
      this.counts.set(name, (this.counts.get(name) ?? 0) + rows.length);
    });
    const tracked = promise.finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  async drain(): Promise<void> {
    await Promise.all(this.#inFlight);
  }
}

class Table<T> {
  #columns: string[] | null = null;
  #rows: unknown[][] = [];
  constructor(
    private readonly loader: Loader,
    readonly name: string,
  ) {}

  async add(row: Row<T>): Promise<void> {
    const record = row as Record<string, unknown>;
    this.#columns ??= Object.keys(record);
    this.#rows.push(this.#columns.map((c) => record[c]));
    if (this.#rows.length >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.#rows.length || !this.#columns) return;
    const rows = this.#rows;
    this.#rows = [];
    await this.loader.send(this.name, this.#columns, rows);
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const COMPANIES = [
  'Acme Logistics',
  'Globex',
  'Initrode',
  'Umbrella Health',
  'Hooli',
  'Vandelay Industries',
  'Stark Manufacturing',
  'Wayne Financial',
  'Tyrell Systems',
  'Cyberdyne',
  'Soylent Foods',
  'Wonka Confectionery',
  'Massive Dynamic',
  'Oscorp',
  'Aperture Labs',
  'Gringotts Bank',
  'Monarch Airlines',
  'Dunder Mifflin',
  'Pied Piper',
  'Bluth Homes',
];
const TOPICS = [
  'Data Science',
  'Leadership',
  'Cloud Computing',
  'Financial Accounting',
  'Machine Learning',
  'Negotiation',
  'Cybersecurity',
  'Supply Chain Analytics',
  'Public Speaking',
  'Linux Administration',
  'Project Management',
  'Python Programming',
  'Statistics',
  'Marketing Analytics',
  'Corporate Finance',
  'UX Design',
  'Blockchain',
  'Business Writing',
  'Databases',
  'Quantum Computing',
];
const ADJECTIVES = [
  'Introduction to',
  'Applied',
  'Foundations of',
  'Advanced',
  'Practical',
  'Essentials of',
  'Strategic',
  'Modern',
  'Professional',
  'Hands-on',
];
const LEVELS = ['Introductory', 'Intermediate', 'Advanced'];
const COUNTRIES = ['US', 'GB', 'IN', 'DE', 'BR', 'CA', 'FR', 'ES', 'MX', 'NG'];
const PROGRAM_TYPES = ['Professional Certificate', 'XSeries', 'MicroMasters'];

const orgKey = (o: number) => `Org${o.toString().padStart(2, '0')}X`;
const courseKey = (i: number) => `${orgKey(i % N.organizations)}+C${i.toString().padStart(6, '0')}`;
const courseTitle = (i: number) => {
  const combos = TOPICS.length * ADJECTIVES.length;
  const base = `${ADJECTIVES[Math.floor(i / TOPICS.length) % ADJECTIVES.length]} ${TOPICS[i % TOPICS.length]}`;
  return i >= combos ? `${base} ${Math.floor(i / combos) + 1}` : base;
};
const subjectName = (s: number) => `${TOPICS[s % TOPICS.length]}${s >= TOPICS.length ? ' II' : ''}`;

/** Three runs per course: archived, current (advertised) and upcoming. */
const RUN_TERMS = ['1T2025', '1T2026', '3T2026'] as const;
const runKey = (i: number, r: number) => `course-v1:${courseKey(i)}+${RUN_TERMS[r]}`;
function runDates(i: number, r: number): { start: Date; end: Date; enrollmentStart: Date } {
  const start = r === 0 ? -400 - (i % 100) : r === 1 ? -30 - (i % 60) : 20 + (i % 150);
  const end = r === 0 ? start + 90 : r === 1 ? 60 + (i % 120) : start + 100;
  return { start: day(start), end: day(end), enrollmentStart: day(start - 60) };
}
const isProfessional = (i: number) => i % 7 === 0;

// ---------------------------------------------------------------------------------------------
// Shape of the dataset (who owns what)

/** Customer 0 (the bench customer) has 20% of the learners; the rest are spread evenly. */
// The bench customer has the same size at every scale from 1 up (20,000 learners, a 40,000-license
// plan, like its 4,000-course catalog): higher scales add tenants around it, so scale 10 measures
// what ten times the data costs a request of one tenant, not a tenant ten times as big.
const benchLearners = Math.max(10, Math.floor(Math.min(N.learners, 100_000) * 0.2));
/** The 10x tenant's learners come after every regular learner: [N.learners, totalLearners). */
const bigLearners = tenant10 ? BIG_FACTOR * benchLearners : 0;
const totalLearners = N.learners + bigLearners;
function learnersOf(c: number): number {
  if (c === BIG) return bigLearners;
  if (c === 0) return benchLearners;
  const rest = N.learners - benchLearners;
  return Math.floor(rest / (N.customers - 1)) + (c - 1 < rest % (N.customers - 1) ? 1 : 0);
}
/** Global learner index of the customer's k-th learner. */
function learnerIndex(c: number, k: number): number {
  if (c === BIG) return N.learners + k;
  return c === 0 ? k : benchLearners + (c - 1) + k * (N.customers - 1);
}
function customerOfLearner(j: number): number {
  if (j >= N.learners) return BIG;
  return j < benchLearners ? 0 : 1 + ((j - benchLearners) % (N.customers - 1));
}
const lmsUserId = (j: number) => LMS_USER_BASE + j;

/** Catalog g belongs to customer g % customers; each lists a window of courses [start, start + size) mod courses. */
const catalogWindow: { start: number; size: number }[] = [];
for (let g = 0; g < N.catalogs; g += 1) {
  const size =
    g === 0
      ? Math.min(N.courses, Math.max(500, Math.round(4000 * Math.min(1, scale))))
      : Math.min(N.courses, 100 + int(2900));
  catalogWindow.push({ start: g === 0 ? 0 : int(N.courses), size });
}
const regularCatalogsOf = (c: number) => Math.floor(N.catalogs / N.customers) + (c < N.catalogs % N.customers ? 1 : 0);
const catalogsOf = (c: number) => regularCatalogsOf(c === BIG ? 0 : c);
/** The 10x tenant's catalogs follow the regular ones and list the same windows as the bench customer's. */
const catalogIndex = (c: number, m: number) => (c === BIG ? N.catalogs + m : c + m * N.customers);
const totalCatalogs = N.catalogs + (tenant10 ? catalogsOf(BIG) : 0);
for (let m = 0; m < (tenant10 ? catalogsOf(BIG) : 0); m += 1)
  catalogWindow.push({ ...itemAt(catalogWindow, catalogIndex(0, m)) });
const catalogCustomer = (g: number) => (g >= N.catalogs ? BIG : g % N.customers);
const catalogOrdinal = (g: number) => (g >= N.catalogs ? g - N.catalogs : Math.floor(g / N.customers));
const windowCourse = (g: number, position: number) => {
  const w = itemAt(catalogWindow, g);
  return (w.start + (position % w.size)) % N.courses;
};

/** Policy p belongs to customer p % customers; type by round: assigned, per-learner spend, per-learner enrollment. */
const POLICY_TYPES: PolicyType[] = [
  'AssignedLearnerCreditAccessPolicy',
  'PerLearnerSpendCreditAccessPolicy',
  'PerLearnerEnrollmentCreditAccessPolicy',
];
/** The 10x tenant's policies follow the regular ones, one per policy of the bench customer (its mirror). */
const benchPolicies = Array.from({ length: N.policies }, (_, p) => p).filter((p) => p % N.customers === 0);
const totalPolicies = N.policies + (tenant10 ? benchPolicies.length : 0);
const policyMirror = (p: number) => (p >= N.policies ? itemAt(benchPolicies, p - N.policies) : p);
const policyCustomer = (p: number) => (p >= N.policies ? BIG : p % N.customers);
const policyRound = (p: number) => Math.floor(policyMirror(p) / N.customers);
const policyType = (p: number) => itemAt(POLICY_TYPES, policyRound(p) % 3);
const policyCatalog = (p: number) => {
  const c = policyCustomer(p);
  return catalogIndex(c, policyRound(p) % catalogsOf(c));
};
const assignedPolicies = Array.from({ length: N.policies }, (_, p) => p).filter(
  (p) => policyType(p) === 'AssignedLearnerCreditAccessPolicy',
);
const otherPolicies = Array.from({ length: N.policies }, (_, p) => p).filter(
  (p) => policyType(p) !== 'AssignedLearnerCreditAccessPolicy',
);
const share = (total: number, parts: number, i: number) => Math.floor(total / parts) + (i < total % parts ? 1 : 0);

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`[bench:data] scale ${scale}: ${JSON.stringify(N)}`);
  if (tenant10)
    console.log(
      `[bench:data] plus the 10x tenant ${TENANT10.customerUuid}: ${bigLearners} learners, ${catalogsOf(BIG)} catalogs, ${totalPolicies - N.policies} policies`,
    );
  await dropDatabase(databaseUrl);
  const prepared = await prepareDatabase(databaseUrl, { seed: 'always', poolSize: 2 });
  await prepared.destroy();
  const migratedS = (performance.now() - started) / 1000;
  console.log(`[bench:data] database recreated, migrated and demo-seeded in ${migratedS.toFixed(1)}s`);

  const pool = createPool({ uri: databaseUrl, connectionLimit: 2, timezone: 'Z', charset: 'utf8mb4' });
  // Bulk load: the generator guarantees uniqueness, so skip the checks per row for this session.
  pool.on('connection', (connection: PoolConnection) => {
    void connection.query('SET unique_checks = 0, foreign_key_checks = 0');
  });
  const loader = new Loader(pool);
  const loadStarted = performance.now();
  try {
    const deferred = await dropSecondaryIndexes(pool, DEFERRED_INDEX_TABLES);
    await loadCatalog(loader);
    await loadCustomers(loader);
    await loadLearnerCredit(loader);
    await loadSubscriptions(loader);
    await loader.drain();
    const indexStarted = performance.now();
    await rebuildIndexes(pool, deferred);
    console.log(
      `[bench:data] ${deferred.length} secondary indexes rebuilt in ${((performance.now() - indexStarted) / 1000).toFixed(1)}s`,
    );
  } finally {
    await pool.end();
  }
  // The rows went in without the store's writes: every stored aggregate is recomputed from them.
  const repairStarted = performance.now();
  const database = openDatabase(databaseUrl, { poolSize: 2 });
  try {
    await repairAllAggregates(database.db);
  } finally {
    await database.destroy();
  }
  console.log(
    `[bench:data] stored aggregates recomputed in ${((performance.now() - repairStarted) / 1000).toFixed(1)}s`,
  );
  const loadS = (performance.now() - loadStarted) / 1000;
  const total = [...loader.counts.values()].reduce((a, b) => a + b, 0);
  console.log('\n| table | rows |\n|---|---:|');
  for (const [table, count] of loader.counts) console.log(`| ${table} | ${count.toLocaleString('en-US')} |`);
  console.log(
    `\n[bench:data] ${total.toLocaleString('en-US')} rows in ${loadS.toFixed(1)}s (${Math.round(total / loadS).toLocaleString('en-US')} rows/s); total ${((performance.now() - started) / 1000).toFixed(1)}s`,
  );
  console.log(
    `[bench:data] bench customer ${BENCH.customerUuid}, catalog ${BENCH.catalogUuid}, policy ${BENCH.assignedPolicyUuid}, plan ${BENCH.planUuid}, learner ${BENCH.learnerLmsUserId}`,
  );
  if (tenant10) console.log(`[bench:data] 10x tenant ${TENANT10.customerUuid}, admin ${TENANT10.adminLmsUserId}`);
}

// ---------------------------------------------------------------------------------------------
// Deferred secondary indexes

/**
 * The big tables' secondary indexes are dropped before the load and rebuilt after it: maintaining
 * a dozen indexes row by row once they outgrow a small InnoDB buffer pool made the load several
 * times slower than one sorted build per index. Definitions are read back from the migrated schema,
 * so the rebuilt indexes are exactly the migrations' (names, columns, uniqueness).
 */
const DEFERRED_INDEX_TABLES = [
  'catalog_content',
  'lms_user',
  'enterprise_customer_user',
  'enterprise_course_enrollment',
  'learner_progress',
  'ledger_transaction',
  'learner_content_assignment',
  'assignment_action',
  'license',
];

interface IndexDefinition {
  table: string;
  name: string;
  unique: boolean;
  columns: string[];
}

async function dropSecondaryIndexes(pool: Pool, tables: readonly string[]): Promise<IndexDefinition[]> {
  const [rows] = await pool.query(
    `select table_name as t, index_name as i, non_unique as n, column_name as c, sub_part as p
       from information_schema.statistics
      where table_schema = database() and table_name in (?) and index_name <> 'PRIMARY'
      order by table_name, index_name, seq_in_index`,
    [tables],
  );
  const byName = new Map<string, IndexDefinition>();
  for (const row of rows as { t: string; i: string; n: number | string; c: string; p: number | null }[]) {
    const key = `${row.t}.${row.i}`;
    let index = byName.get(key);
    if (!index) {
      index = { table: row.t, name: row.i, unique: Number(row.n) === 0, columns: [] };
      byName.set(key, index);
    }
    index.columns.push(`\`${row.c}\`${row.p ? `(${row.p})` : ''}`);
  }
  const indexes = [...byName.values()];
  await forEachTable(
    pool,
    indexes,
    (table, list) => `ALTER TABLE \`${table}\` ${list.map((i) => `DROP INDEX \`${i.name}\``).join(', ')}`,
  );
  return indexes;
}

async function rebuildIndexes(pool: Pool, indexes: readonly IndexDefinition[]): Promise<void> {
  await forEachTable(
    pool,
    indexes,
    (table, list) =>
      `ALTER TABLE \`${table}\` ${list.map((i) => `ADD ${i.unique ? 'UNIQUE ' : ''}INDEX \`${i.name}\` (${i.columns.join(', ')})`).join(', ')}`,
  );
}

/** One ALTER per table (all its indexes in one pass); the pool runs two tables at a time. */
async function forEachTable(
  pool: Pool,
  indexes: readonly IndexDefinition[],
  statement: (table: string, list: IndexDefinition[]) => string,
): Promise<void> {
  const byTable = new Map<string, IndexDefinition[]>();
  for (const index of indexes) byTable.set(index.table, [...(byTable.get(index.table) ?? []), index]);
  await Promise.all([...byTable].map(([table, list]) => pool.query(statement(table, list))));
}

// ---------------------------------------------------------------------------------------------
// Catalog

async function loadCatalog(loader: Loader): Promise<void> {
  const created = day(-900);
  const organizations = loader.table<OrganizationTable>('organization');
  for (let o = 0; o < N.organizations; o += 1) {
    await organizations.add({
      uuid: benchUuid(KIND.organization, o),
      key: orgKey(o),
      name: `University ${o}`,
      metadata: JSON.stringify({
        logoImageUrl: `https://bench.example.com/logos/${orgKey(o)}.png`,
        tags: ['charter'],
        slug: orgKey(o).toLowerCase(),
        marketingUrl: `https://www.edx.org/school/${orgKey(o).toLowerCase()}`,
        enterpriseSubscriptionInclusion: true,
      }),
    });
  }
  await organizations.flush();
  const subjects = loader.table<SubjectTable>('subject');
  for (let s = 0; s < N.subjects; s += 1) {
    const slug = subjectName(s)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-');
    await subjects.add({
      uuid: benchUuid(KIND.subject, s),
      slug,
      name: subjectName(s),
      metadata: JSON.stringify({
        subtitle: `Learn ${subjectName(s).toLowerCase()}`,
        description: `<p>Courses in ${subjectName(s)}.</p>`,
        cardImageUrl: `https://bench.example.com/subjects/${slug}.jpg`,
      }),
    });
  }
  await subjects.flush();

  const courses = loader.table<CourseTable>('course');
  const runs = loader.table<CourseRunTable>('course_run');
  const owners = loader.table<CourseOwnerTable>('course_owner');
  const courseSubjects = loader.table<CourseSubjectTable>('course_subject');
  for (let i = 0; i < N.courses; i += 1) {
    const key = courseKey(i);
    const title = courseTitle(i);
    const price = coursePriceCents(i);
    const professional = isProfessional(i);
    const slug = `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${i}`;
    await courses.add({
      uuid: benchUuid(KIND.course, i),
      key,
      title,
      shortDescription: `<p>${title}: a ${itemAt(LEVELS, i % 3).toLowerCase()} course.</p>`,
      marketingUrl: `https://www.edx.org/learn/${slug}`,
      advertisedCourseRunUuid: benchUuid(KIND.run, i * 3 + 1),
      entitlements: JSON.stringify([
        {
          mode: professional ? 'professional' : 'verified',
          priceCents: price,
          currency: 'USD',
          sku: `E${i.toString(16).toUpperCase()}`,
          expires: null,
        },
      ]),
      metadata: JSON.stringify({
        image: { src: `https://bench.example.com/course/${i}.png`, description: null, height: null, width: null },
        fullDescription: `<p>${title} covers the fundamentals and their practice.</p>`,
        urlSlug: slug,
        courseType: professional ? 'professional' : 'verified-audit',
        levelType: LEVELS[i % 3],
        enterpriseSubscriptionInclusion: true,
        canonicalCourseRunKey: runKey(i, 1),
        cardImageUrl: `https://bench.example.com/course/${i}-card.png`,
        enrollmentCount: 100 + (i % 5000),
        recentEnrollmentCount: i % 300,
        urlSlugHistory: [slug],
        skillNames: [TOPICS[i % TOPICS.length], `${TOPICS[i % TOPICS.length]} fundamentals`],
        productSource: { name: 'edX', slug: 'edx', description: 'edX courses' },
      }),
      created,
      modified: day(-30 - (i % 300)),
    });
    for (let r = 0; r < 3; r += 1) {
      const dates = runDates(i, r);
      const sku = (i * 3 + r).toString(16).toUpperCase().padStart(6, '0');
      const deadline = new Date(dates.end.getTime() - 10 * DAY).toISOString();
      const seats: Seat[] = professional
        ? [
            {
              type: 'professional',
              priceCents: price,
              currency: 'USD',
              upgradeDeadline: null,
              sku: `P${sku}`,
              bulkSku: `BP${sku}`,
            },
          ]
        : [
            { type: 'audit', priceCents: 0, currency: 'USD', upgradeDeadline: null, sku: `A${sku}`, bulkSku: null },
            {
              type: 'verified',
              priceCents: price,
              currency: 'USD',
              upgradeDeadline: deadline,
              sku: `V${sku}`,
              bulkSku: `BV${sku}`,
            },
          ];
      await runs.add({
        uuid: benchUuid(KIND.run, i * 3 + r),
        key: runKey(i, r),
        courseKey: key,
        title,
        shortDescription: null,
        marketingUrl: `https://www.edx.org/course/${slug}?run=${RUN_TERMS[r]}`,
        start: dates.start,
        end: dates.end,
        enrollmentStart: dates.enrollmentStart,
        enrollmentEnd: null,
        status: 'published',
        isMarketable: true,
        hidden: false,
        seats: JSON.stringify(seats),
        metadata: JSON.stringify({
          pacingType: i % 4 === 0 ? 'self_paced' : 'instructor_paced',
          type: professional ? 'professional' : 'verified',
          weeksToComplete: 4 + (i % 8),
          minEffort: 2 + (i % 3),
          maxEffort: 4 + (i % 5),
          contentLanguage: 'en-us',
          transcriptLanguages: ['en-us'],
          goLiveDate: new Date(dates.start.getTime() - 30 * DAY).toISOString(),
          levelType: LEVELS[i % 3],
          estimatedHours: 10 + (i % 20),
        }),
        created,
        modified: day(-30 - (i % 300)),
      });
    }
    const firstOrg = i % N.organizations;
    await owners.add({ courseKey: key, organizationUuid: benchUuid(KIND.organization, firstOrg), position: 0 });
    if (i % 5 === 0)
      await owners.add({
        courseKey: key,
        organizationUuid: benchUuid(KIND.organization, (firstOrg + 1 + (i % 7)) % N.organizations),
        position: 1,
      });
    const firstSubject = i % N.subjects;
    await courseSubjects.add({ courseKey: key, subjectUuid: benchUuid(KIND.subject, firstSubject), position: 0 });
    if (i % 2 === 0)
      await courseSubjects.add({
        courseKey: key,
        subjectUuid: benchUuid(KIND.subject, (firstSubject + 1 + (i % 5)) % N.subjects),
        position: 1,
      });
  }
  await Promise.all([courses.flush(), runs.flush(), owners.flush(), courseSubjects.flush()]);

  const programs = loader.table<ProgramTable>('program');
  const programCourses = loader.table<ProgramCourseTable>('program_course');
  const authors = loader.table<ProgramAuthoringOrganizationTable>('program_authoring_organization');
  for (let r = 0; r < N.programs; r += 1) {
    const first = (r * 10) % N.courses;
    const title = `${TOPICS[first % TOPICS.length]} ${PROGRAM_TYPES[r % 3]} ${r}`;
    await programs.add({
      uuid: benchUuid(KIND.program, r),
      title,
      subtitle: `Master ${itemAt(TOPICS, first % TOPICS.length).toLowerCase()} in ${3 + (r % 4)} courses`,
      shortDescription: null,
      marketingUrl: `https://www.edx.org/${itemAt(PROGRAM_TYPES, r % 3)
        .toLowerCase()
        .replace(/ /g, '-')}/bench-${r}`,
      hidden: r % 50 === 49,
      metadata: JSON.stringify({
        type: PROGRAM_TYPES[r % 3],
        status: 'active',
        marketingSlug: `bench-${r}`,
        cardImageUrl: `https://bench.example.com/program/${r}.png`,
        totalHoursOfEffort: 40 + (r % 60),
        weeksToComplete: 12 + (r % 20),
      }),
      created,
      modified: day(-60 - (r % 200)),
    });
    const seen = new Set<number>();
    for (let k = 0; k < 3 + (r % 4); k += 1) {
      const course = (first + k * 3) % N.courses;
      if (seen.has(course)) continue;
      seen.add(course);
      await programCourses.add({ programUuid: benchUuid(KIND.program, r), courseKey: courseKey(course), position: k });
    }
    await authors.add({
      programUuid: benchUuid(KIND.program, r),
      organizationUuid: benchUuid(KIND.organization, first % N.organizations),
      position: 0,
    });
  }
  await Promise.all([programs.flush(), programCourses.flush(), authors.flush()]);

  const catalogs = loader.table<EnterpriseCatalogTable>('enterprise_catalog');
  const contents = loader.table<CatalogContentTable>('catalog_content');
  for (let g = 0; g < totalCatalogs; g += 1) {
    const c = catalogCustomer(g);
    const m = catalogOrdinal(g);
    await catalogs.add({
      uuid: benchUuid(KIND.catalog, g),
      title:
        m === 0
          ? `${COMPANIES[c % COMPANIES.length]} ${c} - All content`
          : `${COMPANIES[c % COMPANIES.length]} ${c} - ${TOPICS[(g + m) % TOPICS.length]} ${m}`,
      enterpriseCustomerUuid: benchUuid(KIND.customer, c),
      catalogQueryUuid: benchUuid(KIND.catalog, 0x100000 + g),
      queryTitle: `Bench query ${g}`,
      contentFilter: JSON.stringify({
        content_type: ['course', 'courserun', 'program'],
        partner: 'edx',
        bench_window: catalogWindow[g],
      }),
      includeExecEdCourses: g % 3 === 0,
      enabledCourseModes: JSON.stringify(['verified', 'audit', 'professional']),
      publishAuditEnrollmentUrls: g % 4 === 0,
      created: day(-700 + (g % 100)),
      modified: day(-20 - (g % 100)),
    });
    const w = itemAt(catalogWindow, g);
    for (let position = 0; position < w.size; position += 1) {
      const course = windowCourse(g, position);
      await contents.add({
        catalogUuid: benchUuid(KIND.catalog, g),
        contentType: 'course',
        contentKey: courseKey(course),
        parentContentKey: null,
        active: false, // stored flags: recomputed at the end (repairAllAggregates)
        availabilityRank: null,
      });
      // Some catalogs also list a course's upcoming run on its own (membership through the run).
      if (position % 20 === 7)
        await contents.add({
          catalogUuid: benchUuid(KIND.catalog, g),
          contentType: 'courserun',
          contentKey: runKey(course, 2),
          parentContentKey: courseKey(course),
          active: false, // stored flags: recomputed at the end (repairAllAggregates)
          availabilityRank: null,
        });
    }
    const programStart = int(N.programs);
    const programCount = Math.min(N.programs, Math.ceil(w.size / 20));
    for (let k = 0; k < programCount; k += 1) {
      await contents.add({
        catalogUuid: benchUuid(KIND.catalog, g),
        contentType: 'program',
        contentKey: benchUuid(KIND.program, (programStart + k) % N.programs),
        parentContentKey: null,
        active: false, // stored flags: recomputed at the end (repairAllAggregates)
        availabilityRank: null,
      });
    }
  }
  await Promise.all([catalogs.flush(), contents.flush()]);
}

// ---------------------------------------------------------------------------------------------
// Customers, learners, enrollments and learner progress

async function loadCustomers(loader: Loader): Promise<void> {
  const customers = loader.table<EnterpriseCustomerTable>('enterprise_customer');
  const customerIndexes = [...Array.from({ length: N.customers }, (_, c) => c), ...(tenant10 ? [BIG] : [])];
  for (const c of customerIndexes) {
    const name = c === BIG ? 'Tenfold Learning' : `${COMPANIES[c % COMPANIES.length]} ${c}`;
    // Dates of the 10x tenant as of one more regular customer.
    const d = Math.min(c, N.customers);
    await customers.add({
      uuid: benchUuid(KIND.customer, c),
      name,
      slug: customerSlug(c),
      active: true,
      country: itemAt(COUNTRIES, c % COUNTRIES.length),
      contactEmail: `admin@${customerSlug(c)}.example.com`,
      enableLearnerPortal: c % 5 !== 4,
      created: day(-1000 + d),
      modified: day(-100 + d),
      senderAlias: `${name} Learning`,
      replyTo: `learning@${customerSlug(c)}.example.com`,
      defaultLanguage: 'en',
      customerType: 'Enterprise',
      brandingLogoUrl: `https://bench.example.com/logos/${customerSlug(c)}.png`,
      brandingPrimaryColor: '#1B365D',
      brandingSecondaryColor: '#FFFFFF',
      brandingTertiaryColor: '#D23228',
      enforceDataSharingConsent: 'at_enrollment',
      enableDataSharingConsent: true,
      enableUniversalLink: c % 2 === 0,
      enableBrowseAndRequest: c % 3 === 0,
      enableAuditEnrollment: c % 4 === 0,
      hideCourseOriginalPrice: false,
      enablePortalLearnerCreditManagementScreen: true,
      enablePortalSubscriptionManagementScreen: true,
      enablePortalCodeManagementScreen: false,
      enablePortalReportingConfigScreen: true,
      enablePortalSamlConfigurationScreen: c % 2 === 0,
      enablePortalLmsConfigurationsScreen: false,
      enableAnalyticsScreen: true,
    });
  }
  await customers.flush();

  const users = loader.table<LmsUserTable>('lms_user');
  const links = loader.table<EnterpriseCustomerUserTable>('enterprise_customer_user');
  // The bench admin: an LMS account linked to the bench customer.
  await users.add({
    id: BENCH.adminLmsUserId,
    email: BENCH.adminEmail,
    username: 'bench-admin',
    country: 'US',
    dateJoined: day(-900),
  });
  await links.add({
    id: LEARNER_LINK_BASE - 1,
    enterpriseCustomerUuid: BENCH.customerUuid,
    lmsUserId: BENCH.adminLmsUserId,
    active: true,
    linked: true,
    isRelinkable: true,
    inviteKeyUuid: null,
    created: day(-900),
    modified: day(-900),
  });
  if (tenant10) {
    // The 10x tenant's admin, like the bench admin.
    await users.add({
      id: TENANT10.adminLmsUserId,
      email: TENANT10.adminEmail,
      username: 'tenant10-admin',
      country: 'US',
      dateJoined: day(-900),
    });
    await links.add({
      id: LEARNER_LINK_BASE - 2,
      enterpriseCustomerUuid: TENANT10.customerUuid,
      lmsUserId: TENANT10.adminLmsUserId,
      active: true,
      linked: true,
      isRelinkable: true,
      inviteKeyUuid: null,
      created: day(-900),
      modified: day(-900),
    });
  }
  for (let j = 0; j < totalLearners; j += 1) {
    const c = customerOfLearner(j);
    const joined = day(-800 + (j % 700));
    await users.add({
      id: lmsUserId(j),
      email: learnerEmail(lmsUserId(j), c),
      username: `learner${j}`,
      country: itemAt(COUNTRIES, j % COUNTRIES.length),
      dateJoined: joined,
    });
    await links.add({
      id: LEARNER_LINK_BASE + j,
      enterpriseCustomerUuid: benchUuid(KIND.customer, c),
      lmsUserId: lmsUserId(j),
      active: true,
      linked: true,
      isRelinkable: true,
      inviteKeyUuid: null,
      created: joined,
      modified: joined,
    });
  }
  await Promise.all([users.flush(), links.flush()]);

  const enrollments = loader.table<EnterpriseCourseEnrollmentTable>('enterprise_course_enrollment');
  const progress = loader.table<LearnerProgressTable>('learner_progress');
  const SOURCES = ['customer_admin', 'enrollment_url', 'enrollment_task', 'enrollment_api'];
  for (let j = 0; j < totalLearners; j += 1) {
    const c = customerOfLearner(j);
    const customerUuid = benchUuid(KIND.customer, c);
    const g = catalogIndex(c, int(catalogsOf(c)));
    const base = int(itemAt(catalogWindow, g).size);
    const email = learnerEmail(lmsUserId(j), c);
    for (let e = 0; e < N.enrollmentsPerLearner; e += 1) {
      const id = ENROLLMENT_BASE + j * N.enrollmentsPerLearner + e;
      const course = windowCourse(g, base + e);
      const r = rand() < 0.3 ? 0 : 1;
      const dates = runDates(course, r);
      const enrolled = new Date(Math.max(dates.enrollmentStart.getTime(), dates.start.getTime() - int(30) * DAY));
      const unenrolled = rand() < 0.03;
      const passed = r === 0 && rand() < 0.6;
      const grade = passed ? 0.7 + rand() * 0.3 : rand() * 0.65;
      const lastActivity = r === 0 ? new Date(dates.end.getTime() - int(30) * DAY) : day(-int(45));
      await enrollments.add({
        id,
        enterpriseCustomerUserId: LEARNER_LINK_BASE + j,
        enterpriseCustomerUuid: customerUuid,
        courseRunKey: runKey(course, r),
        savedForLater: false,
        source: pick(SOURCES),
        unenrolled: unenrolled ? true : null,
        unenrolledAt: unenrolled ? new Date(enrolled.getTime() + 5 * DAY) : null,
        mode: 'verified',
        isActive: !unenrolled,
        created: enrolled,
        modified: enrolled,
      });
      await progress.add({
        enterpriseEnrollmentId: id,
        enrollmentId: id,
        enterpriseCustomerUuid: customerUuid,
        enterpriseCustomerUserId: LEARNER_LINK_BASE + j,
        enterpriseUserId: lmsUserId(j),
        enterpriseSsoUid: c % 3 === 0 ? `sso|learner${j}` : null,
        userEmail: email,
        userUsername: `learner${j}`,
        userCountry: itemAt(COUNTRIES, j % COUNTRIES.length),
        userAccountCreationDate: day(-800 + (j % 700)),
        userCurrentEnrollmentMode: isProfessional(course) ? 'professional' : 'verified',
        courseKey: courseKey(course),
        courserunKey: runKey(course, r),
        courseTitle: courseTitle(course),
        coursePacingType: course % 4 === 0 ? 'self_paced' : 'instructor_paced',
        courseStart: dates.start,
        courseEnd: dates.end,
        courseDuration: Math.round((dates.end.getTime() - dates.start.getTime()) / (7 * DAY)),
        courseMinEffort: 2 + (course % 3),
        courseMaxEffort: 4 + (course % 5),
        coursePrimaryProgram: null,
        coursePrimarySubject: subjectName(course % N.subjects),
        courseListPriceCents: coursePriceCents(course),
        amountLearnerPaidCents: 0,
        paidBy: 'enterprise',
        seatDeliveryMethod: e % 2 === 0 ? 'Subscription' : 'Learner Credit',
        contractId: null,
        couponCode: null,
        couponName: null,
        offerName: null,
        offerType: null,
        isRefunded: unenrolled,
        hasPassed: passed,
        passedDate: passed ? new Date(dates.end.getTime() - 5 * DAY) : null,
        currentGrade: Math.round(grade * 100) / 100,
        letterGrade: passed ? (grade >= 0.9 ? 'A' : grade >= 0.8 ? 'B' : 'C') : null,
        lastActivityDate: lastActivity,
        enrollmentDate: enrolled,
        unenrollmentDate: unenrolled ? new Date(enrolled.getTime() + 5 * DAY) : null,
        unenrollmentEndWithinDate: new Date(Math.max(enrolled.getTime(), dates.start.getTime()) + 14 * DAY),
        created: enrolled,
      });
    }
  }
  await Promise.all([enrollments.flush(), progress.flush()]);
}

// ---------------------------------------------------------------------------------------------
// Learner credit: subsidies, ledgers, policies, assignments, transactions

async function loadLearnerCredit(loader: Loader): Promise<void> {
  const ledgers = loader.table<LedgerTable>('ledger');
  const subsidies = loader.table<SubsidyTable>('subsidy');
  const policies = loader.table<SubsidyAccessPolicyTable>('subsidy_access_policy');
  const configurations = loader.table<AssignmentConfigurationTable>('assignment_configuration');
  const transactions = loader.table<LedgerTransactionTable>('ledger_transaction');
  const reversals = loader.table<LedgerReversalTable>('ledger_reversal');
  const assignments = loader.table<LearnerContentAssignmentTable>('learner_content_assignment');
  const actions = loader.table<AssignmentActionTable>('assignment_action');

  // Accepted assignments are transactions of their assigned policy; the rest spread over the others.
  const assignmentsPer = (a: number) => share(N.assignments, assignedPolicies.length, a);
  const acceptedEstimate = Math.round(N.assignments * 0.2);
  const otherTransactions = Math.max(0, N.transactions - acceptedEstimate);
  const transactionsPer = (o: number) => share(otherTransactions, otherPolicies.length, o);
  const created = day(-500);
  let transactionIndex = 0;

  const transaction = async (
    p: number,
    values: {
      lmsUser: number;
      email: string;
      contentKey: string;
      parentContentKey: string | null;
      title: string;
      quantity: number;
      state: TransactionState;
      at: Date;
    },
    t: number,
  ) => {
    const uuid = benchUuid(KIND.transaction, transactionIndex);
    transactionIndex += 1;
    await transactions.add({
      uuid,
      ledgerUuid: benchUuid(KIND.ledger, p),
      idempotencyKey: `bench-redemption-${p}-${t}`,
      quantity: values.quantity,
      state: values.state,
      lmsUserId: values.lmsUser,
      lmsUserEmail: values.email,
      contentKey: values.contentKey,
      parentContentKey: values.parentContentKey,
      contentTitle: values.title,
      fulfillmentIdentifier: values.state === 'COMMITTED' ? benchUuid(KIND.fulfillment, transactionIndex) : null,
      subsidyAccessPolicyUuid: benchUuid(KIND.policy, p),
      isDeposit: false,
      created: values.at,
      modified: values.at,
    });
    return uuid;
  };

  for (let p = 0; p < totalPolicies; p += 1) {
    const c = policyCustomer(p);
    const type = policyType(p);
    const assigned = type === 'AssignedLearnerCreditAccessPolicy';
    // A policy of the 10x tenant holds ten times what its mirror (the bench customer's) holds.
    const mirror = policyMirror(p);
    const spendCount =
      (assigned ? assignmentsPer(assignedPolicies.indexOf(mirror)) : transactionsPer(otherPolicies.indexOf(mirror))) *
      (c === BIG ? BIG_FACTOR : 1);
    // Prices are below 50,000 cents: this balance covers every spend and allocation generated here.
    const startingBalance = mirror === 0 ? 1_000_000_000_000 : spendCount * 60_000 + 100_000_000;
    const subsidyUuid = benchUuid(KIND.subsidy, p);
    const ledgerUuid = benchUuid(KIND.ledger, p);
    await ledgers.add({
      uuid: ledgerUuid,
      idempotencyKey: `ledger-for-subsidy-${subsidyUuid}`,
      unit: 'usd_cents',
      created,
      modified: created,
      // Stored aggregates: recomputed from the loaded rows at the end (repairAllAggregates).
      balanceCents: 0,
      depositsCents: 0,
    });
    await subsidies.add({
      uuid: subsidyUuid,
      title: `${COMPANIES[c % COMPANIES.length]} ${c} learner credit ${p}`,
      enterpriseCustomerUuid: benchUuid(KIND.customer, c),
      ledgerUuid,
      unit: 'usd_cents',
      startingBalanceCents: startingBalance,
      activeDatetime: day(-400),
      expirationDatetime: day(365 + (p % 300)),
      created,
      modified: created,
    });
    await transactions.add(
      initialDeposit({
        uuid: benchUuid(KIND.transaction, 0x800000000 + p),
        ledgerUuid,
        subsidyUuid,
        balanceCents: startingBalance,
        at: created,
      }),
    );
    const round = policyRound(p);
    await policies.add({
      uuid: benchUuid(KIND.policy, p),
      policyType: type,
      displayName:
        p === 0
          ? 'Bench assigned budget'
          : mirror === 0
            ? '10x tenant assigned budget'
            : `${type.replace(/CreditAccessPolicy$/, '').replace(/([a-z])([A-Z])/g, '$1 $2')} budget ${round}`,
      active: mirror % 40 !== 39,
      enterpriseCustomerUuid: benchUuid(KIND.customer, c),
      catalogUuid: benchUuid(KIND.catalog, policyCatalog(p)),
      spendLimitCents: mirror === 0 ? null : startingBalance,
      created,
      modified: created,
      subsidyUuid,
      description: `Generated ${type} ${p}`,
      retired: false,
      retiredAt: null,
      accessMethod: assigned ? 'ASSIGNED' : 'DIRECT',
      perLearnerEnrollmentLimit: type === 'PerLearnerEnrollmentCreditAccessPolicy' ? 10 : null,
      perLearnerSpendLimitCents: type === 'PerLearnerSpendCreditAccessPolicy' ? 1_000_000 : null,
      lateRedemptionAllowedUntil: null,
      redeemedCents: 0,
      allocatedCents: 0,
    });

    const g = policyCatalog(p);
    const learners = learnersOf(c);
    if (assigned) {
      const configurationUuid = benchUuid(KIND.configuration, p);
      await configurations.add({
        uuid: configurationUuid,
        subsidyAccessPolicyUuid: benchUuid(KIND.policy, p),
        enterpriseCustomerUuid: benchUuid(KIND.customer, c),
        active: true,
        created,
        modified: created,
      });
      const seen = new Set<string>();
      const assign = async (t: number, k: number, position: number, forced: AssignmentState | null) => {
        const course = windowCourse(g, position);
        const pair = `${k}:${course}`;
        if (seen.has(pair)) return;
        seen.add(pair);
        const j = learnerIndex(c, k);
        const roll = rand();
        const state: AssignmentState =
          forced ??
          (roll < 0.65
            ? 'ALLOCATED'
            : roll < 0.85
              ? 'ACCEPTED'
              : roll < 0.9
                ? 'CANCELLED'
                : roll < 0.95
                  ? 'EXPIRED'
                  : 'ERRORED');
        // ALLOCATED ones are recent (within the 90-day window); the others older.
        const allocatedAt = new Date(TODAY - (state === 'ALLOCATED' ? int(60) : 100 + int(200)) * DAY - int(DAY));
        const later = new Date(allocatedAt.getTime() + (1 + int(20)) * DAY);
        const price = coursePriceCents(course);
        const email = learnerEmail(lmsUserId(j), c);
        const uuid = benchUuid(KIND.assignment, p * 0x1000000 + t);
        let transactionUuid: string | null = null;
        if (state === 'ACCEPTED') {
          transactionUuid = await transaction(
            p,
            {
              lmsUser: lmsUserId(j),
              email,
              contentKey: courseKey(course),
              parentContentKey: null,
              title: courseTitle(course),
              quantity: -price,
              state: 'COMMITTED',
              at: later,
            },
            t,
          );
        }
        await assignments.add({
          uuid,
          assignmentConfigurationUuid: configurationUuid,
          learnerEmail: email,
          lmsUserId: lmsUserId(j),
          contentKey: courseKey(course),
          parentContentKey: null,
          contentTitle: courseTitle(course),
          contentQuantity: -price,
          preferredCourseRunKey: runKey(course, 1),
          state,
          allocatedAt,
          acceptedAt: state === 'ACCEPTED' ? later : null,
          cancelledAt: state === 'CANCELLED' ? later : null,
          expiredAt: state === 'EXPIRED' ? later : null,
          erroredAt: state === 'ERRORED' ? later : null,
          reversedAt: null,
          transactionUuid,
          allocationBatchId: benchUuid(KIND.batch, p * 0x10000 + Math.floor(t / 10)),
          adminLmsUserId: BENCH.adminLmsUserId,
          created: allocatedAt,
          modified: state === 'ALLOCATED' ? allocatedAt : later,
        });
        const notifyFailed = state === 'ERRORED' || rand() < 0.02;
        await actions.add({
          uuid: benchUuid(KIND.action, p * 0x1000000 + t),
          assignmentUuid: uuid,
          actionType: 'NOTIFIED',
          completedAt: notifyFailed ? null : allocatedAt,
          errorReason: notifyFailed ? 'EMAIL_ERROR' : null,
          created: allocatedAt,
          modified: allocatedAt,
        });
      };
      // The bench learner (customer 0, learner 0) holds three ALLOCATED assignments in the bench policy.
      if (p === 0)
        for (let position = 0; position < 3; position += 1) await assign(0x800000 + position, 0, position, 'ALLOCATED');
      for (let t = 0; t < spendCount; t += 1) {
        const k = t % learners;
        if (p === 0 && k === 0) continue;
        await assign(t, k, Math.floor(t / learners) + t, null);
      }
    } else {
      for (let t = 0; t < spendCount; t += 1) {
        const k = (t * 7) % learners;
        const j = learnerIndex(c, k);
        const course = windowCourse(g, t * 13 + k);
        const run = rand() < 0.3;
        const roll = rand();
        const state: TransactionState =
          roll < 0.93 ? 'COMMITTED' : roll < 0.96 ? 'FAILED' : roll < 0.98 ? 'PENDING' : 'CREATED';
        const at = new Date(TODAY - int(360) * DAY - int(DAY));
        const uuid = await transaction(
          p,
          {
            lmsUser: lmsUserId(j),
            email: learnerEmail(lmsUserId(j), c),
            contentKey: run ? runKey(course, 1) : courseKey(course),
            parentContentKey: run ? courseKey(course) : null,
            title: courseTitle(course),
            quantity: -coursePriceCents(course),
            state,
            at,
          },
          t,
        );
        if (state === 'COMMITTED' && rand() < 0.03) {
          const reversedAt = new Date(at.getTime() + 3 * DAY);
          await reversals.add({
            uuid: benchUuid(KIND.reversal, transactionIndex),
            transactionUuid: uuid,
            idempotencyKey: `unenrollment-reversal-${uuid}-${reversedAt.toISOString()}`,
            quantity: coursePriceCents(course),
            state: 'COMMITTED',
            created: reversedAt,
            modified: reversedAt,
          });
        }
      }
    }
  }
  await Promise.all([
    ledgers.flush(),
    subsidies.flush(),
    policies.flush(),
    configurations.flush(),
    transactions.flush(),
    reversals.flush(),
    assignments.flush(),
    actions.flush(),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Subscriptions: plans and licenses

async function loadSubscriptions(loader: Loader): Promise<void> {
  const plans = loader.table<SubscriptionPlanTable>('subscription_plan');
  const licenses = loader.table<LicenseTable>('license');
  // Plan 0 (the bench plan) holds 20% of the licenses, the others share the rest.
  const benchShare = Math.round(Math.min(N.licenses, 200_000) * 0.2);
  // The 10x tenant's plans follow the regular ones, one per plan of the bench customer (its mirror).
  const benchPlans = Array.from({ length: N.plans }, (_, q) => q).filter((q) => q % N.customers === 0);
  const totalPlans = N.plans + (tenant10 ? benchPlans.length : 0);
  for (let q = 0; q < totalPlans; q += 1) {
    const mirror = q >= N.plans ? itemAt(benchPlans, q - N.plans) : q;
    const c = q >= N.plans ? BIG : q % N.customers;
    const round = Math.floor(mirror / N.customers);
    const expired = round % 3 === 2;
    const start = expired ? day(-800 + (mirror % 30)) : day(-200 + (mirror % 60));
    const expiration = expired ? day(-435 + (mirror % 30)) : day(165 + (mirror % 200));
    const planUuid = benchUuid(KIND.plan, q);
    await plans.add({
      uuid: planUuid,
      title:
        q === 0
          ? 'Bench plan'
          : c === BIG
            ? `Tenfold Learning subscription ${round + 1}`
            : `${COMPANIES[c % COMPANIES.length]} ${c} subscription ${round + 1}`,
      startDate: start,
      expirationDate: expiration,
      isActive: true,
      enterpriseCustomerUuid: benchUuid(KIND.customer, c),
      enterpriseCatalogUuid: benchUuid(KIND.catalog, catalogIndex(c, 0)),
      created: start,
      modified: start,
      isRevocationCapEnabled: mirror % 4 === 0,
      revokeMaxPercentage: 5,
      numRevocationsApplied: 0,
      shouldAutoApplyLicenses: mirror % 6 === 0,
      planType: 'Standard Paid',
      // Stored license counts: recomputed from the loaded rows at the end (repairAllAggregates).
      unassignedLicenses: 0,
      assignedLicenses: 0,
      activatedLicenses: 0,
      revokedLicenses: 0,
      salesforceOpportunityLineItem: `00k${q.toString().padStart(15, '0')}`,
    });
    const count =
      (mirror === 0 ? benchShare : share(N.licenses - benchShare, N.plans - 1, mirror - 1)) *
      (c === BIG ? BIG_FACTOR : 1);
    const holders = Math.floor(learnersOf(c) * 0.8);
    for (let t = 0; t < count; t += 1) {
      const uuid = benchUuid(KIND.license, q * 0x1000000 + t);
      if (t >= holders) {
        await licenses.add({
          uuid,
          subscriptionPlanUuid: planUuid,
          status: 'UNASSIGNED',
          userEmail: null,
          lmsUserId: null,
          activationKey: null,
          userSfid: null,
          assignedDate: null,
          activationDate: null,
          revokedDate: null,
          lastRemindDate: null,
          created: start,
          modified: start,
        });
        continue;
      }
      const j = learnerIndex(c, t);
      const roll = rand();
      const status: LicenseStatus =
        q === 0 && t === 0 ? 'ACTIVATED' : roll < 0.7 ? 'ACTIVATED' : roll < 0.9 ? 'ASSIGNED' : 'REVOKED';
      const assigned = new Date(start.getTime() + int(60) * DAY);
      const activated = status === 'ASSIGNED' ? null : new Date(assigned.getTime() + int(10) * DAY);
      await licenses.add({
        uuid,
        subscriptionPlanUuid: planUuid,
        status,
        userEmail: learnerEmail(lmsUserId(j), c),
        lmsUserId: status === 'ASSIGNED' ? null : lmsUserId(j),
        activationKey: benchUuid(KIND.activationKey, q * 0x1000000 + t),
        userSfid: null,
        assignedDate: assigned,
        activationDate: activated,
        revokedDate: status === 'REVOKED' && activated ? new Date(activated.getTime() + 30 * DAY) : null,
        lastRemindDate: status === 'ASSIGNED' ? new Date(assigned.getTime() + 7 * DAY) : null,
        created: start,
        modified: activated ?? assigned,
      });
    }
  }
  await Promise.all([plans.flush(), licenses.flush()]);
}

await main();
