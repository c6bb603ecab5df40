import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createSyncActivities,
  type InventoryPageResult,
  type InventoryRulesSnapshot,
} from '../../activities/sync';
import { ShopifyStorefront } from '../../connectors/shopify';
import type { NetSuiteClient } from '../../connectors/netsuite';
import { alertRepository } from '../../db/alerts';
import { mappingRepository } from '../../db/mappings';
import { orderRepository, type OrderRecord } from '../../db/orders';
import type { Db } from '../../db/pool';
import { InventoryRules } from '../../domain/schemas/inventory';
import { seedSandboxMappings } from '../../sandbox/erp/mappings';
import { erpSku, storeSku } from '../../sandbox/erp/scenario';
import { seedSandboxStore } from '../../sandbox/storefront/seed';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { makeOrder } from '../orders/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { testDb } from '../support/env';

const SKUS = 8;
const SAFETY = 1;
const store = `rsv-${randomUUID().slice(0, 6)}`;

/**
 * The store sells from ERP available − safety stock − Quayside's open reservations not yet on an ERP
 * sales order. A sync round that reads the ERP's stock after an order's sales order committed it, but
 * before the order recorded its ERP id, subtracts the order twice; the ERP's stock does not change
 * again, yet the next round must set the store right. The rounds are the inventory sync's own
 * activity, run one by one to force that ordering.
 */
