import { describe, expect, it } from 'vitest';
import { stockVisibilityRepository } from '../../db/stock-visibility';
import { erpSku, storeSku } from '../../sandbox/erp/scenario';
import { inventorySyncStatusQuery, stockChangedSignal } from '../../domain/contracts';
import { uniqueTaskQueue } from '../support/env';
import { eventually } from '../support/wait';
import { syncWorld } from './world';

const SKUS = 8;

describe('threshold hide/show on the sandbox store', () => {
  const world = syncWorld({ name: 'vis', skus: SKUS, seeded: true, temporal: true });
  /** Whether the store shows the product, and what it has to sell of it. */
  const variant = async (sku: string) => {
    const { published, available } = await world.variant(sku);
    return { published, available };
  };

  it('unpublishes an item below its threshold and publishes it again after an ERP receipt', async () => {
    // A published product with stock in the ERP.
    const { store, db, erp } = world;
    const totals = new Map<string, number>();
    for (const l of await world.erpLevels())
      totals.set(l.sku, (totals.get(l.sku) ?? 0) + Math.max(0, l.available));
    // Rules are global to the test database: stay clear of the SKUs other sync tests use (P1, P2).
    let i = 0;
    for (let n = 3; n <= SKUS && !i; n++)
      if ((totals.get(erpSku(n)) ?? 0) > 2 && (await variant(storeSku(n))).published) i = n;
    expect(i, 'a published sandbox product with ERP stock').toBeGreaterThan(0);
    const total = totals.get(erpSku(i))!;

    // Keep 1 unit back at each location and hide below what is left + 1: the product is short.
    const locations = [...(await world.mappings.storeLocations(store)).keys()];
    const safety = 1;
    const threshold = total - safety * locations.length + 1;
    const { rules } = world;
    const current = await rules.current();
    await rules.save(
      {
        ...current.rules,
        inventory: {
          safetyStock: { items: { [erpSku(i)]: safety } },
          hideBelow: { items: { [erpSku(i)]: threshold } },
        },
      },
      'test',
      'hide a short item',
    );

    const taskQueue = uniqueTaskQueue('visibility');
    await world.withInventoryWorker(taskQueue, async () => {
      const handle = await world.startInventorySync(taskQueue);
      await eventually(async () => (await handle.query(inventorySyncStatusQuery)).caughtUp, 'the sync');
      // The store sells what the ERP has less the safety stock, and no longer shows the product.
      expect(await variant(storeSku(i))).toEqual({
        published: false,
        available: total - safety * locations.length,
      });

      // The sync follows on: nothing is unpublished twice.
      await handle.signal(stockChangedSignal);
      const receipt = await erp.admin('POST', '/inventory/receive', {
        sku: erpSku(i),
        location: locations[0],
        quantity: 5,
      });
      expect(receipt.status).toBe(200);
      await handle.signal(stockChangedSignal);
      await eventually(
        async () => (await variant(storeSku(i))).published,
        'the product to be published again',
      );
      expect((await variant(storeSku(i))).available).toBe(total - safety * locations.length + 5);
      await eventually(
        async () => (await handle.query(inventorySyncStatusQuery)).shown === 1,
        'the sync to count the product shown',
      );
      expect(await handle.query(inventorySyncStatusQuery)).toMatchObject({ hidden: 1, shown: 1 });
      await handle.terminate('test finished');
    });

    await rules.save(current.rules, 'test', 'back to the rules before the test');

    const audit = await stockVisibilityRepository(db).audit(store, erpSku(i));
    expect(audit.map((a) => [a.action, a.storeSku, a.sellable, a.threshold])).toEqual([
      ['hide', storeSku(i), threshold - 1, threshold],
      ['show', storeSku(i), threshold + 4, threshold],
    ]);
    expect(audit[0]!.reason).toContain('below the threshold');
    expect(audit[0]!.rulesVersion).toBeGreaterThan(0);
  });
});
