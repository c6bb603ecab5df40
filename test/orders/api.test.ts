import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { testClient, testDb, testLog, withWorker } from '../support/env';
import { deliver, event, makeOrder, scenario, waitFor } from './harness';

describe('orders API', () => {
  let db: Db;
  let client: Client;
  let server: Server | undefined;

  beforeAll(async () => {
    db = testDb();
    client = await testClient();
  });
  afterAll(async () => {
    server?.close();
    await client.connection.close();
    await db.end();
  });

  async function api(store: string, role: 'operator' | 'approver' = 'operator') {
    const { apiKey } = await principalRepository(db).create({ name: `Orders ${role}`, role });
    const auth = { authorization: `Bearer ${apiKey}` };
    server?.close();
    server = createApp({ temporal: client, db, log: testLog, store, taskQueuePrefix: 'unused' }).listen(0);
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return (path: string, body?: unknown) =>
      fetch(
        `${base}${path}`,
        body === undefined
          ? { headers: auth }
          : {
              method: 'POST',
              headers: { ...auth, 'content-type': 'application/json' },
              body: JSON.stringify(body),
            },
      );
  }

  it('shows a parked order with the SKU named, refuses a fix that does not match (409) or is malformed (400), and resumes on the right fix', async () => {
    const s = await scenario(db);
    const call = await api(s.store);
    const order = makeOrder(s.store, '2001', {
      lines: [{ lineId: '1', sku: 'GASKET-4', quantity: 1, unitPrice: '9.00' }],
    });
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      await waitFor(handle, (x) => x.attention !== null, 'the parked order');
      const status = (await (await call('/orders/2001')).json()) as {
        needsAttention: boolean;
        attentionReason: string;
        step: string;
        lines: unknown[];
      };
      expect(status).toMatchObject({ needsAttention: true, step: 'mapping' });
      expect(status.attentionReason).toBe('SKU GASKET-4 is not mapped to an ERP item; map it to continue.');

      const listed = (await (await call('/orders?status=onHold')).json()) as {
        orders: { orderId: string; attentionReason: string }[];
      };
      expect(listed.orders.find((o) => o.orderId === '2001')?.attentionReason).toContain('GASKET-4');

      const malformed = await call('/orders/2001/fix', { sku: 'GASKET-4' });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { message: string }).message).toContain('body');
      const wrong = await call('/orders/2001/fix', { sku: 'OTHER-1', erpSku: 'X' });
      expect(wrong.status).toBe(409);
      const refused = (await wrong.json()) as { code: string; message: string };
      expect(refused.code).toBe('ORDER.FIX_MISMATCH');
      expect(refused.message).toContain('SKU OTHER-1 is not what order 2001 is parked on');

      const ok = await call('/orders/2001/fix', { sku: 'GASKET-4', erpSku: `${s.store}-B1`, by: 'olga' });
      expect(ok.status).toBe(200);
      await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order');

      const badCancel = await call('/orders/2001/cancel', { reason: '' });
      expect(badCancel.status).toBe(400);
      expect(((await badCancel.json()) as { message: string }).message).toContain('body.reason');
      const badLine = await call('/orders/2001/cancel', { reason: 'x', lines: [{ lineId: '99' }] });
      expect(badLine.status).toBe(409);
      expect(await badLine.json()).toMatchObject({
        code: 'ORDER.LINE_NOT_CANCELLABLE',
        message: expect.stringContaining('no line 99'),
      });
      const cancelled = await call('/orders/2001/cancel', { reason: 'done testing' });
      expect(await cancelled.json()).toMatchObject({
        outcome: 'cancelled',
        compensations: ['cancelErpOrder', 'releaseReservations', 'voidPayment'],
      });
      await handle.result();
      const again = await call('/orders/2001/cancel', { reason: 'twice' });
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ code: 'ORDER.FINISHED' });
    });
  });

  it('answers 404 for an unknown order and 400 naming a bad list filter', async () => {
    const call = await api('nowhere');
    const missing = await call('/orders/nope-1');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ORDER.NOT_FOUND' });
    const badFilter = await call('/orders?status=lost');
    expect(badFilter.status).toBe(400);
    expect(((await badFilter.json()) as { message: string }).message).toContain('query.status');
    const badId = await call('/orders/bad%20id');
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { message: string }).message).toContain('params.id');
  });

  it('lets an approver read orders but not cancel or fix them', async () => {
    const s = await scenario(db);
    const call = await api(s.store, 'approver');
    expect((await call('/orders?status=onHold')).status).toBe(200);
    const cancel = await call('/orders/2002/cancel', { reason: 'not mine to cancel' });
    expect(cancel.status).toBe(403);
    expect(await cancel.json()).toMatchObject({ code: 'AUTH.FORBIDDEN' });
    expect((await call('/orders/2002/fix', { sku: 'X', erpSku: 'Y' })).status).toBe(403);
  });
});
