import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { createStoreCatalogActivities, type CatalogResyncPage } from '../../activities/store-catalog';
import { createStockPusher, createSyncActivities, type InventoryPageResult } from '../../activities/sync';
import { ShopifyCatalog, ShopifyStorefront } from '../../connectors/shopify';
import { alertRepository } from '../../db/alerts';
import { mappingRepository } from '../../db/mappings';
import { rulesRepository } from '../../db/rules';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { privateTestDatabase } from '../support/env';

/**
 * Reconciliation's stock repair keeps a backordered item's expected date in step: when it writes a
 * drifted quantity of an item with nothing to sell, the item's `erp.expected_date` is the one the
 * ERP's purchasing gives now, as after the inventory sync.
 */
describe('backorder dates after a stock repair', () => {
  const store = `rbo-${randomUUID().slice(0, 6)}`;
  const tag = randomUUID().slice(0, 5).toUpperCase();
  let priv: Awaited<ReturnType<typeof privateTestDatabase>>;
  let erp: RunningErpSandbox;
  let shop: RunningSandbox;

  beforeAll(async () => {
    priv = await privateTestDatabase();
    erp = await startErpSandbox({ skus: 2, customers: 1, databaseUrl: priv.url });
    shop = await startSandbox(`sandbox_store_rbo${randomUUID().slice(0, 6)}`, {
      restoreRate: 1000,
      databaseUrl: priv.url,
    });
  }, 120_000);
  afterAll(async () => {
    await shop?.stop();
    await erp?.close();
    await priv?.drop();
  });

  const variant = async (sku: string) => {
    const d = await shop.client.request<{
      productVariants: {
        nodes: {
          metafields: { nodes: { namespace: string; key: string; value: string }[] };
          inventoryItem: {
            id: string;
            inventoryLevels: { nodes: { location: { id: string }; quantities: { quantity: number }[] }[] };
          };
        }[];
      };
    }>(
      `query($q: String!) { productVariants(first: 1, query: $q) { nodes {
        metafields(first: 30) { nodes { namespace key value } }
        inventoryItem { id inventoryLevels(first: 5) { nodes { location { id } quantities(names: ["available"]) { quantity } } } } } } }`,
      { q: `sku:${sku}` },
    );
    const v = d.productVariants.nodes[0]!;
    return {
      inventoryItemId: v.inventoryItem.id,
      quantities: Object.fromEntries(
        v.inventoryItem.inventoryLevels.nodes.map((l) => [l.location.id, l.quantities[0]!.quantity]),
      ),
      meta: Object.fromEntries(v.metafields.nodes.map((m) => [`${m.namespace}.${m.key}`, m.value])),
    };
  };
  const day = (offset: number) => {
    const d = new Date();
    d.setUTCDate(d.getUTCDate() + offset);
    return d.toISOString().slice(0, 10);
  };

  it('writes the drifted quantity of a backordered item and its expected date from the new purchase order', async () => {
    const sku = `RBO-${tag}`;
    expect(
      (
        await erp.admin('PUT', `/items/${sku}`, {
          displayName: `Item ${sku}`,
          type: 'InvtPart',
          basePrice: 10,
          leadTime: 10,
          stock: [{ location: '1', onHand: 0 }],
        })
      ).status,
    ).toBe(200);
    const { locations } = await shop.client.request<{ locations: { nodes: { id: string }[] } }>(
      '{ locations(first: 1) { nodes { id } } }',
    );
    const location = locations.nodes[0]!.id;
    const mappings = mappingRepository(priv.db);
    await mappings.upsertLocation(store, location, '1');

    // The catalog and the inventory sync: out of stock, expected after its lead time.
    const netsuite = erp.client();
    const storefront = new ShopifyStorefront(shop.client);
    const alerts = alertRepository(priv.db);
    const rules = rulesRepository(priv.db);
    const pusher = createStockPusher({ db: priv.db, storefront, mappings, alerts });
    const catalog = createStoreCatalogActivities({
      db: priv.db,
      erp: netsuite,
      catalog: new ShopifyCatalog(shop.client),
      mappings,
      alerts,
      pushStock: async (input) => {
        await pusher.pushCurrentStock({ ...input, erp: netsuite });
      },
    });
    const env = new MockActivityEnvironment();
    const catalogRules = { version: 0, rules: (await rules.current()).rules.catalog };
    for (let after: string | null = null; ;) {
      const page = (await env.run(catalog.resyncCatalogPage, {
        store,
        after,
        pageSize: 10,
        force: false,
        workflowId: 'test',
        rules: catalogRules,
      })) as CatalogResyncPage;
      if (!page.next) break;
      after = page.next;
    }
    const sync = createSyncActivities({ db: priv.db, erp: netsuite, storefront, mappings, alerts });
    const current = await rules.current();
    for (let more = true; more;)
      more = (
        (await env.run(sync.syncInventoryPage, {
          store,
          sync: `inventory:${store}`,
          pageSize: 50,
          workflowId: 'test',
          rules: { version: current.version, rules: current.rules.inventory },
        })) as InventoryPageResult
      ).hasMore;
    const before = await variant(sku);
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
      db: priv.db,
      erp: netsuite,
      erpBulk: netsuite.withPriority('bulk'),
      storefront,
    });
    const result = (await env.run(reconcile.reconcileStock, {
      store,
      since: new Date(Date.now() - 3_600_000).toISOString(),
      batch: 100,
      workflowId: 'test-reconcile',
    })) as Awaited<ReturnType<typeof reconcile.reconcileStock>>;
    expect(result.entries).toEqual([
      expect.objectContaining({ kind: 'driftedStock', outcome: 'repaired', subject: `${sku}@${location}` }),
    ]);
    const after = await variant(sku);
    expect(after.quantities[location]).toBe(0);
    expect(after.meta).toMatchObject({
      'erp.backordered': 'true',
      'erp.expected_date': day(30),
      'erp.expected_source': 'purchase_order',
    });
  });
});
