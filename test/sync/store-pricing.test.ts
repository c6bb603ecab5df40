import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createStorePricingActivities } from '../../activities/store-pricing';
import { ShopifyPricing } from '../../connectors/shopify/pricing';
import { alertRepository } from '../../db/alerts';
import { attentionSources } from '../../db/dashboard';
import { mappingRepository } from '../../db/mappings';
import { cachedPriceBook } from '../../db/price-book';
import { storePricingRepository } from '../../db/store-pricing';
import { syncRepository } from '../../db/sync';
import { attentionQueue } from '../../domain/attention';
import { levelListKey } from '../../domain/store-pricing';
import { seedSandboxMappings } from '../../sandbox/erp/mappings';
import { erpSku, seedCustomer, storeSku } from '../../sandbox/erp/scenario';
import { seedSandboxStore } from '../../sandbox/storefront/seed';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import type { Db } from '../../db/pool';
import { privateTestDatabase } from '../support/env';

const SKUS = 60;
const CUSTOMERS = 12;
const store = `pricing-${randomUUID().slice(0, 6)}`;
// Its scenario's prices must not become the ERP prices other files' whole-stack orders are checked against.
let db: Db;
let privateDb: Awaited<ReturnType<typeof privateTestDatabase>>;
let erp: RunningErpSandbox;
let shop: RunningSandbox;
let acts: ReturnType<typeof createStorePricingActivities>;
const env = new MockActivityEnvironment();

async function drain<T>(
  read: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null; hasMore: boolean }>,
  save: (items: T[]) => Promise<void>,
) {
  for (let cursor: string | null = null; ;) {
    const page = await read(cursor);
    if (page.items.length) await save(page.items);
    if (!page.hasMore) return;
    cursor = page.nextCursor;
  }
}

/** Places an order without prices for customer n; the store charges what it shows the company location. */
async function charged(n: number, lines: { i: number; quantity: number }[]): Promise<string[]> {
  const c = seedCustomer(n);
  const placed = await shop.sim<{ orderId: string }>('/sandbox/orders', {
    customerEmail: c.email,
    company: c.companyName,
    lines: lines.map((l) => ({ sku: storeSku(l.i), quantity: l.quantity })),
  });
  const json = await shop.sim<{ line_items: { price: string }[] }>(`/sandbox/orders/${placed.orderId}`);
  return json.line_items.map((l) => l.price);
}

/** What Quayside's order price check expects for customer n (resolvePrice over the cache). */
async function expected(n: number, lines: { i: number; quantity: number }[]): Promise<string[]> {
  const level = (
    await db.query<{ price_level: string | null }>(
      'SELECT price_level FROM customer_cache WHERE erp_customer_id = $1',
      [String(n)],
    )
  ).rows[0]!.price_level;
  const book = cachedPriceBook(db);
  const out: string[] = [];
  for (const l of lines) {
    const r = await book.unitPrices({
      customerErpId: String(n),
      priceLevel: level,
      lines: [{ sku: erpSku(l.i), quantity: l.quantity }],
    });
    out.push(r[erpSku(l.i)]!);
  }
  return out;
}

