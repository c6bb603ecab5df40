import { describe, expect, expectTypeOf, it } from 'vitest';
import type { customerApproval } from '../../workflows/customerApproval';
import type { customerSync } from '../../workflows/customerSync';
import type { orderToInvoice } from '../../workflows/orderToInvoice';
import type { returnRefund } from '../../workflows/returnRefund';
import {
  applicantInfoSignal,
  areaOfWorkflowId,
  cancelUpdate,
  erpFulfillmentSignal,
  erpInvoiceSignal,
  erpOrderChangedSignal,
  fixUpdate,
  orderEventSignal,
  orderStatusQuery,
  refundEventSignal,
  type OrderWorkflow,
  backorderReleasedSignal,
  cancelBackorderSignal,
  customerEventSignal,
  customerStatusQuery,
  decideUpdate,
  goodsReceivedSignal,
  inspectReturnUpdate,
  orderClosedSignal,
  pendingApprovalQuery,
  returnEventSignal,
  returnStatusQuery,
  stockChangedSignal,
  stopErpEventsSignal,
  type CustomerApprovalWorkflow,
  type CustomerSyncWorkflow,
  type ReturnWorkflow,
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

describe('message contracts', () => {
  it('give clients the signatures the workflows have', () => {
    expectTypeOf<typeof returnRefund>().toEqualTypeOf<ReturnWorkflow>();
    expectTypeOf<typeof customerApproval>().toEqualTypeOf<CustomerApprovalWorkflow>();
    expectTypeOf<typeof customerSync>().toEqualTypeOf<CustomerSyncWorkflow>();
    expectTypeOf<typeof orderToInvoice>().toEqualTypeOf<OrderWorkflow>();
  });

  it('keep the message names running workflows are signalled, queried and updated by', () => {
    const names = [
      decideUpdate,
      pendingApprovalQuery,
      returnStatusQuery,
      returnEventSignal,
      goodsReceivedSignal,
      inspectReturnUpdate,
      customerStatusQuery,
      customerEventSignal,
      applicantInfoSignal,
      stopErpEventsSignal,
      stockChangedSignal,
      backorderReleasedSignal,
      cancelBackorderSignal,
      orderClosedSignal,
      orderEventSignal,
      refundEventSignal,
      erpFulfillmentSignal,
      erpInvoiceSignal,
      erpOrderChangedSignal,
      orderStatusQuery,
      fixUpdate,
      cancelUpdate,
    ].map((d) => `${d.type}:${d.name}`);
    expect(names).toEqual([
      'update:decide',
      'query:pendingApproval',
      'query:returnStatus',
      'signal:storefrontReturnEvent',
      'signal:returnGoodsReceived',
      'update:inspectReturn',
      'query:customerStatus',
      'signal:storefrontCustomerEvent',
      'signal:applicantInfo',
      'signal:stop',
      'signal:stockChanged',
      'signal:backorderReleased',
      'signal:cancelBackorder',
      'signal:orderClosed',
      'signal:storefrontOrderEvent',
      'signal:storefrontRefundEvent',
      'signal:erpFulfillment',
      'signal:erpInvoice',
      'signal:erpOrderChanged',
      'query:status',
      'update:fix',
      'update:cancel',
    ]);
  });
});

describe('process areas', () => {
  it('are read from the id by its contract', () => {
    expect(areaOfWorkflowId(shipmentWorkflowId('s', '1', 'IF-9'))).toBe('order');
    expect(areaOfWorkflowId(returnWorkflowId('s', 'R1'))).toBe('return');
    expect(areaOfWorkflowId(customerSyncWorkflowId('s', '7', 'e'))).toBe('customer');
    expect(areaOfWorkflowId(storePricingResyncWorkflowId('s'))).toBe('sync');
    expect(areaOfWorkflowId(erpEventsWorkflowId('s'))).toBe('sync');
    expect(areaOfWorkflowId('sla-check:s')).toBeNull();
  });
});
