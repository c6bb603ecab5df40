import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createFlowActivities } from '../../activities/flows';
import { createSyncActivities } from '../../activities/sync';
import { createApp } from '../../api/app';
import { alertRepository } from '../../db/alerts';
import { mappingRepository } from '../../db/mappings';
import { cachedPriceBook } from '../../db/price-book';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import type { ErpCustomer, ErpItem, ErpPort, ErpPrice, Page } from '../../domain/erp';
import type { StorefrontPort } from '../../domain/storefront';
import { catalogSync } from '../../workflows/catalogSync';
import { testClient, testDb, testLog, uniqueTaskQueue, withWorker } from '../support/env';
import { recordHistory } from '../support/histories';

const workflowsPath = path.join(__dirname, '../../workflows/catalogSync.ts');
const store = `quote-${Date.now()}`;
const at = '2026-11-01T00:00:00.000Z';

function paged<T>(rows: T[], cursor: string | null, pageSize: number): Page<T> {
  const start = cursor ? Number(cursor) : 0;
  const items = rows.slice(start, start + pageSize);
  return { items, nextCursor: String(start + items.length), hasMore: start + items.length < rows.length };
}

const items: ErpItem[] = [
  {
    erpId: '1',
    sku: 'P100',
    name: 'Hex bolt M8',
    kind: 'inventory',
    parentSku: null,
    hazmat: false,
    serialized: false,
    basePrice: '2.50',
    inactive: false,
    lastModified: at,
  },
  {
    erpId: '2',
    sku: 'P200',
    name: 'Solvent 1L',
    kind: 'inventory',
    parentSku: null,
    hazmat: true,
    serialized: false,
    basePrice: '12.00',
    inactive: false,
    lastModified: at,
  },
  {
    erpId: '3',
    sku: 'P300',
    name: 'Washer',
    kind: 'inventory',
    parentSku: null,
    hazmat: false,
    serialized: false,
    basePrice: '0.40',
    inactive: false,
    lastModified: at,
  },
];
const prices: ErpPrice[] = [
  {
    sku: 'P100',
    priceLevel: 'Wholesale',
    customerErpId: null,
    minQuantity: 1,
    unitPrice: '2.20',
    lastModified: at,
  },
  {
    sku: 'P100',
    priceLevel: 'Wholesale',
    customerErpId: null,
    minQuantity: 100,
    unitPrice: '1.90',
    lastModified: at,
  },
  {
    sku: 'P100',
    priceLevel: null,
    customerErpId: '900',
    minQuantity: 1,
    unitPrice: '1.75',
    lastModified: at,
  },
];
const customers: Record<string, ErpCustomer> = {
  '900': {
    erpId: '900',
    externalId: null,
    companyName: 'Acme Tools',
    email: null,
    creditLimit: '10000.00',
    balance: '9500.00',
    terms: 'Net 30',
    priceLevel: 'Wholesale',
    taxExempt: false,
    parentErpId: null,
    lastModified: at,
  },
  '901': {
    erpId: '901',
    externalId: null,
    companyName: 'Beta Supply',
    email: null,
    creditLimit: '5000.00',
    balance: '0.00',
    terms: 'Net 15',
    priceLevel: 'Wholesale',
    taxExempt: true,
    parentErpId: null,
    lastModified: at,
  },
};

const erp = {
  listItems: async (cursor: string | null, pageSize = 2) => paged(items, cursor, pageSize),
  listPrices: async (cursor: string | null, pageSize = 2) => paged(prices, cursor, pageSize),
  getCustomer: async (erpId: string) => customers[erpId] ?? null,
  inventoryChangedSince: async (cursor: string | null) =>
    paged(
      [
        { sku: 'P100', location: 'WH-EAST', onHand: 150, available: 120, lastModified: at },
        { sku: 'P100', location: 'WH-WEST', onHand: 30, available: 30, lastModified: at },
      ],
      cursor,
      10,
    ),
} as unknown as ErpPort;
const storefront = { setInventory: async () => ({ updated: 2, stale: [] }) } as unknown as StorefrontPort;