describe('an order counted once in the store whatever the inventory sync read meanwhile', () => {
  let db: Db;
  let erp: RunningErpSandbox;
  let shop: RunningSandbox;
  let netsuite: NetSuiteClient;
  let activities: ReturnType<typeof createSyncActivities>;
  let rules: InventoryRulesSnapshot;

  beforeAll(async () => {
    db = testDb();
    erp = await startErpSandbox({ skus: SKUS, customers: 2 });
    const storeSchema = `sandbox_store_rsv${randomUUID().slice(0, 6)}`;
    shop = await startSandbox(storeSchema, { restoreRate: 1000 });
    await seedSandboxStore(shop.db, { skus: SKUS, customers: 2 });
    await seedSandboxMappings(db, store, { skus: SKUS, erpSchema: erp.schema, storeSchema });
    netsuite = erp.client({ concurrency: 5 });
    activities = createSyncActivities({
      db,
      erp: netsuite,
      storefront: new ShopifyStorefront(shop.client),
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
    });
    // The run's own snapshot of the rules (the shared rules table is left to other tests).
    rules = {
      version: 0,
      rules: InventoryRules.parse({ safetyStock: { default: SAFETY } }),
    };
  });
  afterAll(async () => {
    await shop.stop();
    await erp.close();
    await db.end();
  });

  /** One round of the inventory sync, and the following ones until it has caught up. */
  const syncRound = async () => {
    for (let i = 0; i < 100; i++) {
      const page: InventoryPageResult = await new MockActivityEnvironment().run(
        activities.syncInventoryPage,
        {
          store,
          sync: `inventory:${store}`,
          pageSize: 50,
          workflowId: `sync:inventory:${store}`,
          rules,
        },
      );
      if (!page.hasMore) return;
    }
    throw new Error('the sync did not catch up');
  };

  /** What the store sells of a SKU, over all its locations. */
  const storeAvailable = async (sku: string) => {
    const d = await shop.client.request<{
      productVariants: {
        nodes: { inventoryItem: { inventoryLevels: { nodes: { quantities: { quantity: number }[] }[] } } }[];
      };
    }>(
      `query($q: String!) { productVariants(first: 1, query: $q) { nodes {
        inventoryItem { inventoryLevels(first: 10) { nodes { quantities(names: ["available"]) { quantity } } } } } } }`,
      { q: `sku:${sku}` },
    );
    return d.productVariants.nodes[0]!.inventoryItem.inventoryLevels.nodes.reduce(
      (n, l) => n + l.quantities[0]!.quantity,
      0,
    );
  };

  /** The ERP's available stock of an item: at one location, and the sellable sum over all of them. */
  const erpStock = async (sku: string, location: string) => {
    const levels = await netsuite.inventoryOf([sku]);
    return {
      at: levels.find((l) => l.location === location)!.available,
      sellable: levels.reduce((n, l) => n + Math.max(0, l.available - SAFETY), 0),
    };
  };

  /** An item with enough ERP stock at one location that the order's units leave the safety stock intact. */
  const stockedItem = async (exclude: number[]) => {
    for (let n = 1; n <= SKUS; n++) {
      if (exclude.includes(n)) continue;
      const levels = await netsuite.inventoryOf([erpSku(n)]);
      const level = levels.find((l) => l.available >= SAFETY + 6);
      if (level && levels.every((l) => l.available >= SAFETY)) return { n, location: level.location };
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

  const used: number[] = [];

  it("shows ERP available − safety stock with the order counted once, after a round read the ERP's sales order before the order recorded its id", async () => {
    const { n, location } = await stockedItem(used);
    used.push(n);
    const sku = erpSku(n);
    const orders = orderRepository(db);
    await syncRound();
    const before = await erpStock(sku, location);
    expect(await storeAvailable(storeSku(n))).toBe(before.sellable);

    // The order reserves 2 units, then its ERP sales order commits them in the ERP.
    const workflowId = `order:${store}:race-1`;
    await orders.upsert(record('race-1', sku, null));
    await orders.reserve(workflowId, [{ lineKey: '1', sku, location, quantity: 2 }]);
    const so = await netsuite.createSalesOrder({
      externalId: `shopify:${store}:race-1`,
      customerErpId: '1',
      currency: 'USD',
      lines: [{ lineKey: '1', sku, quantity: 2, rate: '1.00', location }],
    });
    expect((await erpStock(sku, location)).at).toBe(before.at - 2);

    // A round now reads the ERP's change while Quayside still holds the order as its own reservation:
    // the order is subtracted twice.
    await syncRound();
    expect(await storeAvailable(storeSku(n))).toBe(before.sellable - 4);

    // The order records its ERP sales order; the ERP's stock does not change again.
    await orders.upsert(record('race-1', sku, { erpId: so.erpId, tranId: so.tranId }));
    await syncRound();
    expect(await storeAvailable(storeSku(n))).toBe(before.sellable - 2);
    expect((await erpStock(sku, location)).sellable).toBe(before.sellable - 2);

    // And it stays so.
    await syncRound();
    expect(await storeAvailable(storeSku(n))).toBe(before.sellable - 2);
  });

  it('shows the same figure when the order records its ERP id before the round reads the ERP', async () => {
    const { n, location } = await stockedItem(used);
    used.push(n);
    const sku = erpSku(n);
    const orders = orderRepository(db);
    await syncRound();
    const before = await erpStock(sku, location);

    const workflowId = `order:${store}:inorder-1`;
    await orders.upsert(record('inorder-1', sku, null));
    await orders.reserve(workflowId, [{ lineKey: '1', sku, location, quantity: 2 }]);
    const so = await netsuite.createSalesOrder({
      externalId: `shopify:${store}:inorder-1`,
      customerErpId: '1',
      currency: 'USD',
      lines: [{ lineKey: '1', sku, quantity: 2, rate: '1.00', location }],
    });
    await orders.upsert(record('inorder-1', sku, { erpId: so.erpId, tranId: so.tranId }));
    await syncRound();
    expect(await storeAvailable(storeSku(n))).toBe(before.sellable - 2);
  });

  it('gives back the units of an order cancelled before it reached the ERP, without an ERP stock change', async () => {
    const { n, location } = await stockedItem(used);
    used.push(n);
    const sku = erpSku(n);
    const orders = orderRepository(db);
    await syncRound();
    const before = await erpStock(sku, location);

    // Order B holds 2 units, not yet in the ERP; another order's sales order (already recorded) takes 1.
    await orders.upsert(record('cancel-b', sku, null));
    await orders.reserve(`order:${store}:cancel-b`, [{ lineKey: '1', sku, location, quantity: 2 }]);
    const other = await netsuite.createSalesOrder({
      externalId: `shopify:${store}:cancel-c`,
      customerErpId: '1',
      currency: 'USD',
      lines: [{ lineKey: '1', sku, quantity: 1, rate: '1.00', location }],
    });
    await orders.upsert({ ...record('cancel-c', sku, { erpId: other.erpId, tranId: other.tranId }) });
    await syncRound();
    expect(await storeAvailable(storeSku(n))).toBe(before.sellable - 1 - 2);

    // B is cancelled before its sales order: its reservation is released, the ERP never hears of it.
    await orders.release(`order:${store}:cancel-b`);
    await syncRound();
    expect(await storeAvailable(storeSku(n))).toBe(before.sellable - 1);
  });
});
