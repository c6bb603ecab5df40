import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mappingRepository } from '../../db/mappings';
import { principalRepository } from '../../db/principals';
import { startApi, type TestApi } from './api';

/**
 * A principal limited to another store, against every route with an object of this API's store:
 * it sees and changes nothing, and each refusal reads exactly like the object does not exist.
 */
const cookieOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

describe('store scoping on every route', () => {
  let api: TestApi;
  const STORE = `scope-${randomUUID().slice(0, 8)}`;
  const SKU = `SKU-${STORE}`;
  let admin: string;
  let outsider: string;
  let outsiderOperator: string;
  let deadLetterId: number;

  beforeAll(async () => {
    api = await startApi({ store: STORE, taskQueuePrefix: `scope${Date.now().toString(36)}` });
    const principals = principalRepository(api.db);
    admin = (await principals.create({ name: 'Ada Admin', role: 'admin', stores: [STORE] })).apiKey;
    outsider = (await principals.create({ name: 'Otto Outside', role: 'admin', stores: ['another-store'] }))
      .apiKey;
    outsiderOperator = (
      await principals.create({ name: 'Olive Outside', role: 'operator', stores: ['another-store'] })
    ).apiKey;
    // This store's objects: an order in the read model, a catalog item, a dead letter.
    await api.db.query(
      `INSERT INTO orders (store, order_id, workflow_id, status, total_minor, currency) VALUES ($1, 'o-1', $2, 'onHold', 1000, 'USD')`,
      [STORE, `order:${STORE}:o-1`],
    );
    await mappingRepository(api.db).upsertSkus(STORE, [{ storeSku: SKU, erpSku: `E-${SKU}` }]);
    await api.db.query(
      `INSERT INTO item_cache (erp_sku, erp_id, name, kind, base_price, erp_modified) VALUES ($1, '1', 'Bolt', 'inventoryItem', 2.5, now())`,
      [`E-${SKU}`],
    );
    const dl = await api.db.query<{ id: number }>(
      `INSERT INTO dead_letters (topic, shop_domain, reason, payload) VALUES ('orders/create', 'x.myshopify.com', 'bad', '{}') RETURNING id`,
    );
    deadLetterId = dl.rows[0]!.id;
  });
  afterAll(async () => api?.close());

  /** Same status, code and message (with the id swapped) for the hidden object and a missing one. */
  async function looksMissing(
    method: string,
    hidden: string,
    missing: string,
    body?: unknown,
    key = outsider,
  ) {
    const a = await api.call(method, hidden, key, body);
    const b = await api.call(method, missing, key, body);
    expect(a.status, `${method} ${hidden}`).toBe(404);
    expect(a.status).toBe(b.status);
    expect(a.body.code).toBe(b.body.code);
    // The id is the first path segment that differs between the two paths.
    const [ha, hb] = [hidden.split('?')[0]!.split('/'), missing.split('?')[0]!.split('/')];
    const at = ha.findIndex((seg, k) => seg !== hb[k]);
    const [idA, idB] = [decodeURIComponent(ha[at]!), decodeURIComponent(hb[at]!)];
    expect(a.body.message?.replace(idA, '<id>')).toBe(b.body.message?.replace(idB, '<id>'));
    return a;
  }

  it('orders: the list, one order, cancel and fix', async () => {
    const mine = await api.call('GET', '/orders', admin);
    expect((mine.body.orders as { orderId: string }[]).map((o) => o.orderId)).toContain('o-1');
    const theirs = await api.call('GET', '/orders', outsider);
    expect(theirs.status).toBe(200);
    expect((theirs.body.orders as { store: string }[]).filter((o) => o.store === STORE)).toEqual([]);
    await looksMissing('GET', '/orders/o-1', '/orders/o-none');
    await looksMissing('POST', '/orders/o-1/cancel', '/orders/o-none/cancel', {
      reason: 'x',
      by: 'operator',
    });
    await looksMissing('POST', '/orders/o-1/fix', '/orders/o-none/fix', { sku: 'A', erpSku: 'B' });
    const create = await api.call('POST', '/orders', outsider, {
      store: STORE,
      orderId: 'o-2',
      currency: 'USD',
      lines: [{ lineId: '1', sku: SKU, quantity: 1, unitPrice: '1.00' }],
    });
    expect([403, 400]).toContain(create.status);
  });

  it('quotes: a SKU of this store reads like an unknown SKU', async () => {
    expect((await api.call('GET', `/quote?sku=${SKU}&quantity=1`, admin)).status).toBe(200);
    const hidden = await api.call('GET', `/quote?sku=${SKU}&quantity=1`, outsider);
    const missing = await api.call('GET', `/quote?sku=NOPE-${SKU}&quantity=1`, outsider);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe(missing.body.code);
    expect(hidden.body.message?.replace(SKU, '<sku>')).toBe(
      missing.body.message?.replace(`NOPE-${SKU}`, '<sku>'),
    );
  });

  it('mappings and policies: nothing read or changed for another store', async () => {
    for (const [path, body] of [
      [`/config/mappings/skus/${SKU}`, { erpSku: 'HIJACKED' }],
      ['/config/mappings/customers/c-1', { erpCustomerId: 'HIJACKED' }],
      ['/config/mappings/locations/loc-1', { erpLocation: 'HIJACKED' }],
    ] as const) {
      const r = await api.call('PUT', path, outsiderOperator, body);
      expect(r).toMatchObject({ status: 404, body: { code: 'STORE.NOT_FOUND' } });
    }
    const sku = await api.db.query('SELECT erp_sku FROM sku_map WHERE store = $1 AND store_sku = $2', [
      STORE,
      SKU,
    ]);
    expect(sku.rows[0].erp_sku).toBe(`E-${SKU}`);
    expect((await api.call('GET', '/config/policies/return', outsider)).status).toBe(404);
    expect((await api.call('PUT', '/config/policies/return', outsider, {})).status).toBe(404);
    const rules = await api.call('PUT', '/config/rules', outsider, { rules: {} });
    expect(rules).toMatchObject({ status: 403, body: { code: 'AUTH.FORBIDDEN' } });
  });

  it('dead letters: the list, one letter and its replay', async () => {
    const mine = await api.call('GET', '/webhooks/dead-letters', admin);
    expect((mine.body.deadLetters as { id: number }[]).map((d) => d.id)).toContain(deadLetterId);
    const theirs = await api.call('GET', '/webhooks/dead-letters', outsider);
    expect(theirs.body.deadLetters).toEqual([]);
    await looksMissing('GET', `/webhooks/dead-letters/${deadLetterId}`, '/webhooks/dead-letters/999999999');
    await looksMissing(
      'POST',
      `/webhooks/dead-letters/${deadLetterId}/replay`,
      '/webhooks/dead-letters/999999999/replay',
    );
    const row = await api.db.query('SELECT status, attempts FROM dead_letters WHERE id = $1', [deadLetterId]);
    expect(row.rows[0]).toEqual({ status: 'parked', attempts: 0 });
  });

  it('returns, customers and approvals: another store’s ids read like missing ones', async () => {
    await looksMissing('GET', `/returns/r-1?store=${STORE}`, `/returns/r-none?store=${STORE}`);
    await looksMissing(
      'POST',
      `/returns/r-1/received?store=${STORE}`,
      `/returns/r-none/received?store=${STORE}`,
    );
    await looksMissing(
      'GET',
      `/customers/c-1/application?store=${STORE}`,
      `/customers/c-none/application?store=${STORE}`,
    );
    await api.db.query(
      `INSERT INTO approvals (approval_id, kind, workflow_id, store, amount, currency, summary, context, requested_at)
       VALUES ($1, 'return', $2, $3, 5, 'USD', 's', '{}', now())`,
      [`return:${STORE}:r-1:approval`, `return:${STORE}:r-1`, STORE],
    );
    await looksMissing(
      'GET',
      `/approvals/return:${STORE}:r-1:approval`,
      `/approvals/return:${STORE}:r-9:approval`,
    );
    await looksMissing(
      'POST',
      `/approvals/return:${STORE}:r-1:approval/decision`,
      `/approvals/return:${STORE}:r-9:approval/decision`,
      { outcome: 'approve' },
    );
  });

  /** Signs in through the login form as a browser would: its CSRF token and session cookie. */
  async function dashboardAs(key: string): Promise<string> {
    const form = await fetch(`${api.base}/login?next=%2Fdashboard`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const signedIn = await fetch(`${api.base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(form) },
      body: new URLSearchParams({ _csrf: csrf, apiKey: key, next: '/dashboard' }).toString(),
    });
    expect(signedIn.status).toBe(303);
    const page = await fetch(`${api.base}/dashboard`, {
      headers: { cookie: cookieOf(signedIn) || cookieOf(form) },
      redirect: 'manual',
    });
    expect(page.status).toBe(200);
    return page.text();
  }

  /** A signed-in browser session: its cookie and the CSRF token its pages carry. */
  async function sessionFor(key: string): Promise<{ cookie: string; csrf: string }> {
    const form = await fetch(`${api.base}/login`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const signedIn = await fetch(`${api.base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(form) },
      body: new URLSearchParams({ _csrf: csrf, apiKey: key, next: '/dashboard/attention' }).toString(),
    });
    const cookie = cookieOf(signedIn) || cookieOf(form);
    const page = await fetch(`${api.base}/dashboard/attention`, { headers: { cookie } });
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    return { cookie, csrf: token };
  }

  it('dashboard actions: another store’s operator finds none of this store’s items and every fix is refused', async () => {
    const wf = `order:${STORE}:o-2`;
    await api.db.query(
      `INSERT INTO orders (store, order_id, workflow_id, status, attention_kind, attention_reason)
       VALUES ($1, 'o-2', $2, 'onHold', 'unmappedSku', 'SKU PROD-SCOPE is not mapped to an ERP item; map it to continue.')`,
      [STORE, wf],
    );
    const alert = await api.db.query<{ id: number }>(
      `INSERT INTO alerts (dedupe_key, severity, kind, subject, message, workflow_id)
       VALUES ($1, 'warning', 'sync.unmapped', 'Stock for 3 ERP item(s) has no storefront SKU', 'Add them', $2) RETURNING id`,
      [`scope-sync:${STORE}`, `sync:inventory:${STORE}`],
    );
    const alertId = alert.rows[0]!.id;
    const as = async (key: string) => {
      const s = await sessionFor(key);
      const post = (path: string, form: Record<string, string>) =>
        fetch(`${api.base}${path}`, {
          method: 'POST',
          headers: {
            cookie: s.cookie,
            'content-type': 'application/x-www-form-urlencoded',
            'x-csrf-token': s.csrf,
          },
          body: new URLSearchParams(form).toString(),
        });
      const queue = await (
        await fetch(`${api.base}/dashboard/attention`, { headers: { cookie: s.cookie } })
      ).text();
      return { post, queue };
    };

    const mine = await as(admin);
    expect(mine.queue).toContain('SKU PROD-SCOPE is not mapped to an ERP item');
    expect(mine.queue).toContain(`dead-letter:${deadLetterId}`);
    expect(mine.queue).toContain('Stock for 3 ERP item(s) has no storefront SKU');

    const theirs = await as(outsiderOperator);
    expect(theirs.queue).not.toContain('PROD-SCOPE');
    expect(theirs.queue).not.toContain(`dead-letter:${deadLetterId}`);
    expect(theirs.queue).not.toContain('Stock for 3 ERP item(s)');
    const refusals = [
      await theirs.post('/dashboard/attention/map-sku', { sku: 'PROD-SCOPE', erpSku: 'E-1' }),
      await theirs.post('/dashboard/attention/map-customer', { customerId: 'c-1', erpCustomerId: '1' }),
      await theirs.post('/dashboard/attention/orders/o-2/cancel', { reason: 'not mine' }),
      await theirs.post('/dashboard/attention/orders/o-2/field', { field: 'poNumber', value: 'X' }),
      await theirs.post(`/dashboard/attention/dead-letters/${deadLetterId}/replay`, { payload: '{}' }),
      await theirs.post(`/dashboard/attention/alerts/${alertId}/acknowledge`, {}),
      await theirs.post(`/dashboard/attention/alerts/${alertId}/retry`, {}),
    ];
    expect(refusals.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404, 404]);
    const edit = await fetch(`${api.base}/dashboard/attention/dead-letters/${deadLetterId}/edit`, {
      headers: { cookie: (await sessionFor(outsiderOperator)).cookie },
    });
    expect(edit.status).toBe(404);
    // Nothing changed: no mapping, the alert open, the dead letter parked, the order still parked.
    expect(
      (await api.db.query('SELECT 1 FROM sku_map WHERE store = $1 AND store_sku = $2', [STORE, 'PROD-SCOPE']))
        .rowCount,
    ).toBe(0);
    expect((await api.db.query('SELECT resolved_at FROM alerts WHERE id = $1', [alertId])).rows[0]).toEqual({
      resolved_at: null,
    });
    expect(
      (await api.db.query('SELECT status FROM dead_letters WHERE id = $1', [deadLetterId])).rows[0],
    ).toEqual({ status: 'parked' });
    expect(
      (await api.db.query('SELECT attention_kind FROM orders WHERE workflow_id = $1', [wf])).rows[0],
    ).toEqual({
      attention_kind: 'unmappedSku',
    });
  });

  it('dashboard: a principal of another store sees none of this store’s orders, decisions or alerts', async () => {
    const subject = `Order o-1 of ${STORE} needs attention`;
    await api.db.query(
      `INSERT INTO alerts (dedupe_key, severity, kind, subject, message, workflow_id)
       VALUES ($1, 'warning', 'order.parked', $2, 'SKU is not mapped', $3)`,
      [`dash:${STORE}`, subject, `order:${STORE}:o-1`],
    );
    const mine = await dashboardAs(admin);
    expect(mine).toContain(subject);
    expect(mine).toContain('On hold');
    const theirs = await dashboardAs(outsiderOperator);
    expect(theirs).not.toContain(subject);
    expect(theirs).toContain('No orders yet.');
    expect(theirs).toContain('No decision is waiting.');
  });
});
