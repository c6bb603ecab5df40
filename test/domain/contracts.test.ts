import { describe, expect, it } from 'vitest';
import {
  backorderWorkflowId,
  customerSyncWorkflowId,
  customerWorkflowId,
  erpEventsWorkflowId,
  inventorySyncWorkflowId,
  orderWorkflowId,
  parseBackorderWorkflowId,
  parseCustomerSyncWorkflowId,
  parseCustomerWorkflowId,
  parseOrderWorkflowId,
  parseReturnWorkflowId,
  parseShipmentWorkflowId,
  reconcileWorkflowId,
  returnWorkflowId,
  shipmentWorkflowId,
  storePricingResyncWorkflowId,
  storePricingWorkflowId,
  catalogSyncWorkflowId,
  storeOfWorkflowId,
  taskQueue,
  taskQueueOfWorkflowType,
} from '../../domain/contracts';

describe('workflow ids', () => {
  it('keep the ids running workflows and webhooks already use', () => {
    expect(orderWorkflowId('acme.myshopify.com', '4501')).toBe('order:acme.myshopify.com:4501');
    expect(shipmentWorkflowId('s', '4501', 'IF-9')).toBe('shipment:s:4501:IF-9');
    expect(backorderWorkflowId('s', '4501', '2')).toBe('backorder:s:4501:2');
    expect(returnWorkflowId('s', 'R1')).toBe('return:s:R1');
    expect(customerWorkflowId('s', '77')).toBe('customer:s:77');
    expect(customerSyncWorkflowId('s', '77', 'ev-1')).toBe('customer-sync:s:77:ev-1');
    expect(erpEventsWorkflowId('s')).toBe('erp-events:s');
    expect(inventorySyncWorkflowId('s')).toBe('sync:inventory:s');
    expect(catalogSyncWorkflowId('s')).toBe('sync:catalog:s');
    expect(storePricingWorkflowId('s')).toBe('sync:store-pricing:s');
    expect(storePricingResyncWorkflowId('s')).toBe('sync:store-pricing-resync:s');
    expect(reconcileWorkflowId('s')).toBe('reconcile:s');
  });

  it('parse back what they build', () => {
    expect(parseOrderWorkflowId(orderWorkflowId('s', '4501'))).toEqual({ store: 's', orderId: '4501' });
    expect(parseShipmentWorkflowId(shipmentWorkflowId('s', '1', 'IF-9'))).toEqual({
      store: 's',
      orderId: '1',
      fulfillmentId: 'IF-9',
    });
    expect(parseBackorderWorkflowId(backorderWorkflowId('s', '1', '2'))).toEqual({
      store: 's',
      orderId: '1',
      lineId: '2',
    });
    expect(parseReturnWorkflowId(returnWorkflowId('s', 'R1'))).toEqual({ store: 's', returnId: 'R1' });
    expect(parseCustomerWorkflowId(customerWorkflowId('s', '77'))).toEqual({ store: 's', customerId: '77' });
    expect(parseCustomerSyncWorkflowId(customerSyncWorkflowId('s', '77', 'ev:1'))).toEqual({
      store: 's',
      customerId: '77',
      eventId: 'ev:1',
    });
  });

  it('return undefined for another process id or a foreign id', () => {
    expect(parseOrderWorkflowId(returnWorkflowId('s', 'R1'))).toBeUndefined();
    expect(parseCustomerWorkflowId(customerSyncWorkflowId('s', '77', 'e'))).toBeUndefined();
    expect(parseOrderWorkflowId('order:s')).toBeUndefined();
    expect(parseOrderWorkflowId('order::4501')).toBeUndefined();
    expect(parseReturnWorkflowId('test-store')).toBeUndefined();
  });

  it('tell the store of any Quayside workflow, and null for a foreign one', () => {
    expect(storeOfWorkflowId(orderWorkflowId('acme', '1'))).toBe('acme');
    expect(storeOfWorkflowId(returnWorkflowId('acme', 'R1'))).toBe('acme');
    expect(storeOfWorkflowId(customerWorkflowId('acme', '7'))).toBe('acme');
    expect(storeOfWorkflowId(inventorySyncWorkflowId('acme'))).toBe('acme');
    expect(storeOfWorkflowId('someone-else:acme:1')).toBeNull();
  });
});

describe('task queues', () => {
  it('start returns and customer processes on their own queues, everything else of the order side on orders', () => {
    expect(taskQueue(taskQueueOfWorkflowType('returnRefund'), 'p')).toBe('p-quayside-returns');
    expect(taskQueue(taskQueueOfWorkflowType('customerApproval'))).toBe('quayside-customers');
    expect(taskQueue(taskQueueOfWorkflowType('customerSync'))).toBe('quayside-customers');
    expect(taskQueue(taskQueueOfWorkflowType('orderToInvoice'))).toBe('quayside-orders');
  });
});
