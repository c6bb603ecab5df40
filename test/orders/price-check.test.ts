import { describe, expect, it } from 'vitest';
import { createOrderActivities } from '../../activities/orders';
import { cachedPriceBook } from '../../db/price-book';
import { syncRepository } from '../../db/sync';
import type { ErpItem } from '../../domain/erp';
import { dbAndTemporal, withWorker } from '../support/env';
import { deliver, event, makeOrder, scenario, waitFor } from './harness';

/**
 * The storefront's prices against the ERP's, read from the price cache the catalog sync keeps: a line
 * the store sells below the ERP's price beyond the tolerance (1 %) waits for an approver before any
 * ERP sales order is made; within the tolerance the order goes straight on.
 */
describe('order workflow: storefront prices against the ERP price cache', () => {
  const env = dbAndTemporal();

  const item = (sku: string, basePrice: string): ErpItem => ({
    erpId: sku,
    sku,
    name: `Item ${sku}`,
    kind: 'inventory',
    parentSku: null,
    hazmat: false,
    serialized: false,
    basePrice,
    inactive: false,
    lastModified: '2026-11-01T00:00:00.000Z',
  });

  /** The harness's order (10 bolts at 2.50, 4 nuts at 1.00) against the ERP's base prices given. */
  const run = async (orderId: string, boltPrice: string) => {
    const s = await scenario(env.db);
    await syncRepository(env.db).saveItems([item(`${s.store}-B1`, boltPrice), item(`${s.store}-N2`, '1.00')]);
    const activities = {
      ...s.activities,
      ...createOrderActivities({
        db: env.db,
        erp: s.erp,
        storefront: s.storefront,
        prices: cachedPriceBook(env.db),
      }),
    };
    return { s, activities, order: makeOrder(s.store, orderId) };
  };

  it('holds an order whose bolts the store sells 37.5 % under the ERP price for an approver, naming both prices', async () => {
    const { s, activities, order } = await run('3101', '4.00');
    await withWorker({ taskQueue: s.taskQueue, activities }, async () => {
      const handle = await deliver(env.client, s.taskQueue, event(order));
      const held = await waitFor(handle, (x) => x.pendingApproval !== null, 'the price approval');
      expect(held.pendingApproval).toMatchObject({ kind: 'order.priceMismatch' });
      expect(held.attention?.reason).toContain(`${s.store}-B1 at 2.50 vs ERP 4.00`);
      expect(held.attention?.reason).not.toContain(`${s.store}-N2`);
      expect(held.erpOrder).toBeNull();
      expect(s.erp.orders.has(s.externalId('3101'))).toBe(false);
      await handle.terminate('test done');
    });
  });

  it('sends an order within the tolerance straight to the ERP', async () => {
    const { s, activities, order } = await run('3102', '2.52');
    await withWorker({ taskQueue: s.taskQueue, activities }, async () => {
      const handle = await deliver(env.client, s.taskQueue, event(order));
      const placed = await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order');
      expect(placed.pendingApproval).toBeNull();
      expect(placed.approvals).toEqual([]);
      expect(s.erp.orders.has(s.externalId('3102'))).toBe(true);
      await handle.terminate('test done');
    });
  });
});
