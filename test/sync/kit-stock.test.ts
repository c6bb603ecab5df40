import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSyncActivities, type SyncPageResult } from '../../activities/sync';
import { ShopifyStorefront } from '../../connectors/shopify';
import { alertRepository } from '../../db/alerts';
import { mappingRepository } from '../../db/mappings';
import { kitAvailable } from '../../domain/inventory';
import { LOCATIONS } from '../../sandbox/erp/scenario';
import { seedSandboxMappings } from '../../sandbox/erp/mappings';
import { seedSandboxStore } from '../../sandbox/storefront/seed';
import { inventorySyncStatusQuery, stockChangedSignal } from '../../domain/contracts';
import { inventorySync } from '../../workflows/inventorySync';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { privateTestDatabase, testClient, uniqueTaskQueue, withWorker } from '../support/env';
import { eventually } from '../support/wait';

const workflowsPath = path.join(__dirname, '../../workflows/inventorySync.ts');
const SKUS = 50;
const store = `kit-${randomUUID().slice(0, 6)}`;

/**
 * The seeded scenario's kit P50 (store PROD-50) is made of 1 × P49 and 2 × P48. The store sells as many
 * kits as the components make at each warehouse, and follows each component's stock.
 */
describe('a kit’s stock in the store follows its components', () => {
  let priv: Awaited<ReturnType<typeof privateTestDatabase>>;
  let client: Client;
  let erp: RunningErpSandbox;
  let shop: RunningSandbox;

  beforeAll(async () => {
    priv = await privateTestDatabase();
    client = await testClient();
    erp = await startErpSandbox({ skus: SKUS, customers: 2, databaseUrl: priv.url });
    const storeSchema = `sandbox_store_kit${randomUUID().slice(0, 6)}`;
    shop = await startSandbox(storeSchema, { restoreRate: 1000, databaseUrl: priv.url });
    await seedSandboxStore(shop.db, { skus: SKUS, customers: 2 });
    await seedSandboxMappings(priv.db, store, { skus: SKUS, erpSchema: erp.schema, storeSchema });
  }, 120_000);
  afterAll(async () => {
    await shop?.stop();
    await erp?.close();
    await client?.connection.close();
    await priv?.drop();
  });

  /** The store's available quantity of a SKU by location name. */
  const storeStock = async (sku: string): Promise<Record<string, number>> => {
    const d = await shop.client.request<{
      inventoryItems: {
        nodes: {
          inventoryLevels: { nodes: { location: { name: string }; quantities: { quantity: number }[] }[] };
        }[];
      };
    }>(
      `query($q: String!) { inventoryItems(first: 1, query: $q) { nodes { inventoryLevels(first: 10) { nodes {
        location { name } quantities(names: ["available"]) { quantity } } } } } }`,
      { q: `sku:${sku}` },
    );
    return Object.fromEntries(
      d.inventoryItems.nodes[0]!.inventoryLevels.nodes.map((l) => [
        l.location.name,
        l.quantities[0]!.quantity,
      ]),
    );
  };
  /** The ERP's available quantity of an item by warehouse name, as its API reports it. */
  const erpStock = async (sku: string): Promise<Record<string, number>> => {
    const levels = await erp.client().inventoryOf([sku]);
    return Object.fromEntries(
      levels.map((l) => [LOCATIONS.find((x) => String(x.id) === l.location)!.name, l.available]),
    );
  };
  const expectedKits = async () => {
    const [one, two] = [await erpStock('P49'), await erpStock('P48')];
    return Object.fromEntries(
      LOCATIONS.map((l) => [
        l.name,
        kitAvailable([
          { available: one[l.name] ?? 0, perKit: 1 },
          { available: two[l.name] ?? 0, perKit: 2 },
        ]),
      ]),
    );
  };

  it('sets the kit to what its components make at each warehouse, and follows a component’s receipt', async () => {
    const netsuite = erp.client({ concurrency: 5 });
    const activities = createSyncActivities({
      db: priv.db,
      erp: netsuite,
      storefront: new ShopifyStorefront(shop.client),
      mappings: mappingRepository(priv.db),
      alerts: alertRepository(priv.db),
    });
    // The catalog cache learns the kit's members from the ERP's item master.
    const env = new MockActivityEnvironment();
    for (let more = true; more;)
      more = (
        (await env.run(activities.syncCatalogPage, {
          sync: `catalog:${store}`,
          pageSize: 20,
        })) as SyncPageResult
      ).hasMore;

    const taskQueue = uniqueTaskQueue('kits');
    await withWorker({ taskQueue, activities, workflowsPath }, async () => {
      const handle = await client.workflow.start(inventorySync, {
        taskQueue,
        workflowId: `sync:inventory:${store}`,
        args: [{ store, pollIntervalSeconds: 3600, pageSize: 40, fullResync: true }],
      });
      await eventually(
        async () => (await handle.query(inventorySyncStatusQuery)).caughtUp,
        'the full resync',
        60_000,
      );
      const before = await expectedKits();
      expect(
        Object.values(before).some((n) => n > 0),
        'the seed gives some kits',
      ).toBe(true);
      expect(await storeStock('PROD-50')).toEqual(before);

      // 30 more P48 at the first warehouse: 15 more kits' worth there, as far as P49 allows.
      const first = LOCATIONS[0];
      const receipt = await erp.admin('POST', '/inventory/receive', {
        sku: 'P48',
        location: String(first.id),
        quantity: 30,
      });
      expect(receipt.status).toBe(200);
      await handle.signal(stockChangedSignal);
      const after = await expectedKits();
      expect(after[first.name]).toBeGreaterThan(before[first.name]!);
      await eventually(
        async () => (await storeStock('PROD-50'))[first.name] === after[first.name],
        'the kit to follow the component',
        30_000,
      );
      expect(await storeStock('PROD-50')).toEqual(after);
      await handle.terminate('test finished');
    });
  });
});
