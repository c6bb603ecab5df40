import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import { principalRepository } from '../../db/principals';
import type { Db } from '../../db/pool';
import {
  ORDER_TASK_QUEUE,
  orderStatusQuery,
  orderWorkflowId,
  storeQueuePrefix,
  taskQueue,
} from '../../domain/contracts';
import { deliver, event, makeOrder, scenario, waitFor } from '../orders/harness';
import { formSession, launchBrowser, settled, signIn } from '../support/browser';
import { privateTestDatabase, testClient, testLog, withWorker } from '../support/env';

/**
 * The needs-attention queue's fixes and the order page on an API serving two stores: an order of
 * the second store, parked on a SKU that store has not mapped, is fixed from the queue (the mapping is
 * that store's, the order continues on its own store's workflow) and its page opens; somebody of the
 * primary store alone finds neither that order's page nor any of its fixes (404), and changes nothing.
 * The order's process is the real workflow on the second store's own queue, with the ERP and the
 * store as the order tests' fakes (test/orders/harness.ts).
 */

describe('the queue and the order page of each store', () => {
  let own: Awaited<ReturnType<typeof privateTestDatabase>>;
  let db: Db;
  let client: Client;
  let server: Server;
  let browser: Browser;
  let base: string;
  let world: Awaited<ReturnType<typeof scenario>>;
  const run = randomUUID().slice(0, 6);
  const B2B = `b2b${run}`;
  const PREFIX = `so${run}`;
  const keys = {} as Record<'both' | 'b2bOperator', string>;

  beforeAll(async () => {
    own = await privateTestDatabase();
    db = own.db;
    client = await testClient();
    // The second store (DTC): its mappings, its ERP customer and stock, from the order tests' scenario.
    world = await scenario(db);
    const people = principalRepository(db);
    keys.both = (
      await people.create({ name: 'Bea Both', role: 'operator', stores: [B2B, world.store] })
    ).apiKey;
    keys.b2bOperator = (await people.create({ name: 'Bob B2b', role: 'operator', stores: [B2B] })).apiKey;
    server = createApp({
      temporal: client,
      db,
      log: testLog,
      store: B2B,
      taskQueuePrefix: PREFIX,
      namespace: 'default',
      shops: [
        { store: B2B, shopDomain: `${B2B}.myshopify.com`, secrets: ['b2b-secret'] },
        { store: world.store, shopDomain: `${world.store}.myshopify.com`, secrets: ['dtc-secret'] },
      ],
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await client?.connection.close();
    await own?.drop();
  });

  const text = (page: Page, selector: string) => page.locator(selector).innerText();
  const skuOf = async (store: string, sku: string) =>
    (await db.query('SELECT erp_sku FROM sku_map WHERE store = $1 AND store_sku = $2', [store, sku])).rows[0]
      ?.erp_sku as string | undefined;

  /** A signed-in browser session of `key`: a GET and a POST (with its CSRF token) as its browser would send. */
  const sessionOf = (key: string) => formSession(base, key, '/dashboard/attention');

  it('an order of the second store is mapped from the queue and continues, its page opens; the primary store’s operator finds neither (404) and changes nothing', async () => {
    const DTC = world.store;
    const queue = taskQueue(ORDER_TASK_QUEUE, storeQueuePrefix(PREFIX, DTC, B2B));
    const unmapped = (id: string, sku: string) =>
      makeOrder(DTC, id, { lines: [{ lineId: '1', sku, quantity: 2, unitPrice: '2.50' }] });
    await withWorker({ taskQueue: queue, activities: world.activities }, async () => {
      const mapped = await deliver(client, queue, event(unmapped('d7', 'PROD-9')));
      const other = await deliver(client, queue, event(unmapped('d8', 'PROD-10')));
      for (const h of [mapped, other])
        await waitFor(h, (s) => s.attention?.kind === 'unmappedSku', 'the order parked on its SKU');
      // The primary store numbers its orders alike and has the same SKU parked: its own order d7.
      await db.query(
        `INSERT INTO orders (store, order_id, workflow_id, order_number, status, attention_kind, attention_reason)
         VALUES ($1, 'd7', $2, '#D7', 'onHold', 'unmappedSku', 'SKU PROD-9 is not mapped to an ERP item; map it to continue.')`,
        [B2B, orderWorkflowId(B2B, 'd7')],
      );
      try {
        // Somebody of the primary store alone: the second store's order, its page and its fixes are not found.
        const b2b = await sessionOf(keys.b2bOperator);
        expect(b2b.page).toContain(`order:${orderWorkflowId(B2B, 'd7')}`);
        expect(b2b.page).not.toContain(`order:${orderWorkflowId(DTC, 'd7')}`);
        expect(b2b.page).not.toContain('PROD-10');
        const q = `?store=${DTC}`;
        for (const path of [`/dashboard/orders/d8${q}`, '/dashboard/orders/d8']) {
          const res = await b2b.get(path);
          expect(res.status, path).toBe(404);
          expect(await res.text(), path).not.toContain('PROD-10');
        }
        const refusals = [
          await b2b.post(`/dashboard/attention/map-sku${q}`, { sku: 'PROD-10', erpSku: `${DTC}-N2` }),
          await b2b.post(`/dashboard/attention/map-customer${q}`, {
            customerId: 'cust-1',
            erpCustomerId: 'X',
          }),
          await b2b.post(`/dashboard/attention/orders/d8/field${q}`, { field: 'poNumber', value: 'X' }),
          await b2b.post(`/dashboard/attention/orders/d8/acknowledge${q}`, {}),
          await b2b.post(`/dashboard/attention/orders/d8/cancel${q}`, { reason: 'not mine' }),
          await b2b.post('/dashboard/attention/orders/d8/cancel', { reason: 'not mine' }),
          await b2b.post('/dashboard/attention/orders/d8/field', { field: 'poNumber', value: 'X' }),
        ];
        expect(refusals.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404, 404]);
        for (const r of refusals) expect(await r.text()).not.toContain('PROD-10');
        // Nothing changed: the order still parked, uncancelled, and no mapping in either store.
        const still = await other.query(orderStatusQuery);
        expect([still.attention?.kind, still.step, still.poNumber]).toEqual([
          'unmappedSku',
          'mapping',
          'PO-77',
        ]);
        expect(await skuOf(DTC, 'PROD-10')).toBeUndefined();
        expect(await skuOf(B2B, 'PROD-10')).toBeUndefined();

        // Somebody of both stores maps the second store's SKU from the queue.
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await signIn(page, base, keys.both, '/dashboard/attention');
        const group = page.locator('.group[data-cause="sku:PROD-9"]');
        await group.waitFor();
        // One cause, an order of each store, and a form of each store's (each maps the SKU on its own).
        expect(
          await group.locator('.item h3 a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
        ).toEqual(expect.arrayContaining(['/dashboard/orders/d7', `/dashboard/orders/d7${q}`]));
        expect(
          await group
            .locator('.group-action')
            .evaluateAll((ds) => ds.map((d) => d.getAttribute('data-store'))),
        ).toEqual(expect.arrayContaining([B2B, DTC]));
        const form = group.locator(`.group-action[data-store="${DTC}"]`);
        expect(await form.locator('label').first().innerText()).toContain(`ERP item for PROD-9 in ${DTC}`);
        await settled(page);
        await form.locator('input[type=search]').fill(`${DTC}-B1`);
        const choice = form.locator(`input[type=radio][value="${DTC}-B1"]`);
        await choice.waitFor();
        await choice.check();
        await form.locator('button[type=submit]').click();
        await page.waitForSelector('#notice.ok');
        expect(await text(page, '#notice')).toContain(
          `SKU PROD-9 is mapped to ERP item ${DTC}-B1. Order d7 continues.`,
        );
        // The primary store's order is still waiting for its own mapping of PROD-9.
        expect(await page.locator('.group[data-cause="sku:PROD-9"] .item').count()).toBe(1);
        expect(
          await page.locator('.group[data-cause="sku:PROD-9"] .group-action').getAttribute('data-store'),
        ).toBe(B2B);
        expect(await skuOf(DTC, 'PROD-9')).toBe(`${DTC}-B1`);
        expect(await skuOf(B2B, 'PROD-9')).toBeUndefined();

        // Its page, from the notice: the second store's order, on its way to the ERP with the item mapped.
        await page.click('#notice a');
        await page.waitForURL(`${base}/dashboard/orders/d7${q}`);
        await page.locator('#order-erp', { hasNotText: 'not yet' }).waitFor({ timeout: 30_000 });
        const inErp = await mapped.query(orderStatusQuery);
        expect(await text(page, '#order-erp')).toBe(inErp.erpOrder?.tranId);
        expect(await text(page, '#order-lines')).toContain(`${DTC}-B1`);
        expect(inErp.workflowId).toBe(orderWorkflowId(DTC, 'd7'));
        await page.screenshot({ path: 'test-results/dashboard/order-second-store.png', fullPage: true });

        // The other parked order is cancelled from the queue: on its own store's workflow.
        await page.goto(`${base}/dashboard/attention`);
        const item = page.locator(`article[data-key="order:${orderWorkflowId(DTC, 'd8')}"]`);
        await item.locator('summary').click();
        await item.locator('input[name=reason]').fill('Ordered by mistake');
        page.once('dialog', (d) => void d.accept());
        await item.locator('button', { hasText: 'Cancel order' }).click();
        await page.waitForSelector('#notice.ok');
        expect(await text(page, '#notice')).toContain('Order d8 is cancelled');
        await waitFor(other, (s) => s.step === 'cancelled', 'the order cancelled');
        await page.close();

        // The primary store's operator still finds the mapped order's page not found.
        expect((await b2b.get(`/dashboard/orders/d7${q}`)).status).toBe(404);
      } finally {
        for (const h of [mapped, other]) await h.terminate('test finished').catch(() => undefined);
      }
    });
  }, 90_000);
});
