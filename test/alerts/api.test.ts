import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { alertRepository } from '../../db/alerts';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { testDb, testLog } from '../support/env';

interface ConfigBody {
  current: { version: number; config: Record<string, unknown> };
  history: { version: number; createdBy: string; comment: string | null }[];
}

describe('alert routing over the API', () => {
  let db: Db;
  let server: Server;
  let base: string;
  let admin: Record<string, string>;
  let operator: Record<string, string>;

  beforeAll(async () => {
    db = testDb();
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    server = createApp({ temporal, db, log: testLog, store: 'alerts-api', taskQueuePrefix: 'alerts' }).listen(
      0,
    );
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const principals = principalRepository(db);
    admin = {
      authorization: `Bearer ${(await principals.create({ name: 'Ada Admin', role: 'admin' })).apiKey}`,
      'content-type': 'application/json',
    };
    operator = {
      authorization: `Bearer ${(await principals.create({ name: 'Oli Ops', role: 'operator' })).apiKey}`,
      'content-type': 'application/json',
    };
  });
  afterAll(async () => {
    server?.close();
    await db?.end();
  });

  it('an admin changes which channel hears which severity; each save is a version with who and why', async () => {
    const before = (await (await fetch(`${base}/config/alerts`, { headers: operator })).json()) as ConfigBody;
    const saved = await fetch(`${base}/config/alerts`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({
        config: {
          quietPeriod: '30m',
          channels: { email: { severities: ['critical'], to: ['night@example.com'] } },
        },
        comment: 'night shift gets critical mail',
      }),
    });
    expect(saved.status).toBe(200);
    const after = (await (await fetch(`${base}/config/alerts`, { headers: operator })).json()) as ConfigBody;
    expect(after.current.version).toBe(before.current.version + 1);
    expect(after.current.config).toMatchObject({
      quietPeriod: '30m',
      channels: { slack: { severities: ['warning', 'critical'] }, email: { to: ['night@example.com'] } },
    });
    expect(after.history[0]).toMatchObject({
      createdBy: 'Ada Admin',
      comment: 'night shift gets critical mail',
    });
  });

  it('refuses bad routing naming the field, and operators may read but not change it', async () => {
    const bad = await fetch(`${base}/config/alerts`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({
        config: { channels: { slack: { severities: ['loud'] } }, quietPeriod: 'soon' },
      }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { code: string; message: string };
    expect(body.code).toBe('ALERT_ROUTING.INVALID');
    expect(body.message).toContain('body.config.quietPeriod');
    expect(body.message).toContain('body.config.channels.slack.severities.0');
    const unknown = await fetch(`${base}/config/alerts`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ config: { channels: { pager: {} } } }),
    });
    expect(unknown.status).toBe(400);
    const forbidden = await fetch(`${base}/config/alerts`, {
      method: 'PUT',
      headers: operator,
      body: JSON.stringify({ config: {} }),
    });
    expect(forbidden.status).toBe(403);
    expect((await fetch(`${base}/config/alerts`)).status).toBe(401);
  });

  it('shows an alert with what was sent for it; an unknown alert is a 404', async () => {
    const key = `api-${Date.now()}`;
    await alertRepository(db).raise({
      severity: 'critical',
      kind: 'sync.failed',
      subject: 'Inventory sync stopped',
      message: 'The ERP refused the saved search',
      dedupeKey: key,
    });
    const row = await db.query<{ id: number }>('SELECT id FROM alerts WHERE dedupe_key = $1', [key]);
    const id = row.rows[0]?.id;
    const res = await fetch(`${base}/alerts/${id}`, { headers: operator });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      alert: { subject: string };
      deliveries: { channel: string; event: string }[];
    };
    expect(body.alert.subject).toBe('Inventory sync stopped');
    expect(body.deliveries.map((d) => d.event)).toContain('raised');
    const missing = await fetch(`${base}/alerts/999999999`, { headers: operator });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('ALERT.NOT_FOUND');
  });

  it("another store's operator finds no alert here, and a one-store admin may not change routing for all", async () => {
    const principals = principalRepository(db);
    const other = {
      authorization: `Bearer ${(await principals.create({ name: 'Oz Other', role: 'operator', stores: ['elsewhere'] })).apiKey}`,
      'content-type': 'application/json',
    };
    const oneStoreAdmin = {
      authorization: `Bearer ${(await principals.create({ name: 'Al Local', role: 'admin', stores: ['alerts-api'] })).apiKey}`,
      'content-type': 'application/json',
    };
    const key = `scope-${Date.now()}`;
    await alertRepository(db).raise({
      severity: 'warning',
      kind: 'order.unmappedSku',
      subject: 'Order #9',
      message: 'x',
      dedupeKey: key,
    });
    const row = await db.query<{ id: number }>('SELECT id FROM alerts WHERE dedupe_key = $1', [key]);
    const seen = await fetch(`${base}/alerts/${row.rows[0]?.id}`, { headers: other });
    expect(seen.status).toBe(404);
    expect((await fetch(`${base}/config/alerts`, { headers: other })).status).toBe(404);
    const put = await fetch(`${base}/config/alerts`, {
      method: 'PUT',
      headers: oneStoreAdmin,
      body: JSON.stringify({ config: {} }),
    });
    expect(put.status).toBe(403);
  });
});
