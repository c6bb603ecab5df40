import { describe, expect, it } from 'vitest';
import { attentionSources } from '../../db/dashboard';
import { attentionQueue } from '../../domain/attention';
import { inventorySyncStatusQuery } from '../../domain/contracts';
import { erpSku, storeSku } from '../../sandbox/erp/scenario';
import { uniqueTaskQueue } from '../support/env';
import { eventually } from '../support/wait';
import { syncWorld } from './world';

describe('stock the store refuses', () => {
  const world = syncWorld({ name: 'stock-refusal', skus: 4, seeded: true, temporal: true });

  it('one item above the store ceiling is an alert in the store words; the sync sends the rest and keeps following', async () => {
    const { store, db, erp } = world;
    const location = [...(await world.mappings.storeLocations(store)).keys()][0]!;
    // A typo in the ERP: two billion bolts received.
    expect(
      (
        await erp.admin('POST', '/inventory/receive', {
          sku: erpSku(1),
          location,
          quantity: 2_000_000_000,
        })
      ).status,
    ).toBe(200);

    const taskQueue = uniqueTaskQueue('stock-refusal');
    await world.withInventoryWorker(taskQueue, async () => {
      const handle = await world.startInventorySync(taskQueue);
      const status = await eventually(async () => {
        const s = await handle.query(inventorySyncStatusQuery);
        return s.caughtUp ? s : undefined;
      }, 'the sync to catch up');
      expect(status.pushed).toBeGreaterThan(0);

      // The refused quantity was not set; the item's other locations and the other items reached the store.
      const erpStock = async (sku: string, except?: string) =>
        (await world.erpLevels())
          .filter((l) => l.sku === sku && l.location !== except)
          .reduce((n, l) => n + Math.max(0, l.available), 0);
      expect(await world.inStore(storeSku(1))).toBe(await erpStock(erpSku(1), location));
      expect(await world.inStore(storeSku(2))).toBe(await erpStock(erpSku(2)));

      const alert = await db.query<{ subject: string; message: string }>(
        'SELECT subject, message FROM alerts WHERE dedupe_key = $1 AND resolved_at IS NULL',
        [`sync.stockRefused:inventory:${store}`],
      );
      expect(alert.rows).toHaveLength(1);
      expect(alert.rows[0]!.subject).toBe('The store refused the stock of 1 item(s)');
      expect(alert.rows[0]!.message).toMatch(
        new RegExp(
          `^ERP item ${erpSku(1)} at ${location}: \\d+ to sell, but the store refused it: The quantity can't be higher than 1,000,000,000\\. Check the item's stock in the ERP`,
        ),
      );
      const queue = attentionQueue(await attentionSources(db, { stores: null, homeStore: store }));
      const item = queue
        .find((g) => g.cause === 'sync.stockRefused')
        ?.items.find((i) => i.workflowId === handle.workflowId);
      expect(item?.actions.map((a) => a.kind)).toEqual(['retrySync', 'acknowledgeAlert']);

      // The sync is still running and following changes.
      const { status: state } = await handle.describe();
      expect(state.name).toBe('RUNNING');
      await handle.terminate('test finished');
    });
  });
});
