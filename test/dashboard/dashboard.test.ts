import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { alertRepository } from '../../db/alerts';
import { principalRepository } from '../../db/principals';
import type { Db } from '../../db/pool';
import { webhookRepository } from '../../db/webhooks';
import { launchBrowser, settled, signIn } from '../support/browser';
import { privateTestDatabase, testLog } from '../support/env';

/**
 * The dashboard's home page and needs-attention queue in a real browser, on a database of its own
 * (the counts and charts read every order in it). The actions that drive processes are walked on
 * the whole stack in walkthrough.test.ts.
 */
describe('operations dashboard in a real browser', () => {
  let own: Awaited<ReturnType<typeof privateTestDatabase>>;
  let db: Db;
  let server: Server;
  let browser: Browser;
  let base: string;
  let operatorKey: string;
  let approverKey: string;
  const store = `dash${randomUUID().slice(0, 6)}`;

  beforeAll(async () => {
    own = await privateTestDatabase();
    db = own.db;
    operatorKey = (await principalRepository(db).create({ name: 'Dash operator', role: 'operator' })).apiKey;
    approverKey = (await principalRepository(db).create({ name: 'Dash approver', role: 'approver' })).apiKey;
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    server = createApp({
      temporal,
      db,
      log: testLog,
      store,
      taskQueuePrefix: 'dash',
      temporalUiUrl: 'http://ui.example',
      namespace: 'default',
    }).listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await own?.drop();
  });

  const text = (page: Page, selector: string) => page.locator(selector).innerText();

  it('home: counts, each flow green/amber/red with why, and four server-drawn charts of the last 24 h', async () => {
    const wf = (id: string) => `order:${store}:${id}`;
    // Two orders reached the ERP (one 1.2 s after its webhook), one is parked, one completed today.
    await db.query(
      `INSERT INTO orders (store, order_id, workflow_id, order_number, status, attention_kind, attention_reason, erp_order_id, erp_recorded_at, created_at)
       VALUES ($1, 'h1', $2, '#H1', 'inErp', NULL, NULL, 'so1', now(), now() - interval '2 seconds'),
              ($1, 'h2', $3, '#H2', 'completed', NULL, NULL, 'so2', now() - interval '1 hour', now() - interval '1 hour 1500 milliseconds'),
              ($1, 'h3', $4, '#H3', 'onHold', 'unmappedSku', 'SKU PROD-77 is not mapped to an ERP item; map it to continue.', NULL, NULL, now())`,
      [store, wf('h1'), wf('h2'), wf('h3')],
    );
    await db.query(
      `INSERT INTO webhook_deliveries (webhook_id, topic, shop_domain, status, workflow_id, received_at)
       VALUES ($1, 'orders/create', 'x', 'processed', $2, now() - interval '1200 milliseconds')`,
      [randomUUID(), wf('h1')],
    );
    await db.query(
      `INSERT INTO connector_calls (system, minute, calls, errors) VALUES ('erp', date_trunc('minute', now()), 40, 10)`,
    );
    await db.query(
      `INSERT INTO sync_cursors (name, cursor, updated_at) VALUES ($1, 'c', now() - interval '3 minutes')`,
      [`inventory:${store}`],
    );
    await db.query(
      `INSERT INTO sync_runs (sync, workflow_id, changed, pushed, unmapped, stale, lag_ms) VALUES ($1, $2, 10, 10, 0, 0, 4200)`,
      [`inventory:${store}`, `sync:inventory:${store}`],
    );

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, base, operatorKey);
    expect(await text(page, '#count-in-flight')).toContain('2');
    expect(await text(page, '#count-completed')).toContain('1');
    expect(await text(page, '#count-attention')).toContain('1 × SKU PROD-77 is not mapped to an ERP item');
    expect(await text(page, '#count-decisions')).toContain('0');

    const flow = (name: string) => page.locator(`.flow[data-flow="${name}"]`);
    expect(await flow('orders').getAttribute('class')).toContain('amber');
    expect(await flow('orders').innerText()).toContain('1 order parked');
    expect(await flow('erp').getAttribute('class')).toContain('red');
    expect(await flow('erp').innerText()).toContain('10 failed calls of 40 in the last hour (25.0%)');
    expect(await flow('sync:inventory').getAttribute('class')).toContain('green');
    expect(await flow('webhooks').getAttribute('class')).toContain('green');

    for (const id of ['chart-orders', 'chart-latency', 'chart-sync-lag', 'chart-errors'])
      expect(await page.locator(`#${id} svg`).count()).toBe(1);
    expect(await page.locator('#chart-orders rect.bar').count()).toBe(24);
    expect(await text(page, '#chart-orders .summary')).toBe('3 orders arrived in the last 24 hours.');
    expect(await text(page, '#chart-latency .summary')).toMatch(
      /^2 orders reached the ERP; 95% within \d+\.\d s/,
    );
    expect(await text(page, '#chart-sync-lag .summary')).toContain('inventory: at most 4.2 s behind the ERP');
    expect(await text(page, '#chart-errors .summary')).toContain('ERP 25.0% of 40 calls failed');
    await page.screenshot({ path: 'test-results/dashboard/home-laptop.png', fullPage: true });
    // htmx is served by the API itself, and the page runs no inline script.
    const htmx = await page.request.get(`${base}/dashboard/assets/htmx.min.js`);
    expect(htmx.status()).toBe(200);
    expect(await page.evaluate('typeof htmx')).toBe('object');
    const res = await page.reload();
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.close();
  });

  it('needs attention: one item per problem, grouped by cause, in words, each with its fix; acknowledging one closes its alert', async () => {
    const wf = `order:${store}:q1`;
    await db.query(
      `INSERT INTO orders (store, order_id, workflow_id, order_number, status, attention_kind, attention_reason)
       VALUES ($1, 'q1', $2, '#Q1', 'onHold', 'unmappedSku', 'SKU PROD-88 is not mapped to an ERP item; map it to continue.')`,
      [store, wf],
    );
    const alerts = alertRepository(db);
    // The parked order's own alert, raised twice: still one item.
    for (let i = 0; i < 2; i++)
      await alerts.raise({
        severity: 'warning',
        kind: 'order.unmappedSku',
        subject: 'Order #Q1',
        message: 'SKU PROD-88 is not mapped to an ERP item; map it to continue.',
        workflowId: wf,
        dedupeKey: `order-attention:${wf}`,
        details: { orderId: 'q1', sku: 'PROD-88' },
      });
    // A dead-lettered orders/create for order 9001, its alert, and the reconciliation's alert for the same order.
    const letter = await webhookRepository(db).park({
      topic: 'orders/create',
      reason: 'body.name: Invalid input: expected string, received undefined',
      payload: '{"id": 9001, "line_items": []}',
      headers: {},
    });
    await alerts.raise({
      severity: 'warning',
      kind: 'webhook.dead_letter',
      subject: `orders/create delivery ${letter}`,
      message: `Fix and replay it with POST /webhooks/dead-letters/${letter}/replay.`,
      dedupeKey: `dead-letter:${letter}`,
      details: { deadLetterId: letter },
    });
    await alerts.raise({
      severity: 'critical',
      kind: 'reconcile.missedOrder',
      subject: 'Order #9001 is in the store but Quayside has no process for it',
      message: 'Storefront order 9001 never reached Quayside.',
      workflowId: `reconcile:${store}`,
      dedupeKey: `reconcile:missed-order:${store}:9001`,
      details: { orderId: '9001' },
    });
    // A sync problem with no order behind it.
    const syncKey = `sync.pricesUnmapped:${store}:${randomUUID()}`;
    await alerts.raise({
      severity: 'warning',
      kind: 'sync.pricesUnmapped',
      subject: 'Prices for 2 ERP item(s) have no product in the store',
      message: 'Map them to storefront SKUs or create the products, e.g. ERP item P9.',
      workflowId: `sync:store-pricing:${store}`,
      dedupeKey: syncKey,
    });

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(page, base, operatorKey, '/dashboard/attention');
    const group = (cause: string) => page.locator(`.group[data-cause="${cause}"]`);
    expect(await group('sku:PROD-88').locator('h2').innerText()).toContain(
      'SKU PROD-88 is not mapped to an ERP item',
    );
    expect(await page.locator(`.item[data-key="order:${wf}"]`).count()).toBe(1);
    expect(await group('sku:PROD-88').locator('input[type=search]').count()).toBe(1);
    expect(await page.locator(`.item[data-key="order:${wf}"] a.history`).getAttribute('href')).toBe(
      `http://ui.example/namespaces/default/workflows/${encodeURIComponent(wf)}`,
    );

    const dead = page.locator(`.item[data-key="dead-letter:${letter}"]`);
    expect(await dead.count()).toBe(1);
    expect(await dead.innerText()).toContain('the field “name” is missing (it should be text)');
    expect(await dead.innerText()).not.toContain('POST /webhooks');
    expect(await dead.getAttribute('class')).toContain('critical');
    expect(await page.locator('.item', { hasText: 'Order #9001 is in the store' }).count()).toBe(0);
    expect(await dead.locator('button', { hasText: 'Edit and replay' }).count()).toBe(1);

    const sync = page.locator('.group[data-cause="sync.pricesUnmapped"] .item', {
      hasText: 'Prices for 2 ERP item(s)',
    });
    expect(await sync.count()).toBe(1);
    await page.screenshot({ path: 'test-results/dashboard/attention-phone.png', fullPage: true });
    await sync.locator('button', { hasText: 'Acknowledge' }).click();
    await page.waitForSelector('#notice');
    expect(await text(page, '#notice')).toContain('is acknowledged');
    expect(await page.locator('.item', { hasText: 'Prices for 2 ERP item(s)' }).count()).toBe(0);
    const closed = await db.query('SELECT resolved_by FROM alerts WHERE dedupe_key = $1', [syncKey]);
    expect(closed.rows[0]).toEqual({ resolved_by: 'Dash operator' });
    await page.close();
  });

  it('mappings: listed, searched, added, edited and deleted, each change in the history with who made it', async () => {
    await db.query(
      `INSERT INTO location_map (store, store_location, erp_location) VALUES ($1, 'Chicago', '1')`,
      [store],
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, base, operatorKey);
    await page.click('nav a[href="/dashboard/mappings"]');
    await page.waitForURL(`${base}/dashboard/mappings/sku`);
    await page.fill('#mapping-new-key', 'PROD-501');
    await page.fill('#mapping-new-value', 'P501');
    await page.click('#mapping-add');
    await page.waitForSelector('#notice.ok');
    expect(await text(page, '#notice')).toBe('PROD-501 is mapped to ERP item P501.');
    await page.fill('#mapping-new-key', 'PROD-502');
    await page.fill('#mapping-new-value', 'P502');
    await page.click('#mapping-add');
    await page.waitForSelector('#mapping-rows tr[data-key="PROD-502"]');

    // Searching narrows the list as one types.
    await settled(page);
    await page.fill('#mapping-q', 'PROD-501');
    await page.waitForSelector('#mapping-rows tr[data-key="PROD-502"]', { state: 'detached' });
    expect(await text(page, '#mapping-count')).toBe('1 mapping matching “PROD-501”.');

    // Edited in its row, then deleted.
    const row = page.locator('#mapping-rows tr[data-key="PROD-501"]');
    await row.locator('input[name=erpValue]').fill('P599');
    await row.locator('button', { hasText: 'Save' }).click();
    await page.waitForSelector('#notice.ok');
    expect(await text(page, '#notice')).toBe('PROD-501 is mapped to ERP item P599.');
    page.once('dialog', (d) => void d.accept());
    await page.locator('#mapping-rows tr[data-key="PROD-501"] button', { hasText: 'Delete' }).click();
    await page.waitForSelector('#mapping-rows tr[data-key="PROD-501"]', { state: 'detached' });
    expect(await text(page, '#notice')).toBe('The mapping of PROD-501 is deleted.');
    expect(
      (await db.query('SELECT 1 FROM sku_map WHERE store = $1 AND store_sku = $2', [store, 'PROD-501']))
        .rowCount,
    ).toBe(0);
    const recent = await text(page, '.mapping-history');
    expect(recent).toContain('deleted (was P599)');
    expect(recent).toContain('P501 → P599');
    expect(recent).toContain('added → P501');
    expect(recent.match(/Dash operator/g)?.length).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: 'test-results/dashboard/mappings.png', fullPage: true });

    // Every kind: the location mapping written outside the dashboard is listed with its history.
    await page.click('.tabs a[href="/dashboard/mappings/location"]');
    await page.waitForSelector('#mapping-rows tr[data-key="Chicago"]');
    await page.locator('#mapping-rows tr[data-key="Chicago"] button', { hasText: 'History' }).click();
    await page.waitForSelector('#mapping-rows tr[data-key="Chicago"] .row-history table');
    expect(await text(page, '#mapping-rows tr[data-key="Chicago"] .row-history')).toContain('added → 1');
    await page.close();
  });

  it('shows an approver the queue read-only and refuses their actions', async () => {
    const page = await browser.newPage();
    await signIn(page, base, approverKey, '/dashboard/attention');
    expect(await text(page, '#queue')).toContain('You can see these; operators fix them.');
    expect(await page.locator('#queue form').count()).toBe(0);
    const csrf = await page.locator('#signed-in input[name=_csrf]').getAttribute('value');
    const refused = await page.request.post(`${base}/dashboard/attention/map-sku`, {
      form: { _csrf: csrf!, sku: 'PROD-88', erpSku: 'P88' },
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('Only operators and admins may fix items');
    const mapped = await db.query('SELECT 1 FROM sku_map WHERE store = $1 AND store_sku = $2', [
      store,
      'PROD-88',
    ]);
    expect(mapped.rowCount).toBe(0);
    await page.close();
  });
});
