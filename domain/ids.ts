/** Deterministic workflow ids: one durable process per business object, so duplicates never start a second one. */
export const orderWorkflowId = (store: string, orderId: string) => `order:${store}:${orderId}`;
export const shipmentWorkflowId = (store: string, orderId: string, fulfillmentId: string) =>
  `shipment:${store}:${orderId}:${fulfillmentId}`;
export const backorderWorkflowId = (store: string, orderId: string, lineId: string) =>
  `backorder:${store}:${orderId}:${lineId}`;
export const returnWorkflowId = (store: string, returnId: string) => `return:${store}:${returnId}`;
export const customerWorkflowId = (store: string, customerId: string) => `customer:${store}:${customerId}`;
/** One small process per storefront customer event (customers/create, customers/update): dedupes redeliveries. */
export const customerSyncWorkflowId = (store: string, customerId: string, eventId: string) =>
  `customer-sync:${store}:${customerId}:${eventId}`;

/** Task queues. A prefix (TEMPORAL_TASK_QUEUE_PREFIX) keeps test runs apart from a running system. */
export const TASK_QUEUES = {
  orders: 'quayside-orders',
  sync: 'quayside-sync',
} as const;
export type TaskQueueName = keyof typeof TASK_QUEUES;

export const taskQueue = (name: TaskQueueName, prefix = '') =>
  prefix ? `${prefix}-${TASK_QUEUES[name]}` : TASK_QUEUES[name];
