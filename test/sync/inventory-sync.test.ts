import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createSyncActivities } from '../../activities/sync';
import { alertRepository } from '../../db/alerts';
import { flowSwitchesConfig } from '../../db/flow-switches';
import { mappingRepository } from '../../db/mappings';
import { syncRepository } from '../../db/sync';
import type { Db } from '../../db/pool';
import type { ErpPort, InventoryLevel, Page } from '../../domain/erp';
import type { InventoryQuantity, StorefrontPort } from '../../domain/storefront';
import { inventorySyncStatusQuery, stockChangedSignal } from '../../domain/contracts';
import { inventorySync } from '../../workflows/inventorySync';
import { testClient, testDb, uniqueTaskQueue, withWorker } from '../support/env';
import { recordHistory } from '../support/histories';
import { eventually } from '../support/wait';

const workflowsPath = path.join(__dirname, '../../workflows/inventorySync.ts');

/** An ERP whose stock changes are ordered by modification time, paged by an opaque cursor. */
class FakeErpStock {
  levels: InventoryLevel[] = [];
  private clock = Date.parse('2026-01-01T00:00:00Z');
  set(sku: string, location: string, available: number) {
    this.clock += 1000;
    this.levels = this.levels.filter((l) => !(l.sku === sku && l.location === location));
    this.levels.push({
      sku,
      location,
      onHand: available,
      available,
      lastModified: new Date(this.clock).toISOString(),
    });
  }
  async inventoryChangedSince(cursor: string | null, pageSize = 100): Promise<Page<InventoryLevel>> {
    const after = cursor ? Number(cursor) : 0;
    const sorted = [...this.levels].sort((a, b) => Date.parse(a.lastModified) - Date.parse(b.lastModified));
    const items = sorted.filter((l) => Date.parse(l.lastModified) > after).slice(0, pageSize);
    const last = items.at(-1);
    const next = last ? String(Date.parse(last.lastModified)) : cursor;
    return {
      items,
      nextCursor: next,
      hasMore:
        sorted.filter((l) => Date.parse(l.lastModified) > (last ? Date.parse(last.lastModified) : after))
          .length > 0,
    };
  }
}

/** A storefront with compare-and-set inventory. */
class FakeStoreInventory {
  quantities = new Map<string, number>();
  calls = 0;
  async setInventory(levels: InventoryQuantity[]) {
    this.calls += 1;
    const stale: InventoryQuantity[] = [];
    let updated = 0;
    for (const q of levels) {
      const key = `${q.sku}@${q.location}`;
      const current = this.quantities.get(key) ?? null;
      if (q.compareQuantity !== null && current !== null && current !== q.compareQuantity) {
        stale.push(q);
        continue;
      }
      this.quantities.set(key, q.quantity);
      updated += 1;
    }
    return { updated, stale };
  }
}

