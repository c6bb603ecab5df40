import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { day, syncWorld } from './world';

/**
 * Reconciliation's stock repair keeps a backordered item's expected date in step: when it writes a
 * drifted quantity of an item with nothing to sell, the item's `erp.expected_date` is the one the
 * ERP's purchasing gives now, as after the inventory sync.
 */
describe('backorder dates after a stock repair', () => {
  const world = syncWorld({ name: 'rbo', skus: 2, customers: 1, database: 'private' });
  const tag = randomUUID().slice(0, 5).toUpperCase();

  it('writes the drifted quantity of a backordered item and its expected date from the new purchase order', async () => {
    const { store, erp, shop } = world;
    const sku = `RBO-${tag}`;
    await world.putItem(sku, { leadTime: 10, stock: [{ location: '1', onHand: 0 }] });
    const location = await world.mapFirstLocation();

    // The catalog and the inventory sync: out of stock, expected after its lead time.
    await world.resyncCatalog();
    await world.syncInventory();
    const before = await world.variant(sku);
    expect(before.quantities[location]).toBe(0);
    expect(before.meta).toMatchObject({
      'erp.backordered': 'true',
      'erp.expected_date': day(10),
      'erp.expected_source': 'lead_time',
    });

    // The buyer orders 20 in, due in 30 days; meanwhile someone sets 7 in the store's admin by hand.
    const po = await erp.admin('POST', '/purchase-orders', {
      location: '1',
      lines: [{ sku, quantity: 20, expectedReceiptDate: day(30) }],
    });
    expect(po.status, JSON.stringify(po.body)).toBe(201);
    await shop.client.request(
      `mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) @idempotent(key: "${randomUUID()}") { userErrors { message } } }`,
      {
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [
            {
              inventoryItemId: before.inventoryItemId,
              locationId: location,
              quantity: 7,
              changeFromQuantity: null,
            },
          ],
        },
      },
    );

    // Reconciliation finds the drift and writes the ERP's quantity, and the item's expected date with it.
    const reconcile = createActivities({
      db: world.db,
      erp: world.netsuite,
      erpBulk: world.netsuite.withPriority('bulk'),
      storefront: world.storefront,
    });
    const result = (await new MockActivityEnvironment().run(reconcile.reconcileStock, {
      store,
      since: new Date(Date.now() - 3_600_000).toISOString(),
      batch: 100,
      workflowId: 'test-reconcile',
    })) as Awaited<ReturnType<typeof reconcile.reconcileStock>>;
    expect(result.entries).toEqual([
      expect.objectContaining({ kind: 'driftedStock', outcome: 'repaired', subject: `${sku}@${location}` }),
    ]);
    const after = await world.variant(sku);
    expect(after.quantities[location]).toBe(0);
    expect(after.meta).toMatchObject({
      'erp.backordered': 'true',
      'erp.expected_date': day(30),
      'erp.expected_source': 'purchase_order',
    });
  });
});