beforeAll(async () => {
  privateDb = await privateTestDatabase();
  db = privateDb.db;
  erp = await startErpSandbox({ skus: SKUS, customers: CUSTOMERS, databaseUrl: privateDb.url });
  const storeSchema = `sandbox_store_sp${randomUUID().slice(0, 6)}`;
  shop = await startSandbox(storeSchema, { restoreRate: 1000, databaseUrl: privateDb.url });
  await seedSandboxStore(shop.db, { skus: SKUS, customers: CUSTOMERS });
  await seedSandboxMappings(db, store, { skus: SKUS, erpSchema: erp.schema, storeSchema });
  const netsuite = erp.client({ concurrency: 5 });
  const syncs = syncRepository(db);
  await drain(
    (c) => netsuite.listItems(c, 500),
    (items) => syncs.saveItems(items),
  );
  await drain(
    (c) => netsuite.pricesChangedSince(c, 500),
    (prices) => syncs.savePrices(prices),
  );
  await drain(
    (c) => netsuite.customersChangedSince(c, 500),
    async (customers) => {
      for (const c of customers) await syncs.saveCustomer(c);
    },
  );
  acts = createStorePricingActivities({
    db,
    erp: netsuite,
    pricing: new ShopifyPricing(shop.client),
    mappings: mappingRepository(db),
    alerts: alertRepository(db),
  });
  // The full resync, as the workflow runs it.
  await env.run(acts.startPricingCursors, { store, onlyIfUnset: false });
  for (const level of (await env.run(acts.listPriceLevels)) as string[])
    await env.run(acts.pushLevelList, { store, level });
  for (let after: string | null = null; ;) {
    const batch: { last: string | null } = await env.run(acts.pushCustomerBatch, {
      store,
      after,
      batchSize: 5,
    });
    if (batch.last === null) break;
    after = batch.last;
  }
}, 180_000);

afterAll(async () => {
  await shop?.stop();
  await erp?.close();
  await privateDb?.drop();
});

