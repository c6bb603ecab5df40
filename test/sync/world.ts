import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { createStoreCatalogActivities, type CatalogResyncPage } from '../../activities/store-catalog';
import {
  createStockPusher,
  createSyncActivities,
  type InventoryPageResult,
  type InventoryRulesSnapshot,
} from '../../activities/sync';
import type { NetSuiteClient } from '../../connectors/netsuite';
import { ShopifyCatalog, ShopifyStorefront } from '../../connectors/shopify';
import { alertRepository } from '../../db/alerts';
import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import { rulesRepository } from '../../db/rules';
import { seedSandboxMappings } from '../../sandbox/erp/mappings';
import { seedSandboxStore } from '../../sandbox/storefront/seed';
import { inventorySync } from '../../workflows/inventorySync';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { privateTestDatabase, testClient, testDb, withWorker } from '../support/env';

const inventorySyncPath = path.join(__dirname, '../../workflows/inventorySync.ts');

export interface SyncWorldOptions {
  /** Names the store (`<name>-<random>`) and the sandbox store's schema. */
  name: string;
  /** Sandbox ERP items (`PROD-n`), and with `seeded` the store's products (`Pn`). */
  skus: number;
  customers?: number;
  /**
   * `private`: a Quayside database of the file's own, for a test that fills the shared caches with
   * items another file would read as the ERP's (see privateTestDatabase); the sandboxes keep their
   * schemas in it. Otherwise the test run's database.
   */
  database?: 'shared' | 'private';
  /**
   * The store holds the sandbox scenario's products, stock and mappings. Otherwise it starts empty
   * and the test brings its own items with `putItem`, `mapFirstLocation` and `resyncCatalog`.
   */
  seeded?: boolean;
  /** A Temporal client, for the tests that run the inventory sync workflow. */
  temporal?: boolean;
}

/** One sandbox variant as the store shows it, found by SKU. */
export interface StoreVariant {
  id: string;
  inventoryItemId: string;
  policy: string;
  published: boolean;
  /** What the store has to sell, over all its locations. */
  available: number;
  /** Available by store location id. */
  quantities: Record<string, number>;
  /** The variant's metafields as the theme reads them, by `namespace.key`. */
  meta: Record<string, string>;
}

export type ErpLevel = Awaited<ReturnType<NetSuiteClient['inventoryChangedSince']>>['items'][number];

/** A date `offset` days from today, as the ERP and the store's metafields write it. */
export const day = (offset: number) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};

/**
 * The world of a sync test: a store of its own on the sandbox store, the sandbox ERP, Quayside's
 * database, the connectors and repositories over them, the sync activities, and the questions a test
 * asks the store and the ERP. Call it in a `describe`: it starts the world before the file's tests
 * and stops it after them.
 */