describe('inventory sync (ERP change cursor → storefront)', () => {
  let db: Db;
  let client: Client;
  const store = `inv-${Date.now()}`;

  beforeAll(async () => {
    db = testDb();
    client = await testClient();
    const mappings = mappingRepository(db);
    await mappings.upsertSkus(store, [
      { storeSku: 'PROD-1', erpSku: 'P1' },
      { storeSku: 'PROD-2', erpSku: 'P2' },
    ]);
    await mappings.upsertLocation(store, 'gid://shopify/Location/1', 'WH-EAST');
    await mappings.upsertLocation(store, 'gid://shopify/Location/2', 'WH-WEST');
  });
  afterAll(async () => {
    await client.connection.close();
    await db.end();
  });

  function activities(erp: FakeErpStock, shop: FakeStoreInventory) {
    return createSyncActivities({
      db,
      erp: erp as unknown as ErpPort,
      storefront: shop as unknown as StorefrontPort,
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
    });
  }

  it('resyncs everything in pages, flags unmapped items, then follows new changes', async () => {
    const erp = new FakeErpStock();
    const shop = new FakeStoreInventory();
    erp.set('P1', 'WH-EAST', 10);
    erp.set('P1', 'WH-WEST', 4);
    erp.set('P2', 'WH-EAST', 0);
    erp.set('P9', 'WH-EAST', 7); // no storefront SKU
    const taskQueue = uniqueTaskQueue('inventory');
    await withWorker({ taskQueue, activities: activities(erp, shop), workflowsPath }, async () => {
      const handle = await client.workflow.start(inventorySync, {
        taskQueue,
        workflowId: `sync:inventory:${store}`,
        args: [{ store, pollIntervalSeconds: 3600, pageSize: 2, fullResync: true }],
      });
      await eventually(
        async () => (await handle.query(inventorySyncStatusQuery)).caughtUp,
        'the sync to catch up',
      );
      expect(Object.fromEntries(shop.quantities)).toEqual({
        'PROD-1@gid://shopify/Location/1': 10,
        'PROD-1@gid://shopify/Location/2': 4,
        'PROD-2@gid://shopify/Location/1': 0,
      });
      const status = await handle.query(inventorySyncStatusQuery);
      expect(status).toMatchObject({ changed: 4, pushed: 3, unmapped: 1 });
      expect(status.pages).toBeGreaterThanOrEqual(2);
      const alert = await db.query(
        `SELECT subject FROM alerts WHERE dedupe_key = $1 AND resolved_at IS NULL`,
        [`sync.unmapped:inventory:${store}`],
      );
      expect(alert.rows[0]?.subject).toContain('1 ERP item');

      // A change in the ERP reaches the store as soon as the sync is told (without waiting an hour).
      erp.set('P2', 'WH-EAST', 25);
      await handle.signal(stockChangedSignal);
      await eventually(
        () => shop.quantities.get('PROD-2@gid://shopify/Location/1') === 25,
        'the new quantity in the store',
      );
      await recordHistory(client, handle.workflowId, 'inventorySync-resync-then-follow');
      await handle.terminate('test finished');
    });
  });

  it('sets the ERP quantity again when the store changed it since the last push (compare-and-set)', async () => {
    const erp = new FakeErpStock();
    const shop = new FakeStoreInventory();
    const s2 = `${store}-cas`;
    const mappings = mappingRepository(db);
    await mappings.upsertSkus(s2, [{ storeSku: 'PROD-1', erpSku: 'P1' }]);
    await mappings.upsertLocation(s2, 'L1', 'WH-EAST');
    erp.set('P1', 'WH-EAST', 10);
    const taskQueue = uniqueTaskQueue('inventory');
    await withWorker({ taskQueue, activities: activities(erp, shop), workflowsPath }, async () => {
      const first = await client.workflow.execute(inventorySync, {
        taskQueue,
        workflowId: `sync:inventory:${s2}:1`,
        args: [{ store: s2, pollIntervalSeconds: 1, pageSize: 10, fullResync: true, stopWhenCaughtUp: true }],
      });
      expect(first.pushed).toBe(1);
      shop.quantities.set('PROD-1@L1', 9); // a sale in the store
      erp.set('P1', 'WH-EAST', 12); // goods received in the ERP
      const second = await client.workflow.execute(inventorySync, {
        taskQueue,
        workflowId: `sync:inventory:${s2}:2`,
        args: [{ store: s2, pollIntervalSeconds: 1, pageSize: 10, stopWhenCaughtUp: true }],
      });
      expect(second).toMatchObject({ changed: 1, pushed: 1, stale: 1 });
      expect(shop.quantities.get('PROD-1@L1')).toBe(12);
      await recordHistory(client, `sync:inventory:${s2}:2`, 'inventorySync-compare-and-set');
    });
  });

  it('with inventory switched off a run pushes nothing and keeps its cursor; switched on, the run takes the new switches and catches up', async () => {
    const erp = new FakeErpStock();
    const shop = new FakeStoreInventory();
    const s3 = `${store}-off`;
    const mappings = mappingRepository(db);
    await mappings.upsertSkus(s3, [{ storeSku: 'PROD-1', erpSku: 'P1' }]);
    await mappings.upsertLocation(s3, 'L1', 'WH-EAST');
    const switches = flowSwitchesConfig(s3);
    await switches.save(db, { inventory: { enabled: false } }, 'test admin', 'stock count in the warehouse');
    erp.set('P1', 'WH-EAST', 10);
    const taskQueue = uniqueTaskQueue('inventory');
    await withWorker({ taskQueue, activities: activities(erp, shop), workflowsPath }, async () => {
      const off = await client.workflow.execute(inventorySync, {
        taskQueue,
        workflowId: `sync:inventory:${s3}:off`,
        args: [{ store: s3, pollIntervalSeconds: 1, pageSize: 10, fullResync: true, stopWhenCaughtUp: true }],
      });
      expect(off).toMatchObject({ changed: 0, pushed: 0 });
      expect(shop.calls).toBe(0);
      expect(await syncRepository(db).cursor(`inventory:${s3}`)).toBeNull();

      // A following run that started while inventory was off goes on once it is switched on.
      const handle = await client.workflow.start(inventorySync, {
        taskQueue,
        workflowId: `sync:inventory:${s3}:follow`,
        args: [{ store: s3, pollIntervalSeconds: 3600, pageSize: 10 }],
      });
      await eventually(async () => (await handle.query(inventorySyncStatusQuery)).caughtUp, 'the idle sync');
      expect(shop.calls).toBe(0);
      await switches.save(db, { inventory: { enabled: true } }, 'test admin', 'count done');
      await handle.signal(stockChangedSignal);
      await eventually(() => shop.quantities.get('PROD-1@L1') === 10, 'the stock in the store');
      await handle.terminate('test finished');
    });
  });
});
