import { once } from 'node:events';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createApp } from '../../api/app';
import { ShopifyStorefront, registerWebhookSubscriptions } from '../../connectors/shopify';
import { SHOPIFY_TOPICS } from '../../connectors/shopify/webhooks/map';
import { shopifyHmac } from '../../connectors/shopify/webhooks/verify';
import { ensureErpEventsPoller } from '../../activities/erp-events';
import { mappingRepository } from '../../db/mappings';
import { principalRepository } from '../../db/principals';
import { syncRepository } from '../../db/sync';
import type { Db } from '../../db/pool';
import {
  erpEventsWorkflowId,
  INVENTORY_SYNC_TASK_QUEUE,
  inventorySyncWorkflowId,
  orderStatusQuery,
  orderWorkflowId,
  storeQueuePrefix,
  taskQueue,
  type OrderStatus,
} from '../../domain/contracts';
import { inventorySync } from '../../workflows';
import { createStoreWorkers } from '../../workers/stores';
import { ingressShopsOf } from '../../api/stores';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { privateTestDatabase, testClient, testConfig, testLog } from '../support/env';
import { eventually } from '../support/wait';

/**
 * Two storefronts on one Quayside (a B2B and a DTC shop), every hop over real HTTP or gRPC: two
 * sandbox stores with their own shop domain, access token and webhook secret; one API; one ERP; each
 * store's workers on its own queues with its own Shopify connection, as workers/main.ts runs them.
 * The same storefront SKU is mapped to different ERP items in the two stores, and both shops number
 * their orders alike, so anything keyed by order id or SKU alone would mix them.
 */

interface ShopUnderTest {
  store: string;
  domain: string;
  secret: string;
  token: string;
  prefix: string;
  shop: RunningSandbox;
  storefront: ShopifyStorefront;
  /** The store's warehouse (Chicago), mapped to the ERP's location 1. */
  location: string;
  buyerId: string;
  /** The ERP customer and items the store's buyer, PROD-3 and PROD-6 are mapped to (PROD-5 is P5 in both). */
  erpCustomer: string;
  prod3: string;
  prod6: string;
}

const run = randomUUID().slice(0, 6);
const PREFIX = `ms${run}`;

