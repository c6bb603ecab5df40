import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mappingRepository } from '../../db/mappings';
import { orderRepository } from '../../db/orders';
import type { Db } from '../../db/pool';
import { currencyDecimals } from '../../domain/money';
import type { CanonicalOrder } from '../../domain/order';
import { testDb } from '../support/env';
import { makeOrder, orderRecord } from './harness';

/** The order read model keeps the store's total exactly, in the order's currency, whatever its decimals. */
describe('order read model money', () => {
  let db: Db;
  const store = `money-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    db = testDb();
    await mappingRepository(db).upsertCustomer(store, 'cust-1', `C-${store}`);
  });
  afterAll(async () => {
    await db.end();
  });

  const record = (order: CanonicalOrder) => orderRecord(order);
  const kwd = (orderId: string, total: string) =>
    makeOrder(store, orderId, {
      currency: 'KWD',
      financialStatus: 'pending',
      lines: [{ lineId: '1', sku: 'BOLT-1', quantity: 3, unitPrice: '4.115' }],
      totals: { discounts: '0.000', tax: '0.000', total },
    });

  it('keeps a KWD total to the fils, in the list and in the credit exposure', async () => {
    const orders = orderRepository(db);
    await orders.upsert(record(kwd('k1', '12.345')));
    await orders.upsert(record(kwd('k2', '0.005')));
    const rows = await orders.list({ stores: [store], limit: 10 });
    expect(rows.map((r) => [r.orderId, r.total, r.currency]).sort()).toEqual([
      ['k1', '12.345', 'KWD'],
      ['k2', '0.005', 'KWD'],
    ]);
    const stored = await db.query<{ total_minor: string }>(
      'SELECT total_minor::text FROM orders WHERE store = $1 ORDER BY order_id',
      [store],
    );
    expect(stored.rows.map((r) => r.total_minor)).toEqual(['12345', '5']);
    // What k2's credit check counts of the customer's other open orders: k1's 12.345 exactly.
    expect(await orders.openUninvoicedValue(store, `C-${store}`, 'k2')).toBe('12.345');
  });

  it("after a partial invoice that billed the whole shipping, counts the order's total less that invoice; without the invoices, pro rata", async () => {
    const orders = orderRepository(db);
    // Goods 200.00 (2 × 50.00 + 1 × 100.00) and shipping 10.00: the store charged 210.00.
    const order = makeOrder(store, 'p1', {
      financialStatus: 'pending',
      lines: [
        { lineId: '1', sku: 'BOLT-1', quantity: 2, unitPrice: '50.00' },
        { lineId: '2', sku: 'NUT-2', quantity: 1, unitPrice: '100.00' },
      ],
      shippingLines: [{ code: 'ground', price: '10.00' }],
      totals: { discounts: '0.00', tax: '0.00', total: '210.00' },
    });
    // The ERP invoiced line 1 and put the whole shipping on that invoice: 110.00.
    const partly = record(order);
    partly.lines[0]!.shipped = partly.lines[0]!.invoiced = 2;
    await orders.upsert({ ...partly, invoiceTotals: ['110.00'] });
    // The credit check of the customer's next order counts what the ERP has still to bill of p1.
    await orders.upsert(record(makeOrder(store, 'p2', { financialStatus: 'pending' })));
    expect(await orders.openUninvoicedValue(store, `C-${store}`, 'p2')).toBe('100.00');
    // A record without the invoices (from a process that did not pass them yet) counts the total in
    // proportion to the goods not yet invoiced: 210.00 × 100.00 / 200.00.
    const { invoiceTotals: _unknown, ...withoutInvoices } = partly;
    await orders.upsert(withoutInvoices);
    expect(await orders.openUninvoicedValue(store, `C-${store}`, 'p2')).toBe('105.00');
  });

  it('writes USD to the cent and JPY in whole yen', async () => {
    const orders = orderRepository(db);
    await orders.upsert(
      record(makeOrder(store, 'u1', { totals: { discounts: '0', tax: '0', total: '37.00' } })),
    );
    await orders.upsert(
      record(
        makeOrder(store, 'j1', {
          currency: 'JPY',
          lines: [{ lineId: '1', sku: 'BOLT-1', quantity: 2, unitPrice: '750' }],
          totals: { discounts: '0', tax: '0', total: '1500' },
        }),
      ),
    );
    const rows = await orders.list({ stores: [store], limit: 10 });
    expect(rows.find((r) => r.orderId === 'u1')?.total).toBe('37.00');
    expect(rows.find((r) => r.orderId === 'j1')?.total).toBe('1500');
  });

  it("the database's currency decimals are the domain's", async () => {
    const codes = ['USD', 'EUR', 'JPY', 'KRW', 'CLP', 'KWD', 'BHD', 'OMR', 'TND', 'CLF', 'UYW', 'kwd', 'XYZ'];
    const r = await db.query<{ code: string; d: number }>(
      'SELECT code, currency_decimals(code) AS d FROM unnest($1::text[]) AS code',
      [codes],
    );
    expect(Object.fromEntries(r.rows.map((x) => [x.code, x.d]))).toEqual(
      Object.fromEntries(codes.map((c) => [c, currencyDecimals(c)])),
    );
  });
});
