import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createSyncActivities } from '../../activities/sync';
import { ShopifyStorefront } from '../../connectors/shopify';
import { alertRepository } from '../../db/alerts';
import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import { rulesRepository } from '../../db/rules';
import { stockVisibilityRepository } from '../../db/stock-visibility';
import { seedSandboxMappings } from '../../sandbox/erp/mappings';
import { erpSku, storeSku } from '../../sandbox/erp/scenario';
import { seedSandboxStore } from '../../sandbox/storefront/seed';
import { inventorySyncStatusQuery, stockChangedSignal } from '../../domain/contracts';
import { inventorySync } from '../../workflows/inventorySync';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { testClient, testDb, uniqueTaskQueue, withWorker } from '../support/env';
import { eventually } from '../support/wait';

const workflowsPath = path.join(__dirname, '../../workflows/inventorySync.ts');
const SKUS = 8;
const store = `vis-${randomUUID().slice(0, 6)}`;

describe('threshold hide/show on the sandbox store', () => {
  let db: Db;
  let client: Client;
  let erp: RunningErpSandbox;
  let shop: RunningSandbox;

  beforeAll(async () => {
    db = testDb();
    client = await testClient();
    erp = await startErpSandbox({ skus: SKUS, customers: 2 });
    const storeSchema = `sandbox_store_vis${randomUUID().slice(0, 6)}`;
    shop = await startSandbox(storeSchema, { restoreRate: 1000 });
    await seedSandboxStore(shop.db, { skus: SKUS, customers: 2 });
    await seedSandboxMappings(db, store, { skus: SKUS, erpSchema: erp.schema, storeSchema });
  });
  afterAll(async () => {
    await shop.stop();
    await erp.close();
    await client.connection.close();
    await db.end();
  });

  const variant = async (sku: string) => {
    const d = await shop.client.request<{
      productVariants: {
        nodes: {
          product: { publishedOnCurrentPublication: boolean };
          inventoryItem: { inventoryLevels: { nodes: { quantities: { quantity: number }[] }[] } };
        }[];
      };
    }>(
      `query($q: String!) { productVariants(first: 1, query: $q) { nodes { product { publishedOnCurrentPublication }
        inventoryItem { inventoryLevels(first: 10) { nodes { quantities(names: ["available"]) { quantity } } } } } } }`,
      { q: `sku:${sku}` },
    );
    const node = d.productVariants.nodes[0]!;
    return {
      published: node.product.publishedOnCurrentPublication,
      available: node.inventoryItem.inventoryLevels.nodes.reduce((n, l) => n + l.quantities[0]!.quantity, 0),
    };
  };

  it('unpublishes an item below its threshold and publishes it again after an ERP receipt', async () => {
    // A published product with stock in the ERP.
    const netsuite = erp.client({ concurrency: 5 });
    const totals = new Map<string, number>();
    for (let cursor: string | null = null; ;) {
      const page = await netsuite.inventoryChangedSince(cursor, 500);
      for (const l of page.items) totals.set(l.sku, (totals.get(l.sku) ?? 0) + Math.max(0, l.available));
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    // Rules are global to the test database: stay clear of the SKUs other sync tests use (P1, P2).
    let i = 0;
    for (let n = 3; n <= SKUS && !i; n++)
      if ((totals.get(erpSku(n)) ?? 0) > 2 && (await variant(storeSku(n))).published) i = n;
    expect(i, 'a published sandbox product with ERP stock').toBeGreaterThan(0);
    const total = totals.get(erpSku(i))!;

    // Keep 1 unit back at each location and hide below what is left + 1: the product is short.
    const locations = [...(await mappingRepository(db).storeLocations(store)).keys()];
    const safety = 1;
    const threshold = total - safety * locations.length + 1;
    const rules = rulesRepository(db);
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
    const activities = createSyncActivities({
      db,
      erp: netsuite,
      storefront: new ShopifyStorefront(shop.client),
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
    });
    await withWorker({ taskQueue, activities, workflowsPath }, async () => {
      const handle = await client.workflow.start(inventorySync, {
        taskQueue,
        workflowId: `sync:inventory:${store}`,
        args: [{ store, pollIntervalSeconds: 3600, pageSize: 50, fullResync: true }],
      });
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
