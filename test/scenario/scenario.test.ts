import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSyncActivities } from '../../activities/sync';
import { parseShopifyJson } from '../../connectors/shopify/webhooks/json';
import { canonicalOrder } from '../../connectors/shopify/webhooks/map';
import { ShopifyOrder } from '../../connectors/shopify/webhooks/schemas';
import { ShopifyStorefront } from '../../connectors/shopify/storefront';
import { alertRepository } from '../../db/alerts';
import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import { seedSandboxMappings } from '../../sandbox/erp/mappings';
import { LOCATIONS, seedCustomer, seedItem, seedOnHand, stockedType } from '../../sandbox/erp/scenario';
import { seedSandboxStore } from '../../sandbox/storefront/seed';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { testDb } from '../support/env';

const SKUS = 200;
const CUSTOMERS = 20;

interface LevelsQuery {
  productVariants: {
    nodes: {
      sku: string;
      inventoryItem: {
        inventoryLevels: {
          nodes: { location: { id: string; name: string }; quantities: { quantity: number }[] }[];
        };
      };
    }[];
  };
}

describe('sandbox scenario: the ERP and the store seeded alike, mapped by their real ids', () => {
  let db: Db;
  let erp: RunningErpSandbox;
  let store: RunningSandbox;
  const storeName = `scenario-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    db = testDb();
    erp = await startErpSandbox({ skus: SKUS, customers: CUSTOMERS });
    store = await startSandbox(`sandbox_store_s${randomUUID().slice(0, 8)}`);
    await seedSandboxStore(store.db, { skus: SKUS, customers: CUSTOMERS });
  });
  afterAll(async () => {
    await store?.stop();
    await erp?.close();
    await db?.end();
  });

  const storeSchema = async () =>
    (await store.db.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;

  it('maps store customers, locations and SKUs to the ERP, idempotently', async () => {
    const opts = { skus: SKUS, erpSchema: erp.schema, storeSchema: await storeSchema() };
    const first = await seedSandboxMappings(db, storeName, opts);
    expect(first).toMatchObject({ skus: SKUS, customers: CUSTOMERS, locations: 3 });
    const again = await seedSandboxMappings(db, storeName, opts);
    expect(again).toMatchObject({ skus: SKUS, customers: CUSTOMERS, locations: 3, removed: 0 });

    const locations = await db.query<{ store_location: string; erp_location: string }>(
      'SELECT store_location, erp_location FROM location_map WHERE store = $1 ORDER BY erp_location',
      [storeName],
    );
    const storeLocations = await store.db.query<{ id: string; name: string }>(
      'SELECT id::text, name FROM locations',
    );
    expect(locations.rows.map((r) => r.erp_location)).toEqual(['1', '2', '3']);
    for (const r of locations.rows) {
      const id = /^gid:\/\/shopify\/Location\/(\d+)$/.exec(r.store_location)?.[1];
      expect(BigInt(id!)).toBeGreaterThan(2n ** 53n);
      expect(storeLocations.rows.find((l) => l.id === id)?.name).toBe(
        LOCATIONS.find((l) => String(l.id) === r.erp_location)!.name,
      );
    }
  });

  it('a simulator order from a seeded B2B customer maps to that customer in the ERP', async () => {
    const n = 7;
    const customer = seedCustomer(n);
    const { orderId } = await store.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: customer.email,
      company: customer.companyName,
      poNumber: 'PO-SCENARIO-7',
      lines: [{ sku: 'PROD-11', quantity: 2 }],
    });
    // The REST body an orders/create webhook carries, read the way the ingress reads it.
    const res = await fetch(`${store.base}/sandbox/orders/${orderId}`);
    const order = canonicalOrder(storeName, ShopifyOrder.parse(parseShopifyJson(await res.text())));
    expect(BigInt(order.customerId)).toBeGreaterThan(2n ** 53n);

    const mappings = mappingRepository(db);
    expect(await mappings.erpCustomer(storeName, order.customerId)).toBe(String(n));
    expect(Object.fromEntries(await mappings.erpSkus(storeName, ['PROD-11']))).toEqual({ 'PROD-11': 'P11' });
    const erpCustomer = await erp.client().getCustomer(String(n));
    expect(erpCustomer).toMatchObject({ erpId: String(n), companyName: customer.companyName });
    expect(order.lines[0]).toMatchObject({
      sku: 'PROD-11',
      quantity: 2,
      unitPrice: (seedItem(11).basePriceCents / 100).toFixed(2),
    });
  });

  it('one inventory sync page puts ERP stock at the right store locations and reports SKUs the store lacks', async () => {
    // The store loses PROD-3 (as if its product were deleted): its stock must come back as unknown.
    await store.db.query(`UPDATE variants SET sku = 'PROD-3-retired' WHERE sku = 'PROD-3'`);
    const activities = createSyncActivities({
      db,
      erp: erp.client(),
      storefront: new ShopifyStorefront(store.client),
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
    });
    const sync = `inventory:${storeName}`;
    await activities.resetSyncCursor({ sync });
    const page = await new MockActivityEnvironment().run(activities.syncInventoryPage, {
      store: storeName,
      sync,
      pageSize: 1000,
      workflowId: `test-${storeName}`,
    });

    const stocked = Array.from({ length: SKUS }, (_, k) => seedItem(k + 1)).filter((it) =>
      stockedType(it.type),
    );
    expect(page).toMatchObject({
      changed: stocked.length * 3,
      unmapped: 0,
      unknown: 3,
      pushed: stocked.length * 3 - 3,
      hasMore: false,
    });
    const alert = await db.query<{ subject: string }>(
      'SELECT subject FROM alerts WHERE dedupe_key = $1 AND resolved_at IS NULL',
      [`sync.unknownInStore:${sync}`],
    );
    expect(alert.rows[0]?.subject).toContain('3 mapped SKU');

    const sample = stocked.filter((it) => it.id !== 3).slice(0, 12);
    const data = await store.client.request<LevelsQuery>(
      `query Levels($q: String!) { productVariants(first: 20, query: $q) { nodes { sku inventoryItem { inventoryLevels(first: 5) { nodes { location { id name } quantities(names: ["available"]) { quantity } } } } } } }`,
      { q: sample.map((it) => `sku:PROD-${it.id}`).join(' OR ') },
    );
    expect(data.productVariants.nodes).toHaveLength(sample.length);
    for (const it of sample) {
      const node = data.productVariants.nodes.find((v) => v.sku === `PROD-${it.id}`)!;
      const reported = Object.fromEntries(
        node.inventoryItem.inventoryLevels.nodes.map((l) => [l.location.name, l.quantities[0]!.quantity]),
      );
      expect(reported).toEqual(Object.fromEntries(LOCATIONS.map((l) => [l.name, seedOnHand(it.id, l.id)])));
    }
  });
});