describe('catalog, price and credit caches answer checkout quotes', () => {
  let db: Db;
  let client: Client;
  let server: Server;
  let base: string;
  let key: string;

  beforeAll(async () => {
    db = testDb();
    client = await testClient();
    const mappings = mappingRepository(db);
    await mappings.upsertSkus(store, [
      { storeSku: 'PROD-100', erpSku: 'P100' },
      { storeSku: 'PROD-300', erpSku: 'P300' },
    ]);
    await mappings.upsertCustomer(store, 'c-acme', '900');
    await mappings.upsertCustomer(store, 'c-beta', '901');
    await mappings.upsertLocation(store, 'L-EAST', 'WH-EAST');
    await mappings.upsertLocation(store, 'L-WEST', 'WH-WEST');
    const activities = {
      ...createSyncActivities({ db, erp, storefront, mappings, alerts: alertRepository(db) }),
      ...createFlowActivities({ db }),
    };
    const taskQueue = uniqueTaskQueue('catalog');
    await withWorker({ taskQueue, activities, workflowsPath }, async () => {
      const result = await client.workflow.execute(catalogSync, {
        taskQueue,
        workflowId: `sync:catalog:${store}`,
        args: [{ store, pageSize: 2, customerBatchSize: 1, refreshIntervalMinutes: 60, once: true }],
      });
      expect(result).toMatchObject({ phase: 'done', items: 3, prices: 3, customers: 2, missingCustomers: 0 });
      await recordHistory(client, `sync:catalog:${store}`, 'catalogSync-once');
    });
    await new MockActivityEnvironment().run(activities.syncInventoryPage, {
      store,
      sync: `inventory:${store}`,
      pageSize: 10,
      workflowId: 'test',
    });

    ({ apiKey: key } = await principalRepository(db).create({ name: 'Checkout', role: 'operator' }));
    server = createApp({ temporal: client, db, log: testLog, store, taskQueuePrefix: 'quote' }).listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await client?.connection.close();
    await db?.end();
  });

  const quote = async (query: string, auth = true) =>
    fetch(`${base}/quote?${query}`, { headers: auth ? { authorization: `Bearer ${key}` } : {} });

  it('gives a contract customer their contract price, stock by location and credit headroom', async () => {
    const res = await quote('sku=PROD-100&quantity=10&customer=c-acme');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      unitPrice: '1.75',
      priceSource: 'contract',
      total: '17.50',
      available: 150,
      inStock: true,
      stock: [
        { location: 'WH-EAST', available: 120 },
        { location: 'WH-WEST', available: 30 },
      ],
      credit: {
        limit: '10000.00',
        balance: '9500.00',
        headroom: '500.00',
        headroomAfterOrder: '482.50',
        terms: 'Net 30',
      },
    });
  });

  it('applies the price level quantity break, and the base price without a customer', async () => {
    expect(await (await quote('sku=PROD-100&quantity=99&customer=c-beta')).json()).toMatchObject({
      unitPrice: '2.20',
      priceSource: 'priceLevel',
    });
    expect(await (await quote('sku=PROD-100&quantity=100&customer=c-beta')).json()).toMatchObject({
      unitPrice: '1.90',
      priceSource: 'priceLevel',
      quantityBreak: 100,
    });
    expect(await (await quote('sku=PROD-300&quantity=5')).json()).toMatchObject({
      unitPrice: '0.40',
      priceSource: 'base',
      available: 0,
      inStock: false,
      credit: null,
    });
  });

  it('gives the order price check the same prices, omitting SKUs it does not know', async () => {
    const book = cachedPriceBook(db);
    expect(
      await book.unitPrices({
        customerErpId: '900',
        priceLevel: 'Wholesale',
        lines: [
          { sku: 'P100', quantity: 10 },
          { sku: 'P300', quantity: 1 },
          { sku: 'P404', quantity: 1 },
        ],
      }),
    ).toEqual({
      P100: '1.75',
      P300: '0.40',
    });
  });

  it('refuses without a key, and names what is wrong with the question', async () => {
    expect((await quote('sku=PROD-100&quantity=1', false)).status).toBe(401);
    const unknown = await quote('sku=PROD-999&quantity=1');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'QUOTE.UNKNOWN_SKU' });
    const bad = await quote('sku=PROD-100&quantity=0');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('query.quantity');
  });
  it('shows a price, level, contract or credit the syncs just committed in the very next quote', async () => {
    const activities = createSyncActivities({
      db,
      erp,
      storefront,
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
    });
    const env = new MockActivityEnvironment();
    const syncPrices = async (sync: string) => {
      for (;;) {
        const page = await env.run(activities.syncPricesPage, { sync, pageSize: 10 });
        if (!(page as { hasMore: boolean }).hasMore) return;
      }
    };
    const refreshCustomers = () =>
      env.run(activities.refreshCustomerCache, { store, afterStoreCustomerId: null, batchSize: 10 });
    const json = async (query: string) => (await quote(query)).json();

    // The quotes are in the API's memory now.
    expect(await json('sku=PROD-100&quantity=10&customer=c-beta')).toMatchObject({ unitPrice: '2.20' });
    expect(await json('sku=PROD-300&quantity=5&customer=c-beta')).toMatchObject({ priceSource: 'base' });

    // The ERP lowers the Wholesale price, gives Beta a contract price and books an invoice for Acme.
    prices.splice(0, 1, { ...prices[0]!, unitPrice: '2.05', lastModified: '2026-11-02T00:00:00.000Z' });
    prices.push({
      sku: 'P300',
      priceLevel: null,
      customerErpId: '901',
      minQuantity: 1,
      unitPrice: '0.35',
      lastModified: '2026-11-02T00:00:00.000Z',
    });
    customers['900'] = { ...customers['900']!, balance: '9900.00' };
    await syncPrices(`prices-changed:${store}`);
    await refreshCustomers();
    expect(await json('sku=PROD-100&quantity=10&customer=c-beta')).toMatchObject({
      unitPrice: '2.05',
      priceSource: 'priceLevel',
      total: '20.50',
    });
    expect(await json('sku=PROD-300&quantity=5&customer=c-beta')).toMatchObject({
      unitPrice: '0.35',
      priceSource: 'contract',
    });
    expect(await json('sku=PROD-100&quantity=10&customer=c-acme')).toMatchObject({
      unitPrice: '1.75',
      credit: { balance: '9900.00', headroom: '100.00' },
    });

    // Beta loses its price level: the next quote falls back to the base price.
    customers['901'] = { ...customers['901']!, priceLevel: null };
    await refreshCustomers();
    expect(await json('sku=PROD-100&quantity=10&customer=c-beta')).toMatchObject({
      unitPrice: '2.50',
      priceSource: 'base',
    });
  });
  it("lets a second store quote from the item master the primary's sync keeps, reading only its own customers from the ERP", async () => {
    const storeB = `${store}-b`;
    const mappings = mappingRepository(db);
    await mappings.upsertSkus(storeB, [{ storeSku: 'B-100', erpSku: 'P100' }]);
    await mappings.upsertCustomer(storeB, 'b-acme', '900');
    const reads = { items: 0, prices: 0, customers: 0 };
    const counted = {
      ...erp,
      listItems: async (cursor: string | null, pageSize?: number) => {
        reads.items += 1;
        return erp.listItems(cursor, pageSize);
      },
      listPrices: async (cursor: string | null, pageSize?: number) => {
        reads.prices += 1;
        return erp.listPrices(cursor, pageSize);
      },
      getCustomer: async (erpId: string) => {
        reads.customers += 1;
        return erp.getCustomer(erpId);
      },
    } as ErpPort;
    const activities = {
      ...createSyncActivities({ db, erp: counted, storefront, mappings, alerts: alertRepository(db) }),
      ...createFlowActivities({ db }),
    };
    const taskQueue = uniqueTaskQueue('catalog-b');
    await withWorker({ taskQueue, activities, workflowsPath }, async () => {
      const result = await client.workflow.execute(catalogSync, {
        taskQueue,
        workflowId: `sync:catalog:${storeB}`,
        args: [
          {
            store: storeB,
            pageSize: 2,
            customerBatchSize: 1,
            refreshIntervalMinutes: 60,
            once: true,
            itemMaster: false,
          },
        ],
      });
      expect(result).toMatchObject({ phase: 'done', items: 0, prices: 0, customers: 1 });
    });
    expect(reads).toEqual({ items: 0, prices: 0, customers: 1 });

    const serverB = createApp({
      temporal: client,
      db,
      log: testLog,
      store: storeB,
      taskQueuePrefix: 'quote-b',
    }).listen(0);
    await once(serverB, 'listening');
    try {
      const res = await fetch(
        `http://127.0.0.1:${(serverB.address() as AddressInfo).port}/quote?sku=B-100&quantity=10&customer=b-acme`,
        { headers: { authorization: `Bearer ${key}` } },
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ unitPrice: '1.75', priceSource: 'contract' });
    } finally {
      serverB.close();
    }
  });
});
