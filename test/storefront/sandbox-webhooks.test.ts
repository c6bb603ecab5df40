import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import { SHOPIFY_TOPICS } from '../../connectors/shopify/webhooks/map';
import { verifyShopifyHmac } from '../../connectors/shopify/webhooks/verify';
import { ShopifyStorefront } from '../../connectors/shopify/storefront';
import { registerWebhookSubscriptions } from '../../connectors/shopify/webhooks/subscriptions';
import type { Db } from '../../db/pool';
import { SANDBOX_DEV_WEBHOOK_SECRET } from '../../sandbox/storefront/app';
import { testClient, testDb, testLog } from '../support/env';
import { closeServer, countExecutions, eventually, listen, signalsOf } from './helpers';
import { startSandbox, type RunningSandbox } from './sandbox-support';

const run = Date.now().toString(36).toUpperCase();

describe('sandbox store webhook delivery', () => {
  let store: RunningSandbox;
  let receiver: Server;
  let receiverUrl: string;
  const received: { headers: IncomingHttpHeaders; body: Buffer; answered: number }[] = [];

  beforeAll(async () => {
    // 1 minute × 0.00005 = a first retry after 3 ms: Shopify's schedule, scaled down.
    store = await startSandbox('store_webhooks', { retryScale: 0.00005 });
    const seen = new Set<string>();
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = String(req.headers['x-shopify-webhook-id']);
        const answered = seen.has(id) ? 200 : 500;
        seen.add(id);
        received.push({ headers: req.headers, body: Buffer.concat(chunks), answered });
        res.writeHead(answered).end();
      });
    });
    ({ server: receiver, base: receiverUrl } = await listen(server));
    await store.sim('/sandbox/products', {
      sku: `PROD-123-${run}`,
      price: '4.75',
      inventory: { 'Reno Warehouse': 100 },
    });
  });
  afterAll(async () => {
    await store.stop();
    await closeServer(receiver);
  });

  it('signs deliveries like Shopify, sends both header sets, and retries a 500 with the same delivery', async () => {
    const hook = `${receiverUrl}/hooks`;
    expect(await registerWebhookSubscriptions(store.client, hook, ['orders/create'])).toEqual({
      created: ['orders/create'],
      existing: [],
    });
    const { orderId } = await store.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: `hook-${run}@acme.test`,
      company: 'Acme',
      poNumber: 'PO-77',
      lines: [{ sku: `PROD-123-${run}`, quantity: 4 }],
    });
    const got = await eventually(
      async () => received.filter((r) => r.body.toString().includes(`"id":${orderId},`)),
      (r) => r.length >= 2,
    );
    expect(got.map((r) => r.answered)).toEqual([500, 200]);
    const [first, retry] = got;
    expect(retry!.headers['x-shopify-webhook-id']).toBe(first!.headers['x-shopify-webhook-id']);
    expect(retry!.body.equals(first!.body)).toBe(true);
    for (const r of got) {
      expect(r.headers['x-shopify-topic']).toBe('orders/create');
      expect(r.headers['shopify-topic']).toBe('orders/create');
      expect(r.headers['x-shopify-shop-domain']).toBe('quayside-sandbox.myshopify.com');
      expect(r.headers['x-shopify-api-version']).toBe('2026-04');
      expect(r.headers['x-shopify-event-id']).toBeTruthy();
      expect(
        verifyShopifyHmac(r.body, r.headers['x-shopify-hmac-sha256'] as string, [SANDBOX_DEV_WEBHOOK_SECRET]),
      ).toBe(true);
    }
    expect(BigInt(orderId)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    const rows = await eventually(
      async () =>
        (
          await store.db.query(
            'SELECT status, attempts, last_status FROM webhook_deliveries WHERE webhook_id = $1',
            [first!.headers['x-shopify-webhook-id']],
          )
        ).rows,
      (r) => r[0]?.status === 'delivered',
    );
    expect(rows).toEqual([{ status: 'delivered', attempts: 2, last_status: 200 }]);
  });
});

