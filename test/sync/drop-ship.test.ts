import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
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
 * Drop-ship and special-order items are ordered in when sold: the store shows them as available with
 * their lead time, and never hides them for lack of stock, while a stocked item short of its
 * threshold is hidden.
 */
describe('drop-ship items in the store', () => {
  const store = `ds-${randomUUID().slice(0, 6)}`;
  const tag = randomUUID().slice(0, 5).toUpperCase();
  let priv: Awaited<ReturnType<typeof privateTestDatabase>>;
  let erp: RunningErpSandbox;
  let shop: RunningSandbox;

  beforeAll(async () => {
    priv = await privateTestDatabase();
    erp = await startErpSandbox({ skus: 2, customers: 1, databaseUrl: priv.url });
    shop = await startSandbox(`sandbox_store_ds${randomUUID().slice(0, 6)}`, {
      restoreRate: 1000,
      databaseUrl: priv.url,
    });
  }, 120_000);
  afterAll(async () => {
    await shop?.stop();
    await erp?.close();
    await priv?.drop();
  });

  const product = async (sku: string) => {
    const d = await shop.client.request<{
      productVariants: {
        nodes: {
          inventoryPolicy: string;
          metafields: { nodes: { key: string; value: string }[] };
          product: { publishedOnCurrentPublication: boolean };
        }[];
      };
    }>(
      `query($q: String!) { productVariants(first: 1, query: $q) { nodes { inventoryPolicy
        metafields(first: 20, namespace: "erp") { nodes { key value } } product { publishedOnCurrentPublication } } } }`,
      { q: `sku:${sku}` },
    );
    const v = d.productVariants.nodes[0]!;
    return {
      published: v.product.publishedOnCurrentPublication,
      policy: v.inventoryPolicy,
      meta: Object.fromEntries(v.metafields.nodes.map((m) => [m.key, m.value])),
    };
  };

  it('keeps a drop-ship item without stock published, sold on with its lead time; hides a short stocked one', async () => {
    const dropShip = `DS-${tag}`;
    const stocked = `ST-${tag}`;
    for (const [sku, extra] of [
      [dropShip, { dropShip: true, leadTime: 12, stock: [{ location: '1', onHand: 0 }] }],
      [stocked, { stock: [{ location: '1', onHand: 2 }] }],
    ] as const) {
      const r = await erp.admin('PUT', `/items/${sku}`, {
        displayName: `Item ${sku}`,
        type: 'InvtPart',
        basePrice: 10,
        ...extra,
      });
      expect(r.status).toBe(200);
    }
    const { locations } = await shop.client.request<{ locations: { nodes: { id: string }[] } }>(
      '{ locations(first: 1) { nodes { id } } }',
    );
    const mappings = mappingRepository(priv.db);
    await mappings.upsertLocation(store, locations.nodes[0]!.id, '1');
    const rules = rulesRepository(priv.db);
    await rules.save(
      { ...(await rules.current()).rules, inventory: { safetyStock: {}, hideBelow: { default: 5 } } },
      'test',
      'hide items with fewer than 5 units',
    );

    // The catalog brings both items to the store; the inventory sync sets their stock.
    const netsuite = erp.client();
    const storefront = new ShopifyStorefront(shop.client);
    const alerts = alertRepository(priv.db);
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

    expect(await product(dropShip)).toEqual({
      published: true,
      policy: 'CONTINUE',
      meta: expect.objectContaining({ item: dropShip, drop_ship: 'true', lead_time_days: '12' }),
    });
    expect(await product(stocked)).toMatchObject({ published: false, policy: 'DENY' });
  });
});
