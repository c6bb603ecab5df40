/**
 * The order process's contract, shared by api/, activities/ and workflows/: what the order workflow
 * is started with and reports, its signals, queries and updates, its failure types, the workflow ids
 * of the order and its children (shipment, backorder) and the task queue they run on.
 * workflows/orderToInvoice.ts implements it.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalKind, PendingApproval } from '../approvals';
import type { ErpFulfillment, ErpInvoice } from '../erp';
import { ORDER_EVENT_SIGNAL, type StorefrontOrderEvent } from '../order';
import type { OrderLineStatus, OrderStatusName, OrderStep } from '../order-ledger';
import { REFUND_EVENT_SIGNAL, type StorefrontRefundEvent } from '../returns';
import type { BusinessRulesInput } from '../rules';
import type { CancelRequest, OrderFix } from '../schemas/order-requests';
import type { ShipmentResult } from './shipment';
import { processOf, workflowIdOf, type ProcessInput } from './ids';

export { ORDER_EVENT_SIGNAL, type OrderField } from '../order';
export { REFUND_EVENT_SIGNAL } from '../returns';
/** The order's approvals speak the approval contract: its `decide` update and `pendingApproval` query. */
export { decideUpdate, pendingApprovalQuery } from './approvals';
export { ORDER_FAILURES, ORDER_UPDATE_FAILURES, erpRejections, type ErpRejection } from '../failures';

/** The ERP sales order's external id: the storefront order, e.g. `sandbox-store:4501`. */
export const erpOrderExternalId = (store: string, orderId: string) => `${store}:${orderId}`;
export function parseErpOrderExternalId(externalId: string): { store: string; orderId: string } | null {
  const i = externalId.lastIndexOf(':');
  if (i <= 0 || i === externalId.length - 1) return null;
  return { store: externalId.slice(0, i), orderId: externalId.slice(i + 1) };
}

export type AttentionKind =
  | 'unmappedSku'
  | 'unmappedCustomer'
  | 'erpRejected'
  | 'changedAfterShipment'
  | 'approval'
  | 'shipmentFailed'
  /** The ERP's total for the order would differ from the store's total_price. */
  | 'totalMismatch'
  /** The store refused to show the order's invoices (Shopify userErrors); acknowledging shows them again. */
  | 'invoiceRefused'
  /** Lines were cancelled in the ERP but the store refused their refund; acknowledged once done by hand. */
  | 'refundRefused'
  /** The store refused a shipment the ERP made (e.g. fulfilled by hand already); acknowledged once done in the store. */
  | 'shipmentRefused'
  /** The store refused the serial numbers of a shipment; acknowledged once a person gave them to the buyer. */
  | 'serialsRefused'
  /** After a change the ERP applied, its order's total differs from the store's; acknowledged once corrected. */
  | 'erpTotalDiffers';

/** What an operator resolves by acknowledging (`fix` with `acknowledge: true`): the order goes on meanwhile. */
export const ACKNOWLEDGED_ATTENTION: readonly AttentionKind[] = [
  'changedAfterShipment',
  'shipmentFailed',
  'invoiceRefused',
  'refundRefused',
  'shipmentRefused',
  'serialsRefused',
  'erpTotalDiffers',
];

/** Why an order needs a person, in an operator's words, naming the SKU or field at fault. */
export interface Attention {
  kind: AttentionKind;
  reason: string;
  sku?: string;
  field?: string;
  since: string;
}

/** The `fix` and `cancel` Updates' arguments; their zod schemas (the API validates with them) are in schemas/order-requests.ts. */
export type { CancelRequest, OrderFix } from '../schemas/order-requests';
export type OrderFixRequest = OrderFix;

export interface FixResult {
  accepted: true;
  resolved: AttentionKind;
}

export interface CancelResult {
  /** `cancelled`: nothing had shipped, every compensation ran; `openLinesCancelled`: shipped lines stand. */
  outcome: 'cancelled' | 'openLinesCancelled' | 'linesCancelled';
  compensations: string[];
  cancelledLines: { lineId: string; quantity: number }[];
}

