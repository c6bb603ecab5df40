import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { syncWorld } from './world';

/**
 * Drop-ship and special-order items are ordered in when sold: the store shows them as available with
 * their lead time, and never hides them for lack of stock, while a stocked item short of its
 * threshold is hidden.
 */
describe('drop-ship items in the store', () => {
  const world = syncWorld({ name: 'ds', skus: 2, customers: 1, database: 'private' });
  const tag = randomUUID().slice(0, 5).toUpperCase();

  /** Whether the store shows the product, sells on without stock, and the item's ERP facts. */
  const product = async (sku: string) => {
    const { published, policy, meta } = await world.variant(sku);
    const erpMeta = Object.entries(meta).filter(([key]) => key.startsWith('erp.'));
    return { published, policy, meta: Object.fromEntries(erpMeta.map(([key, v]) => [key.slice(4), v])) };
  };

  it('keeps a drop-ship item without stock published, sold on with its lead time; hides a short stocked one', async () => {
    const dropShip = `DS-${tag}`;
    const stocked = `ST-${tag}`;
    await world.putItem(dropShip, { dropShip: true, leadTime: 12, stock: [{ location: '1', onHand: 0 }] });
    await world.putItem(stocked, { stock: [{ location: '1', onHand: 2 }] });
    await world.mapFirstLocation();
    const { rules } = world;
    await rules.save(
      { ...(await rules.current()).rules, inventory: { safetyStock: {}, hideBelow: { default: 5 } } },
      'test',
      'hide items with fewer than 5 units',
    );

    // The catalog brings both items to the store; the inventory sync sets their stock.
    await world.resyncCatalog();
    await world.syncInventory();

    expect(await product(dropShip)).toEqual({
      published: true,
      policy: 'CONTINUE',
      meta: expect.objectContaining({ item: dropShip, drop_ship: 'true', lead_time_days: '12' }),
    });
    expect(await product(stocked)).toMatchObject({ published: false, policy: 'DENY' });
  });
});
