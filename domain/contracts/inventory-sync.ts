/**
 * The inventory sync's contract: ERP stock changes into sellable storefront quantities, one
 * standing process per store on the sync queue.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { workflowIdOf, type TaskQueueName } from './ids';

export const INVENTORY_SYNC_TASK_QUEUE: TaskQueueName = 'sync';

export interface InventorySyncInput {
  store: string;
  /** How long to wait for new ERP changes once caught up (a `stockChanged` signal wakes it early). */
  pollIntervalSeconds: number;
  pageSize: number;
  /** Start over from the beginning of the ERP's stock (a full resync) before following changes. */
  fullResync?: boolean;
  /** Stop once caught up instead of following changes forever (one-off resyncs). */
  stopWhenCaughtUp?: boolean;
  totals?: InventorySyncTotals;
}

export interface InventorySyncTotals {
  pages: number;
  changed: number;
  pushed: number;
  unmapped: number;
  /** Mapped SKUs or locations the storefront does not have. */
  unknownInStore: number;
  stale: number;
  lastLagMs: number | null;
  caughtUp: boolean;
  /** Products unpublished below their stock threshold, and published again on replenishment. */
  hidden?: number;
  shown?: number;
  /**
   * The last full resync that read the store's quantities in one go: quantities the store held, ERP
   * levels compared with them, quantities written because they differed, and those already right.
   */
  lastResync?: { storeLevels: number; compared: number; written: number; inStep: number };
}

export const inventorySyncStatusQuery = defineQuery<InventorySyncTotals>('status');
/** Sent when the ERP pushes a stock-change notification, so the sync does not wait for its next poll. */
export const stockChangedSignal = defineSignal('stockChanged');

const INVENTORY_SYNC_ID = workflowIdOf('sync:inventory', ['store']);

export const inventorySyncWorkflowId = (store: string) => INVENTORY_SYNC_ID.build({ store });
export const parseInventorySyncWorkflowId = INVENTORY_SYNC_ID.parse;
