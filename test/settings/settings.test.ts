import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { testDb, testLog } from '../support/env';

describe('configuration as data over the API', () => {
  let db: Db;
  let server: Server;
  let base: string;
  let admin: Record<string, string>;
  let operator: Record<string, string>;
  const store = `cfg-${Date.now()}`;

  beforeAll(async () => {
    db = testDb();
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    server = createApp({ temporal, db, log: testLog, store, taskQueuePrefix: 'cfg' }).listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const principals = principalRepository(db);
    admin = {
      authorization: `Bearer ${(await principals.create({ name: 'Ana Admin', role: 'admin' })).apiKey}`,
      'content-type': 'application/json',
    };
    operator = {
      authorization: `Bearer ${(await principals.create({ name: 'Olu Ops', role: 'operator' })).apiKey}`,
      'content-type': 'application/json',
    };
  });
  afterAll(async () => {
    server?.close();
    await db?.end();
  });

  it('versions business rules with who and why, and refuses invalid ones naming the field', async () => {
    const before = (await (await fetch(`${base}/config/rules`, { headers: operator })).json()) as {
      current: { version: number };
    };
    const saved = await fetch(`${base}/config/rules`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({
        rules: { firstOrder: { approvalAmount: '7500.00' } },
        comment: 'raise first-order threshold',
      }),
    });
    expect(saved.status).toBe(200);
    const snapshot = (await saved.json()) as {
      version: number;
      rules: { firstOrder: { approvalAmount: string } };
    };
    expect(snapshot.version).toBe(before.current.version + 1);
    expect(snapshot.rules.firstOrder.approvalAmount).toBe('7500.00');

    const bad = await fetch(`${base}/config/rules`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ rules: { firstOrder: { approvalAmount: 'lots' } } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain(
      'body.rules.firstOrder.approvalAmount',
    );

    const history = (await (await fetch(`${base}/config/rules`, { headers: operator })).json()) as {
      current: { version: number };
      history: { createdBy: string; comment: string }[];
    };
    expect(history.current.version).toBe(snapshot.version);
    expect(history.history[0]).toMatchObject({
      createdBy: 'Ana Admin',
      comment: 'raise first-order threshold',
    });
  });

  it('lets operators read and fix mappings but not change rules; strangers get 401', async () => {
    expect((await fetch(`${base}/config/rules`)).status).toBe(401);
    const forbidden = await fetch(`${base}/config/rules`, {
      method: 'PUT',
      headers: operator,
      body: JSON.stringify({ rules: {} }),
    });
    expect(forbidden.status).toBe(403);

    const mapped = await fetch(`${base}/config/mappings/skus/PROD-77`, {
      method: 'PUT',
      headers: operator,
      body: JSON.stringify({ erpSku: 'P77' }),
    });
    expect(mapped.status).toBe(200);
    expect((await mappingRepository(db).erpSkus(store, ['PROD-77'])).get('PROD-77')).toBe('P77');
    const who = await db.query('SELECT updated_by FROM sku_map WHERE store = $1 AND store_sku = $2', [
      store,
      'PROD-77',
    ]);
    expect(who.rows[0]).toEqual({ updated_by: 'Olu Ops' });
  });

  it('keeps per-store return policies validated and versioned', async () => {
    const current = (await (await fetch(`${base}/config/policies/return`, { headers: operator })).json()) as {
      version: number;
      policy: Record<string, unknown>;
    };
    expect(current.version).toBe(0);
    const saved = await fetch(`${base}/config/policies/return`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify(current.policy),
    });
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { version: number }).version).toBe(1);
    expect((await fetch(`${base}/config/policies/nonsense`, { headers: operator })).status).toBe(400);
  });
});
