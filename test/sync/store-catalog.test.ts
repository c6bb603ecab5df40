import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { createStoreCatalogActivities } from '../../activities/store-catalog';
import { createStockPusher } from '../../activities/sync';
import { ShopifyCatalog, ShopifyStorefront } from '../../connectors/shopify';
import type { NetSuiteClient } from '../../connectors/netsuite';
import { alertRepository } from '../../db/alerts';
import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import { seedSandboxMappings } from '../../sandbox/erp/mappings';
import { seedSandboxStore } from '../../sandbox/storefront/seed';
import { storeCatalogStatusQuery, type StoreCatalogSyncStatus } from '../../domain/contracts';
import { storeCatalogSync } from '../../workflows/storeCatalogSync';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { privateTestDatabase, testClient, uniqueTaskQueue, withWorker } from '../support/env';
import { eventually } from '../support/wait';

const workflowsPath = path.join(__dirname, '../../workflows/storeCatalogSync.ts');
const SKUS = 6;
const store = `cat-${randomUUID().slice(0, 6)}`;
const tag = randomUUID().slice(0, 6).toUpperCase();

interface StoreProduct {
  id: string;
  title: string;
  handle: string;
  status: string;
  descriptionHtml: string;
  productType: string;
  tags: string[];
  publishedOnCurrentPublication: boolean;
  options: { name: string; values: string[] }[];
  metafields: { nodes: { namespace: string; key: string; type: string; value: string }[] };
  variants: {
    nodes: {
      sku: string;
      price: string;
      selectedOptions: { name: string; value: string }[];
      inventoryItem: {
        measurement: { weight: { unit: string; value: number } | null };
        inventoryLevels: { nodes: { quantities: { quantity: number }[] }[] };
      };
    }[];
  };
}

