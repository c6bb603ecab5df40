import { defineQuery, log, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { OrderActivities } from '../activities/orders';
import { type CanonicalOrder, orderTotal } from '../domain/order';
import { SA } from '../domain/search-attributes';

export interface OrderStatus {
  orderId: string;
  step: 'received' | 'recorded' | 'completed';
  total: string;
}

export const orderStatusQuery = defineQuery<OrderStatus>('status');

const { recordOrder } = proxyActivities<OrderActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** One durable process per storefront order, from receipt to invoice. */
export async function orderToInvoice(order: CanonicalOrder): Promise<OrderStatus> {
  const status: OrderStatus = { orderId: order.orderId, step: 'received', total: orderTotal(order) };
  setHandler(orderStatusQuery, () => status);

  const attributes: SearchAttributeUpdatePair[] = [
    { key: SA.store, value: order.store },
    { key: SA.customer, value: order.customerId },
    { key: SA.orderNumber, value: order.orderNumber },
    { key: SA.status, value: 'received' },
  ];
  if (order.poNumber) attributes.push({ key: SA.poNumber, value: order.poNumber });
  upsertSearchAttributes(attributes);

  const workflowId = workflowInfo().workflowId;
  await recordOrder({ order, workflowId, status: 'recorded' });
  status.step = 'recorded';
  log.info('order recorded', { orderId: order.orderId });

  await recordOrder({ order, workflowId, status: 'completed' });
  status.step = 'completed';
  upsertSearchAttributes([{ key: SA.status, value: 'completed' }]);
  return status;
}
