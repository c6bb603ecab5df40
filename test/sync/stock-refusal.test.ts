import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createSyncActivities } from '../../activities/sync';
import { ShopifyStorefront } from '../../connectors/shopify';
import { alertRepository } from '../../db/alerts';
import { attentionSources } from '../../db/dashboard';
import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import { attentionQueue } from '../../domain/attention';
import { inventorySyncStatusQuery } from '../../domain/contracts';
import { seedSandboxMappings } from '../../sandbox/erp/mappings';
import { erpSku, storeSku } from '../../sandbox/erp/scenario';
import { seedSandboxStore } from '../../sandbox/storefront/seed';
import { inventorySync } from '../../workflows/inventorySync';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { testClient, testDb, uniqueTaskQueue, withWorker } from '../support/env';
import { eventually } from '../support/wait';

const workflowsPath = path.join(__dirname, '../../workflows/inventorySync.ts');
const SKUS = 4;
const store = `stock-refusal-${randomUUID().slice(0, 6)}`;

describe('stock the store refuses', () => {
  let db: Db;
  let client: Client;
  let erp: RunningErpSandbox;
  let shop: RunningSandbox;

  beforeAll(async () => {
    db = testDb();
    client = await testClient();
    erp = await startErpSandbox({ skus: SKUS, customers: 2 });
    const storeSchema = `sandbox_store_refuse${randomUUID().slice(0, 6)}`;
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

  /** What the store has to sell of a SKU, over all its locations. */
  const inStore = async (sku: string) => {
    const d = await shop.client.request<{
      productVariants: {
        nodes: {
          inventoryItem: { inventoryLevels: { nodes: { quantities: { quantity: number }[] }[] } };
        }[];
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

  it('one item above the store ceiling is an alert in the store words; the sync sends the rest and keeps following', async () => {
    const netsuite = erp.client({ concurrency: 5 });
    const location = [...(await mappingRepository(db).storeLocations(store)).keys()][0]!;
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
      const status = await eventually(async () => {
        const s = await handle.query(inventorySyncStatusQuery);
        return s.caughtUp ? s : undefined;
      }, 'the sync to catch up');
      expect(status.pushed).toBeGreaterThan(0);

      // The refused quantity was not set; the item's other locations and the other items reached the store.
      const erpStock = async (sku: string, except?: string) => {
        let total = 0;
        for (let cursor: string | null = null; ;) {
          const page = await netsuite.inventoryChangedSince(cursor, 500);
          for (const l of page.items)
            if (l.sku === sku && l.location !== except) total += Math.max(0, l.available);
          cursor = page.nextCursor;
          if (!page.hasMore) break;
        }
        return total;
      };
      expect(await inStore(storeSku(1))).toBe(await erpStock(erpSku(1), location));
      expect(await inStore(storeSku(2))).toBe(await erpStock(erpSku(2)));

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