describe('ERP pricing in the store', () => {
  it('after a full resync the store charges every buyer its ERP price: contract, level, break or base', async () => {
    for (let n = 1; n <= CUSTOMERS; n++) {
      const contract = (
        await db.query<{ erp_sku: string }>(
          'SELECT erp_sku FROM price_cache WHERE customer_erp_id = $1 LIMIT 3',
          [String(n)],
        )
      ).rows.map((r) => Number(r.erp_sku.slice(1)));
      // One line an order, so no cart comes near the customer's credit headroom.
      const lines = [
        { i: 7, quantity: 1 },
        { i: 40, quantity: 1 },
        { i: 40, quantity: 10 },
        { i: 41, quantity: 2 },
        ...contract.map((i) => ({ i, quantity: 1 })),
      ];
      const prices: string[] = [];
      for (const line of lines) prices.push(...(await charged(n, [line])));
      expect({ n, prices }).toEqual({ n, prices: await expected(n, lines) });
    }
    // Tier levels are flat percentages: the store holds one adjustment for each, no fixed prices.
    const tier = await db.query<{ adjustment_percent: string | null; entries: number }>(
      `SELECT l.adjustment_percent, (SELECT count(*)::int FROM store_price_entries e WHERE e.store = l.store AND e.list_key = l.list_key) AS entries
         FROM store_price_lists l WHERE l.store = $1 AND l.list_key = 'level:Tier 2'`,
      [store],
    );
    expect(tier.rows[0]).toEqual({ adjustment_percent: '10', entries: 0 });
  });

  it('follows ERP price and price-level changes by the change cursor', async () => {
    const q = (sql: string) => db.query(sql.replaceAll('ERP.', `${erp.schema}.`));
    // Customer 2 (Tier 2) moves to Tier 3; Tier 3's price for item 9 becomes item-specific.
    await q(`UPDATE ERP.customer SET price_level = 'Tier 3' WHERE id = 2`);
    await q(
      `UPDATE ERP.item_price SET unit_price = 1.23 WHERE item_id = 9 AND price_level = 'Tier 3' AND customer_id IS NULL`,
    );
    for (let more = true; more;) {
      const page = (await env.run(acts.syncPricingChanges, { store, pageSize: 500 })) as { hasMore: boolean };
      more = page.hasMore;
    }
    const lines = [
      { i: 9, quantity: 1 },
      { i: 11, quantity: 3 },
    ];
    const now = await charged(2, lines);
    expect(now).toEqual(await expected(2, lines));
    expect(now[0]).toBe('1.23');
  });

  it('a level price raised above its percentage reaches every buyer on the level, contract customers too', async () => {
    const q = (sql: string) => db.query(sql.replaceAll('ERP.', `${erp.schema}.`));
    // Tier 3 is 15% off base; item 12's Tier 3 price becomes the base price itself, above that.
    await q(
      `UPDATE ERP.item_price p SET unit_price = i.base_price FROM ERP.item i
        WHERE i.id = p.item_id AND p.item_id = 12 AND p.price_level = 'Tier 3' AND p.customer_id IS NULL`,
    );
    for (let more = true; more;) {
      const page = (await env.run(acts.syncPricingChanges, { store, pageSize: 500 })) as { hasMore: boolean };
      more = page.hasMore;
    }
    const onTier3 = (
      await db.query<{ erp_customer_id: string; contracts: boolean }>(
        `SELECT c.erp_customer_id, EXISTS (SELECT 1 FROM store_price_lists l WHERE l.store = $1
                  AND l.list_key = 'customer:' || c.erp_customer_id) AS contracts
           FROM customer_cache c WHERE c.price_level = 'Tier 3'`,
        [store],
      )
    ).rows;
    // Some buyers on the level have catalogs of their own beside it, whose adjustment would undercut it.
    expect(onTier3.some((c) => c.contracts)).toBe(true);
    const line = [{ i: 12, quantity: 1 }];
    for (const c of onTier3) {
      const n = Number(c.erp_customer_id);
      expect({ n, price: await charged(n, line) }).toEqual({ n, price: await expected(n, line) });
    }
  });

  it('publishes each company location’s credit headroom, and checkout refuses a cart over it with both figures', async () => {
    const n = 1;
    const c = seedCustomer(n);
    const headroom = await shop.db.query<{ value: string }>(
      `SELECT m.value FROM metafields m JOIN company_locations l ON l.id = m.owner_id JOIN companies co ON co.id = l.company_id
        WHERE co.external_id = $1 AND m.namespace = 'quayside' AND m.key = 'credit_headroom'`,
      [String(n)],
    );
    const value = JSON.parse(headroom.rows[0]!.value) as { amount: string; currency_code: string };
    expect(value).toEqual({
      amount: ((c.creditLimit! * 100 - c.balanceCents) / 100).toFixed(2),
      currency_code: 'USD',
    });
    const res = await fetch(`${shop.base}/sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerEmail: c.email,
        company: c.companyName,
        lines: [{ sku: storeSku(7), quantity: 5000 }],
      }),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: string };
    const fmt = (a: string) => a.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    expect(body.errors).toContain(`${fmt(value.amount.split('.')[0]!)}.${value.amount.split('.')[1]} USD`);
    expect(body.errors).toMatch(/This order totals [\d,]+\.\d\d USD/);
  });
  it('a level price list the merchant deleted in the store is an alert in the store words; the other lists go on, and a full push of the level brings it back', async () => {
    const q = (sql: string) => db.query(sql.replaceAll('ERP.', `${erp.schema}.`));
    const gone = await storePricingRepository(db).list(store, levelListKey('Tier 3'));
    const deleted = await shop.client.request<{ priceListDelete: { userErrors: unknown[] } }>(
      `mutation($id: ID!) { priceListDelete(id: $id) { deletedId userErrors { field message } } }`,
      { id: gone!.priceListId },
    );
    expect(deleted.priceListDelete.userErrors).toEqual([]);
    // A buyer on another level, whose level's prices change in the same round.
    const other = (
      await db.query<{ erp_customer_id: string; price_level: string }>(
        `SELECT erp_customer_id, price_level FROM customer_cache
          WHERE price_level IS NOT NULL AND price_level <> 'Tier 3' AND erp_customer_id ~ '^[0-9]+$'
          ORDER BY erp_customer_id::int LIMIT 1`,
      )
    ).rows[0]!;
    const items = [13, 14, 15, 16];
    await q(
      `UPDATE ERP.item_price SET unit_price = 3.21 WHERE item_id IN (${items.join(',')}) AND price_level IN ('Tier 3', '${other.price_level}') AND customer_id IS NULL`,
    );
    for (let more = true; more;) {
      const page = (await env.run(acts.syncPricingChanges, { store, pageSize: 500 })) as { hasMore: boolean };
      more = page.hasMore;
    }
    const open = async () =>
      (
        await db.query<{ message: string }>(
          'SELECT message FROM alerts WHERE dedupe_key = $1 AND resolved_at IS NULL',
          [`sync.pricesRefused:${store}:price level Tier 3`],
        )
      ).rows;
    expect(await open()).toEqual([
      {
        message:
          'The prices of price level Tier 3 were not written to the store, which refused: Price List does not exist (priceListId). Check its catalog and price list in the store; the next price change or a full pricing resync writes them again.',
      },
    ]);
    // The other level's buyer is charged the new price.
    const n = Number(other.erp_customer_id);
    let checked = 0;
    for (const i of items) {
      const want = await expected(n, [{ i, quantity: 1 }]);
      if (want[0] !== '3.21') continue; // a contract price of this buyer's wins
      expect(await charged(n, [{ i, quantity: 1 }])).toEqual(want);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(0);

    // A full push of the level makes the store's price list again; the alert resolves.
    await env.run(acts.pushLevelList, { store, level: 'Tier 3' });
    expect(await open()).toEqual([]);
    expect((await storePricingRepository(db).list(store, levelListKey('Tier 3')))!.priceListId).not.toBe(
      gone!.priceListId,
    );
  });

  it('a credit headroom the store refuses is an alert per customer in the store words instead of a retried write; what the store showed stays, and it is published once the store takes it', async () => {
    // A store whose Quayside price book is in CAD while the shop sells in USD: the store refuses the
    // figures with a credit limit (money in another currency); a customer with none is still cleared.
    const cadStore = `${store}-cad`;
    const cadActs = createStorePricingActivities({
      db,
      erp: erp.client({ concurrency: 5 }),
      pricing: new ShopifyPricing(shop.client),
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
      currency: 'CAD',
    });
    const headroomOf = async (n: number) =>
      (
        await shop.db.query<{ value: string }>(
          `SELECT m.value FROM metafields m JOIN company_locations l ON l.id = m.owner_id JOIN companies co ON co.id = l.company_id
            WHERE co.external_id = $1 AND m.namespace = 'quayside' AND m.key = 'credit_headroom'`,
          [String(n)],
        )
      ).rows[0]?.value;
    const before = await headroomOf(1);
    expect(before).toBeDefined();
    const open = async () =>
      (
        await db.query<{ dedupe_key: string; message: string }>(
          "SELECT dedupe_key, message FROM alerts WHERE kind = 'sync.headroomRefused' AND dedupe_key LIKE $1 AND resolved_at IS NULL ORDER BY dedupe_key",
          [`sync.headroomRefused:${cadStore}:%`],
        )
      ).rows;

    const published = (await env.run(cadActs.publishCreditHeadroom, {
      store: cadStore,
      customerErpIds: ['1', '2'],
    })) as number;
    expect(published).toBe(0);
    const alerts = await open();
    expect(alerts.map((a) => a.dedupe_key)).toEqual([
      `sync.headroomRefused:${cadStore}:1`,
      `sync.headroomRefused:${cadStore}:2`,
    ]);
    expect(alerts[0]!.message).toMatch(
      /^The credit headroom of ERP customer 1 \([\d.]+ CAD\) was not published to the store, which refused: Currency code must be the shop's currency \(USD\) \(metafields\.0\.value\)\. Until it is, checkout holds the customer to the figure published before\./,
    );
    // What the store shows is the figure published before, untouched.
    expect(await headroomOf(1)).toBe(before);
    const queue = attentionQueue(await attentionSources(db, { stores: null, homeStore: store }));
    expect(queue.find((g) => g.cause === 'sync.headroomRefused')?.title).toBe(
      'Credit headroom the store refused',
    );

    // Published in the shop's currency, the store takes it and the alerts resolve.
    expect(await env.run(acts.publishCreditHeadroom, { store: cadStore, customerErpIds: ['1', '2'] })).toBe(
      2,
    );
    expect(await open()).toEqual([]);
  });
});
