import type { OutboxTable } from '../../lib/outbox.js';

export interface SubscriptionPlanTable {
  uuid: string;
  title: string;
  startDate: Date;
  expirationDate: Date;
  isActive: boolean;
  enterpriseCustomerUuid: string;
  enterpriseCatalogUuid: string;
  created: Date;
  modified: Date;
}

export interface SubscriptionsDatabase {
  subscription_plan: SubscriptionPlanTable;
  subscriptions_outbox: OutboxTable;
}

export type SubscriptionPlanRow = SubscriptionPlanTable;

export interface CustomerRef {
  uuid: string;
}