describe('the ERP as product master: ERP items become store products', () => {
  let priv: Awaited<ReturnType<typeof privateTestDatabase>>;
  let db: Db;
  let client: Client;
  let erp: RunningErpSandbox;
  let netsuite: NetSuiteClient;
  let shop: RunningSandbox;
  let activities: ReturnType<typeof createStoreCatalogActivities>;

  /** What a merchant sees in the store's admin for the product holding `sku`. */
  const productWithSku = async (sku: string): Promise<StoreProduct | undefined> => {
    const d = await shop.client.request<{ productVariants: { nodes: { product: StoreProduct }[] } }>(
      `query($q: String!) { productVariants(first: 1, query: $q) { nodes { product {
        id title handle status descriptionHtml productType tags publishedOnCurrentPublication
        options { name values }
        metafields(first: 30) { nodes { namespace key type value } }
        variants(first: 20) { nodes { sku price selectedOptions { name value }
          inventoryItem { measurement { weight { unit value } } inventoryLevels(first: 5) { nodes { quantities(names: ["available"]) { quantity } } } } } }
      } } } }`,
      { q: `sku:${sku}` },
    );
    return d.productVariants.nodes[0]?.product;
  };
  const productCount = async () =>
    Number((await shop.db.query<{ n: string }>('SELECT count(*) AS n FROM products')).rows[0]!.n);
  const meta = (p: StoreProduct) =>
    Object.fromEntries(p.metafields.nodes.map((m) => [`${m.namespace}.${m.key}`, m.value]));
  const editItem = async (itemId: string, body: Record<string, unknown>) => {
    const r = await erp.admin('PUT', `/items/${itemId}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };

  beforeAll(async () => {
    priv = await privateTestDatabase();
    db = priv.db;
    client = await testClient();
    erp = await startErpSandbox({ skus: SKUS, customers: 2, databaseUrl: priv.url });
    netsuite = erp.client({ concurrency: 5 });
    const storeSchema = `sandbox_store_cat${randomUUID().slice(0, 6)}`;
    shop = await startSandbox(storeSchema, { restoreRate: 1000, bucketSize: 5000, databaseUrl: priv.url });
    await seedSandboxStore(shop.db, { skus: SKUS, customers: 2 });
    await seedSandboxMappings(db, store, { skus: SKUS, erpSchema: erp.schema, storeSchema });
    const storefront = new ShopifyStorefront(shop.client);
    const pusher = createStockPusher({
      db,
      storefront,
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
    });
    activities = createStoreCatalogActivities({
      db,
      erp: netsuite,
      catalog: new ShopifyCatalog(shop.client),
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
      pushStock: async (input) => {
        await pusher.pushCurrentStock({ ...input, erp: netsuite });
      },
    });
  }, 120_000);
  afterAll(async () => {
    await shop?.stop();
    await erp?.close();
    await client?.connection.close();
    await priv?.drop();
  });

  it('follows the ERP: a new item appears, a matrix item is one product with variants, a discontinued one is archived', async () => {
    const taskQueue = uniqueTaskQueue('catalog');
    await withWorker({ taskQueue, activities, workflowsPath }, async () => {
      const handle: WorkflowHandle<typeof storeCatalogSync> = await client.workflow.start(storeCatalogSync, {
        taskQueue,
        workflowId: `sync:store-catalog:${store}`,
        args: [{ store, pageSize: 50, pollIntervalSeconds: 1 }],
      });
      await eventually(
        async () => (await handle.query(storeCatalogStatusQuery)).phase === 'following',
        'the sync to follow the ERP',
        60_000,
      );

      // A merchandiser adds an item in the ERP.
      const sku = `NEW-${tag}`;
      await editItem(sku, {
        displayName: `Solvent cleaner 5 L ${tag}`,
        type: 'InvtPart',
        basePrice: 42.5,
        salesDescription: 'Fast-drying degreaser.\n\nFor metal parts & tools.',
        weight: 5.4,
        weightUnit: 'kg',
        length: 30,
        width: 20,
        height: 12,
        dimensionUnit: 'cm',
        category: 'Chemicals',
        searchKeywords: 'solvent, degreaser',
        hazmat: true,
        hazmatId: 'UN1993',
        hazmatClass: '3',
        stock: [
          { location: '1', onHand: 12 },
          { location: '2', onHand: 3 },
        ],
      });
      const product = await eventually(
        async () => {
          const p = await productWithSku(sku);
          return p?.publishedOnCurrentPublication ? p : undefined;
        },
        'the new item in the store, published',
        60_000,
      );
      expect(product).toMatchObject({
        title: `Solvent cleaner 5 L ${tag}`,
        handle: sku.toLowerCase(),
        status: 'ACTIVE',
        descriptionHtml: '<p>Fast-drying degreaser.</p><p>For metal parts &amp; tools.</p>',
        productType: 'Chemicals',
        tags: ['solvent', 'degreaser', 'hazmat'],
        publishedOnCurrentPublication: true,
        options: [{ name: 'Title', values: ['Default Title'] }],
      });
      expect(product.variants.nodes).toHaveLength(1);
      expect(product.variants.nodes[0]).toMatchObject({ sku, price: '42.50' });
      expect(product.variants.nodes[0]!.inventoryItem.measurement.weight).toEqual({
        unit: 'KILOGRAMS',
        value: 5.4,
      });
      expect(meta(product)).toMatchObject({
        'erp.item': sku,
        'erp.hazmat': 'true',
        'erp.un_number': 'UN1993',
        'erp.hazard_class': '3',
        'erp.length': '{"value":30,"unit":"cm"}',
        'erp.height': '{"value":12,"unit":"cm"}',
      });
      // Its stock is in the store at once, not at the item's next stock change.
      await eventually(
        async () => {
          const levels = (await productWithSku(sku))!.variants.nodes[0]!.inventoryItem.inventoryLevels.nodes;
          return levels.reduce((n, l) => n + l.quantities[0]!.quantity, 0) === 15;
        },
        'the new item’s stock in the store',
        60_000,
      );
      expect((await mappingRepository(db).storeSkus(store, [sku])).get(sku)).toBe(sku);

      // A matrix item: a parent and its children with their options, one product with variants.
      const parent = `TEE-${tag}`;
      await editItem(parent, {
        displayName: `Work shirt ${tag}`,
        type: 'InvtPart',
        basePrice: 20,
        matrixType: 'PARENT',
        storeDescription: '<p>Hi-vis <b>cotton</b> work shirt</p>',
        category: 'Workwear',
      });
      const kids = [
        ['Orange', 'M', 20],
        ['Orange', 'L', 21],
        ['Yellow', 'M', 20],
        ['Yellow', 'L', 21],
      ] as const;
      for (const [color, size, price] of kids)
        await editItem(`${parent}-${color[0]}${size}`, {
          displayName: `Work shirt ${color} ${size} ${tag}`,
          type: 'InvtPart',
          basePrice: price,
          parent,
          matrixType: 'CHILD',
          options: { color, size },
          weight: 250,
          weightUnit: 'g',
        });
      const shirt = await eventually(
        async () => {
          const p = await productWithSku(`${parent}-YL`);
          return p && p.variants.nodes.length === 4 ? p : undefined;
        },
        'the matrix item as one product',
        60_000,
      );
      expect(shirt).toMatchObject({
        title: `Work shirt ${tag}`,
        descriptionHtml: '<p>Hi-vis <b>cotton</b> work shirt</p>',
        productType: 'Workwear',
        options: [
          { name: 'Color', values: ['Orange', 'Yellow'] },
          { name: 'Size', values: ['M', 'L'] },
        ],
      });
      expect(
        shirt.variants.nodes.map((v) => [v.sku, v.price, v.selectedOptions.map((o) => o.value).join('/')]),
      ).toEqual([
        [`${parent}-OM`, '20.00', 'Orange/M'],
        [`${parent}-OL`, '21.00', 'Orange/L'],
        [`${parent}-YM`, '20.00', 'Yellow/M'],
        [`${parent}-YL`, '21.00', 'Yellow/L'],
      ]);
      for (const [color, size] of kids)
        expect((await productWithSku(`${parent}-${color[0]}${size}`))!.id).toBe(shirt.id);

      // The item is discontinued in the ERP: archived in the store, never deleted.
      const count = await productCount();
      await editItem(sku, { inactive: true });
      const archived = await eventually(
        async () => {
          const p = await productWithSku(sku);
          return p?.status === 'ARCHIVED' ? p : undefined;
        },
        'the discontinued item archived',
        60_000,
      );
      expect(archived.id).toBe(product.id);
      expect(await productCount()).toBe(count);

      // The page that archived it is counted once its activity returns (its metafields are written after the product).
      const status = await eventually(
        async () => {
          const s = await handle.query(storeCatalogStatusQuery);
          return s.retired > 0 ? s : undefined;
        },
        'the retirement counted',
        30_000,
      );
      expect(status).toMatchObject({ created: 2, retired: 1, failed: 0 });
      await handle.terminate('test finished');
    });
  });

  it('a full resync takes over the seeded products, writes each once and nothing when run again', async () => {
    const taskQueue = uniqueTaskQueue('catalog-resync');
    const before = await productCount();
    const seeded = await productWithSku('PROD-3');
    const resync = async (workflowId: string): Promise<StoreCatalogSyncStatus> =>
      withWorker({ taskQueue, activities, workflowsPath }, () =>
        client.workflow.execute(storeCatalogSync, {
          taskQueue,
          workflowId,
          args: [{ store, pageSize: 4, pollIntervalSeconds: 1, fullResync: true, once: true }],
        }),
      );
    const first = await resync(`sync:store-catalog-resync:${store}:1`);
    expect(first.phase).toBe('done');
    expect(first.resyncDone).toBe(first.resyncTotal);
    expect(first.failed).toBe(0);
    // Nothing doubled: the seeded products are the catalog's now, with the ERP's data.
    expect(await productCount()).toBe(before);
    const taken = (await productWithSku('PROD-3'))!;
    expect(taken.id).toBe(seeded!.id);
    expect(meta(taken)['erp.item']).toBe('P3');
    expect(taken.productType).not.toBe('');

    const second = await resync(`sync:store-catalog-resync:${store}:2`);
    expect(second).toMatchObject({ created: 0, updated: 0, failed: 0 });
    expect(second.unchanged).toBeGreaterThan(SKUS - 1);
  });

  it('writes only its own metafields: a merchant’s, another app’s and the expected dates stay through its writes', async () => {
    const taskQueue = uniqueTaskQueue('catalog-metafields');
    const resync = (n: number) =>
      withWorker({ taskQueue, activities, workflowsPath }, () =>
        client.workflow.execute(storeCatalogSync, {
          taskQueue,
          workflowId: `sync:store-catalog-mf:${store}:${n}`,
          args: [{ store, pageSize: 50, pollIntervalSeconds: 1, fullResync: true, once: true }],
        }),
      );
    const variantMeta = async (sku: string) => {
      const d = await shop.client.request<{
        productVariants: {
          nodes: { id: string; metafields: { nodes: { namespace: string; key: string; value: string }[] } }[];
        };
      }>(
        `query($q: String!) { productVariants(first: 1, query: $q) { nodes { id metafields(first: 30) { nodes { namespace key value } } } } }`,
        { q: `sku:${sku}` },
      );
      const v = d.productVariants.nodes[0]!;
      return {
        id: v.id,
        meta: Object.fromEntries(v.metafields.nodes.map((m) => [`${m.namespace}.${m.key}`, m.value])),
      };
    };
    await editItem('P3', { hazmat: true, hazmatId: 'UN1263', hazmatClass: '3' });
    await resync(1);
    const before = (await productWithSku('PROD-3'))!;
    expect(meta(before)).toMatchObject({ 'erp.hazmat': 'true', 'erp.un_number': 'UN1263' });

    // A merchant notes care instructions, a reviews app rates the variant, and the inventory sync
    // gives the variant its expected date: none of them the catalog's.
    const variant = await variantMeta('PROD-3');
    const set = await shop.client.request<{ metafieldsSet: { userErrors: unknown[] } }>(
      `mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { field message } } }`,
      {
        m: [
          {
            ownerId: before.id,
            namespace: 'custom',
            key: 'care',
            type: 'single_line_text_field',
            value: 'Keep sealed',
          },
          { ownerId: variant.id, namespace: 'reviews', key: 'rating', type: 'number_decimal', value: '4.5' },
          { ownerId: variant.id, namespace: 'erp', key: 'expected_date', type: 'date', value: '2026-12-24' },
        ],
      },
    );
    expect(set.metafieldsSet.userErrors).toEqual([]);

    // The item stops being hazmat and is renamed in the ERP; the catalog writes the product again.
    await editItem('P3', { hazmat: false, displayName: `Renamed item ${tag}` });
    const second = await resync(2);
    expect(second).toMatchObject({ updated: 1, failed: 0 });
    const after = (await productWithSku('PROD-3'))!;
    expect(after.id).toBe(before.id);
    expect(after.title).toBe(`Renamed item ${tag}`);
    expect(meta(after)).toMatchObject({
      'erp.item': 'P3',
      'erp.hazmat': 'false',
      'custom.care': 'Keep sealed',
    });
    // A fact the item lost is removed (the catalog's own key), nothing else.
    expect(meta(after)).not.toHaveProperty('erp.un_number');
    expect((await variantMeta('PROD-3')).meta).toMatchObject({
      'erp.item': 'P3',
      'erp.hazmat': 'false',
      'reviews.rating': '4.5',
      'erp.expected_date': '2026-12-24',
    });
    expect((await variantMeta('PROD-3')).meta).not.toHaveProperty('erp.un_number');
  });
});
