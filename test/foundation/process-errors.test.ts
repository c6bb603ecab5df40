import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { FAILURE_ANSWERS } from '../../api/errors';
import { createApp } from '../../api/app';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { ORDER_WORKFLOW, RETURN_WORKFLOW, orderWorkflowId, returnWorkflowId } from '../../domain/contracts';
import { UPDATE_FAILURES } from '../../domain/failures';
import { testClient, testDb, testLog, uniqueTaskQueue, withWorker } from '../support/env';

/**
 * The one Temporal → HTTP mapping (api/errors.ts), through the API's own routes on the test
 * Temporal server: every failure type a contract declares is answered with its status and code
 * from the one table, a missing process with 404, and a start that finds its process already there
 * with 200 for the same request again or 409 for another.
 */
describe('Temporal answers as HTTP', () => {
  let db: Db;
  let client: Client;
  let server: Server;
  let base: string;
  let key: string;
  const store = `errs${randomUUID().slice(0, 8)}`;
  const prefix = `errs${Date.now().toString(36)}`;

  beforeAll(async () => {
    db = testDb();
    client = await testClient();
    server = createApp({ temporal: client, db, log: testLog, store, taskQueuePrefix: prefix }).listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    key = (await principalRepository(db).create({ name: 'Erin Errors', role: 'operator' })).apiKey;
  });
  afterAll(async () => {
    server?.close();
    await client?.connection.close();
    await db?.end();
  });

  const call = async (method: 'GET' | 'POST', route: string, body?: unknown) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as { code?: string; message?: string } };
  };

  it('answers each failure type a contract declares with its status and code from the one table', async () => {
    const types = Object.values(UPDATE_FAILURES).flatMap((byName) => Object.values(byName));
    expect(types.length).toBeGreaterThan(10);
    const taskQueue = uniqueTaskQueue('refusing');
    const returnId = `R-${randomUUID().slice(0, 8)}`;
    await withWorker(
      { taskQueue, activities: {}, workflowsPath: path.join(__dirname, 'refusing-return.ts') },
      async () => {
        const handle = await client.workflow.start('refusingReturn', {
          workflowId: returnWorkflowId(store, returnId),
          taskQueue,
        });
        try {
          const inspect = (note: string) =>
            call('POST', `/returns/${returnId}/inspection`, {
              lines: [{ lineId: '1', quantity: 1, disposition: 'restock' }],
              note,
            });
          for (const type of types) {
            const answer = await inspect(type);
            expect({ type, ...answer }).toEqual({
              type,
              status: FAILURE_ANSWERS[type].status,
              body: expect.objectContaining({
                code: FAILURE_ANSWERS[type].code,
                message: `Refused with ${type}.`,
              }),
            });
          }
          // A refusal no contract declares is not the caller's doing.
          const undeclared = await inspect('SomethingNoContractDeclares');
          expect(undeclared).toMatchObject({ status: 500, body: { code: 'INTERNAL' } });
        } finally {
          await handle.terminate('test done');
        }
      },
    );
  });

  it('answers a process that does not exist with 404 and its stable code', async () => {
    expect(await call('GET', `/returns/R-none-${randomUUID().slice(0, 8)}`)).toMatchObject({
      status: 404,
      body: { code: 'RETURN.NOT_FOUND' },
    });
    expect(await call('GET', `/orders/none-${randomUUID().slice(0, 8)}`)).toMatchObject({
      status: 404,
      body: { code: 'ORDER.NOT_FOUND' },
    });
    expect(await call('GET', `/customers/none-${randomUUID().slice(0, 8)}/application`)).toMatchObject({
      status: 404,
      body: { code: 'CUSTOMER.NOT_FOUND' },
    });
  });

  it('starts a return once: the same request again is 200, another request for the same return 409', async () => {
    const returnId = `R-${randomUUID().slice(0, 8)}`;
    const request = { returnId, orderId: 'O-1', lines: [{ lineId: '1', sku: 'BOLT-1', quantity: 1 }] };
    const first = await call('POST', '/returns', request);
    expect(first).toMatchObject({ status: 202, body: { workflowId: returnWorkflowId(store, returnId) } });
    expect(await call('POST', '/returns', request)).toMatchObject({ status: 200 });
    const other = await call('POST', '/returns', {
      ...request,
      lines: [{ ...request.lines[0], quantity: 2 }],
    });
    expect(other).toMatchObject({ status: 409, body: { code: 'RETURN.ALREADY_REQUESTED' } });
    const described = await client.workflow.getHandle(returnWorkflowId(store, returnId)).describe();
    expect(described.type).toBe(RETURN_WORKFLOW);
    await client.workflow.getHandle(returnWorkflowId(store, returnId)).terminate('test done');
  });

  it('starts an order once: the same order again is 200, another order under its id 409', async () => {
    const orderId = `o${randomUUID().slice(0, 8)}`;
    const order = {
      orderId,
      orderNumber: `#${orderId}`,
      customerId: 'cust-1',
      currency: 'USD',
      financialStatus: 'paid',
      lines: [{ lineId: '1', sku: 'BOLT-1', quantity: 2, unitPrice: '2.50' }],
      tags: [],
      updatedAt: '2026-01-01T10:00:00Z',
    };
    expect(await call('POST', '/orders', order)).toMatchObject({ status: 202, body: { started: true } });
    expect(await call('POST', '/orders', order)).toMatchObject({ status: 200, body: { started: false } });
    const changed = await call('POST', '/orders', { ...order, lines: [{ ...order.lines[0], quantity: 3 }] });
    expect(changed).toMatchObject({ status: 409, body: { code: 'ORDER.ALREADY_RECEIVED' } });
    const handle = client.workflow.getHandle(orderWorkflowId(store, orderId));
    expect((await handle.describe()).type).toBe(ORDER_WORKFLOW);
    // Once the order's process has closed, the same order again is still 200, and nothing restarts it.
    await handle.terminate('test done');
    expect(await call('POST', '/orders', order)).toMatchObject({ status: 200, body: { started: false } });
    expect((await handle.describe()).status.name).toBe('TERMINATED');
  });
});
