import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { ShipmentInput } from '../../domain/contracts/shipment';
import { shipment } from '../../workflows/shipment';
import { testClient, uniqueTaskQueue, withWorker } from '../support/env';

const workflowsPath = path.join(__dirname, '../../workflows/shipment.ts');

/** Serialized items: the serial numbers an ERP fulfillment shipped reach the order in the store. */
describe('serial numbers of a shipment', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client?.connection.close();
  });

  const input = (lines: ShipmentInput['fulfillment']['lines']): ShipmentInput => ({
    store: 'sandbox-store',
    orderId: '9007199254741123',
    orderNumber: '#1042',
    notifyCustomer: true,
    fulfillment: {
      erpId: `IF${Date.now()}`,
      salesOrderErpId: '12',
      salesOrderExternalId: 'shopify:1042',
      location: '1',
      carrier: 'UPS',
      trackingNumbers: ['1Z999'],
      lines,
      shippedAt: new Date().toISOString(),
      lastModified: new Date().toISOString(),
    },
  });

  it('publishes the serial numbers beside the store fulfillment, and nothing for a shipment without any', async () => {
    const published: unknown[] = [];
    const pushed: unknown[] = [];
    const activities = {
      pushFulfillment: async (i: unknown) => {
        pushed.push(i);
        return { fulfillmentId: 'gid://shopify/Fulfillment/77', created: true };
      },
      publishSerialNumbers: async (i: unknown) => {
        published.push(i);
      },
    };
    const taskQueue = uniqueTaskQueue('serials');
    await withWorker({ taskQueue, activities, workflowsPath }, async () => {
      const withSerials = input([
        { lineKey: 'L1', sku: 'DRILL-9', quantity: 2, serialNumbers: ['SN-A1', 'SN-A2'] },
        { lineKey: 'L2', sku: 'BITS-3', quantity: 5 },
      ]);
      await client.workflow.execute(shipment, {
        taskQueue,
        workflowId: `shipment-serials-${withSerials.fulfillment.erpId}`,
        args: [withSerials],
      });
      expect(published).toEqual([
        {
          orderId: '9007199254741123',
          erpFulfillmentId: withSerials.fulfillment.erpId,
          storefrontFulfillmentId: 'gid://shopify/Fulfillment/77',
          lines: [{ lineId: 'L1', sku: 'DRILL-9', serialNumbers: ['SN-A1', 'SN-A2'] }],
        },
      ]);
      const plain = input([{ lineKey: 'L2', sku: 'BITS-3', quantity: 5 }]);
      await client.workflow.execute(shipment, {
        taskQueue,
        workflowId: `shipment-serials-${plain.fulfillment.erpId}-plain`,
        args: [plain],
      });
      expect(published).toHaveLength(1);
      expect(pushed).toHaveLength(2);
    });
  });
});
