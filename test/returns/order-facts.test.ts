import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFactsSource, createReturnActivities } from '../../activities/returns';
import type { Db } from '../../db/pool';
import type { ErpPort } from '../../domain/erp';
import type { StorefrontPort } from '../../domain/storefront';
import { testDb } from '../support/env';

describe('order facts for returns, from the order read model', () => {
  let db: Db;
  beforeAll(() => {
    db = testDb();
  });
  afterAll(async () => {
    await db.end();
  });

  it('reads prices and shipped quantities, and counts what earlier returns took back', async () => {
    const store = `facts-${Date.now()}`;
    const lines = [
      {
        lineId: 'L1',
        sku: 'VALVE',
        erpSku: 'ERP-VALVE',
        unitPrice: '40.00',
        ordered: 5,
        shipped: 4,
        backordered: 0,
        cancelled: 0,
        invoiced: 4,
        allocations: [{ lineKey: 'L1', location: 'WH-1', quantity: 5 }],
      },
    ];
    await db.query(
      `INSERT INTO orders (store, order_id, workflow_id, status, currency, lines) VALUES ($1, '77', $2, 'shipped', 'EUR', $3)`,
      [store, `order:${store}:77`, JSON.stringify(lines)],
    );
    const erp = {} as ErpPort;
    const activities = createReturnActivities({ db, erp, storefront: {} as StorefrontPort });
    await activities.recordReturn({
      store,
      returnId: 'old',
      workflowId: `return:${store}:old`,
      orderId: '77',
      customerId: null,
      status: 'completed',
      lines: [{ lineId: 'L1', sku: 'VALVE', quantity: 1 }],
      refundTotal: '40.00',
      currency: 'EUR',
    });
    await activities.recordReturn({
      store,
      returnId: 'no',
      workflowId: `return:${store}:no`,
      orderId: '77',
      customerId: null,
      status: 'declined',
      lines: [{ lineId: 'L1', sku: 'VALVE', quantity: 3 }],
      refundTotal: null,
      currency: 'EUR',
    });

    const facts = await createOrderFactsSource({ db, erp }).getOrderFacts({ store, orderId: '77' });
    expect(facts).toMatchObject({
      currency: 'EUR',
      salesOrderExternalId: `${store}:77`,
      lines: [
        {
          lineId: 'L1',
          sku: 'VALVE',
          erpSku: 'ERP-VALVE',
          erpLineKey: 'L1',
          unitPrice: '40.00',
          quantityShipped: 4,
          quantityReturned: 1,
          hazmat: false,
        },
      ],
    });
  });

  it("marks hazardous-materials lines from the ERP's item master, so they are not returnable", async () => {
    const store = `hazmat-${Date.now()}`;
    const sku = `ERP-SOLVENT-${Date.now()}`;
    await db.query(
      `INSERT INTO item_cache (erp_sku, erp_id, name, kind, hazmat, base_price, erp_modified) VALUES ($1, '1', 'Solvent cleaner 1L', 'inventory', true, 12, now())`,
      [sku],
    );
    const lines = [
      {
        lineId: 'L1',
        sku: 'SOLVENT',
        erpSku: sku,
        unitPrice: '12.00',
        ordered: 2,
        shipped: 2,
        backordered: 0,
        cancelled: 0,
        invoiced: 2,
        allocations: [],
      },
    ];
    await db.query(
      `INSERT INTO orders (store, order_id, workflow_id, status, currency, lines) VALUES ($1, '5', $2, 'shipped', 'USD', $3)`,
      [store, `order:${store}:5`, JSON.stringify(lines)],
    );
    const facts = await createOrderFactsSource({ db, erp: {} as ErpPort }).getOrderFacts({
      store,
      orderId: '5',
    });
    expect(facts?.lines[0]).toMatchObject({ sku: 'SOLVENT', hazmat: true });
  });

  it('falls back to the ERP sales order (without prices) and reports an unknown order as a typed failure', async () => {
    const erp = {
      async getSalesOrder(ref: { externalId: string }) {
        if (ref.externalId !== 'legacy:9') return null;
        return {
          erpId: '1',
          tranId: 'SO1',
          externalId: 'legacy:9',
          status: 'billed',
          poNumber: null,
          lines: [
            {
              lineKey: 'A',
              sku: 'BOLT',
              quantity: 10,
              quantityFulfilled: 10,
              quantityBilled: 10,
              quantityBackOrdered: 0,
              location: 'WH',
              closed: false,
            },
          ],
          lastModified: '2026-01-01T00:00:00Z',
        };
      },
    } as unknown as ErpPort;
    const activities = createReturnActivities({ db, erp, storefront: {} as StorefrontPort });
    const facts = await activities.loadOrderFacts({ store: 'legacy', orderId: '9' });
    expect(facts.lines).toEqual([
      expect.objectContaining({ lineId: 'A', unitPrice: null, quantityShipped: 10 }),
    ]);
    await expect(activities.loadOrderFacts({ store: 'legacy', orderId: '404' })).rejects.toMatchObject({
      type: 'ReturnOrderUnknown',
      nonRetryable: true,
    });
  });
});
