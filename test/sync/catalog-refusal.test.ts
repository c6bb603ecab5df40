import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStoreCatalogActivities,
  type CatalogPageResult,
  type CatalogResyncPage,
} from '../../activities/store-catalog';
import { ShopifyCatalog } from '../../connectors/shopify';
import type { NetSuiteClient } from '../../connectors/netsuite';
import { alertRepository } from '../../db/alerts';
import { attentionSources } from '../../db/dashboard';
import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import { attentionQueue } from '../../domain/attention';
import { DEFAULT_RULES } from '../../domain/schemas/rules';
import { seedSandboxMappings } from '../../sandbox/erp/mappings';
import { seedSandboxStore } from '../../sandbox/storefront/seed';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { privateTestDatabase } from '../support/env';

const SKUS = 4;
const store = `cat-refuse-${randomUUID().slice(0, 6)}`;
const tag = randomUUID().slice(0, 6).toUpperCase();
const workflowId = `sync:store-catalog:${store}`;

describe('products the store refuses', () => {
  let priv: Awaited<ReturnType<typeof privateTestDatabase>>;
  let db: Db;
  let erp: RunningErpSandbox;
  let netsuite: NetSuiteClient;
  let shop: RunningSandbox;
  let activities: ReturnType<typeof createStoreCatalogActivities>;
  const rules = { version: 0, rules: DEFAULT_RULES.catalog };

  /** What a merchant sees in the store's admin for the product holding `sku`. */
  const productWithSku = async (sku: string) => {
    const d = await shop.client.request<{
      productVariants: {
        nodes: {
          product: {
            title: string;
            publishedOnCurrentPublication: boolean;
            metafields: { nodes: { key: string; value: string }[] };
          };
        }[];
      };
    }>(
      `query($q: String!) { productVariants(first: 1, query: $q) { nodes { product {
        title publishedOnCurrentPublication metafields(first: 30) { nodes { key value } } } } } }`,
      { q: `sku:${sku}` },
    );
    return d.productVariants.nodes[0]?.product;
  };
  const editItem = async (itemId: string, body: Record<string, unknown>) => {
    const r = await erp.admin('PUT', `/items/${itemId}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  const newItem = (sku: string) =>
    editItem(sku, { displayName: `Cable ties ${sku}`, type: 'InvtPart', basePrice: 4.5 });
  const openAlert = async (dedupeKey: string) =>
    (
      await db.query<{ subject: string; message: string }>(
        'SELECT subject, message FROM alerts WHERE dedupe_key = $1 AND resolved_at IS NULL',
        [dedupeKey],
      )
    ).rows[0];
  const run = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, ...args: A): Promise<R> =>
    new MockActivityEnvironment().run(fn, ...args) as Promise<R>;
  const follow = (): Promise<CatalogPageResult> =>
    run(activities.syncCatalogChanges, { store, pageSize: 50, workflowId, rules });
  const onDashboard = async () =>
    attentionQueue(await attentionSources(db, { stores: null, homeStore: store })).find(
      (g) => g.cause === 'sync.catalogRefused',
    );

  beforeAll(async () => {
    priv = await privateTestDatabase();
    db = priv.db;
    erp = await startErpSandbox({ skus: SKUS, customers: 2, databaseUrl: priv.url });
    netsuite = erp.client({ concurrency: 5 });
    const storeSchema = `sandbox_store_catref${randomUUID().slice(0, 6)}`;
    shop = await startSandbox(storeSchema, { restoreRate: 1000, bucketSize: 5000, databaseUrl: priv.url });
    await seedSandboxStore(shop.db, { skus: SKUS, customers: 2 });
    await seedSandboxMappings(db, store, { skus: SKUS, erpSchema: erp.schema, storeSchema });
    activities = createStoreCatalogActivities({
      db,
      erp: netsuite,
      catalog: new ShopifyCatalog(shop.client),
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
      concurrency: 1,
    });
    // The catalog takes over the seeded products, then follows the ERP from now.
    for (let after: string | null = null; ;) {
      const page: CatalogResyncPage = await run(activities.resyncCatalogPage, {
        store,
        after,
        pageSize: 50,
        force: false,
        workflowId,
        rules,
      });
      if (!page.next) break;
      after = page.next;
    }
    await activities.startCatalogCursor({ store, onlyIfUnset: false });
  }, 120_000);
  afterAll(async () => {
    await shop?.stop();
    await erp?.close();
    await priv?.drop();
  });

  it('an item whose product the store refuses is an alert in the store words; the others of the page reach the store and the sync moves on', async () => {
    // A UN number pasted with a line break, and an unrelated rename in the same page.
    await editItem('P2', { hazmat: true, hazmatId: 'UN1263\nflammable', hazmatClass: '3' });
    await editItem('P3', { displayName: `Renamed item ${tag}` });

    const page = await follow();
    expect(page).toMatchObject({ items: 2, failed: 1, updated: 1 });
    expect((await productWithSku('PROD-3'))?.title).toBe(`Renamed item ${tag}`);
    const alert = await openAlert(`sync.catalogRefused:${store}:P2`);
    expect(alert?.subject).toBe('The store refused the product of ERP item P2');
    expect(alert?.message).toMatch(
      /^ERP item P2 was not written to the store, which refused: Value is invalid for a single_line_text_field metafield \(metafields\.\d+\.value\)(; .+)?\. Fix the item in the ERP/,
    );
    expect((await onDashboard())?.title).toBe('Products the store refused');
    // The cursor went past the page: nothing is written again until the item changes.
    expect((await follow()).items).toBe(0);

    // Corrected in the ERP, the item reaches the store and its alert is resolved.
    await editItem('P2', { hazmatId: 'UN1263' });
    expect(await follow()).toMatchObject({ items: 1, failed: 0, updated: 1 });
    const p2 = await productWithSku('PROD-2');
    expect(p2?.metafields.nodes.find((m) => m.key === 'un_number')?.value).toBe('UN1263');
    expect(await openAlert(`sync.catalogRefused:${store}:P2`)).toBeUndefined();
  });

  it('a new product the store refuses to publish is an alert asking a person to publish it; the next new item is published', async () => {
    // A sales channel the catalog publishes new products on …
    const channel = await shop.db.query<{ id: string }>(
      "INSERT INTO publications (name) VALUES ('Wholesale app') RETURNING id",
    );
    const first = `NEWA-${tag}`;
    await newItem(first);
    expect(await follow()).toMatchObject({ items: 1, created: 1 });
    expect((await productWithSku(first))?.publishedOnCurrentPublication).toBe(true);
    // … is removed from the store admin.
    await shop.db.query('DELETE FROM product_publications WHERE publication_id = $1', [channel.rows[0]!.id]);
    await shop.db.query('DELETE FROM publications WHERE id = $1', [channel.rows[0]!.id]);

    const refused = `NEWB-${tag}`;
    await newItem(refused);
    expect(await follow()).toMatchObject({ items: 1, created: 1, failed: 0 });
    const product = await productWithSku(refused);
    expect(product?.title).toBe(`Cable ties ${refused}`);
    expect(product?.publishedOnCurrentPublication).toBe(false);
    const alert = await openAlert(`sync.catalogRefused:${store}:${refused}:publish`);
    expect(alert?.subject).toBe(`The store refused to publish the product of ERP item ${refused}`);
    expect(alert?.message).toMatch(
      /the store refused to publish it: Publication does not exist \(input\.\d+\.publicationId\)\. Publish it on its sales channels in the store admin/,
    );

    // The sync goes on: the next new item is published on the channels the store has now.
    const next = `NEWC-${tag}`;
    await newItem(next);
    expect(await follow()).toMatchObject({ items: 1, created: 1 });
    expect((await productWithSku(next))?.publishedOnCurrentPublication).toBe(true);
  });
});
