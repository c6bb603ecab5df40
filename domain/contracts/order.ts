/**
 * The order process's contract, shared by api/, activities/ and workflows/: workflow ids (order,
 * shipment, backorder), the task queue they run on, and the names of the order workflow's messages.
 * The signal/query/update definitions themselves stay in workflows/ (they need @temporalio/workflow).
 */
import { workflowIdOf, type TaskQueueName } from './ids';

export { ORDER_EVENT_SIGNAL } from '../order';
export { REFUND_EVENT_SIGNAL } from '../returns';
export { DECIDE_UPDATE, PENDING_APPROVAL_QUERY } from '../approvals';

export const ORDER_TASK_QUEUE: TaskQueueName = 'orders';

/** Message names of the order workflow (workflows/orderToInvoice.ts) besides the ones re-exported above. */
export const ORDER_MESSAGES = {
  erpFulfillmentSignal: 'erpFulfillment',
  erpInvoiceSignal: 'erpInvoice',
  erpOrderChangedSignal: 'erpOrderChanged',
  statusQuery: 'status',
  fixUpdate: 'fix',
  cancelUpdate: 'cancel',
} as const;

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
