import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createSyncActivities } from '../../activities/sync';
import { alertRepository } from '../../db/alerts';
import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import type { ErpPort } from '../../domain/erp';
import { storefrontReconcile } from '../../workflows/storefrontReconcile';
import { FakeStorefront } from '../orders/fakes';
import { testClient, testDb, uniqueTaskQueue, withWorker } from '../support/env';
import { recordHistory } from '../support/histories';

const workflowsPath = path.join(__dirname, '../../workflows/storefrontReconcile.ts');
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe('reconciliation: orders whose webhooks never arrived', () => {
  let db: Db;
  let client: Client;
  beforeAll(async () => {
    db = testDb();
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
    await db.end();
  });

  it('alerts once for an order nobody heard of, and leaves alone the known ones and those still in flight', async () => {
    const store = `rec-${Date.now()}`;
    const shop = new FakeStorefront();
    shop.placed = [
      { orderId: '501', name: '#501', updatedAt: minutesAgo(30) }, // its process exists
      { orderId: '502', name: '#502', updatedAt: minutesAgo(20) }, // its webhook arrived and was handed over
      { orderId: '503', name: '#503', updatedAt: minutesAgo(10) }, // never arrived
      { orderId: '504', name: '#504', updatedAt: minutesAgo(0.1) }, // may still be in flight
    ];
    await db.query(
      `INSERT INTO orders (store, order_id, workflow_id, status) VALUES ($1, '501', $2, 'inErp')`,
      [store, `order:${store}:501`],
    );
    await db.query(
      `INSERT INTO webhook_deliveries (webhook_id, topic, shop_domain, status, workflow_id) VALUES ($1, 'orders/create', 'test.myshopify.com', 'processed', $2)`,
      [`wh-${store}`, `order:${store}:502`],
    );
    const activities = createSyncActivities({
      db,
      erp: {} as ErpPort,
      storefront: shop,
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
    });
    const taskQueue = uniqueTaskQueue('reconcile');
    await withWorker({ taskQueue, activities, workflowsPath }, async () => {
      const args = { store, since: minutesAgo(60), intervalMinutes: 10, graceSeconds: 120, once: true };
      const first = await client.workflow.execute(storefrontReconcile, {
        taskQueue,
        workflowId: `reconcile:${store}:1`,
        args: [args],
      });
      expect(first).toMatchObject({ rounds: 1, checked: 3, missed: ['503'] });
      // The next round starts after the newest change it checked, so #504 is looked at once it settles.
      expect(Date.parse(first.since)).toBe(Date.parse(shop.placed[2]!.updatedAt));
      await client.workflow.execute(storefrontReconcile, {
        taskQueue,
        workflowId: `reconcile:${store}:2`,
        args: [args],
      });
      await recordHistory(client, `reconcile:${store}:1`, 'storefrontReconcile-missed-order');
    });
    const alerts = await db.query(
      `SELECT subject, severity FROM alerts WHERE dedupe_key LIKE $1 AND resolved_at IS NULL`,
      [`reconcile:missed-order:${store}:%`],
    );
    expect(alerts.rows).toEqual([
      { subject: 'Order #503 is in the store but Quayside has no process for it', severity: 'critical' },
    ]);
  });
});
