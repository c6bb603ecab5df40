import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createActivities } from '../../activities';
import { createApp } from '../../api/app';
import { createMetrics } from '../../api/metrics';
import type { Db } from '../../db/pool';
import { mappingRepository } from '../../db/mappings';
import { principalRepository } from '../../db/principals';
import { SA } from '../../domain/search-attributes';
import { testClient, testDb, testLog, withWorker } from '../support/env';
import { FakeErp, FakeStorefront } from '../orders/fakes';

describe('the order path end to end (API → Temporal → activity → Postgres)', () => {
  let db: Db;
  let client: Client;
  let server: Server;
  let base: string;
  const prefix = `path${Date.now()}`;

  let operator: Record<string, string>;
  const metrics = createMetrics();

  beforeAll(async () => {
    db = testDb();
    operator = {
      authorization: `Bearer ${(await principalRepository(db).create({ name: 'Path operator', role: 'operator' })).apiKey}`,
    };
    client = await testClient();
    server = createApp({
      temporal: client,
      db,
      log: testLog,
      store: 'test-store',
      taskQueuePrefix: prefix,
      metrics,
    }).listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await client.connection.close();
    await db.end();
  });

  it('starts one workflow per order, takes it to the ERP, records it in Postgres and answers its status', async () => {
    const order = {
      orderId: `o-${Date.now()}`,
      orderNumber: '#1001',
      customerId: 'CUST-7',
      poNumber: 'PO-4471',
      currency: 'USD',
      lines: [
        { lineId: '1', sku: 'PROD-1', quantity: 2, unitPrice: '10.50' },
        { lineId: '2', sku: 'PROD-2', quantity: 1, unitPrice: '3.25' },
      ],
    };
    const erp = new FakeErp();
    erp.addCustomer('E-7', null);
    // ERP item names of this test only: stock other tests cache for their items must not steer allocation.
    const [p1, p2] = [`PATH-${order.orderId}-1`, `PATH-${order.orderId}-2`];
    erp.stock.set(`${p1}@1`, 10);
    erp.stock.set(`${p2}@1`, 10);
    const mappings = mappingRepository(db);
    await mappings.upsertCustomer('test-store', 'CUST-7', 'E-7');
    await mappings.upsertSkus('test-store', [
      { storeSku: 'PROD-1', erpSku: p1 },
      { storeSku: 'PROD-2', erpSku: p2 },
    ]);
    const activities = createActivities({ db, erp, storefront: new FakeStorefront() });
    await withWorker({ taskQueue: `${prefix}-quayside-orders`, activities }, async () => {
      const first = await fetch(`${base}/orders`, {
        method: 'POST',
        headers: { ...operator, 'content-type': 'application/json' },
        body: JSON.stringify(order),
      });
      expect(first.status).toBe(202);
      const { workflowId } = (await first.json()) as { workflowId: string };
      expect(workflowId).toBe(`order:test-store:${order.orderId}`);

      const again = await fetch(`${base}/orders`, {
        method: 'POST',
        headers: { ...operator, 'content-type': 'application/json' },
        body: JSON.stringify(order),
      });
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ workflowId, started: false });

      const deadline = Date.now() + 20_000;
      let status: { step?: string; total?: string; status?: string } = {};
      const inErp = () => status.step === 'fulfilling' && status.status === 'inErp';
      while (Date.now() < deadline && !inErp()) {
        const res = await fetch(`${base}/orders/${order.orderId}`, { headers: operator });
        if (res.ok) status = (await res.json()) as typeof status;
        if (!inErp()) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toMatchObject({ step: 'fulfilling', status: 'inErp', total: '24.25' });
      expect(erp.orders.size).toBe(1);

      const row = await db.query('SELECT status, po_number, total FROM orders WHERE workflow_id = $1', [
        workflowId,
      ]);
      expect(row.rows).toEqual([{ status: 'inErp', po_number: 'PO-4471', total: '24.25' }]);

      const description = await client.workflow.getHandle(workflowId).describe();
      expect(description.typedSearchAttributes.get(SA.poNumber)).toBe('PO-4471');
      expect(description.typedSearchAttributes.get(SA.status)).toBe('inErp');

      const cancelled = await fetch(`${base}/orders/${order.orderId}/cancel`, {
        method: 'POST',
        headers: { ...operator, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'end of the path test' }),
      });
      expect(cancelled.status).toBe(200);
      expect(await cancelled.json()).toMatchObject({ outcome: 'cancelled' });
      await client.workflow.getHandle(workflowId).result();
    });
  });

  it('rejects a bad order with a 400 that names the field, and starts nothing', async () => {
    const stranger = await fetch(`${base}/orders/bad-1`);
    expect(stranger.status).toBe(401);
    const res = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { ...operator, 'content-type': 'application/json' },
      body: JSON.stringify({
        orderId: 'bad-1',
        orderNumber: '#1',
        customerId: 'C',
        currency: 'USD',
        lines: [{ lineId: '1', sku: 'X', quantity: 0, unitPrice: '1.00' }],
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('REQUEST.INVALID');
    expect(body.message).toContain('body.lines.0.quantity');
    const unknown = await fetch(`${base}/orders/bad-1`, { headers: operator });
    expect(unknown.status).toBe(404);
  });

  it('exposes Prometheus metrics with request latency by route: to operators on the API port, to anyone only on the metrics address', async () => {
    await fetch(`${base}/health`);
    const open = await fetch(`${base}/metrics`);
    expect(open.status).toBe(401);
    expect(await open.text()).not.toContain('quayside_http_request_duration_seconds');
    const approver = (await principalRepository(db).create({ name: 'Metrics approver', role: 'approver' }))
      .apiKey;
    expect(
      (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${approver}` } })).status,
    ).toBe(403);
    const res = await fetch(`${base}/metrics`, { headers: operator });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /quayside_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/,
    );

    // The separate listener api/main.ts opens on API_METRICS_ADDRESS: the same numbers, no key, nothing else.
    const scrape = metrics.standalone().listen(0, '127.0.0.1');
    await once(scrape, 'listening');
    try {
      const at = `http://127.0.0.1:${(scrape.address() as AddressInfo).port}`;
      const scraped = await fetch(`${at}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(
        /quayside_http_request_duration_seconds_count\{method="GET",route="\/health"/,
      );
      expect((await fetch(`${at}/orders`, { headers: operator })).status).toBe(404);
    } finally {
      scrape.close();
    }
  });

  it('reports health, and 503 when Temporal is unreachable', async () => {
    const ok = await fetch(`${base}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      status: 'ok',
      temporal: { status: 'ok' },
      postgres: { status: 'ok' },
    });

    const deadClient = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const deadServer = createApp({
      temporal: deadClient,
      db,
      log: testLog,
      store: 'x',
      taskQueuePrefix: 'x',
    }).listen(0);
    await once(deadServer, 'listening');
    try {
      const res = await fetch(`http://127.0.0.1:${(deadServer.address() as AddressInfo).port}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        status: 'degraded',
        temporal: { status: 'down' },
        postgres: { status: 'ok' },
      });
    } finally {
      deadServer.close();
    }
  });
});
