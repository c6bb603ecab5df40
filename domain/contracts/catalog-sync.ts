/**
 * The catalog sync's contract: the ERP's items, prices and customer credit into Quayside's caches
 * (what checkout quotes read), one standing process per store on the sync queue.
 */
import { defineQuery } from '@temporalio/workflow';
import { workflowIdOf, type TaskQueueName } from './ids';

export const CATALOG_SYNC_TASK_QUEUE: TaskQueueName = 'sync';

export interface CatalogSyncInput {
  store: string;
  pageSize: number;
  customerBatchSize: number;
  /** Time between full refreshes of items, prices and customer credit. */
  refreshIntervalMinutes: number;
  /** Run one refresh and stop (an operator's resync) instead of repeating. */
  once?: boolean;
  /**
   * Whether this run refreshes the item master and prices, which every store of the deployment
   * shares (true when absent). The primary store's sync does; the others refresh only their own
   * customers' credit, so N stores do not read the ERP's catalog N times.
   */
  itemMaster?: boolean;
}

export interface CatalogSyncStatus {
  phase: 'items' | 'prices' | 'customers' | 'waiting' | 'done';
  items: number;
  prices: number;
  customers: number;
  missingCustomers: number;
}

export const catalogSyncStatusQuery = defineQuery<CatalogSyncStatus>('status');

const CATALOG_SYNC_ID = workflowIdOf('sync:catalog', ['store']);

export const catalogSyncWorkflowId = (store: string) => CATALOG_SYNC_ID.build({ store });
export const parseCatalogSyncWorkflowId = CATALOG_SYNC_ID.parse;
