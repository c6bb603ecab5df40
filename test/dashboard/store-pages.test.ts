import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { mappingRepository } from '../../db/mappings';
import { principalRepository } from '../../db/principals';
import type { Db } from '../../db/pool';
import { formSession, launchBrowser, settled, signIn } from '../support/browser';
import { privateTestDatabase, testLog } from '../support/env';

/**
 * The dashboard's pages of each store on an API serving two (a B2B and a DTC shop): the mappings,
 * templates and flow switches pages and the home page's store calls, chosen with `?store=`. Somebody
 * of one store never sees or changes the other's, on any page or write.
 */

describe('the dashboard of each store', () => {
  let own: Awaited<ReturnType<typeof privateTestDatabase>>;
  let db: Db;
  let server: Server;
  let browser: Browser;
  let base: string;
  const run = randomUUID().slice(0, 6);
  const B2B = `b2b${run}`;
  const DTC = `dtc${run}`;
  const keys = {} as Record<'both' | 'adminBoth' | 'dtcOperator' | 'dtcAdmin', string>;

  beforeAll(async () => {
    own = await privateTestDatabase();
    db = own.db;
    const people = principalRepository(db);
    keys.both = (await people.create({ name: 'Bea Both', role: 'operator', stores: [B2B, DTC] })).apiKey;
    keys.adminBoth = (await people.create({ name: 'Ada Both', role: 'admin', stores: [B2B, DTC] })).apiKey;
    keys.dtcOperator = (await people.create({ name: 'Dora Dtc', role: 'operator', stores: [DTC] })).apiKey;
    keys.dtcAdmin = (await people.create({ name: 'Dan Dtc', role: 'admin', stores: [DTC] })).apiKey;
    // The same storefront SKU is a different ERP item in each store.
    await mappingRepository(db).upsertSkus(B2B, [{ storeSku: 'PROD-1', erpSku: 'E-B2B-1' }]);
    await mappingRepository(db).upsertSkus(DTC, [{ storeSku: 'PROD-1', erpSku: 'E-DTC-1' }]);
    await db.query(
      `INSERT INTO orders (store, order_id, workflow_id, order_number, status) VALUES ($1, 'b1', $2, '#B1', 'inErp'), ($3, 'd1', $4, '#D1', 'inErp')`,
      [B2B, `order:${B2B}:b1`, DTC, `order:${DTC}:d1`],
    );
    // The last hour's store calls: the B2B shop failed half of 10, the DTC shop none of 20.
    await db.query(
      `INSERT INTO connector_calls (system, store, minute, calls, errors)
       VALUES ('store', $1, date_trunc('minute', now()), 10, 5), ('store', $2, date_trunc('minute', now()), 20, 0)`,
      [B2B, DTC],
    );
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    server = createApp({
      temporal,
      db,
      log: testLog,
      store: B2B,
      taskQueuePrefix: `sp${run}`,
      namespace: 'default',
      shops: [
        { store: B2B, shopDomain: `${B2B}.myshopify.com`, secrets: ['b2b-secret'] },
        { store: DTC, shopDomain: `${DTC}.myshopify.com`, secrets: ['dtc-secret'] },
      ],
    }).listen(0, '127.0.0.1');
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
  const skuOf = async (store: string, sku: string) =>
    (await db.query('SELECT erp_sku FROM sku_map WHERE store = $1 AND store_sku = $2', [store, sku])).rows[0]
      ?.erp_sku as string | undefined;
  const templateVersions = async (store: string) =>
    Number(
      (await db.query('SELECT count(*) AS n FROM notification_templates WHERE store = $1', [store])).rows[0]
        .n,
    );
  const flowVersions = async (store: string) =>
    Number(
      (await db.query('SELECT count(*) AS n FROM business_rules WHERE name = $1', [`flow-switches:${store}`]))
        .rows[0].n,
    );

  it('mappings: each store’s own, chosen by its tab; a change in one store leaves the other’s alone', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, base, keys.both, '/dashboard/mappings/sku');
    // The primary store first; the tabs name both stores.
    expect(await page.locator('#store-choice a').allInnerTexts()).toEqual([B2B, DTC]);
    expect(await page.locator('#store-choice a[aria-current="page"]').innerText()).toBe(B2B);
    const erpValue = () =>
      page.locator('#mapping-rows tr[data-key="PROD-1"] input[name=erpValue]').inputValue();
    expect(await erpValue()).toBe('E-B2B-1');

    await page.click(`#store-choice a[data-store="${DTC}"]`);
    await page.waitForURL(`${base}/dashboard/mappings/sku?store=${DTC}`);
    expect(await erpValue()).toBe('E-DTC-1');
    await page.fill('#mapping-new-key', 'PROD-2');
    await page.fill('#mapping-new-value', 'E-DTC-2');
    await page.click('#mapping-add');
    await page.waitForSelector('#notice.ok');
    expect(await text(page, '#notice')).toBe('PROD-2 is mapped to ERP item E-DTC-2.');
    expect(await skuOf(DTC, 'PROD-2')).toBe('E-DTC-2');
    expect(await skuOf(B2B, 'PROD-2')).toBeUndefined();

    // Edited in its row: the DTC store's PROD-1, not the B2B store's.
    const row = page.locator('#mapping-rows tr[data-key="PROD-1"]');
    await row.locator('input[name=erpValue]').fill('E-DTC-9');
    await row.locator('button', { hasText: 'Save' }).click();
    await page.waitForSelector('#notice.ok:has-text("PROD-1 is mapped to ERP item E-DTC-9.")');
    expect(await skuOf(DTC, 'PROD-1')).toBe('E-DTC-9');
    expect(await skuOf(B2B, 'PROD-1')).toBe('E-B2B-1');

    // Searching stays in the store; the kind tabs and the history too.
    await settled(page);
    await page.fill('#mapping-q', 'PROD-2');
    await page.waitForSelector('#mapping-rows tr[data-key="PROD-1"]', { state: 'detached' });
    expect(await text(page, '#mapping-count')).toBe('1 mapping matching “PROD-2”.');
    await page.locator('#mapping-rows tr[data-key="PROD-2"] button', { hasText: 'History' }).click();
    await page.waitForSelector('#mapping-rows tr[data-key="PROD-2"] .row-history table');
    expect(await text(page, '#mapping-rows tr[data-key="PROD-2"] .row-history')).toContain('added → E-DTC-2');
    expect(await page.locator('.tabs[aria-label="Mappings"] a').first().getAttribute('href')).toBe(
      `/dashboard/mappings/sku?store=${DTC}`,
    );
    await page.screenshot({ path: 'test-results/dashboard/mappings-second-store.png', fullPage: true });

    page.once('dialog', (d) => void d.accept());
    await page.locator('#mapping-rows tr[data-key="PROD-2"] button', { hasText: 'Delete' }).click();
    await page.waitForSelector('#mapping-rows tr[data-key="PROD-2"]', { state: 'detached' });
    expect(await skuOf(DTC, 'PROD-2')).toBeUndefined();
    await page.close();
  });

  it('templates: a store’s words are saved and previewed with its own orders only', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, base, keys.both, `/dashboard/templates?store=${DTC}`);
    expect(await page.locator('#store-choice a[aria-current="page"]').innerText()).toBe(DTC);
    await page.click('#templates tr[data-key="return.approved"] a');
    await page.waitForURL(`${base}/dashboard/templates/return.approved?store=${DTC}`);
    // The preview offers the DTC store's orders, not the B2B store's.
    expect(await page.locator('#preview-order option').allInnerTexts()).toEqual(['#D1 (d1)']);
    await page.fill(
      '#template-body',
      'Hello {{recipientName}}, your DTC return {{orderNumber}} is approved.',
    );
    await page.click('#preview-button');
    await page.waitForSelector('#preview-body');
    expect(await text(page, '#preview-body')).toContain('your DTC return #D1 is approved.');
    await page.click('#save-button');
    await page.waitForSelector('#notice.ok');
    expect(await text(page, '#notice')).toBe('Saved as version 1.');
    expect(await templateVersions(DTC)).toBe(1);
    expect(await templateVersions(B2B)).toBe(0);
    // The B2B store's template is still the built-in one.
    await page.click(`#store-choice a[data-store="${B2B}"]`);
    await page.waitForURL(`${base}/dashboard/templates/return.approved?store=${B2B}`);
    expect(await page.locator('#template-body').inputValue()).not.toContain('DTC return');
    // The navigation keeps the chosen store: its Mappings are the B2B store's.
    await page.click('nav a[href^="/dashboard/mappings"]');
    await page.waitForURL(`${base}/dashboard/mappings/sku?store=${B2B}`);
    expect(await page.locator('#store-choice a[aria-current="page"]').innerText()).toBe(B2B);
    await page.close();
  });

  it('flows: an admin switches one store’s flow off; the other store keeps it, an operator sees them read-only', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, base, keys.adminBoth, '/dashboard');
    await page.click('nav a[href="/dashboard/flows"]');
    await page.waitForURL(`${base}/dashboard/flows`);
    await page.click(`#store-choice a[data-store="${DTC}"]`);
    await page.waitForURL(`${base}/dashboard/flows?store=${DTC}`);
    await page.uncheck('#flow-switches input[name="inventory"]');
    await page.selectOption('#flow-switches select[name="customers-direction"]', 'storeToErp');
    await page.fill('input[name=comment]', 'DTC stock is kept by hand');
    await page.click('#flows-save');
    await page.waitForSelector('#notice.ok');
    expect(await text(page, '#notice')).toBe('Saved as version 1: 2 changes.');
    expect(await text(page, '#flow-audit')).toContain('inventory switched: on → off');
    expect(await text(page, '#flow-audit')).toContain('DTC stock is kept by hand');
    const saved = await db.query<{ rules: { inventory: { enabled: boolean } } }>(
      'SELECT rules FROM business_rules WHERE name = $1',
      [`flow-switches:${DTC}`],
    );
    expect(saved.rows.map((r) => r.rules.inventory.enabled)).toEqual([false]);
    expect(await flowVersions(B2B)).toBe(0);
    await page.close();

    const operator = await browser.newPage();
    await signIn(operator, base, keys.dtcOperator, '/dashboard/flows');
    // One store only: no tabs, and it is the DTC store's page.
    expect(await operator.locator('#store-choice').count()).toBe(0);
    expect(await text(operator, '#flows-version')).toContain('Version 1, by Ada Both');
    expect(await operator.locator('#flows form').count()).toBe(0);
    expect(await text(operator, '#flows')).toContain('You can see these; admins change them.');
    await operator.close();
  });

  it('home: the store calls of every store of the person’s, or of the one chosen', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, base, keys.both, '/dashboard');
    expect(await page.locator('#store-choice a[aria-current="page"]').innerText()).toBe('All stores');
    expect(await text(page, '#chart-errors .summary')).toContain('store 16.7% of 30 calls failed');
    expect(await page.locator('.flow[data-flow="store"]').getAttribute('class')).toContain('amber');
    await page.click(`#store-choice a[data-store="${DTC}"]`);
    await page.waitForURL(`${base}/dashboard?store=${DTC}`);
    expect(await text(page, '#chart-errors .summary')).toContain('store 0.0% of 20 calls failed');
    expect(await text(page, '#count-in-flight')).toContain('1');
    expect(await page.locator('.flow[data-flow="store"]').getAttribute('class')).toContain('green');
    await page.click(`#store-choice a[data-store="${B2B}"]`);
    await page.waitForURL(`${base}/dashboard?store=${B2B}`);
    expect(await text(page, '#chart-errors .summary')).toContain('store 50.0% of 10 calls failed');
    expect(await page.locator('.flow[data-flow="store"]').getAttribute('class')).toContain('red');
    // Somebody of the DTC store alone sees its calls, with no choice to make.
    const dtc = await browser.newPage();
    await signIn(dtc, base, keys.dtcOperator, '/dashboard');
    expect(await dtc.locator('#store-choice').count()).toBe(0);
    expect(await text(dtc, '#chart-errors .summary')).toContain('store 0.0% of 20 calls failed');
    await dtc.close();
    await page.close();
  });

  /** A signed-in browser session of `key`: a GET and a POST (with its CSRF token) as its browser would send. */
  const sessionOf = (key: string) => formSession(base, key, '/dashboard');

  it('another store’s people: every page of the B2B store is not found, every write refused, nothing changed', async () => {
    const before = {
      sku: await skuOf(B2B, 'PROD-1'),
      templates: await templateVersions(B2B),
      flows: await flowVersions(B2B),
    };
    for (const key of [keys.dtcOperator, keys.dtcAdmin]) {
      const dtc = await sessionOf(key);
      const q = `?store=${B2B}`;
      const pages = [
        `/dashboard${q}`,
        `/dashboard/mappings/sku${q}`,
        `/dashboard/mappings/customer${q}`,
        `/dashboard/mappings/sku/PROD-1/history${q}`,
        `/dashboard/templates${q}`,
        `/dashboard/templates/return.approved${q}`,
        `/dashboard/flows${q}`,
      ];
      for (const path of pages) {
        const res = await dtc.get(path);
        expect(res.status, path).toBe(404);
        const body = await res.text();
        expect(body, path).toContain(`No store ${B2B}.`);
        expect(body, path).not.toContain('E-B2B-1');
      }
      const writes = [
        dtc.post(`/dashboard/mappings/sku${q}`, { storeKey: 'PROD-1', erpValue: 'HIJACKED' }),
        dtc.post(`/dashboard/mappings/sku/PROD-1/delete${q}`, {}),
        dtc.post(`/dashboard/templates/return.approved${q}`, { subject: 'Hijacked', body: 'Hijacked' }),
        dtc.post(`/dashboard/templates/return.approved/preview${q}`, {
          subject: 'x',
          body: 'x',
          orderId: 'b1',
        }),
        dtc.post(`/dashboard/flows${q}`, { comment: 'every flow off' }),
      ];
      const answers = await Promise.all(writes);
      expect(answers.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
      for (const r of answers) expect(await r.text()).not.toContain('E-B2B-1');
      // Without ?store= the person's own store is meant.
      const mine = await dtc.get('/dashboard/mappings/sku');
      expect(await mine.text()).toContain('E-DTC-');
    }
    // A store this API does not serve is not found either, for somebody of every store.
    const both = await sessionOf(keys.adminBoth);
    expect((await both.get('/dashboard/mappings/sku?store=elsewhere')).status).toBe(404);
    expect((await both.post('/dashboard/flows?store=elsewhere', {})).status).toBe(404);
    expect((await both.get('/dashboard?store=elsewhere')).status).toBe(404);

    expect(await skuOf(B2B, 'PROD-1')).toBe(before.sku);
    expect(await templateVersions(B2B)).toBe(before.templates);
    expect(await flowVersions(B2B)).toBe(before.flows);
  });
});
