import type { OutboxTable } from '../../lib/outbox.js';

/*
 * Table types are what SQL stores (JSON columns as text); `...Row`/`...Node` types are what the
 * store's decoders hand to resolvers (JSON parsed, `metadata` spread into the row so every REST
 * field of the catalog REST API maps straight onto its camelCase GraphQL field).
 */

export interface EnterpriseCatalogTable {
  uuid: string;
  title: string;
  enterpriseCustomerUuid: string;
  catalogQueryUuid: string | null;
  queryTitle: string | null;
  /** JSON: the discovery search filter. */
  contentFilter: string | null;
  /** GraphQL `includeExecEd2UCourses` (a name CamelCasePlugin cannot round-trip to a column). */
  includeExecEdCourses: boolean | null;
  /** JSON: string[]. */
  enabledCourseModes: string | null;
  publishAuditEnrollmentUrls: boolean;
  created: Date;
  modified: Date;
}

export interface CourseTable {
  uuid: string;
  key: string;
  title: string | null;
  shortDescription: string | null;
  marketingUrl: string | null;
  advertisedCourseRunUuid: string | null;
  /** JSON: Entitlement[]. */
  entitlements: string | null;
  /** JSON: the remaining REST course fields, camelCase. */
  metadata: string | null;
  created: Date;
  modified: Date;
}

export interface CourseRunTable {
  uuid: string;
  key: string;
  courseKey: string;
  title: string | null;
  shortDescription: string | null;
  marketingUrl: string | null;
  start: Date | null;
  end: Date | null;
  enrollmentStart: Date | null;
  enrollmentEnd: Date | null;
  status: string | null;
  isMarketable: boolean;
  hidden: boolean;
  /** JSON: Seat[] (prices in cents). */
  seats: string | null;
  /** JSON: the remaining REST course run fields, camelCase. */
  metadata: string | null;
  created: Date;
  modified: Date;
}

export interface ProgramTable {
  uuid: string;
  title: string | null;
  subtitle: string | null;
  shortDescription: string | null;
  marketingUrl: string | null;
  hidden: boolean;
  /** JSON: the remaining REST program fields, camelCase. */
  metadata: string | null;
  created: Date;
  modified: Date;
}

export interface OrganizationTable {
  uuid: string;
  key: string;
  name: string | null;
  metadata: string | null;
}

export interface SubjectTable {
  uuid: string;
  slug: string;
  name: string | null;
  metadata: string | null;
}

export interface CourseOwnerTable {
  courseKey: string;
  organizationUuid: string;
  position: number;
}

export interface CourseSubjectTable {
  courseKey: string;
  subjectUuid: string;
  position: number;
}

export interface ProgramCourseTable {
  programUuid: string;
  courseKey: string;
  position: number;
}

export interface ProgramAuthoringOrganizationTable {
  programUuid: string;
  organizationUuid: string;
  position: number;
}

export type ContentTypeValue = 'course' | 'courserun' | 'program';

/** Catalog membership: one row per content key a catalog lists. */
export interface CatalogContentTable {
  catalogUuid: string;
  contentType: ContentTypeValue;
  /** Course key, course run key or program uuid. */
  contentKey: string;
  /** For a listed run: its course key (membership of the course is then one indexed lookup). */
  parentContentKey: string | null;
  // Stored (0005, store/aggregates.ts): whether `contents` lists the item, and the availability
  // rank that implies (courses: their best active run's; programs: null), as of the last refresh.
  // Optional: new rows start inactive and the loader's refresh sets them.
  active?: boolean;
  availabilityRank?: number | null;
}

/** Stored aggregate (0005): active items of one content type in a catalog (its `contents` totalCount). */
export interface CatalogContentCountTable {
  catalogUuid: string;
  contentType: ContentTypeValue;
  activeItems: number;
}

/** When the membership flags were last brought up to date with the clock (one row, id 1). */
export interface CatalogContentRefreshTable {
  id: number;
  refreshedAt: Date;
}

export interface CatalogDatabase {
  enterprise_catalog: EnterpriseCatalogTable;
  course: CourseTable;
  course_run: CourseRunTable;
  program: ProgramTable;
  organization: OrganizationTable;
  subject: SubjectTable;
  course_owner: CourseOwnerTable;
  course_subject: CourseSubjectTable;
  program_course: ProgramCourseTable;
  program_authoring_organization: ProgramAuthoringOrganizationTable;
  catalog_content: CatalogContentTable;
  catalog_content_count: CatalogContentCountTable;
  catalog_content_refresh: CatalogContentRefreshTable;
  catalog_outbox: OutboxTable;
}

export type EnterpriseCatalogRow = Omit<EnterpriseCatalogTable, 'contentFilter' | 'enabledCourseModes'> & {
  contentFilter: unknown;
  enabledCourseModes: string[];
};

/** The catalog an item was reached through: URLs are built for it. */
export interface CatalogScope {
  catalogUuid: string;
  enterpriseCustomerUuid: string;
  publishAuditEnrollmentUrls: boolean;
}

export interface Seat {
  type: string;
  priceCents: number;
  currency: string;
  upgradeDeadline: string | null;
  upgradeDeadlineOverride?: string | null;
  creditProvider?: string | null;
  creditHours?: number | null;
  sku: string | null;
  bulkSku: string | null;
}

export interface Entitlement {
  mode: string;
  priceCents: number;
  currency: string;
  sku: string | null;
  expires: string | null;
}

/** Free-form metadata fields, read by the default resolvers under their GraphQL names. */
export type Metadata = Record<string, unknown>;

export type CourseNode = Omit<CourseTable, 'entitlements' | 'metadata'> &
  Metadata & { kind: 'Course'; entitlements: Entitlement[]; scope?: CatalogScope };
export type CourseRunNode = Omit<CourseRunTable, 'seats' | 'metadata'> &
  Metadata & { kind: 'CourseRun'; seats: Seat[]; scope?: CatalogScope };
export type ProgramNode = Omit<ProgramTable, 'metadata'> & Metadata & { kind: 'Program'; scope?: CatalogScope };
export type ContentNode = CourseNode | CourseRunNode | ProgramNode;

export type OrganizationRow = Omit<OrganizationTable, 'metadata'> & Metadata;
export type SubjectRow = Omit<SubjectTable, 'metadata'> & Metadata;
/** A related row with the key of the object it was loaded for (group loaders key on it). */
export type Related<T> = T & { ownerKey: string };

/** Entity references other subgraphs send for EnterpriseCustomer. */
export interface CustomerRef {
  uuid: string;
}

/** What the customers subgraph tells us about a catalog's customer (for URLs). */
export interface CustomerInfo {
  uuid: string;
  slug: string;
  name: string;
  enableLearnerPortal: boolean;
}

/** Rows the demo data writes through the store (insertMissingContent). */
export interface CatalogSeedRows {
  catalogs: EnterpriseCatalogTable[];
  organizations: OrganizationTable[];
  subjects: SubjectTable[];
  courses: CourseTable[];
  runs: CourseRunTable[];
  programs: ProgramTable[];
  owners: CourseOwnerTable[];
  courseSubjects: CourseSubjectTable[];
  programCourses: ProgramCourseTable[];
  programAuthors: ProgramAuthoringOrganizationTable[];
  membership: CatalogContentTable[];
}
