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
 * Backordered items show in the store when they are expected: the earliest open purchase order's
 * expected receipt date, else the item's lead time; kept in step as stock and purchase orders change,
 * and removed once the item is back in stock.
 */
describe('backorder dates in the store', () => {
  const store = `bo-${randomUUID().slice(0, 6)}`;
  const tag = randomUUID().slice(0, 5).toUpperCase();
  let priv: Awaited<ReturnType<typeof privateTestDatabase>>;
  let erp: RunningErpSandbox;
  let shop: RunningSandbox;

  beforeAll(async () => {
    priv = await privateTestDatabase();
    erp = await startErpSandbox({ skus: 2, customers: 1, databaseUrl: priv.url });
    shop = await startSandbox(`sandbox_store_bo${randomUUID().slice(0, 6)}`, {
      restoreRate: 1000,
      databaseUrl: priv.url,
    });
  }, 120_000);
  afterAll(async () => {
    await shop?.stop();
    await erp?.close();
    await priv?.drop();
  });

  /** The variant's metafields, as the theme reads them. */
  const variantMeta = async (sku: string) => {
    const d = await shop.client.request<{
      productVariants: {
        nodes: { metafields: { nodes: { namespace: string; key: string; value: string }[] } }[];
      };
    }>(
      `query($q: String!) { productVariants(first: 1, query: $q) { nodes { metafields(first: 30) { nodes { namespace key value } } } } }`,
      { q: `sku:${sku}` },
    );
    return Object.fromEntries(
      d.productVariants.nodes[0]!.metafields.nodes.map((m) => [`${m.namespace}.${m.key}`, m.value]),
    );
  };
  const day = (offset: number) => {
    const d = new Date();
    d.setUTCDate(d.getUTCDate() + offset);
    return d.toISOString().slice(0, 10);
  };

  it('shows the expected date of a backordered item from its purchase order, else its lead time, and removes it when stock is back', async () => {
    const ordered = `BO-${tag}`;
    const leadOnly = `LT-${tag}`;
    for (const [sku, extra] of [
      [ordered, { leadTime: 21, stock: [{ location: '1', onHand: 3 }] }],
      [leadOnly, { leadTime: 10, stock: [{ location: '1', onHand: 0 }] }],
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
    const follow = async () => {
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
    };
    await follow();

    // In stock: no backorder facts. Out of stock with no purchase order: expected after its lead time.
    expect(await variantMeta(ordered)).not.toHaveProperty('erp.backordered');
    expect(await variantMeta(leadOnly)).toMatchObject({
      'erp.backordered': 'true',
      'erp.expected_date': day(10),
      'erp.expected_source': 'lead_time',
    });

    // A merchant's note on the variant, which nothing here may touch.
    const variantId = (
      await shop.client.request<{ productVariants: { nodes: { id: string }[] } }>(
        `query($q: String!) { productVariants(first: 1, query: $q) { nodes { id } } }`,
        { q: `sku:${ordered}` },
      )
    ).productVariants.nodes[0]!.id;
    await shop.client.request(
      `mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }`,
      {
        m: [
          {
            ownerId: variantId,
            namespace: 'custom',
            key: 'note',
            type: 'single_line_text_field',
            value: 'Ask for bulk price',
          },
        ],
      },
    );

    // The buyer orders 20 in; then the last 3 are sold: backordered, expected on the PO's date.
    const po = await erp.admin('POST', '/purchase-orders', {
      location: '1',
      lines: [{ sku: ordered, quantity: 20, expectedReceiptDate: day(30) }],
    });
    expect(po.status, JSON.stringify(po.body)).toBe(201);
    const poId = (po.body as { id: string }).id;
    await follow();
    expect(await variantMeta(ordered)).not.toHaveProperty('erp.backordered');
    await erp.admin('PUT', `/items/${ordered}`, {
      displayName: `Item ${ordered}`,
      type: 'InvtPart',
      basePrice: 10,
      stock: [{ location: '1', onHand: 0 }],
    });
    await follow();
    expect(await variantMeta(ordered)).toMatchObject({
      'erp.backordered': 'true',
      'erp.expected_date': day(30),
      'erp.expected_source': 'purchase_order',
      'custom.note': 'Ask for bulk price',
    });

    // The vendor brings the date forward: the store follows the purchase order's change.
    const moved = await erp.admin('PATCH', `/purchase-orders/${poId}/lines/${ordered}`, {
      expectedReceiptDate: day(12),
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await follow();
    expect((await variantMeta(ordered))['erp.expected_date']).toBe(day(12));

    // The goods arrive: back in stock, the backorder facts go; the merchant's note stays.
    const received = await erp.admin('POST', `/purchase-orders/${poId}/receive`, {});
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    await follow();
    const after = await variantMeta(ordered);
    expect(after).not.toHaveProperty('erp.backordered');
    expect(after).not.toHaveProperty('erp.expected_date');
    expect(after).not.toHaveProperty('erp.expected_source');
    expect(after).toMatchObject({ 'custom.note': 'Ask for bulk price', 'erp.lead_time_days': '21' });
    // The other item is as it was.
    expect(await variantMeta(leadOnly)).toMatchObject({ 'erp.expected_date': day(10) });
  });
});
