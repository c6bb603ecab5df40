/**
 * The storefront reconciliation's contract: the store's recently changed orders compared with
 * Quayside's, one standing process per store on the sync queue.
 */
import { defineQuery } from '@temporalio/workflow';
import { workflowIdOf, type TaskQueueName } from './ids';

export const RECONCILE_TASK_QUEUE: TaskQueueName = 'sync';

export interface ReconcileInput {
  store: string;
  /** Check orders changed after this instant (ISO); a day back when omitted. */
  since?: string;
  intervalMinutes: number;
  /** Orders changed within this many seconds are left for the next round (their webhook may be in flight). */
  graceSeconds: number;
  /** One round and stop (an operator's check) instead of repeating. */
  once?: boolean;
  totals?: ReconcileStatus;
}

export interface ReconcileStatus {
  rounds: number;
  checked: number;
  missed: string[];
  since: string;
}

export const reconcileStatusQuery = defineQuery<ReconcileStatus>('status');

const RECONCILE_ID = workflowIdOf('reconcile', ['store']);

export const reconcileWorkflowId = (store: string) => RECONCILE_ID.build({ store });
export const parseReconcileWorkflowId = RECONCILE_ID.parse;
