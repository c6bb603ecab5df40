import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { reconcileRepository, type ReconcileReport } from '../../db/reconcile';
import { testDb, testLog } from '../support/env';

describe('reconciliation reports over the API', () => {
  const store = `recapi-${randomUUID().slice(0, 6)}`;
  const other = `${store}-other`;
  let db: Db;
  let server: Server;
  let base: string;
  let operator: Record<string, string>;
  let elsewhere: Record<string, string>;
  let mine: number;
  let theirs: number;

  beforeAll(async () => {
    db = testDb();
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    server = createApp({ temporal, db, log: testLog, store, taskQueuePrefix: 'recapi' }).listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const principals = principalRepository(db);
    operator = {
      authorization: `Bearer ${(await principals.create({ name: 'Oli Ops', role: 'operator', stores: [store] })).apiKey}`,
    };
    elsewhere = {
      authorization: `Bearer ${(await principals.create({ name: 'Eve Else', role: 'operator', stores: [other] })).apiKey}`,
    };
    const reports = reconcileRepository(db);
    const window = { windowFrom: '2026-03-01T00:00:00.000Z', windowTo: '2026-03-02T00:00:00.000Z' };
    mine = await reports.save({
      store,
      workflowId: `reconcile-pass:${store}-1`,
      ...window,
      ordersChecked: 12,
      stockChecked: 30,
      notes: [],
      entries: [
        {
          kind: 'missedOrder',
          subject: '1042',
          title: 'Order #1042',
          outcome: 'repaired',
          detail: 'Its webhook never reached Quayside: its process was started.',
          workflowId: `order:${store}:1042`,
        },
        {
          kind: 'driftedStock',
          subject: 'PROD-7@gid://shopify/Location/1',
          title: 'PROD-7 at Chicago DC',
          outcome: 'notRepaired',
          detail: 'The store did not take the new quantity.',
        },
      ],
    });
    theirs = await reports.save({
      store: other,
      workflowId: `reconcile-pass:${other}-1`,
      ...window,
      ordersChecked: 1,
      stockChecked: 0,
      notes: [],
      entries: [],
    });
  });
  afterAll(async () => {
    server?.close();
    await db?.end();
  });

  it("lists the store's reports with what each found, repaired and could not repair, and shows one with its findings", async () => {
    const list = await fetch(`${base}/reconcile/reports`, { headers: operator });
    expect(list.status).toBe(200);
    const { reports } = (await list.json()) as { reports: Omit<ReconcileReport, 'entries'>[] };
    expect(reports.map((r) => r.id)).toEqual([mine]);
    expect(reports[0]).toMatchObject({
      ordersChecked: 12,
      stockChecked: 30,
      found: 2,
      repaired: 1,
      failed: 1,
    });

    const one = await fetch(`${base}/reconcile/reports/${mine}`, { headers: operator });
    expect(one.status).toBe(200);
    const { report } = (await one.json()) as { report: ReconcileReport };
    expect(report.entries.map((e) => [e.title, e.outcome])).toEqual([
      ['Order #1042', 'repaired'],
      ['PROD-7 at Chicago DC', 'notRepaired'],
    ]);
  });

  it("never shows another store's report", async () => {
    const theirsHere = await fetch(`${base}/reconcile/reports/${theirs}`, { headers: operator });
    expect(theirsHere.status).toBe(404);
    expect(((await theirsHere.json()) as { code: string }).code).toBe('RECONCILE.REPORT_NOT_FOUND');
    // A caller of another store finds no reports here at all.
    for (const path of ['/reconcile/reports', `/reconcile/reports/${mine}`]) {
      const r = await fetch(`${base}${path}`, { headers: elsewhere });
      expect(r.status).toBe(404);
      expect(((await r.json()) as { code: string }).code).toBe('STORE.NOT_FOUND');
    }
    expect((await fetch(`${base}/reconcile/reports`)).status).toBe(401);
  });
});