export function syncWorld(opts: SyncWorldOptions) {
  const store = `${opts.name}-${randomUUID().slice(0, 6)}`;
  const storeSchema = `sandbox_store_${opts.name.replace(/[^a-z0-9]/g, '')}${randomUUID().slice(0, 6)}`;
  const customers = opts.customers ?? 2;
  let started:
    | {
        db: Db;
        drop?: () => Promise<void>;
        erp: RunningErpSandbox;
        shop: RunningSandbox;
        client?: Client;
        netsuite: NetSuiteClient;
        storefront: ShopifyStorefront;
        sync: ReturnType<typeof createSyncActivities>;
      }
    | undefined;
  const world = () => {
    if (!started) throw new Error('the sync world starts in beforeAll: use it inside a test');
    return started;
  };

  const temporal = (): Client => {
    const { client } = world();
    if (!client) throw new Error('the sync world has no Temporal client: start it with temporal: true');
    return client;
  };

  beforeAll(async () => {
    const priv = opts.database === 'private' ? await privateTestDatabase() : undefined;
    const db = priv?.db ?? testDb();
    const databaseUrl = priv ? { databaseUrl: priv.url } : {};
    const client = opts.temporal ? await testClient() : undefined;
    const erp = await startErpSandbox({ skus: opts.skus, customers, ...databaseUrl });
    const shop = await startSandbox(storeSchema, { restoreRate: 1000, ...databaseUrl });
    if (opts.seeded) {
      await seedSandboxStore(shop.db, { skus: opts.skus, customers });
      await seedSandboxMappings(db, store, { skus: opts.skus, erpSchema: erp.schema, storeSchema });
    }
    const netsuite = erp.client({ concurrency: 5 });
    const storefront = new ShopifyStorefront(shop.client);
    const sync = createSyncActivities({
      db,
      erp: netsuite,
      storefront,
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
    });
    started = { db, drop: priv?.drop, erp, shop, client, netsuite, storefront, sync };
  }, 120_000);
  afterAll(async () => {
    const w = started;
    started = undefined;
    await w?.shop.stop();
    await w?.erp.close();
    await w?.client?.connection.close();
    await (w?.drop ? w.drop() : w?.db.end());
  });

  const variant = async (sku: string): Promise<StoreVariant> => {
    const d = await world().shop.client.request<{
      productVariants: {
        nodes: {
          id: string;
          inventoryPolicy: string;
          product: { publishedOnCurrentPublication: boolean };
          metafields: { nodes: { namespace: string; key: string; value: string }[] };
          inventoryItem: {
            id: string;
            inventoryLevels: { nodes: { location: { id: string }; quantities: { quantity: number }[] }[] };
          };
        }[];
      };
    }>(
      `query($q: String!) { productVariants(first: 1, query: $q) { nodes { id inventoryPolicy
        product { publishedOnCurrentPublication } metafields(first: 30) { nodes { namespace key value } }
        inventoryItem { id inventoryLevels(first: 10) { nodes { location { id } quantities(names: ["available"]) { quantity } } } } } } }`,
      { q: `sku:${sku}` },
    );
    const v = d.productVariants.nodes[0]!;
    const levels = v.inventoryItem.inventoryLevels.nodes;
    return {
      id: v.id,
      inventoryItemId: v.inventoryItem.id,
      policy: v.inventoryPolicy,
      published: v.product.publishedOnCurrentPublication,
      available: levels.reduce((n, l) => n + l.quantities[0]!.quantity, 0),
      quantities: Object.fromEntries(levels.map((l) => [l.location.id, l.quantities[0]!.quantity])),
      meta: Object.fromEntries(v.metafields.nodes.map((m) => [`${m.namespace}.${m.key}`, m.value])),
    };
  };

  return {
    store,
    storeSchema,
    get db() {
      return world().db;
    },
    get erp() {
      return world().erp;
    },
    get shop() {
      return world().shop;
    },
    get client() {
      return temporal();
    },
    /** The ERP connector the sync activities use. */
    get netsuite() {
      return world().netsuite;
    },
    get storefront() {
      return world().storefront;
    },
    get mappings() {
      return mappingRepository(world().db);
    },
    get alerts() {
      return alertRepository(world().db);
    },
    get rules() {
      return rulesRepository(world().db);
    },
    /** The inventory sync's activities over the sandboxes. */
    get sync() {
      return world().sync;
    },

    /** Writes an inventory item in the ERP (10.00, at whatever stock `fields` gives it). */
    async putItem(sku: string, fields: Record<string, unknown>) {
      const r = await world().erp.admin('PUT', `/items/${sku}`, {
        displayName: `Item ${sku}`,
        type: 'InvtPart',
        basePrice: 10,
        ...fields,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    },

    /** Maps the store's first location to an ERP location; returns the store location's id. */
    async mapFirstLocation(erpLocation = '1') {
      const { locations } = await world().shop.client.request<{ locations: { nodes: { id: string }[] } }>(
        '{ locations(first: 1) { nodes { id } } }',
      );
      const location = locations.nodes[0]!.id;
      await mappingRepository(world().db).upsertLocation(store, location, erpLocation);
      return location;
    },

    /** The store catalog's full resync, page by page: brings the ERP's items to the store, with their stock. */
    async resyncCatalog() {
      const { db, netsuite, storefront, shop } = world();
      const mappings = mappingRepository(db);
      const alerts = alertRepository(db);
      const pusher = createStockPusher({ db, storefront, mappings, alerts });
      const catalog = createStoreCatalogActivities({
        db,
        erp: netsuite,
        catalog: new ShopifyCatalog(shop.client),
        mappings,
        alerts,
        pushStock: async (input) => {
          await pusher.pushCurrentStock({ ...input, erp: netsuite });
        },
      });
      const env = new MockActivityEnvironment();
      const rules = { version: 0, rules: (await rulesRepository(db).current()).rules.catalog };
      for (let after: string | null = null; ;) {
        const page = (await env.run(catalog.resyncCatalogPage, {
          store,
          after,
          pageSize: 10,
          force: false,
          workflowId: 'test',
          rules,
        })) as CatalogResyncPage;
        if (!page.next) break;
        after = page.next;
      }
    },

    /**
     * Rounds of the inventory sync's own activity until it has caught up, under the current rules
     * unless the test gives a snapshot of its own.
     */
    async syncInventory({
      rules,
      workflowId = 'test',
    }: { rules?: InventoryRulesSnapshot; workflowId?: string } = {}) {
      const { db, sync } = world();
      let snapshot = rules;
      if (!snapshot) {
        const current = await rulesRepository(db).current();
        snapshot = { version: current.version, rules: current.rules.inventory };
      }
      for (let i = 0; i < 100; i++) {
        const page = (await new MockActivityEnvironment().run(sync.syncInventoryPage, {
          store,
          sync: `inventory:${store}`,
          pageSize: 50,
          workflowId,
          rules: snapshot,
        })) as InventoryPageResult;
        if (!page.hasMore) return;
      }
      throw new Error('the inventory sync did not catch up');
    },

    /** Runs a worker of the inventory sync workflow, with the sync activities, while `fn` runs. */
    withInventoryWorker<T>(taskQueue: string, fn: () => Promise<T>) {
      return withWorker({ taskQueue, activities: world().sync, workflowsPath: inventorySyncPath }, fn);
    },

    /** Starts the inventory sync workflow of the store, as `npm start` runs it: a full resync, then following. */
    startInventorySync(taskQueue: string) {
      return temporal().workflow.start(inventorySync, {
        taskQueue,
        workflowId: `sync:inventory:${store}`,
        args: [{ store, pollIntervalSeconds: 3600, pageSize: 50, fullResync: true }],
      });
    },

    variant,
    /** What the store has to sell of a SKU, over all its locations. */
    inStore: async (sku: string) => (await variant(sku)).available,

    /** Every stock level the ERP has, read as the inventory sync reads it. */
    async erpLevels(): Promise<ErpLevel[]> {
      const levels: ErpLevel[] = [];
      for (let cursor: string | null = null; ;) {
        const page = await world().netsuite.inventoryChangedSince(cursor, 500);
        levels.push(...page.items);
        cursor = page.nextCursor;
        if (!page.hasMore) break;
      }
      return levels;
    },
  };
}

export type SyncWorld = ReturnType<typeof syncWorld>;
