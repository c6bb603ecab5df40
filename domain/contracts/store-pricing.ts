/**
 * The store pricing sync's contract: ERP price levels, contract prices and credit into the store's B2B
 * catalogs. One following process per store, and an operator's one-off full resync beside it, both on
 * the sync queue.
 */
import { defineQuery } from '@temporalio/workflow';
import { workflowIdOf, type TaskQueueName } from './ids';

export const STORE_PRICING_TASK_QUEUE: TaskQueueName = 'sync';

export interface StorePricingSyncInput {
  store: string;
  pageSize: number;
  pollIntervalSeconds: number;
  customerBatchSize: number;
  /** Push every level and every customer first (an operator's resync, or the first run). */
  fullResync?: boolean;
  /** Stop after the full resync instead of following the change cursor. */
  once?: boolean;
}

export interface StorePricingSyncStatus {
  phase: 'levels' | 'customers' | 'following' | 'done';
  levels: number;
  levelsTotal: number;
  customers: number;
  customersTotal: number;
  pricesWritten: number;
  changesSeen: number;
  lastLagMs: number | null;
}

export const storePricingStatusQuery = defineQuery<StorePricingSyncStatus>('status');

const STORE_PRICING_ID = workflowIdOf('sync:store-pricing', ['store']);
const STORE_PRICING_RESYNC_ID = workflowIdOf('sync:store-pricing-resync', ['store']);

export const storePricingWorkflowId = (store: string) => STORE_PRICING_ID.build({ store });
export const parseStorePricingWorkflowId = STORE_PRICING_ID.parse;
/** An operator's full resync (`npm run price:resync`), which stops when done. */
export const storePricingResyncWorkflowId = (store: string) => STORE_PRICING_RESYNC_ID.build({ store });
export const parseStorePricingResyncWorkflowId = STORE_PRICING_RESYNC_ID.parse;
