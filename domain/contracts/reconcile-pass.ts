/**
 * The reconciliation that repairs: a Temporal Schedule per store starts one `reconcilePass` workflow
 * per interval on the sync queue; each pass compares store orders with Quayside's processes and the
 * ERP's sales orders, and store stock with the ERP's, repairs what it can and reports.
 */
import type { TaskQueueName } from './ids';

export const RECONCILE_PASS_TASK_QUEUE: TaskQueueName = 'sync';
export const RECONCILE_PASS_WORKFLOW = 'reconcilePass';

export interface ReconcilePassInput {
  store: string;
  /** How far back store orders and stock changes are compared (minutes). */
  windowMinutes: number;
  /** Orders changed within this many seconds are left for the next pass (their webhook may be in flight). */
  graceSeconds: number;
  /** SKUs whose store quantities one pass compares. */
  stockBatch: number;
  /** The task queue order processes run on (as the webhook ingress starts them). */
  orderTaskQueue: string;
}

export interface ReconcilePassResult {
  reportId: number;
  ordersChecked: number;
  stockChecked: number;
  found: number;
  repaired: number;
  notRepaired: number;
}

/** The store's reconciliation schedule (a schedule id, not a workflow id: its runs get ids of their own). */
export const reconcileScheduleId = (store: string) => `reconcile-pass:${store}`;
