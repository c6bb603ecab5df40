import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { principalRepository } from '../../db/principals';
import { syncRepository } from '../../db/sync';
import { orderWorkflowId } from '../../domain/contracts';
import { orderStatusQuery } from '../../domain/contracts';
import { mapScenario, startStack, waitFor, WEBHOOK_SECRET, type Stack } from '../e2e/stack';
import { deliver, fixture } from '../storefront/helpers';
import { launchBrowser, settled, signIn } from '../support/browser';

const SHOTS = 'test-results/dashboard';

/**
 * The walk through the dashboard, in Chromium, on the whole stack (sandbox store → API →
 * Temporal → worker → sandbox ERP): an operator maps an unmapped SKU from the queue and sees the
 * order reach the ERP, edits and replays a dead-lettered webhook, changes a template and previews
 * it with a real order; an approver approves within their limit and is refused above it. Each page
 * is saved as a screenshot in test-results/dashboard/.
 */
describe('the dashboard walkthrough on the whole stack', () => {
  let stack: Stack;
  let browser: Browser;
  let operatorKey: string;
  let approverKey: string;
  let buyerId: string;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    stack = await startStack({ skus: 100, privateDatabase: true, temporalUiUrl: 'http://127.0.0.1:8233' });
    const principals = principalRepository(stack.db);
    operatorKey = (await principals.create({ name: 'Olga Operator', role: 'operator' })).apiKey;
    approverKey = (
      await principals.create({ name: 'Abe Approver', role: 'approver', approvalLimit: '20000.00' })
    ).apiKey;
    // Quayside's item cache, filled from the ERP as the catalog sync fills it.
    const items = await stack.erp.client({ concurrency: 2 }).listItems(null, 200);
    await syncRepository(stack.db).saveItems(items.items);
    // The store sells at the ERP's prices, so the orders' price check passes and only credit holds them.
    const price = (sku: string) => items.items.find((i) => i.sku === sku)!.basePrice;
    await stack.shop.sim('/sandbox/products', {
      sku: 'PROD-77',
      title: 'Solvent cleaner 77',
      price: price('P77'),
    });
    await stack.shop.sim('/sandbox/products', { sku: 'PROD-7', title: 'Hex bolt 7', price: price('P7') });
    buyerId = (
      await stack.shop.sim<{ customerId: string }>('/sandbox/customers', {
        email: 'ap@customer2.example.com',
        company: 'Acme Industrial 2',
      })
    ).customerId;
    await mapScenario(stack, { customers: [[buyerId, '2']], skus: [['PROD-7', 'P7']] });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const placeOrder = (sku: string, quantity: number, poNumber: string) =>
    stack.shop.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: 'ap@customer2.example.com',
      company: 'Acme Industrial 2',
      poNumber,
      lines: [{ sku, quantity }],
    });
  const status = (orderId: string) =>
    stack.client.workflow.getHandle(orderWorkflowId(stack.store, orderId)).query(orderStatusQuery);
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

  it('an operator maps an unmapped SKU from the queue, sees the order reach the ERP, replays a corrected webhook and previews a changed template', async () => {
    const parked = await placeOrder('PROD-77', 2, 'PO-WALK-1');
    await waitFor(
      'the order parked on PROD-77',
      async () => (await status(parked.orderId).catch(() => null))?.attention?.kind === 'unmappedSku',
    );

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, stack.api, operatorKey);
    expect(await page.locator('#count-attention').innerText()).toContain(
      'SKU PROD-77 is not mapped to an ERP item',
    );
    await shot(page, '01-home');

    // 2. The parked order in the queue, mapped from it: search the ERP items, choose P77, map.
    await page.click('nav a[href="/dashboard/attention"]');
    const group = page.locator('.group[data-cause="sku:PROD-77"]');
    await group.waitFor();
    expect(await group.locator('.item').count()).toBe(1);
    expect(await group.locator('.item').innerText()).toContain('SKU PROD-77 is not mapped to an ERP item');
    expect(await group.locator('a.history').getAttribute('href')).toBe(
      `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(orderWorkflowId(stack.store, parked.orderId))}`,
    );
    await settled(page);
    await group.locator('input[type=search]').fill('P77');
    const choice = group.locator('input[type=radio][value="P77"]');
    await choice.waitFor();
    expect(await group.locator('.search-results').innerText()).toContain('Solvent cleaner 77');
    await shot(page, '02-needs-attention-search');
    await choice.check();
    await page.click('#map-sku-PROD-77-submit');
    await page.waitForSelector('#notice');
    expect(await page.locator('#notice').innerText()).toContain(
      `SKU PROD-77 is mapped to ERP item P77. Order ${parked.orderId} continues.`,
    );
    expect(await page.locator('.group[data-cause="sku:PROD-77"]').count()).toBe(0);
    await shot(page, '03-mapped');

    // 3. The order continues to the ERP, as its page shows.
    await page.click('#notice a');
    await page.locator('#order-erp', { hasNotText: 'not yet' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#order-step').innerText()).toMatch(/In the ERP|Allocating|Creating/);
    const inErp = await status(parked.orderId);
    expect(await page.locator('#order-erp').innerText()).toBe(inErp.erpOrder?.tranId);
    expect(inErp.lines[0]?.erpSku).toBe('P77');
    await shot(page, '04-order-in-erp');

    // 4. A dead-lettered orders/create, corrected in its editor and replayed.
    const bad = fixture('orders_create.json')
      .replace('"id": 820982911946154500,', '"id": 777000000000000077,')
      .replace('"currency": "USD"', '"currency": "US DOLLARS"');
    const delivered = await deliver(stack.api, bad, { secret: WEBHOOK_SECRET, topic: 'orders/create' });
    expect(delivered.body).toMatchObject({ status: 'dead_lettered' });
    const letter = delivered.body.deadLetterId as number;
    await page.goto(`${stack.api}/dashboard/attention`);
    const item = page.locator(`.item[data-key="dead-letter:${letter}"]`);
    expect(await item.innerText()).toContain('currency');
    expect(await item.innerText()).not.toContain('POST /webhooks');
    await item.locator('button', { hasText: 'Edit and replay' }).click();
    const editor = item.locator('textarea[name=payload]');
    await editor.waitFor();
    const payload = await editor.inputValue();
    expect(payload).toContain('777000000000000077');
    await editor.fill(payload.replace('"US DOLLARS"', '"USD"'));
    await shot(page, '05-dead-letter-edit');
    await item.locator('button[type=submit]', { hasText: /^Replay$/ }).click();
    await page.waitForSelector('#notice.ok');
    expect(await page.locator('#notice').innerText()).toContain(
      `Webhook ${letter} was replayed into order:${stack.store}:777000000000000077.`,
    );
    expect(await page.locator(`.item[data-key="dead-letter:${letter}"]`).count()).toBe(0);
    const replayed = await stack.db.query('SELECT status FROM dead_letters WHERE id = $1', [letter]);
    expect(replayed.rows[0]).toEqual({ status: 'replayed' });
    await shot(page, '06-replayed');

    // 5. A template changed and previewed with the real order, refused with an unknown placeholder, saved.
    await page.click('nav a[href="/dashboard/templates"]');
    await shot(page, '07-templates');
    await page.click('#templates tr[data-key="return.approved"] a');
    await page.fill(
      '#template-body',
      'Hello {{recipientName}}, order {{orderNumber}} (PO {{poNumber}}) is on its way. {{nope}}',
    );
    await page.selectOption('#preview-order', parked.orderId);
    await page.click('#preview-button');
    await page.waitForSelector('#template-problem');
    expect(await page.locator('#template-problem').innerText()).toContain('nope');
    await page.fill(
      '#template-body',
      'Hello {{recipientName}}, order {{orderNumber}} (PO {{poNumber}}) is on its way.',
    );
    await page.click('#preview-button');
    await page.waitForSelector('#preview-body');
    expect(await page.locator('#preview-body').innerText()).toContain(
      `order ${inErp.orderNumber} (PO PO-WALK-1) is on its way.`,
    );
    await shot(page, '08-template-preview');
    await page.click('#save-button');
    await page.waitForSelector('#notice.ok');
    expect(await page.locator('#notice').innerText()).toBe('Saved as version 1.');
    expect(await page.locator('#template-history').innerText()).toContain('Olga Operator');
    await shot(page, '09-template-saved');

    // An operator sees the decisions read-only.
    await page.goto(`${stack.api}/dashboard/decisions`);
    expect(await page.locator('#limit').innerText()).toBe('You can see these; approvers decide them.');
    await context.close();
  });

  it('an approver approves a credit hold within their limit and is refused above it', async () => {
    // P7 costs 56.33: 300 of them (16,899.00) are over the buyer's 15,000 credit and within the
    // approver's 20,000 limit; 400 (22,532.00) are above it.
    const within = await placeOrder('PROD-7', 300, 'PO-WALK-2');
    const above = await placeOrder('PROD-7', 400, 'PO-WALK-3');
    const held = async (orderId: string) =>
      (await status(orderId).catch(() => null))?.pendingApproval?.kind === 'order.creditHold';
    await waitFor(
      'both credit holds',
      async () => (await held(within.orderId)) && (await held(above.orderId)),
    );

    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signIn(page, stack.api, approverKey, '/dashboard/decisions');
    expect(await page.locator('#limit').innerText()).toBe('You may approve up to 20000.00.');
    const card = (orderId: string) =>
      page.locator('.item', { has: page.locator(`a[href="/dashboard/orders/${orderId}"]`) });
    await card(within.orderId).waitFor();
    // The context: the credit position and the order's lines.
    const first = await card(within.orderId).innerText();
    expect(first).toContain('Credit limit');
    expect(first).toContain('15000');
    expect(first).toContain('PROD-7');
    expect(await card(above.orderId).locator('.limit').innerText()).toContain(
      'above your approval limit of 20000.00',
    );
    await shot(page, '10-decisions-approver');

    await card(within.orderId).locator('input[name=reason]').fill('Known customer, paying on time');
    await card(within.orderId).locator('button[value=approve]').click();
    await page.waitForSelector('#notice');
    expect(await page.locator('#notice').getAttribute('class')).toContain('ok');
    expect(await page.locator('#notice').innerText()).toContain('You approved');
    await waitFor(
      'the approved order past its hold',
      async () => (await status(within.orderId)).pendingApproval === null,
    );

    await card(above.orderId).locator('button[value=approve]').click();
    await page.waitForSelector('#notice.problem');
    expect(await page.locator('#notice').innerText()).toMatch(/above your approval limit of 20000\.00/);
    await shot(page, '11-decision-refused');
    expect((await status(above.orderId)).pendingApproval?.kind).toBe('order.creditHold');
    const refused = await stack.db.query<{ refusal_code: string; principal_name: string }>(
      `SELECT refusal_code, principal_name FROM approval_decisions WHERE workflow_id = $1 AND NOT accepted`,
      [orderWorkflowId(stack.store, above.orderId)],
    );
    expect(refused.rows).toEqual([
      { refusal_code: 'APPROVAL.LIMIT_EXCEEDED', principal_name: 'Abe Approver' },
    ]);
    await context.close();
  });
});