/** What the order process reports (the `status` query, its result, and the read model it writes). */
export interface OrderStatus {
  workflowId: string;
  store: string;
  orderId: string;
  orderNumber: string | null;
  customerId: string | null;
  poNumber: string | null;
  total: string | null;
  currency: string | null;
  step: OrderStep;
  status: OrderStatusName;
  attention: Attention | null;
  pendingApproval: PendingApproval | null;
  erpOrder: { erpId: string; tranId: string; externalId: string } | null;
  /** The order ledger (domain/order-ledger.ts). */
  lines: OrderLineStatus[];
  shipments: ShipmentResult[];
  invoices: { erpId: string; tranId: string; total: string; dueDate: string | null }[];
  refunds: { refundId: string; amount: string; lines: { lineId: string; quantity: number }[] }[];
  compensations: { name: string; outcome: 'done' | 'failed'; detail?: string }[];
  approvals: {
    approvalId: string;
    kind: ApprovalKind;
    outcome: string;
    decidedBy: string;
    reason?: string;
  }[];
  rulesVersion: number | null;
  /** The store whose own business rules the order runs by (`rulesVersion` is theirs); absent: the shared rules. */
  rulesStore?: string;
  cancelReason: string | null;
}

/** The workflow's signature, for clients that start it by its type name. */
export type OrderWorkflow = (input: OrderWorkflowInput) => Promise<OrderStatus>;

/** orders/create, orders/updated, orders/cancelled (signal-with-start from the webhook ingress). */
export const orderEventSignal = defineSignal<[StorefrontOrderEvent]>(ORDER_EVENT_SIGNAL);
/** A storefront refund of the order (refunds/create). */
export const refundEventSignal = defineSignal<[StorefrontRefundEvent]>(REFUND_EVENT_SIGNAL);
/** An ERP fulfillment of this order (from the ERP change poller, or pushed). */
export const erpFulfillmentSignal = defineSignal<[ErpFulfillment]>('erpFulfillment');
/** An ERP invoice of this order. */
export const erpInvoiceSignal = defineSignal<[ErpInvoice]>('erpInvoice');
/** The ERP sales order changed (backorders, closed lines): re-read it now instead of at the next refresh. */
export const erpOrderChangedSignal = defineSignal('erpOrderChanged');
export const orderStatusQuery = defineQuery<OrderStatus>('status');
/** An operator's fix of a parked order; its validator refuses a fix for another problem. */
export const fixUpdate = defineUpdate<FixResult, [OrderFixRequest]>('fix');
/** Cancels the whole order or named lines; compensates what was done. */
export const cancelUpdate = defineUpdate<CancelResult, [CancelRequest]>('cancel');

/** The store, the order, and rules to use instead of the stored ones (tests, or a replayed order with the rules it had). */
export type OrderWorkflowInput = ProcessInput<'orderId', 'rules', BusinessRulesInput>;
export const ORDER_PROCESS = processOf('orderToInvoice', 'orders');
export const { queue: ORDER_TASK_QUEUE, workflowType: ORDER_WORKFLOW } = ORDER_PROCESS;

const ORDER_ID = workflowIdOf('order', ['store', 'orderId']);
const SHIPMENT_ID = workflowIdOf('shipment', ['store', 'orderId', 'fulfillmentId']);
const BACKORDER_ID = workflowIdOf('backorder', ['store', 'orderId', 'lineId']);

/** One durable order process per storefront order, so a redelivered webhook never starts a second one. */
export const orderWorkflowId = (store: string, orderId: string) => ORDER_ID.build({ store, orderId });
export const parseOrderWorkflowId = ORDER_ID.parse;

export const shipmentWorkflowId = (store: string, orderId: string, fulfillmentId: string) =>
  SHIPMENT_ID.build({ store, orderId, fulfillmentId });
export const parseShipmentWorkflowId = SHIPMENT_ID.parse;

export const backorderWorkflowId = (store: string, orderId: string, lineId: string) =>
  BACKORDER_ID.build({ store, orderId, lineId });
export const parseBackorderWorkflowId = BACKORDER_ID.parse;