describe('sandbox store → Quayside webhook ingress → Temporal', () => {
  let store: RunningSandbox;
  let db: Db;
  let client: Client;
  let api: Server;
  let apiBase: string;
  const storeKey = `e2e${run.toLowerCase()}`;

  beforeAll(async () => {
    // Every delivery is sent twice and some are held back, as Shopify may do.
    store = await startSandbox('store_e2e', {
      duplicateRate: 1,
      reorderRate: 0.5,
      reorderDelayMs: 150,
      retryScale: 0.0001,
    });
    db = testDb();
    client = await testClient();
    ({ server: api, base: apiBase } = await listen(
      createApp({
        temporal: client,
        db,
        log: testLog,
        store: storeKey,
        taskQueuePrefix: `e2e${run.toLowerCase()}`,
        shopifySecret: SANDBOX_DEV_WEBHOOK_SECRET,
      }),
    ));
    const registered = await registerWebhookSubscriptions(
      store.client,
      `${apiBase}/webhooks/shopify`,
      SHOPIFY_TOPICS,
    );
    expect(registered.created).toHaveLength(SHOPIFY_TOPICS.length);
    await store.sim('/sandbox/products', { sku: `PROD-200-${run}`, price: '19.99' });
    await store.sim('/sandbox/products', { sku: `PROD-201-${run}`, price: '5.00' });
  });
  afterAll(async () => {
    await store.stop();
    await closeServer(api);
    await client.connection.close();
    await db.end();
  });

  it('a B2B order, its update, a refund, a new customer and a return each reach one deterministic workflow once', async () => {
    const { orderId, customerId } = await store.sim<{ orderId: string; customerId: string }>(
      '/sandbox/orders',
      {
        customerEmail: `buyer-${run}@northwind.test`,
        company: `Northwind ${run}`,
        location: 'Northwind Dock 4',
        poNumber: `PO-${run}`,
        projectCode: 'PRJ-9',
        financialStatus: 'paid',
        lines: [
          { sku: `PROD-200-${run}`, quantity: 10 },
          { sku: `PROD-201-${run}`, quantity: 3 },
        ],
      },
    );
    await store.sim(`/sandbox/orders/${orderId}/update`, { tags: ['rush'] });
    const orderWf = `order:${storeKey}:${orderId}`;

    const orderSignals = await eventually(
      () => signalsOf(client, orderWf).catch(() => []),
      (s) => s.length >= 2,
    );
    expect(orderSignals.map((s) => s.arg.topic).sort()).toEqual(['orders/create', 'orders/updated']);
    const created = orderSignals.find((s) => s.arg.topic === 'orders/create')!.arg as {
      order: Record<string, unknown>;
    };
    expect(created.order).toMatchObject({
      orderId,
      customerId,
      poNumber: `PO-${run}`,
      projectCode: 'PRJ-9',
      currency: 'USD',
    });
    expect(created.order.companyLocationId).toMatch(/^\d{16,}$/);
    expect(created.order.lines).toEqual([
      expect.objectContaining({ sku: `PROD-200-${run}`, quantity: 10, unitPrice: '19.99' }),
      expect.objectContaining({ sku: `PROD-201-${run}`, quantity: 3, unitPrice: '5.00' }),
    ]);

    const lineIds = (created.order.lines as { lineId: string }[]).map((l) => l.lineId);
    await new ShopifyStorefront(store.client).createRefund({
      orderId,
      refundKey: `CM-${run}`,
      lines: [{ lineId: lineIds[1]!, quantity: 1, restock: true }],
      amount: '5.00',
      currency: 'USD',
      notifyCustomer: false,
    });
    const { returnId } = await store.sim<{ returnId: string }>('/sandbox/returns', {
      orderId,
      lines: [{ sku: `PROD-200-${run}`, quantity: 2, reason: 'WRONG_ITEM' }],
    });

    const withRefund = await eventually(
      () => signalsOf(client, orderWf),
      (s) => s.length >= 3,
    );
    expect(withRefund.filter((s) => s.name === 'storefrontRefundEvent').map((s) => s.arg)).toEqual([
      expect.objectContaining({ orderId, amount: '5.00', lines: [{ lineId: lineIds[1], quantity: 1 }] }),
    ]);
    const returnWf = `return:${storeKey}:${returnId}`;
    const returnSignals = await eventually(
      () => signalsOf(client, returnWf).catch(() => []),
      (s) => s.length >= 1,
    );
    expect(returnSignals[0]!.arg).toMatchObject({
      // As Shopify's, the sandbox's returns/request lists no lines; the return process reads them.
      request: { orderId, returnId, lines: [] },
    });
    // customers/create reaches its customer-sync process, one per storefront event.
    const customerWf = await eventually(
      async () =>
        (
          await db.query<{ workflow_id: string }>(
            `SELECT workflow_id FROM webhook_deliveries WHERE topic = 'customers/create' AND workflow_id LIKE $1`,
            [`customer-sync:${storeKey}:${customerId}:%`],
          )
        ).rows[0]?.workflow_id ?? '',
      (id) => id !== '',
    );
    const customerSignals = await eventually(
      () => signalsOf(client, customerWf).catch(() => []),
      (s) => s.length >= 1,
    );
    expect(customerSignals[0]!.arg).toMatchObject({
      topic: 'customers/create',
      application: { email: `buyer-${run}@northwind.test` },
    });

    // Every delivery went out twice; every process exists once and got each event once.
    await store.sandbox.webhooks.idle();
    for (const id of [orderWf, customerWf, returnWf])
      expect(
        await eventually(
          () => countExecutions(client, id),
          (n) => n >= 1,
        ),
      ).toBe(1);
    expect(await signalsOf(client, orderWf)).toHaveLength(3);
    expect(await signalsOf(client, returnWf)).toHaveLength(1);
    expect(await signalsOf(client, customerWf)).toHaveLength(1);
    const duplicates = await db.query(
      "SELECT count(*)::int AS n FROM webhook_deliveries WHERE workflow_id = ANY($1) AND status = 'processed'",
      [[orderWf, customerWf, returnWf]],
    );
    expect(duplicates.rows[0].n).toBe(5);
  });
});
