import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createOrderActivities } from '../../activities/orders';
import { createSyncActivities } from '../../activities/sync';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { rulesRepository } from '../../db/rules';
import type { RulesSnapshot } from '../../domain/rules';
import { testDb, testLog } from '../support/env';

/** What the rules routes answer: the rules with their history (GET), the saved snapshot (PUT), or an error. */
type Answer = RulesSnapshot & {
  current: RulesSnapshot;
  history: { version: number; createdBy: string; comment: string | null }[];
  code?: string;
};

describe('business rules of each store', () => {
  let db: Db;
  let server: Server;
  let base: string;
  const keys: Record<string, string> = {};
  const stamp = Date.now();
  const east = `rules-east-${stamp}`;
  const west = `rules-west-${stamp}`;
  const as = (who: string) => ({ authorization: `Bearer ${keys[who]}`, 'content-type': 'application/json' });
  const get = async (who: string, query = '') => {
    const res = await fetch(`${base}/config/rules${query}`, { headers: as(who) });
    return { status: res.status, body: (await res.json()) as Answer };
  };
  const put = async (who: string, query: string, rules: unknown) => {
    const res = await fetch(`${base}/config/rules${query}`, {
      method: 'PUT',
      headers: as(who),
      body: JSON.stringify({ rules, comment: 'east keeps more back' }),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };

  beforeAll(async () => {
    db = testDb();
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const shops = [east, west].map((store) => ({
      store,
      shopDomain: `${store}.myshopify.com`,
      secrets: ['s'],
    }));
    server = createApp({ temporal, db, log: testLog, store: east, shops, taskQueuePrefix: 'rules' }).listen(
      0,
    );
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const principals = principalRepository(db);
    for (const [who, role, stores] of [
      ['eastAdmin', 'admin', [east]],
      ['eastOps', 'operator', [east]],
      ['westAdmin', 'admin', [west]],
      ['westOps', 'operator', [west]],
    ] as const)
      keys[who] = (await principals.create({ name: who, role, stores: [...stores] })).apiKey;
  });
  afterAll(async () => {
    server?.close();
    await db?.end();
  });

  it("applies a store's own rules to that store only; the other keeps the shared rules", async () => {
    const shared = await rulesRepository(db).current();
    const before = await get('eastOps', `?store=${east}`);
    expect(before.status).toBe(200);
    expect(before.body.current).toEqual(shared);
    expect(before.body.history).toEqual([]);

    const saved = await put('eastAdmin', `?store=${east}`, {
      inventory: { safetyStock: { default: 7 } },
      firstOrder: { approvalAmount: '900.00' },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      version: 1,
      store: east,
      rules: { inventory: { safetyStock: { default: 7 } } },
    });

    const eastNow = await get('eastOps', `?store=${east}`);
    expect(eastNow.body.current).toMatchObject({ version: 1, store: east });
    expect(eastNow.body.history[0]).toMatchObject({
      version: 1,
      createdBy: 'eastAdmin',
      comment: 'east keeps more back',
    });
    const westNow = await get('westOps', `?store=${west}`);
    expect(westNow.body.current).toEqual(await rulesRepository(db).current());
    expect(westNow.body.current.store).toBeUndefined();

    // What the processes snapshot: east's orders and stock run by east's rules, west's by the shared ones.
    const orders = createOrderActivities({ db, erp: {} as never, storefront: {} as never });
    expect(await orders.loadOrderRules({ store: east })).toMatchObject({
      version: 1,
      store: east,
      rules: { firstOrder: { approvalAmount: '900.00' } },
    });
    expect(await orders.loadOrderRules({ store: west })).toEqual(await rulesRepository(db).current());
    const sync = createSyncActivities({
      db,
      erp: {} as never,
      storefront: {} as never,
      mappings: {} as never,
      alerts: {} as never,
    });
    expect(await sync.loadInventoryRules({ store: east })).toMatchObject({
      version: 1,
      store: east,
      rules: { safetyStock: { default: 7 } },
    });
    const westStock = await sync.loadInventoryRules({ store: west });
    expect(westStock.store).toBeUndefined();
    expect(westStock.rules).toEqual((await rulesRepository(db).current()).rules.inventory);
  });

  it("hides a store's rules from another store's users (404), and keeps the shared rules for an admin of every store", async () => {
    expect((await get('westAdmin', `?store=${east}`)).status).toBe(404);
    expect(
      (await put('westAdmin', `?store=${east}`, { inventory: { safetyStock: { default: 1 } } })).status,
    ).toBe(404);
    expect(
      (await put('westOps', `?store=${east}`, { inventory: { safetyStock: { default: 1 } } })).status,
    ).toBe(404);
    expect((await get('eastOps', `?store=${east}`)).body.current.rules.inventory.safetyStock.default).toBe(7);

    expect((await put('eastOps', `?store=${east}`, {})).status).toBe(403);
    expect((await put('eastAdmin', `?store=nowhere-${stamp}`, {})).status).toBe(404);
    const shared = await put('eastAdmin', '', { inventory: { safetyStock: { default: 1 } } });
    expect(shared).toMatchObject({ status: 403, body: { code: 'AUTH.FORBIDDEN' } });
    const invalid = await put('eastAdmin', `?store=${east}`, { inventory: { safetyStock: { default: -1 } } });
    expect(invalid).toMatchObject({ status: 400, body: { code: 'RULES.INVALID' } });
  });
});
