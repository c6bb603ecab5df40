import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mappingRepository } from '../../db/mappings';
import { orderRepository } from '../../db/orders';
import type { Db } from '../../db/pool';
import { storePricingRepository } from '../../db/store-pricing';
import { syncRepository } from '../../db/sync';
import type { CanonicalOrder } from '../../domain/order';
import { testDb } from '../support/env';
import { makeOrder, orderRecord } from './harness';

/**
 * The read model stores each order's open exposure as it writes the row (migration 0035), and the
 * credit check and the headroom publication sum it: the same figures as computing every open order
 * from its lines, for rows written before the column and rows an older build wrote since.
 */
describe("the open orders' exposure, stored with each order", () => {
  let db: Db;
  const store = `exposure-${randomUUID().slice(0, 8)}`;
  const erpCustomer = `C-${store}`;
  beforeAll(async () => {
    db = testDb();
    const mappings = mappingRepository(db);
    // Two store customers of one ERP customer: both count.
    await mappings.upsertCustomer(store, 'cust-1', erpCustomer);
    await mappings.upsertCustomer(store, 'cust-2', erpCustomer);
    await syncRepository(db).saveCustomer({
      erpId: erpCustomer,
      externalId: null,
      companyName: 'Exposure Ltd',
      email: null,
      creditLimit: '5000.00',
      balance: '250.00',
      terms: null,
      priceLevel: null,
      taxExempt: false,
      taxId: null,
      parentErpId: null,
      lastModified: new Date().toISOString(),
    });
  });
  afterAll(async () => {
    await db.end();
  });

  const record = orderRecord;
  const onTerms = (orderId: string, over: Partial<CanonicalOrder> = {}) =>
    makeOrder(store, orderId, {
      financialStatus: 'pending',
      lines: [
        { lineId: '1', sku: 'BOLT-1', quantity: 3, unitPrice: '12.35' },
        { lineId: '2', sku: 'NUT-2', quantity: 7, unitPrice: '0.99' },
      ],
      shippingLines: [{ code: 'ground', price: '9.50' }],
      totals: { discounts: '4.00', tax: '3.21', total: '52.69' },
      ...over,
    });

  const figures = async () => ({
    check: await orderRepository(db).openUninvoicedValue(store, erpCustomer, 'checked'),
    headroom: (await storePricingRepository(db).creditPositions(store, [erpCustomer], 'USD')).get(erpCustomer)
      ?.openOrders,
  });
  const stored = async () =>
    (
      await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM orders WHERE store = $1 AND open_minor IS NOT NULL AND open_minor_at = updated_at',
        [store],
      )
    ).rows[0]!.n;

  it('sums to what the lines say, whatever wrote the rows', async () => {
    const orders = orderRepository(db);
    // The order being checked: the check never counts it, the headroom does (paid: nothing).
    const checked = record(onTerms('checked', { financialStatus: 'paid' }), {
      status: 'received',
      step: 'creditCheck',
    });
    await orders.upsert(checked);
    // Open on terms, nothing invoiced.
    const a = record(onTerms('a'));
    await orders.upsert(a);
    // Partly shipped and invoiced (the invoice billed the whole shipping), one unit cancelled.
    const b = record(onTerms('b', { customerId: 'cust-2' }), { invoiceTotals: ['47.91'] });
    b.lines[0] = { ...b.lines[0]!, shipped: 3, invoiced: 3 };
    b.lines[1] = { ...b.lines[1]!, cancelled: 1 };
    await orders.upsert(b);
    // Recorded without its invoices (a process from before they were passed): pro rata.
    const c = record(onTerms('c'));
    c.lines[1] = { ...c.lines[1]!, shipped: 2, invoiced: 2 };
    const { invoiceTotals: _none, ...withoutInvoices } = c;
    await orders.upsert(withoutInvoices);
    // Paid at checkout, in another currency, completed, cancelled: none of them counts.
    const d = record(onTerms('d', { financialStatus: 'paid' }));
    await orders.upsert(d);
    await orders.upsert(record(onTerms('e', { currency: 'EUR' })));
    await orders.upsert(record(onTerms('f'), { status: 'completed', step: 'completed' }));
    await orders.upsert(record(onTerms('g'), { status: 'cancelled', step: 'cancelled' }));
    expect(await stored()).toBe(8);

    // a whole (52.69); b's total less its invoice and its cancelled unit with that unit's share of
    // the discount and tax (52.69 − 47.91 − 0.97 = 3.81); c pro rata (52.69 × 42.00 / 43.98 = 50.32).
    const fromStored = await figures();
    expect(fromStored).toEqual({ check: '106.82', headroom: '106.82' });

    // The same rows without their stored figures (as rows written before migration 0035 are):
    // computed from their lines, the same sums.
    await db.query("UPDATE orders SET updated_at = updated_at + interval '1 second' WHERE store = $1", [
      store,
    ]);
    expect(await stored()).toBe(0);
    expect(await figures()).toEqual(fromStored);

    // Written again: stored again.
    for (const r of [checked, a, d]) await orders.upsert(r);
    expect(await stored()).toBe(3);
    expect(await figures()).toEqual(fromStored);
  });

  it('a row an older build wrote since (its write moves updated_at, not the stored figure) counts from its lines', async () => {
    const orders = orderRepository(db);
    await orders.upsert(record(onTerms('a')));
    const before = await figures();
    // An older build cancels order a's second line (7 × 0.99 of goods, with its share of the
    // discount and tax): it writes the lines and updated_at, and leaves open_minor as it was.
    await db.query(
      `UPDATE orders SET lines = jsonb_set(lines, '{1,cancelled}', '7'), updated_at = now()
        WHERE store = $1 AND order_id = 'a'`,
      [store],
    );
    const after = await figures();
    expect(after.check).toBe(after.headroom);
    expect(after.check).not.toBe(before.check);
    // All rows computed from their lines agree.
    await db.query("UPDATE orders SET updated_at = updated_at + interval '1 second' WHERE store = $1", [
      store,
    ]);
    expect(await figures()).toEqual(after);
  });
});
