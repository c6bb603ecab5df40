/**
 * The ERP change poller's contract: what it is started with and reports, its messages, its workflow
 * id (one per store) and its task queue. It runs on the orders queue, beside the order workflows it
 * signals ERP fulfillments and invoices to.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { processOf, workflowIdOf } from './ids';

export const ERP_EVENTS_PROCESS = processOf('erpEvents', 'orders');
export const { queue: ERP_EVENTS_TASK_QUEUE, workflowType: ERP_EVENTS_WORKFLOW } = ERP_EVENTS_PROCESS;

export interface ErpCursors {
  fulfillments: string | null;
  invoices: string | null;
}

export interface ErpEventsInput {
  store: string;
  /** Where the previous run got to (null: resume from the cursor saved in Postgres, else from the start). */
  cursors: ErpCursors | null;
  /** Pause between polls once both feeds are drained. */
  pollEvery: string;
  pageSize: number;
}

export interface ErpEventsStatus {
  cursors: ErpCursors | null;
  polls: number;
  delivered: number;
  /** ERP documents whose order has no process in Quayside (entered in the ERP directly). */
  unmatched: number;
}

/** Ends the poller once its current poll is delivered. */
export const stopErpEventsSignal = defineSignal('stop');
export const erpEventsStatusQuery = defineQuery<ErpEventsStatus>('status');

const ERP_EVENTS_ID = workflowIdOf('erp-events', ['store']);

export const erpEventsWorkflowId = (store: string) => ERP_EVENTS_ID.build({ store });
export const parseErpEventsWorkflowId = ERP_EVENTS_ID.parse;
