import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import { parseShopifyJson } from '../../connectors/shopify/webhooks/json';
import { ShopifyOrder } from '../../connectors/shopify/webhooks/schemas';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { apiTemporalClient, testDb, testLog } from '../support/env';
import { closeServer, countExecutions, deliver, eventually, fixture, listen, signalsOf } from './helpers';

const SECRET = 'ingress-test-secret';
const PREVIOUS = 'ingress-test-previous-secret';

describe('Shopify webhook ingress', () => {
  let db: Db;
  let client: Client;
  let server: Server;
  let base: string;
  const store = `wh${Date.now().toString(36)}`;
  const prefix = `whq${Date.now().toString(36)}`;

  let asOperator: Record<string, string>;

  beforeAll(async () => {
    db = testDb();
    // The API's own kind of client: what it answers Shopify depends on how that client reports Temporal's answers.
    client = await apiTemporalClient();
    const { apiKey } = await principalRepository(db).create({ name: 'Ops', role: 'operator' });
    asOperator = { authorization: `Bearer ${apiKey}` };
    ({ server, base } = await listen(
      createApp({
        temporal: client,
        db,
        log: testLog,
        store,
        taskQueuePrefix: prefix,
        shopifySecret: SECRET,
        shopifySecretPrevious: PREVIOUS,
      }),
    ));
  });
  afterAll(async () => {
    await closeServer(server);
    await client.connection.close();
    await db.end();
  });

  const oneExecution = async (workflowId: string) =>
    eventually(
      () => countExecutions(client, workflowId),
      (n) => n >= 1,
    );

  it('starts one order process from the unmodified orders/create, orders/updated, orders/cancelled and refunds/create samples', async () => {
    const workflowId = `order:${store}:820982911946154500`;
    // Out of order on purpose: the update and the cancellation arrive before the creation.
    for (const [topic, file] of [
      ['orders/updated', 'orders_updated.json'],
      ['orders/create', 'orders_create.json'],
      ['orders/cancelled', 'orders_cancelled.json'],
      ['refunds/create', 'refunds_create.json'],
    ] as const) {
      const res = await deliver(base, fixture(file), { secret: SECRET, topic });
      expect(res.status, topic).toBe(200);
      expect(res.body, topic).toMatchObject({ status: 'accepted', workflowId });
    }
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.type).toBe('orderToInvoice');
    expect(description.taskQueue).toBe(`${prefix}-quayside-orders`);
    expect(await oneExecution(workflowId)).toBe(1);

    const signals = await signalsOf(client, workflowId);
    expect(signals.map((s) => s.name)).toEqual([
      'storefrontOrderEvent',
      'storefrontOrderEvent',
      'storefrontOrderEvent',
      'storefrontRefundEvent',
    ]);
    const [updated, created, cancelled, refund] = signals.map((s) => s.arg);
    expect(updated).toMatchObject({ topic: 'orders/updated' });
    expect(cancelled).toMatchObject({ topic: 'orders/cancelled', cancelReason: 'customer' });
    expect(created).toMatchObject({
      topic: 'orders/create',
      order: {
        store,
        orderId: '820982911946154500',
        orderNumber: '#9999',
        customerId: '115310627314723950',
        currency: 'USD',
        tags: ['tag1', 'tag2'],
        updatedAt: '2021-12-31T19:00:00-05:00',
      },
    });
    expect((created!.order as { lines: unknown[] }).lines).toHaveLength(5);
    expect((created!.order as { lines: unknown[] }).lines[0]).toEqual({
      lineId: '487817672276298560',
      sku: 'SKU2006-001',
      title: 'Aviator sunglasses',
      quantity: 1,
      unitPrice: '89.99',
      taxable: true,
    });
    expect(refund).toMatchObject({
      orderId: '820982911946154500',
      refundId: '890088186047892400',
      amount: '85.00',
      currency: 'USD',
    });
  });

  it('hands customers/create and customers/update each to a customer-sync process of their own, once', async () => {
    const created = await deliver(base, fixture('customers_create.json'), {
      secret: SECRET,
      topic: 'customers/create',
      headerStyle: 'new',
      eventId: 'ev-create-1',
    });
    const createdId = `customer-sync:${store}:706405506930370000:ev-create-1`;
    expect(created).toMatchObject({ status: 200, body: { status: 'accepted', workflowId: createdId } });
    const updated = await deliver(base, fixture('customers_create.json'), {
      secret: SECRET,
      topic: 'customers/update',
      headerStyle: 'both',
      eventId: 'ev-update-1',
    });
    const updatedId = `customer-sync:${store}:706405506930370000:ev-update-1`;
    expect(updated).toMatchObject({ status: 200, body: { status: 'accepted', workflowId: updatedId } });
    expect((await client.workflow.getHandle(createdId).describe()).type).toBe('customerSync');
    expect(await oneExecution(createdId)).toBe(1);
    const signals = await signalsOf(client, createdId);
    expect(signals.map((s) => s.arg.topic)).toEqual(['customers/create']);
    expect(signals[0]!.arg).toMatchObject({
      application: {
        email: 'bob@biller.com',
        firstName: 'Bob',
        lastName: 'Biller',
        customerId: '706405506930370000',
      },
    });
    expect((await signalsOf(client, updatedId)).map((s) => s.arg.topic)).toEqual(['customers/update']);

    // The same merchant action delivered again after its process finished is acknowledged, not parked.
    await client.workflow.getHandle(updatedId).terminate('done');
    const late = await deliver(base, fixture('customers_create.json'), {
      secret: SECRET,
      topic: 'customers/update',
      eventId: 'ev-update-1',
    });
    expect(late).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    const parked = await db.query(
      `SELECT count(*)::int AS n FROM dead_letters WHERE topic = 'customers/update' AND payload LIKE '%706405506930370000%'`,
    );
    expect(parked.rows[0]).toEqual({ n: 0 });
  });

  it('hands the returns/request sample, which lists no lines, to its return process as Shopify sent it', async () => {
    const res = await deliver(base, fixture('returns_request.json'), {
      secret: SECRET,
      topic: 'returns/request',
    });
    const workflowId = `return:${store}:123134564567890`;
    expect(res).toMatchObject({ status: 200, body: { status: 'accepted', workflowId } });
    expect((await client.workflow.getHandle(workflowId).describe()).type).toBe('returnRefund');
    const [signal] = await signalsOf(client, workflowId);
    expect(signal).toMatchObject({
      name: 'storefrontReturnEvent',
      arg: { request: { returnId: '123134564567890', orderId: '4783296544821', lines: [] } },
    });
    const parked = await db.query(
      `SELECT count(*)::int AS n FROM dead_letters WHERE topic = 'returns/request'`,
    );
    expect(parked.rows[0]).toEqual({ n: 0 });
  });

  it('dead-letters an order with a bad field and starts the process when the fixed payload is replayed', async () => {
    const order = JSON.parse(fixture('orders_create.json')) as Record<string, unknown>;
    const bad = fixture('orders_create.json')
      .replace('"id": 820982911946154500,', '"id": 777000000000000001,')
      .replace('"currency": "USD"', '"currency": "US DOLLARS"');
    expect(order.currency).toBe('USD');
    const res = await deliver(base, bad, { secret: SECRET, topic: 'orders/create' });
    expect(res).toMatchObject({ status: 200, body: { status: 'dead_lettered' } });
    const id = res.body.deadLetterId as number;
    const letter = (await (
      await fetch(`${base}/webhooks/dead-letters/${id}`, { headers: asOperator })
    ).json()) as { reason: string; payload: string; headers: Record<string, string> };
    expect(letter.reason).toContain('body.currency');
    expect(letter.payload).toBe(bad);
    expect(letter.headers['x-shopify-topic']).toBe('orders/create');
    const workflowId = `order:${store}:777000000000000001`;
    expect(await countExecutions(client, workflowId)).toBe(0);

    const replay = await fetch(`${base}/webhooks/dead-letters/${id}/replay`, {
      method: 'POST',
      headers: asOperator,
      body: bad.replace('"currency": "US DOLLARS"', '"currency": "USD"'),
    });
    expect(replay.status).toBe(200);
    expect(await oneExecution(workflowId)).toBe(1);
  });

  it('answers 401 to a tampered body, a wrong secret or a missing signature, and starts nothing', async () => {
    const body = fixture('customers_create.json');
    const signedForOther = await deliver(base, body.replace('bob@biller.com', 'mallory@evil.test'), {
      secret: SECRET,
      topic: 'customers/create',
      signature: (await import('../../connectors/shopify/webhooks/verify')).shopifyHmac(body, SECRET),
    });
    expect(signedForOther.status).toBe(401);
    expect(signedForOther.body.code).toBe('WEBHOOK.UNAUTHORIZED');
    const wrongSecret = await deliver(base, body, { secret: 'not-the-secret', topic: 'customers/create' });
    expect(wrongSecret.status).toBe(401);
    const unsigned = await fetch(`${base}/webhooks/shopify`, {
      method: 'POST',
      headers: { 'x-shopify-topic': 'customers/create' },
      body,
    });
    expect(unsigned.status).toBe(401);
    const rows = await db.query(
      'SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = ANY($1)',
      [[signedForOther.webhookId, wrongSecret.webhookId]],
    );
    expect(rows.rows[0].n).toBe(0);
  });

  it('accepts deliveries signed with the previous secret during a rotation', async () => {
    const res = await deliver(
      base,
      fixture('customers_create.json').replace('706405506930370000', '706405506930370111'),
      {
        secret: PREVIOUS,
        topic: 'customers/create',
      },
    );
    expect(res).toMatchObject({
      status: 200,
      body: {
        status: 'accepted',
        workflowId: expect.stringMatching(`^customer-sync:${store}:706405506930370111:`),
      },
    });
  });

  it('turns the same delivery sent 5 times concurrently into one workflow run, one signal and one dedupe row', async () => {
    const body = fixture('orders_create.json').replace(
      '"id": 820982911946154500,',
      '"id": 555000000000000005,',
    );
    const webhookId = `dup-${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        deliver(base, body, {
          secret: SECRET,
          topic: 'orders/create',
          webhookId,
          eventId: `ev-${webhookId}`,
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results.filter((r) => r.body.status === 'accepted')).toHaveLength(1);
    expect(results.filter((r) => r.body.status === 'duplicate')).toHaveLength(4);
    const workflowId = `order:${store}:555000000000000005`;
    expect(await oneExecution(workflowId)).toBe(1);
    expect(await signalsOf(client, workflowId)).toHaveLength(1);
    const rows = await db.query('SELECT status, workflow_id FROM webhook_deliveries WHERE webhook_id = $1', [
      webhookId,
    ]);
    expect(rows.rows).toEqual([{ status: 'processed', workflow_id: workflowId }]);

    // Another subscription's delivery of the same merchant action (new webhook id, same event id) is also a duplicate.
    const sibling = await deliver(base, body, {
      secret: SECRET,
      topic: 'orders/create',
      eventId: `ev-${webhookId}`,
    });
    expect(sibling.body.status).toBe('duplicate');
  });

  it('acknowledges an unknown topic without starting anything', async () => {
    const res = await deliver(base, fixture('inventory_levels_update.json'), {
      secret: SECRET,
      topic: 'inventory_levels/update',
    });
    expect(res).toMatchObject({ status: 200, body: { status: 'ignored', topic: 'inventory_levels/update' } });
  });

  it('keeps every digit of ids beyond 2^53', () => {
    const order = ShopifyOrder.parse(
      parseShopifyJson(
        fixture('orders_create.json').replace('"id": 820982911946154500,', '"id": 820982911946154508,'),
      ),
    );
    expect(order.id).toBe('820982911946154508');
    expect(String(JSON.parse('820982911946154508'))).not.toBe('820982911946154508');
  });
});
