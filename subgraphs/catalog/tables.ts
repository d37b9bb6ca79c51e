import type { OutboxTable } from '../../lib/outbox.js';

export interface EnterpriseCatalogTable {
  uuid: string;
  title: string;
  enterpriseCustomerUuid: string;
  created: Date;
  modified: Date;
}

export interface CourseTable {
  uuid: string;
  key: string;
  title: string | null;
  shortDescription: string | null;
  marketingUrl: string | null;
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
  created: Date;
  modified: Date;
}

export type ContentTypeValue = 'course' | 'courserun' | 'program';

/** Catalog membership: one row per content key a catalog lists. */
export interface CatalogContentTable {
  catalogUuid: string;
  contentType: ContentTypeValue;
  /** Course key, course run key or program uuid. */
  contentKey: string;
}

export interface CatalogDatabase {
  enterprise_catalog: EnterpriseCatalogTable;
  course: CourseTable;
  course_run: CourseRunTable;
  program: ProgramTable;
  catalog_content: CatalogContentTable;
  catalog_outbox: OutboxTable;
}

export type EnterpriseCatalogRow = EnterpriseCatalogTable;

/** The catalog an item was reached through: URLs are built for it (DOMAIN section 1). */
export interface CatalogScope {
  catalogUuid: string;
  enterpriseCustomerUuid: string;
}

export type CourseNode = CourseTable & { kind: 'Course'; scope?: CatalogScope };
export type CourseRunNode = CourseRunTable & { kind: 'CourseRun'; scope?: CatalogScope };
export type ProgramNode = ProgramTable & { kind: 'Program'; scope?: CatalogScope };
export type ContentNode = CourseNode | CourseRunNode | ProgramNode;

/** Entity references other subgraphs send for EnterpriseCustomer. */
export interface CustomerRef {
  uuid: string;
}