describe('two stores side by side on one Quayside', () => {
  let own: { url: string; db: Db; drop(): Promise<void> };
  let db: Db;
  let client: Client;
  let erp: RunningErpSandbox;
  let api: string;
  let server: Server;
  let connection: NativeConnection;
  let workers: Worker[];
  let running: Promise<unknown>;
  let a: ShopUnderTest;
  let b: ShopUnderTest;
  let blackHole: Server | undefined;

  async function openShop(
    name: string,
    erpCustomer: string,
    prod3: string,
    prod6: string,
  ): Promise<ShopUnderTest> {
    const store = `${name}${run}`;
    const domain = `${store}.myshopify.com`;
    const secret = `webhook-secret-of-${store}`;
    const token = `shpat_${store}_token`;
    const shop = await startSandbox(`sandbox_store_${store}`, {
      webhookSecret: secret,
      shopDomain: domain,
      accessToken: token,
      retryScale: 0.01,
      databaseUrl: own.url,
    });
    return {
      store,
      domain,
      secret,
      token,
      prefix: '',
      shop,
      storefront: new ShopifyStorefront(shop.client),
      location: '',
      buyerId: '',
      erpCustomer,
      prod3,
      prod6,
    };
  }

  /** Products (at the ERP's prices of the items they are mapped to), a buyer and the store's mappings. */
  async function setUpShop(s: ShopUnderTest, basePrice: Map<string, string>): Promise<void> {
    for (const [sku, erpSku] of [
      ['PROD-3', s.prod3],
      ['PROD-5', 'P5'],
      ['PROD-6', s.prod6],
    ] as const)
      await s.shop.sim('/sandbox/products', {
        sku,
        title: sku,
        price: basePrice.get(erpSku),
        inventory: { 'Chicago Warehouse': 0 },
      });
    s.buyerId = (
      await s.shop.sim<{ customerId: string }>('/sandbox/customers', {
        email: `buyer@${s.store}.example.com`,
        company: `Buyer of ${s.store}`,
      })
    ).customerId;
    const loc = await s.shop.db.query<{ id: string }>(
      `SELECT id::text AS id FROM locations WHERE name = 'Chicago Warehouse'`,
    );
    s.location = `gid://shopify/Location/${loc.rows[0]!.id}`;
    const mappings = mappingRepository(db);
    await mappings.upsertCustomer(s.store, s.buyerId, s.erpCustomer);
    await mappings.upsertSkus(s.store, [
      { storeSku: 'PROD-3', erpSku: s.prod3 },
      { storeSku: 'PROD-5', erpSku: 'P5' },
      { storeSku: 'PROD-6', erpSku: s.prod6 },
    ]);
    await mappings.upsertLocation(s.store, s.location, '1');
  }

  const placeOrder = (s: ShopUnderTest, quantity: number) =>
    s.shop.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: `buyer@${s.store}.example.com`,
      company: `Buyer of ${s.store}`,
      poNumber: `PO-${s.store}-${quantity}`,
      lines: [{ sku: 'PROD-3', quantity }],
    });

  const status = (s: ShopUnderTest, orderId: string) =>
    client.workflow.getHandle(orderWorkflowId(s.store, orderId)).query(orderStatusQuery);

  const inErp = (s: ShopUnderTest, orderId: string, timeoutMs = 30_000) =>
    eventually(
      async () => {
        const st = await status(s, orderId).catch(() => null);
        if (st?.attention) throw new Error(`order parked: ${st.attention.reason}`);
        return st?.erpOrder ? st : null;
      },
      `order ${orderId} of ${s.store} in the ERP`,
      timeoutMs,
    );

  /** What the store sells of a SKU at its Chicago warehouse, read through its own Admin API. */
  const storeQuantity = async (s: ShopUnderTest, sku: string) => {
    const levels = await s.storefront.levelsOf([sku]);
    return levels.find((l) => l.locationId === s.location)?.available ?? null;
  };

  /** What the ERP has available of an item at location 1. */
  const erpAvailable = async (sku: string) =>
    (await erp.client({ concurrency: 1 }).inventoryOf([sku])).find((l) => l.location === '1')?.available ?? 0;

  /** What the ERP has available of an item over all its locations (what a checkout quote sums). */
  const erpTotal = async (sku: string) =>
    (await erp.client({ concurrency: 1 }).inventoryOf([sku])).reduce(
      (n, l) => n + Math.max(0, l.available),
      0,
    );

  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    own = await privateTestDatabase();
    db = own.db;
    client = await testClient();
    erp = await startErpSandbox({ skus: 20, customers: 6, databaseUrl: own.url });
    a = await openShop('b2b', '2', 'P3', 'P6');
    b = await openShop('dtc', '3', 'P7', 'P8');
    a.prefix = storeQueuePrefix(PREFIX, a.store, a.store);
    b.prefix = storeQueuePrefix(PREFIX, b.store, a.store);
    // The ERP's items in Quayside's item cache (the checkout quote and the order price check read it).
    const netsuite = erp.client({ concurrency: 5 });
    const basePrice = new Map<string, string>();
    for (let c: string | null = null; ;) {
      const page = await netsuite.listItems(c, 500);
      await syncRepository(db).saveItems(page.items);
      for (const item of page.items) basePrice.set(item.sku, item.basePrice);
      if (!page.hasMore) break;
      c = page.nextCursor;
    }
    await setUpShop(a, basePrice);
    await setUpShop(b, basePrice);

    // The deployment's configuration: store A is the primary store (SHOPIFY_*), store B one more.
    const config = testConfig({
      DATABASE_URL: own.url,
      TEMPORAL_TASK_QUEUE_PREFIX: PREFIX,
      QUAYSIDE_STORE: a.store,
      SHOPIFY_SHOP_DOMAIN: a.domain,
      SHOPIFY_ADMIN_URL: a.shop.base,
      SHOPIFY_ACCESS_TOKEN: a.token,
      SHOPIFY_API_SECRET: a.secret,
      QUAYSIDE_MORE_STORES: JSON.stringify([
        {
          name: b.store,
          shopDomain: b.domain,
          adminUrl: b.shop.base,
          accessToken: b.token,
          apiSecret: b.secret,
        },
      ]),
    });
    server = createApp({
      temporal: client,
      db,
      log: testLog,
      store: config.QUAYSIDE_STORE,
      taskQueuePrefix: config.TEMPORAL_TASK_QUEUE_PREFIX,
      shopifySecret: config.SHOPIFY_API_SECRET,
      shops: ingressShopsOf(config),
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const s of [a, b])
      await registerWebhookSubscriptions(s.shop.client, `${api}/webhooks/shopify`, SHOPIFY_TOPICS);

    // Each store's workers as the worker process builds them from the configuration.
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    workers = await createStoreWorkers({ connection, config, db, erp: netsuite, log: testLog });
    running = Promise.all(workers.map((w) => w.run()));
    for (const s of [a, b]) {
      await ensureErpEventsPoller(client, { store: s.store, taskQueuePrefix: s.prefix, pollEvery: '250ms' });
      await client.workflow.start(inventorySync, {
        workflowId: inventorySyncWorkflowId(s.store),
        taskQueue: taskQueue(INVENTORY_SYNC_TASK_QUEUE, s.prefix),
        args: [{ store: s.store, pollIntervalSeconds: 0.5, pageSize: 100, fullResync: true }],
      });
    }
  }, 120_000);

  afterAll(async () => {
    for (const s of [a, b])
      if (s)
        for (const id of [erpEventsWorkflowId(s.store), inventorySyncWorkflowId(s.store)])
          await client.workflow
            .getHandle(id)
            .terminate('test finished')
            .catch(() => undefined);
    // Orders left waiting on the shop that is down are stopped; its connections are cut.
    if (a) {
      const open = client.workflow.list({ query: `WorkflowId STARTS_WITH "order:${a.store}:"` });
      for await (const w of open)
        if (w.status.name === 'RUNNING')
          await client.workflow
            .getHandle(w.workflowId)
            .terminate('test finished')
            .catch(() => undefined);
    }
    // Shop A's address stops taking connections, so what still calls it fails at once.
    blackHole?.close();
    blackHole?.closeAllConnections();
    for (const w of workers ?? []) w.shutdown();
    await running;
    await connection?.close();
    server?.closeAllConnections();
    server?.close();
    for (const s of [a, b]) if (s && s !== a) await s.shop.stop();
    if (a && !blackHole) await a.shop.stop();
    await erp?.close();
    await client?.connection.close();
    await own?.drop();
  }, 120_000);

  let orderA: string;
  let orderB: string;

  it("an order webhook to each store reaches the ERP with that store's mapping, and its shipment goes back to its own shop", async () => {
    orderA = (await placeOrder(a, 2)).orderId;
    orderB = (await placeOrder(b, 3)).orderId;
    // Both shops number their orders alike: only the store tells the two orders apart.
    expect(orderB).toBe(orderA);

    const [sa, sb] = await Promise.all([inErp(a, orderA), inErp(b, orderB)]);
    const salesOrder = async (st: OrderStatus) =>
      (
        await erp.admin<{
          entity: { id: string };
          item: { items: { item: { refName: string }; quantity: number }[] };
        }>('GET', `/sales-orders/eid:${encodeURIComponent(st.erpOrder!.externalId)}`)
      ).body;
    const [soA, soB] = await Promise.all([salesOrder(sa), salesOrder(sb)]);
    // Store A's PROD-3 is the ERP's P3 for customer 2; store B's PROD-3 is P7 for customer 3.
    expect(soA.entity.id).toBe('2');
    expect(soA.item.items.map((l) => [l.item.refName, l.quantity])).toEqual([['P3', 2]]);
    expect(soB.entity.id).toBe('3');
    expect(soB.item.items.map((l) => [l.item.refName, l.quantity])).toEqual([['P7', 3]]);
    expect(sa.erpOrder!.erpId).not.toBe(sb.erpOrder!.erpId);

    // The warehouse ships store B's order: the tracking reaches store B's order, not store A's of the same number.
    const line = sb.lines[0]!.allocations[0]!;
    const shipped = await erp.admin('POST', `/sales-orders/${sb.erpOrder!.erpId}/ship`, {
      location: line.location,
      carrier: 'UPS',
      trackingNumbers: ['1ZDTC0000000000001'],
      lines: [{ lineKey: line.lineKey, quantity: line.quantity }],
    });
    expect(shipped.status).toBe(201);
    const tracking = (s: ShopUnderTest, id: string) =>
      s.shop.client
        .request<{ order: { fulfillments: { trackingInfo: { number: string }[] }[] } | null }>(
          `query($id: ID!) { order(id: $id) { fulfillments { trackingInfo { number } } } }`,
          { id: `gid://shopify/Order/${id}` },
        )
        .then((r) => r.order?.fulfillments.flatMap((f) => f.trackingInfo.map((t) => t.number)) ?? []);
    await eventually(
      async () => ((await tracking(b, orderB)).length > 0 ? true : null),
      "the tracking in store B's order",
    );
    expect(await tracking(b, orderB)).toEqual(['1ZDTC0000000000001']);
    expect(await tracking(a, orderA)).toEqual([]);
    expect((await status(a, orderA)).lines[0]!.shipped).toBe(0);
  }, 90_000);

  it('an ERP stock change reaches only the shops that sell that item, each from its own last push', async () => {
    // PROD-6 is P6 in store A and P8 in store B; PROD-5 is P5 in both. Both syncs have caught up
    // with the ERP's stock (the full resync at their start).
    const inStep = (s: ShopUnderTest, sku: string, erpSku: string) =>
      eventually(
        async () => (await storeQuantity(s, sku)) === (await erpAvailable(erpSku)),
        `${s.store}'s ${sku} to show ${erpSku}'s stock`,
      );
    await Promise.all([
      inStep(a, 'PROD-6', 'P6'),
      inStep(b, 'PROD-6', 'P8'),
      inStep(a, 'PROD-5', 'P5'),
      inStep(b, 'PROD-5', 'P5'),
    ]);
    const b6 = await storeQuantity(b, 'PROD-6');
    const p5 = await erpAvailable('P5');

    const receive = async (sku: string, quantity: number) =>
      expect((await erp.admin('POST', '/inventory/receive', { sku, location: '1', quantity })).status).toBe(
        200,
      );
    await receive('P6', 7);
    await receive('P5', 4);
    expect(await erpAvailable('P5')).toBe(p5 + 4);
    await Promise.all([inStep(a, 'PROD-6', 'P6'), inStep(a, 'PROD-5', 'P5'), inStep(b, 'PROD-5', 'P5')]);
    expect(await storeQuantity(b, 'PROD-5')).toBe(p5 + 4);
    // Store B's PROD-6 is another ERP item: P6's receipt did not touch it.
    expect(await storeQuantity(b, 'PROD-6')).toBe(b6);
    expect(b6).toBe(await erpAvailable('P8'));
    expect(await storeQuantity(a, 'PROD-6')).not.toBe(b6);
  }, 90_000);

  it("store A's orders, quotes and parked webhooks are invisible to store B's people, and each shop's webhooks need its own secret", async () => {
    const principals = principalRepository(db);
    const ofA = (await principals.create({ name: 'Ann of A', role: 'operator', stores: [a.store] })).apiKey;
    const ofB = (await principals.create({ name: 'Ben of B', role: 'operator', stores: [b.store] })).apiKey;

    // Orders: the same number in both stores, each person sees only their store's.
    const mine = await call('GET', `/orders/${orderB}?store=${b.store}`, ofB);
    expect(mine.status).toBe(200);
    expect(mine.body.erpOrder).toMatchObject({ externalId: `${b.store}:${orderB}` });
    const theirs = await call('GET', `/orders/${orderA}?store=${a.store}`, ofB);
    expect(theirs.status).toBe(404);
    expect(theirs.body.code).toBe('ORDER.NOT_FOUND');
    const cancel = await call('POST', `/orders/${orderA}/cancel?store=${a.store}`, ofB, {
      reason: 'not mine',
    });
    expect(cancel.status).toBe(404);
    expect((await status(a, orderA)).status).not.toBe('cancelled');
    const list = await call('GET', '/orders', ofB);
    const listed = (list.body.orders as { store: string; orderId: string }[]).map((o) => o.store);
    expect(listed).toContain(b.store);
    expect(listed).not.toContain(a.store);

    // Checkout quotes come from each store's own mapping of PROD-3.
    const quoteB = await call('GET', `/quote?sku=PROD-3&quantity=1&store=${b.store}`, ofB);
    expect(quoteB.status).toBe(200);
    expect(quoteB.body.available).toBe(await erpTotal('P7'));
    const quoteA = await call('GET', `/quote?sku=PROD-3&quantity=1&store=${a.store}`, ofA);
    expect(quoteA.status).toBe(200);
    expect(quoteA.body.available).toBe(await erpTotal('P3'));
    expect(await erpTotal('P3')).not.toBe(await erpTotal('P7'));
    const peek = await call('GET', `/quote?sku=PROD-3&quantity=1&store=${a.store}`, ofB);
    expect(peek.status).toBe(404);

    // Each store's people map their own store: B's new SKU is sold in B only, and A's mappings are not B's to change.
    const mapped = await call('PUT', `/config/mappings/skus/PROD-9?store=${b.store}`, ofB, { erpSku: 'P9' });
    expect(mapped.status).toBe(200);
    expect(mapped.body).toEqual({ store: b.store, storeSku: 'PROD-9', erpSku: 'P9' });
    expect((await call('GET', `/quote?sku=PROD-9&quantity=1&store=${b.store}`, ofB)).status).toBe(200);
    expect((await call('GET', `/quote?sku=PROD-9&quantity=1&store=${a.store}`, ofA)).status).toBe(404);
    const intrude = await call('PUT', `/config/mappings/skus/PROD-3?store=${a.store}`, ofB, { erpSku: 'P9' });
    expect(intrude.status).toBe(404);
    expect(intrude.body.code).toBe('STORE.NOT_FOUND');
    expect((await call('GET', `/quote?sku=PROD-3&quantity=1&store=${a.store}`, ofA)).body.available).toBe(
      await erpTotal('P3'),
    );
    expect((await call('GET', `/config/flows?store=${b.store}`, ofB)).body.store).toBe(b.store);
    expect((await call('GET', `/config/flows?store=${a.store}`, ofB)).status).toBe(404);

    // A delivery from shop B signed with shop A's secret is refused; a bad one from shop A is parked for A.
    const body = Buffer.from(JSON.stringify({ id: 'not-an-order' }));
    const deliver = (domain: string, secret: string) =>
      fetch(`${api}/webhooks/shopify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
          'x-shopify-shop-domain': domain,
          'x-shopify-webhook-id': randomUUID(),
          'x-shopify-event-id': randomUUID(),
          'x-shopify-api-version': '2026-04',
          'x-shopify-triggered-at': new Date().toISOString(),
          'x-shopify-hmac-sha256': shopifyHmac(body, secret),
        },
        body,
      });
    expect((await deliver(b.domain, a.secret)).status).toBe(401);
    expect((await deliver('someone-else.myshopify.com', a.secret)).status).toBe(401);
    const parked = await deliver(a.domain, a.secret);
    expect(parked.status).toBe(200);
    const { deadLetterId } = (await parked.json()) as { deadLetterId: number };
    expect(deadLetterId).toBeGreaterThan(0);
    expect((await call('GET', `/webhooks/dead-letters/${deadLetterId}`, ofA)).status).toBe(200);
    expect((await call('GET', `/webhooks/dead-letters/${deadLetterId}`, ofB)).status).toBe(404);
    const letters = await call('GET', '/webhooks/dead-letters', ofB);
    expect((letters.body.deadLetters as { id: number }[]).map((l) => l.id)).not.toContain(deadLetterId);
  }, 60_000);

  it("store A's shop being down does not delay store B's order or stock", async () => {
    // Shop A stops answering: its address still takes connections, but nothing ever replies.
    const port = Number(new URL(a.shop.base).port);
    await a.shop.stop();
    blackHole = http.createServer(() => undefined);
    blackHole.listen(port, '127.0.0.1');
    await once(blackHole, 'listening');

    // Work for shop A piles up: its order ships and its stock changes, each waiting on shop A.
    const sa = await status(a, orderA);
    const line = sa.lines[0]!.allocations[0]!;
    expect(
      (
        await erp.admin('POST', `/sales-orders/${sa.erpOrder!.erpId}/ship`, {
          location: line.location,
          carrier: 'UPS',
          trackingNumbers: ['1ZB2B0000000000001'],
          lines: [{ lineKey: line.lineKey, quantity: line.quantity }],
        })
      ).status,
    ).toBe(201);
    const b5 = await storeQuantity(b, 'PROD-5');
    expect(
      (await erp.admin('POST', '/inventory/receive', { sku: 'P5', location: '1', quantity: 6 })).status,
    ).toBe(200);

    // Store B's next order reaches the ERP, and the new stock reaches store B, within seconds.
    const started = Date.now();
    const next = (await placeOrder(b, 1)).orderId;
    const st = await inErp(b, next, 10_000);
    const orderMs = Date.now() - started;
    expect(st.erpOrder?.externalId).toBe(`${b.store}:${next}`);
    await eventually(
      async () => (await storeQuantity(b, 'PROD-5')) === b5! + 6,
      "store B's PROD-5 to grow by 6",
      10_000,
    );
    expect(orderMs).toBeLessThan(10_000);
  }, 60_000);
});
