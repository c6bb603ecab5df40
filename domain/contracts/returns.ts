/**
 * The return (RMA) process's contract, shared by api/, activities/ and workflows/: what it is started
 * with and reports, its messages, its failure types, its workflow id and its task queue.
 * The approval it may wait for speaks the approval contract (approvals.ts).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Disposition, RefundBreakdown, ReturnAssessment, ReturnPolicy } from '../return-rules';
import { RETURN_EVENT_SIGNAL, type StorefrontReturnEvent } from '../returns';
import { processOf, workflowIdOf, type EventDelivery, type ProcessInput } from './ids';

export { RETURN_EVENT_SIGNAL } from '../returns';

export type ReturnStep =
  | 'awaitingRequest'
  | 'assessing'
  | 'awaitingApproval'
  | 'authorizing'
  | 'awaitingGoods'
  | 'awaitingInspection'
  | 'refunding'
  | 'completed'
  | 'declined'
  | 'expired'
  | 'failed';

export interface InspectionInput {
  inspectedBy: string;
  lines: { lineId: string; quantity: number; disposition: Disposition }[];
  note?: string;
}

export interface GoodsReceivedEvent {
  /** The ERP return authorization, when the ERP event names it. */
  erpId?: string;
  receivedAt?: string;
}

export interface ReturnStatus {
  returnId: string;
  orderId: string | null;
  step: ReturnStep;
  assessment: ReturnAssessment | null;
  approval: {
    approvalId: string;
    reasons: string[];
    outcome?: string;
    decidedBy?: string;
    reason?: string;
  } | null;
  autoApproved: boolean;
  rma: { erpId: string; externalId: string } | null;
  received: { lineId: string; quantity: number; location: string | null }[];
  inspection: InspectionInput | null;
  refund: RefundBreakdown | null;
  creditMemoId: string | null;
  storefrontRefundId: string | null;
  erpRefundId: string | null;
  restocked: { sku: string; quantity: number; location: string | null }[];
  declineReason: string | null;
}

/** The workflow's signature, for clients that start it by its type name. */
export type ReturnWorkflow = (input: ReturnWorkflowInput) => Promise<ReturnStatus>;

export const returnStatusQuery = defineQuery<ReturnStatus>('returnStatus');
/** The request, from returns/request or the API (signal-with-start). */
export const returnEventSignal = defineSignal<[StorefrontReturnEvent]>(RETURN_EVENT_SIGNAL);
/** The ERP or the warehouse reports goods received. */
export const goodsReceivedSignal = defineSignal<[GoodsReceivedEvent]>('returnGoodsReceived');
/** The warehouse's inspection result; the validator throws one of the inspection failures below. */
export const inspectReturnUpdate = defineUpdate<ReturnStatus, [InspectionInput]>('inspectReturn');

/** Failure types of return activities and of the inspection validator. */
export const RETURN_FAILURES = {
  /** Quayside knows no order for the return: the workflow declines it. */
  orderUnknown: 'ReturnOrderUnknown',
  notAwaitingInspection: 'ReturnNotAwaitingInspection',
  alreadyInspected: 'ReturnAlreadyInspected',
  inspectionInvalid: 'InspectionInvalid',
  /** The refund saga gave up after compensating. */
  refundFailed: 'ReturnRefundFailed',
} as const;

/** The store, the return, and a snapshot of the return policy to use instead of the store's current one. */
export type ReturnWorkflowInput = ProcessInput<'returnId', 'policy', ReturnPolicy>;
export const RETURN_PROCESS = processOf('returnRefund', 'returns');
export const { queue: RETURN_TASK_QUEUE, workflowType: RETURN_WORKFLOW } = RETURN_PROCESS;

const RETURN_ID = workflowIdOf('return', ['store', 'returnId']);

/** One return process per storefront return. */
export const returnWorkflowId = (store: string, returnId: string) => RETURN_ID.build({ store, returnId });
export const parseReturnWorkflowId = RETURN_ID.parse;

/** A return request for the return's process (from returns/request or the API). */
export const returnDelivery = (store: string, returnId: string): EventDelivery<StorefrontReturnEvent> => ({
  ...RETURN_PROCESS,
  workflowId: returnWorkflowId(store, returnId),
  args: [{ store, returnId }],
  signal: returnEventSignal,
});
