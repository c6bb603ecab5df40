import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createNotifyActivities } from '../../activities/notify';
import { createApp } from '../../api/app';
import { createWebhookNotifier, type Notification } from '../../connectors/notifier';
import { orderRepository } from '../../db/orders';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { makeOrder } from '../orders/harness';
import { testDb, testLog } from '../support/env';

interface TemplateBody {
  current: { version: number; subject: string; body: string; createdBy?: string };
  history: { version: number; subject: string; body: string; createdBy: string; comment: string | null }[];
  placeholders: { name: string }[];
}

describe('notification templates as data', () => {
  const store = `tpl${randomUUID().slice(0, 8)}`;
  let db: Db;
  let server: Server;
  let base: string;
  let operator: Record<string, string>;
  let admin: Record<string, string>;
  let approver: Record<string, string>;
  let elsewhere: Record<string, string>;

  const call = (method: string, path: string, who: Record<string, string>, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...who, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    db = testDb();
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    server = createApp({ temporal, db, log: testLog, store, taskQueuePrefix: store }).listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const principals = principalRepository(db);
    const key = async (name: string, role: 'operator' | 'admin' | 'approver', stores?: string[]) => ({
      authorization: `Bearer ${(await principals.create({ name, role, ...(stores ? { stores } : {}) })).apiKey}`,
    });
    operator = await key('Olga Ops', 'operator');
    admin = await key('Ada Admin', 'admin', [store]);
    approver = await key('Abe Approver', 'approver');
    elsewhere = await key('Oz Other', 'operator', ['elsewhere']);
    await orderRepository(db).upsert({
      workflowId: `order:${store}:5001`,
      order: makeOrder(store, '5001', { orderNumber: '#5001', poNumber: 'PO-ACME-9' }),
      status: 'inErp',
      step: 'fulfilling',
      attention: null,
      lines: [],
      erpOrder: null,
      rulesVersion: null,
    });
  });
  afterAll(async () => {
    server?.close();
    await db?.end();
  });

  it('lists every message kind with its placeholders and built-in words', async () => {
    const res = await call('GET', '/config/templates', operator);
    expect(res.status).toBe(200);
    const { templates } = (await res.json()) as {
      templates: { key: string; audience: string; current: { version: number } }[];
    };
    expect(templates.map((t) => t.key)).toEqual(
      expect.arrayContaining(['return.approved', 'customer.welcome', 'approval.requested']),
    );
    expect(templates.find((t) => t.key === 'return.approved')).toMatchObject({
      audience: 'buyer',
      current: { version: 0 },
    });
  });

  it('each save is a version with who changed what and why', async () => {
    const first = await call('PUT', '/config/templates/return.approved', operator, {
      subject: 'Return {{returnId}} for order {{orderNumber}} is approved',
      body: 'Hello {{recipientName}}, send the goods quoting {{rma}}.',
      comment: 'friendlier',
    });
    expect(first.status).toBe(200);
    const second = await call('PUT', '/config/templates/return.approved', admin, {
      subject: 'Return {{returnId}} approved (PO {{poNumber}})',
      body: 'Send the goods quoting {{rma}}; order {{orderNumber}}.',
    });
    expect(second.status).toBe(200);
    const got = (await (
      await call('GET', '/config/templates/return.approved', operator)
    ).json()) as TemplateBody;
    expect(got.current).toMatchObject({
      version: 2,
      subject: 'Return {{returnId}} approved (PO {{poNumber}})',
    });
    expect(got.history.map((h) => [h.version, h.createdBy, h.comment])).toEqual([
      [2, 'Ada Admin', null],
      [1, 'Olga Ops', 'friendlier'],
    ]);
    expect(got.history[1]?.body).toBe('Hello {{recipientName}}, send the goods quoting {{rma}}.');
    expect(got.placeholders.map((p) => p.name)).toEqual(expect.arrayContaining(['rma', 'orderNumber']));
  });

  it('refuses unknown placeholders and broken braces with stable codes, and unknown kinds', async () => {
    const unknown = await call('PUT', '/config/templates/return.declined', operator, {
      subject: 'Declined',
      body: 'Sorry {{customerFirstName}}: {{reason}}',
    });
    expect(unknown.status).toBe(400);
    const body = (await unknown.json()) as {
      code: string;
      message: string;
      details: { placeholders: string[] };
    };
    expect(body.code).toBe('TEMPLATE.UNKNOWN_PLACEHOLDER');
    expect(body.message).toContain('{{customerFirstName}}');
    expect(body.details.placeholders).toEqual(['customerFirstName']);
    const broken = await call('PUT', '/config/templates/return.declined', operator, {
      subject: 'Declined {{returnId',
      body: '{{reason}}',
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { code: string }).code).toBe('TEMPLATE.SYNTAX');
    const empty = await call('PUT', '/config/templates/return.declined', operator, {
      subject: ' ',
      body: 'x',
    });
    expect(((await empty.json()) as { code: string }).code).toBe('TEMPLATE.INVALID');
    const kind = await call('PUT', '/config/templates/order.shouted', operator, { subject: 'x', body: 'y' });
    expect(kind.status).toBe(404);
    expect(((await kind.json()) as { code: string }).code).toBe('TEMPLATE.NOT_FOUND');
    const history = (await (
      await call('GET', '/config/templates/return.declined', operator)
    ).json()) as TemplateBody;
    expect(history.current.version).toBe(0);
  });

  it('previews a draft with a real order without saving it', async () => {
    const res = await call('POST', '/config/templates/return.declined/preview', operator, {
      orderId: '5001',
      subject: 'About order {{orderNumber}} (PO {{poNumber}})',
      body: 'Return {{returnId}} for {{orderTotal}} {{currency}}: {{reason}}',
      data: { reason: 'Outside the return window.' },
    });
    expect(res.status).toBe(200);
    const preview = (await res.json()) as { subject: string; body: string; saved: boolean };
    expect(preview.subject).toBe('About order #5001 (PO PO-ACME-9)');
    expect(preview.body).toBe('Return R-1001 for 29.00 USD: Outside the return window.');
    expect(preview.saved).toBe(false);
    const after = (await (
      await call('GET', '/config/templates/return.declined', operator)
    ).json()) as TemplateBody;
    expect(after.current.version).toBe(0);
    const bad = await call('POST', '/config/templates/return.declined/preview', operator, {
      orderId: '5001',
      body: '{{nonsense}}',
    });
    expect(((await bad.json()) as { code: string }).code).toBe('TEMPLATE.UNKNOWN_PLACEHOLDER');
    const noOrder = await call('POST', '/config/templates/return.declined/preview', operator, {
      orderId: 'nope',
    });
    expect(noOrder.status).toBe(404);
    expect(((await noOrder.json()) as { code: string }).code).toBe('ORDER.NOT_FOUND');
  });

  it("approvers may not edit templates, and another store's operator finds none here", async () => {
    const save = { subject: 'x {{returnId}}', body: 'y' };
    expect((await call('PUT', '/config/templates/return.expired', approver, save)).status).toBe(403);
    expect((await call('GET', '/config/templates', approver)).status).toBe(403);
    for (const [method, path, body] of [
      ['GET', '/config/templates', undefined],
      ['GET', '/config/templates/return.expired', undefined],
      ['PUT', '/config/templates/return.expired', save],
      ['POST', '/config/templates/return.expired/preview', { orderId: '5001' }],
    ] as const) {
      const res = await call(method, path, elsewhere, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('STORE.NOT_FOUND');
    }
    expect((await fetch(`${base}/config/templates`)).status).toBe(401);
    const history = (await (
      await call('GET', '/config/templates/return.expired', operator)
    ).json()) as TemplateBody;
    expect(history.current.version).toBe(0);
  });

  it('the notify activity sends the newest saved template, filled with the message data and its order', async () => {
    const received: Notification[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Notification);
        res.writeHead(200).end('{}');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    try {
      const notifier = createWebhookNotifier({
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`,
        secret: 'template-test-secret',
      });
      const { notify } = createNotifyActivities({ db, notifier });
      // What the return process sends, in its own words; the store's template (version 2 above) replaces them.
      const message = (id: string, kind: string, s: string): Notification => ({
        id: `${id}-${randomUUID()}`,
        kind,
        recipient: { role: 'buyer', id: 'cust-1', name: 'Pat Buyer', store: s },
        subject: `Your return R-77 is approved`,
        text: 'Please send the goods back quoting return authorization RMA-9.',
        data: { returnId: 'R-77', orderId: '5001', rma: 'RMA-9' },
        workflowId: `return:${s}:R-77`,
      });
      expect(await notify(message('templated', 'return.approved', store))).toEqual({ status: 'sent' });
      expect(received[0]).toMatchObject({
        subject: 'Return R-77 approved (PO PO-ACME-9)',
        text: 'Send the goods quoting RMA-9; order #5001.',
        data: { template: { key: 'return.approved', version: 2 } },
      });
      // A kind without a saved template, and a store without templates, go out in the process's words.
      await notify(message('builtin', 'return.expired', store));
      await notify(message('other-store', 'return.approved', `${store}-b`));
      expect(received.slice(1).map((r) => r.text)).toEqual([
        'Please send the goods back quoting return authorization RMA-9.',
        'Please send the goods back quoting return authorization RMA-9.',
      ]);
    } finally {
      receiver.close();
    }
  });
});
