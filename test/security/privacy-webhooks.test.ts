import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { closeServer, deliver, listen } from '../storefront/helpers';
import { testDb, testLog } from '../support/env';

/**
 * Shopify's mandatory privacy webhooks, with Shopify's payload shapes
 * (shopify.dev, "Privacy law compliance": customers/data_request, customers/redact, shop/redact).
 */
describe('Shopify privacy webhooks', () => {
  let db: Db;
  let server: Server;
  let base: string;
  const run = Date.now() % 1_000_000;
  const store = `priv${run}`;
  const shop = `priv${run}.myshopify.com`;
  const secret = 'privacy-webhook-secret';
  const cara = {
    id: `77${run}01`,
    email: 'cara.client@example.com',
    name: 'Cara Client',
    street: '1 Harbour Road',
  };
  const dan = { id: `77${run}02`, email: 'dan.other@example.com', name: 'Dan Other', street: '9 Mill Lane' };
  let operator: string;

  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  const get = async (path: string, key = operator) => {
    const res = await fetch(`${base}${path}`, { headers: auth(key) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  async function seed(p: typeof cara, orderId: string) {
    const wf = `order:${store}:${orderId}`;
    await db.query(
      `INSERT INTO orders (store, order_id, workflow_id, order_number, customer_id, status, attention_reason, total_minor, currency)
       VALUES ($1, $2, $3, $4, $5, 'onHold', $6, 64000, 'USD')`,
      [
        store,
        orderId,
        wf,
        `#${orderId}`,
        p.id,
        `Invalid Field Value ${p.street} for the following field: shipaddress`,
      ],
    );
    await db.query(
      'INSERT INTO customer_map (store, store_customer_id, erp_customer_id) VALUES ($1, $2, $3)',
      [store, p.id, `E-${p.id}`],
    );
    await db.query(
      `INSERT INTO customer_cache (erp_customer_id, company_name, credit_limit, balance) VALUES ($1, $2, '5000.00', '0.00')`,
      [`E-${p.id}`, `${p.name} Trading`],
    );
    await db.query(
      `INSERT INTO notifications (id, kind, recipient, subject, payload, workflow_id) VALUES ($1, 'order.backordered', $2, $3, $4, $5)`,
      [
        `${wf}:notice`,
        JSON.stringify({ role: 'buyer', email: p.email, name: p.name, id: p.id, store }),
        `Hello ${p.name}`,
        JSON.stringify({ shipTo: p.street }),
        wf,
      ],
    );
    await db.query(
      `INSERT INTO alerts (dedupe_key, severity, kind, subject, message, workflow_id) VALUES ($1, 'warning', 'order.parked', $2, $3, $4)`,
      [`${wf}:alert`, `Order #${orderId} needs attention`, `The ERP refused ${p.street}`, wf],
    );
    await db.query(
      `INSERT INTO approvals (approval_id, kind, workflow_id, store, amount, currency, summary, context, requested_at)
       VALUES ($1, 'order.creditHold', $2, $3, '640.00', 'USD', $4, $5, now())`,
      [
        `${wf}:approval`,
        wf,
        store,
        `Order #${orderId} for ${p.name}`,
        JSON.stringify({ company: `${p.name} Trading` }),
      ],
    );
    await db.query(
      `INSERT INTO dead_letters (webhook_id, topic, shop_domain, reason, payload) VALUES ($1, 'orders/create', $2, 'test', $3)`,
      [
        randomUUID(),
        shop,
        `{"id": ${orderId}, "email": "${p.email}", "customer": {"id": ${p.id}, "first_name": "${p.name}"}}`,
      ],
    );
  }

  beforeAll(async () => {
    db = testDb();
    operator = (await principalRepository(db).create({ name: 'Privacy operator', role: 'operator' })).apiKey;
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    ({ server, base } = await listen(
      createApp({ temporal, db, log: testLog, store, taskQueuePrefix: store, shopifySecret: secret }),
    ));
    await seed(cara, `${run}501`);
    await seed(dan, `${run}502`);
  });
  afterAll(async () => {
    await closeServer(server);
    await db.end();
  });

  const dataRequest = (p: typeof cara) =>
    JSON.stringify({
      shop_id: 954889,
      shop_domain: shop,
      orders_requested: [Number(`${run}501`)],
      customer: { id: Number(p.id), email: p.email, phone: '555-625-1199' },
      data_request: { id: 9999 },
    });
  const redact = (p: typeof cara) =>
    JSON.stringify({
      shop_id: 954889,
      shop_domain: shop,
      customer: { id: Number(p.id), email: p.email, phone: '555-625-1199' },
      orders_to_redact: [Number(`${run}501`)],
    });

  it('answers 401 to every privacy topic with a missing or wrong signature, and records nothing', async () => {
    for (const [topic, body] of [
      ['customers/data_request', dataRequest(cara)],
      ['customers/redact', redact(cara)],
      ['shop/redact', JSON.stringify({ shop_id: 954889, shop_domain: shop })],
    ] as const) {
      const wrong = await deliver(base, body, { secret: 'not-the-secret', topic, shop });
      expect(wrong.status).toBe(401);
      const none = await deliver(base, body, { secret, topic, shop, signature: '' });
      expect(none.status).toBe(401);
    }
    const recorded = await db.query('SELECT 1 FROM privacy_requests WHERE store = $1', [store]);
    expect(recorded.rowCount).toBe(0);
    expect(
      (await db.query('SELECT 1 FROM notifications WHERE recipient->>$1 = $2', ['email', cara.email]))
        .rowCount,
    ).toBe(1);
  });

  it('answers a data request with an export of everything held about that customer, for operators only', async () => {
    const delivered = await deliver(base, dataRequest(cara), {
      secret,
      topic: 'customers/data_request',
      shop,
    });
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({ status: 'recorded', topic: 'customers/data_request' });
    const id = Number(delivered.body.privacyRequestId);

    const { status, body } = await get(`/privacy/requests/${id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      topic: 'customers/data_request',
      customerId: cara.id,
      dataRequestId: '9999',
    });
    const exported = JSON.stringify(body.export);
    for (const held of [cara.email, cara.name, cara.street, `E-${cara.id}`, `${run}501`])
      expect(exported, `the export holds ${held}`).toContain(held);
    for (const other of [dan.email, dan.name, dan.street]) expect(exported).not.toContain(other);
    expect((await get('/privacy/requests')).body.requests).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, topic: 'customers/data_request' })]),
    );

    // Not for approvers, not without a key, and another store's operator sees nothing.
    const approver = (await principalRepository(db).create({ name: 'Privacy approver', role: 'approver' }))
      .apiKey;
    expect((await get(`/privacy/requests/${id}`, approver)).status).toBe(403);
    expect((await fetch(`${base}/privacy/requests/${id}`)).status).toBe(401);
    const elsewhere = (
      await principalRepository(db).create({
        name: 'Other store',
        role: 'operator',
        stores: ['another-store'],
      })
    ).apiKey;
    const hidden = await get(`/privacy/requests/${id}`, elsewhere);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('PRIVACY_REQUEST.NOT_FOUND');
    expect((await get('/privacy/requests', elsewhere)).body.requests).toEqual([]);
  });

  it('redacts a customer across tables and caches, keeps the accounting records with the reason, and only once', async () => {
    const webhookId = randomUUID();
    const delivered = await deliver(base, redact(cara), {
      secret,
      topic: 'customers/redact',
      shop,
      webhookId,
    });
    expect(delivered.status).toBe(200);
    const id = Number(delivered.body.privacyRequestId);

    const everything = async () =>
      JSON.stringify(
        await Promise.all(
          [
            'notifications',
            'alerts',
            'approvals',
            'dead_letters',
            'orders',
            'customer_map',
            'customer_cache',
          ].map(async (t) => (await db.query(`SELECT * FROM ${t}`)).rows),
        ),
      );
    const after = await everything();
    for (const gone of [cara.email, cara.name, cara.street, `E-${cara.id}`])
      expect(after, `still held: ${gone}`).not.toContain(gone);
    // The other customer is untouched.
    for (const kept of [dan.email, dan.name, dan.street]) expect(after).toContain(kept);
    // The order record stays (it ties the ERP's documents to the storefront order), without personal text.
    const order = await db.query(
      'SELECT total, attention_reason FROM orders WHERE store = $1 AND order_id = $2',
      [store, `${run}501`],
    );
    expect(order.rows[0]).toEqual({ total: '640.00', attention_reason: null });

    const { body } = await get(`/privacy/requests/${id}`);
    expect(body.erased).toMatchObject({
      notifications: 1,
      alerts: 1,
      approvals: 1,
      webhookDeadLetters: 1,
      customerMapping: 1,
      erpCustomerCache: 1,
    });
    const kept = body.kept as { what: string; reason: string }[];
    expect(kept.find((k) => k.what.includes('ERP'))?.reason).toMatch(/law/i);
    expect(kept.find((k) => k.what.startsWith('Temporal'))?.reason).toContain('ids only');

    // Shopify retries: the same delivery finds the first record and changes nothing more.
    const again = await deliver(base, redact(cara), { secret, topic: 'customers/redact', shop, webhookId });
    expect(again.status).toBe(200);
    const count = await db.query(
      'SELECT count(*)::int AS n FROM privacy_requests WHERE store = $1 AND topic = $2',
      [store, 'customers/redact'],
    );
    expect(count.rows[0]).toEqual({ n: 1 });
  });

  it('refuses a signed privacy request that is not Shopify’s shape with a 400 naming the field', async () => {
    const bad = JSON.stringify({ shop_id: 954889, shop_domain: shop, customer: { email: 'x@example.com' } });
    const res = await deliver(base, bad, { secret, topic: 'customers/redact', shop });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'WEBHOOK.INVALID_BODY' });
    expect(String(res.body.message)).toContain('body.customer.id');
  });

  it('redacts the shop 48 hours after uninstall: its raw webhooks and mappings go, the accounting records stay', async () => {
    const res = await deliver(base, JSON.stringify({ shop_id: 954889, shop_domain: shop }), {
      secret,
      topic: 'shop/redact',
      shop,
    });
    expect(res.status).toBe(200);
    expect((await db.query('SELECT 1 FROM dead_letters WHERE shop_domain = $1', [shop])).rowCount).toBe(0);
    expect((await db.query('SELECT 1 FROM customer_map WHERE store = $1', [store])).rowCount).toBe(0);
    const notes = await db.query(`SELECT 1 FROM notifications WHERE recipient->>'email' = $1`, [dan.email]);
    expect(notes.rowCount).toBe(0);
    expect((await db.query('SELECT 1 FROM orders WHERE store = $1', [store])).rowCount).toBe(2);
    const { body } = await get(`/privacy/requests/${Number(res.body.privacyRequestId)}`);
    expect(body).toMatchObject({ topic: 'shop/redact', shopDomain: shop });
    expect(JSON.stringify(body.kept)).toContain('ERP');
  });
});
