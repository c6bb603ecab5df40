import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalRepository } from '../../db/principals';
import { startApi, type TestApi } from './api';

/**
 * The checkout quote verifies its API key from memory (db/quote-cache.ts): what was changed in
 * Postgres before a quote is asked — a key revoked, a principal disabled or moved to other stores,
 * a key issued, failed attempts counted — decides that very quote.
 */
describe('checkout quote API keys held in memory', () => {
  const store = `qk-${Date.now().toString(36)}`;
  const other = `${store}-b`;
  const sku = `QK-${randomUUID().slice(0, 8)}`;
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi({
      store,
      shops: [
        { store, shopDomain: `${store}.myshopify.com`, secrets: ['s1'] },
        { store: other, shopDomain: `${other}.myshopify.com`, secrets: ['s2'] },
      ],
      taskQueuePrefix: `${store}q`,
      authFailureLimits: { perKey: 3, perAddress: 50, windowSeconds: 60, namespace: `qk-${randomUUID()}` },
    });
    await api.db.query(
      `INSERT INTO item_cache (erp_sku, erp_id, name, kind, base_price, erp_modified)
       VALUES ($1, $1, 'Quote key test item', 'inventory', 4.25, now())`,
      [`ERP-${sku}`],
    );
    await api.db.query('INSERT INTO sku_map (store, store_sku, erp_sku) VALUES ($1, $2, $3), ($4, $2, $3)', [
      store,
      sku,
      `ERP-${sku}`,
      other,
    ]);
  });
  afterAll(async () => {
    await api?.db.query('DELETE FROM sku_map WHERE store_sku = $1', [sku]);
    await api?.db.query('DELETE FROM item_cache WHERE erp_sku = $1', [`ERP-${sku}`]);
    await api?.close();
  });

  const quote = (key: string, where = store, address = '10.1.0.1') =>
    api.call('GET', `/quote?sku=${sku}&quantity=2&store=${where}`, key, undefined, {
      'x-forwarded-for': address,
    });

  it('answers 401 to the very next quote after its key is revoked, and takes a key issued since', async () => {
    const users = principalRepository(api.db);
    const { principal, apiKey } = await users.create({ name: 'Checkout', role: 'operator' });
    expect(await quote(apiKey)).toMatchObject({ status: 200, body: { unitPrice: '4.25', total: '8.50' } });
    expect(await quote(apiKey)).toMatchObject({ status: 200 });

    await users.revokeKeys(principal.id);
    expect(await quote(apiKey)).toMatchObject({ status: 401, body: { code: 'AUTH.UNAUTHENTICATED' } });

    const fresh = await users.issueKey(principal.id);
    expect(await quote(fresh)).toMatchObject({ status: 200, body: { unitPrice: '4.25' } });
  });

  it('answers 401 to the very next quote after its principal is disabled', async () => {
    const users = principalRepository(api.db);
    const { principal, apiKey } = await users.create({ name: 'Checkout 2', role: 'operator' });
    expect(await quote(apiKey)).toMatchObject({ status: 200 });
    await users.disable(principal.id);
    expect(await quote(apiKey)).toMatchObject({ status: 401 });
  });

  it("applies a principal's new stores to the very next quote", async () => {
    const users = principalRepository(api.db);
    const { principal, apiKey } = await users.create({ name: 'Store A', role: 'operator', stores: [store] });
    expect(await quote(apiKey, store)).toMatchObject({ status: 200 });
    expect(await quote(apiKey, other)).toMatchObject({ status: 404, body: { code: 'QUOTE.UNKNOWN_SKU' } });

    await api.db.query('UPDATE principals SET stores = $2 WHERE id = $1', [principal.id, [other]]);
    expect(await quote(apiKey, other)).toMatchObject({ status: 200, body: { unitPrice: '4.25' } });
    expect(await quote(apiKey, store)).toMatchObject({ status: 404, body: { code: 'QUOTE.UNKNOWN_SKU' } });
  });

  it('refuses the right secret with 429 once its key id has used up its failures, from the very next quote', async () => {
    const { apiKey } = await principalRepository(api.db).create({ name: 'Checkout 3', role: 'operator' });
    expect(await quote(apiKey)).toMatchObject({ status: 200 });
    const wrong = apiKey.replace(/_[^_]+$/, `_${'x'.repeat(43)}`);
    for (let i = 0; i < 3; i++) expect((await quote(wrong, store, '10.1.0.2')).status).toBe(401);
    const right = await quote(apiKey, store, '10.1.0.3');
    expect(right).toMatchObject({ status: 429, body: { code: 'AUTH.TOO_MANY_FAILURES' } });
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
