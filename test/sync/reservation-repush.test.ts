import { describe, expect, it } from 'vitest';
import type { InventoryRulesSnapshot } from '../../activities/sync';
import { orderRepository, type OrderRecord } from '../../db/orders';
import { InventoryRules } from '../../domain/schemas/inventory';
import { erpSku, storeSku } from '../../sandbox/erp/scenario';
import { makeOrder } from '../orders/harness';
import { syncWorld } from './world';

const SKUS = 8;
const SAFETY = 1;

/**
 * The store sells from ERP available − safety stock − Quayside's open reservations not yet on an ERP
 * sales order. A sync round that reads the ERP's stock after an order's sales order committed it, but
 * before the order recorded its ERP id, subtracts the order twice; the ERP's stock does not change
 * again, yet the next round must set the store right. The rounds are the inventory sync's own
 * activity, run one by one to force that ordering.
 */
describe('an order counted once in the store whatever the inventory sync read meanwhile', () => {
  const world = syncWorld({ name: 'rsv', skus: SKUS, seeded: true });
  const { store } = world;
  // The run's own snapshot of the rules (the shared rules table is left to other tests).
  const rules: InventoryRulesSnapshot = {
    version: 0,
    rules: InventoryRules.parse({ safetyStock: { default: SAFETY } }),
  };

  /** One round of the inventory sync, and the following ones until it has caught up. */
  const syncRound = () => world.syncInventory({ rules, workflowId: `sync:inventory:${store}` });

  /** The ERP's available stock of an item: at one location, and the sellable sum over all of them. */
  const erpStock = async (sku: string, location: string) => {
    const levels = await world.netsuite.inventoryOf([sku]);
    return {
      at: levels.find((l) => l.location === location)!.available,
      sellable: levels.reduce((n, l) => n + Math.max(0, l.available - SAFETY), 0),
    };
  };

  const used: number[] = [];
  /**
   * An item no other test here has used, with enough ERP stock at one location that an order's units
   * leave the safety stock intact; the store brought in step with it, and its ERP stock then.
   */
  const freshItem = async () => {
    for (let n = 1; n <= SKUS; n++) {
      if (used.includes(n)) continue;
      const levels = await world.netsuite.inventoryOf([erpSku(n)]);
      const level = levels.find((l) => l.available >= SAFETY + 6);
      if (!level || !levels.every((l) => l.available >= SAFETY)) continue;
      used.push(n);
      const sku = erpSku(n);
      await syncRound();
      return { n, sku, location: level.location, before: await erpStock(sku, level.location) };
    }
    throw new Error('no sandbox item with stock');
  };

  const record = (orderId: string, sku: string, erpOrder: OrderRecord['erpOrder']): OrderRecord => {
    const order = makeOrder(store, orderId, {
      lines: [{ lineId: '1', sku, quantity: 2, unitPrice: '1.00' }],
      totals: { discounts: '0.00', tax: '0.00', total: '2.00' },
      shippingLines: [],
    });
    return {
      workflowId: `order:${store}:${orderId}`,
      order,
      status: erpOrder ? 'inErp' : 'allocating',
      step: erpOrder ? 'fulfilling' : 'allocating',
      attention: null,
      lines: [
        {
          lineId: '1',
          sku,
          erpSku: sku,
          unitPrice: '1.00',
          ordered: 2,
          shipped: 0,
          backordered: 0,
          cancelled: 0,
          invoiced: 0,
          allocations: [],
        },
      ],
      erpOrder,
      rulesVersion: null,
    };
  };

  /** A store order holding 2 units as Quayside's reservation, not yet on an ERP sales order. */
  const reserved = async (orderId: string, sku: string, location: string) => {
    await orderRepository(world.db).upsert(record(orderId, sku, null));
    await orderRepository(world.db).reserve(`order:${store}:${orderId}`, [
      { lineKey: '1', sku, location, quantity: 2 },
    ]);
  };

  /** The ERP sales order of a store order, committing `quantity` units at the location. */
  const salesOrder = (orderId: string, sku: string, location: string, quantity = 2) =>
    world.netsuite.createSalesOrder({
      externalId: `shopify:${store}:${orderId}`,
      customerErpId: '1',
      currency: 'USD',
      lines: [{ lineKey: '1', sku, quantity, rate: '1.00', location }],
    });

  it("shows ERP available − safety stock with the order counted once, after a round read the ERP's sales order before the order recorded its id", async () => {
    const { n, sku, location, before } = await freshItem();
    const orders = orderRepository(world.db);
    expect(await world.inStore(storeSku(n))).toBe(before.sellable);

    // The order reserves 2 units, then its ERP sales order commits them in the ERP.
    await reserved('race-1', sku, location);
    const so = await salesOrder('race-1', sku, location);
    expect((await erpStock(sku, location)).at).toBe(before.at - 2);

    // A round now reads the ERP's change while Quayside still holds the order as its own reservation:
    // the order is subtracted twice.
    await syncRound();
    expect(await world.inStore(storeSku(n))).toBe(before.sellable - 4);

    // The order records its ERP sales order; the ERP's stock does not change again.
    await orders.upsert(record('race-1', sku, { erpId: so.erpId, tranId: so.tranId }));
    await syncRound();
    expect(await world.inStore(storeSku(n))).toBe(before.sellable - 2);
    expect((await erpStock(sku, location)).sellable).toBe(before.sellable - 2);

    // And it stays so.
    await syncRound();
    expect(await world.inStore(storeSku(n))).toBe(before.sellable - 2);
  });

  it('shows the same figure when the order records its ERP id before the round reads the ERP', async () => {
    const { n, sku, location, before } = await freshItem();
    await reserved('inorder-1', sku, location);
    const so = await salesOrder('inorder-1', sku, location);
    await orderRepository(world.db).upsert(record('inorder-1', sku, { erpId: so.erpId, tranId: so.tranId }));
    await syncRound();
    expect(await world.inStore(storeSku(n))).toBe(before.sellable - 2);
  });

  it('gives back the units of an order cancelled before it reached the ERP, without an ERP stock change', async () => {
    const { n, sku, location, before } = await freshItem();
    const orders = orderRepository(world.db);

    // Order B holds 2 units, not yet in the ERP; another order's sales order (already recorded) takes 1.
    await reserved('cancel-b', sku, location);
    const other = await salesOrder('cancel-c', sku, location, 1);
    await orders.upsert({ ...record('cancel-c', sku, { erpId: other.erpId, tranId: other.tranId }) });
    await syncRound();
    expect(await world.inStore(storeSku(n))).toBe(before.sellable - 1 - 2);

    // B is cancelled before its sales order: its reservation is released, the ERP never hears of it.
    await orders.release(`order:${store}:cancel-b`);
    await syncRound();
    expect(await world.inStore(storeSku(n))).toBe(before.sellable - 1);
  });
});
