import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetSuiteClient } from '../../connectors/netsuite';
import type { ErpSalesOrderInput } from '../../domain/erp';
import { Money } from '../../domain/money';
import { startErpSandbox, type RunningErpSandbox } from './harness';

let erp: RunningErpSandbox;
let client: NetSuiteClient;
let taxable: string;
let exempt: string;

beforeAll(async () => {
  erp = await startErpSandbox({ skus: 300 });
  client = erp.client();
  taxable = String(
    (await client.suiteql("SELECT id FROM customer WHERE taxable = 'T'", { limit: 1 })).items[0]!.id,
  );
  exempt = String(
    (await client.suiteql("SELECT id FROM customer WHERE taxable = 'F'", { limit: 1 })).items[0]!.id,
  );
}, 180_000);
afterAll(async () => {
  await erp?.close();
});

let seq = 0;
const order = (overrides: Partial<ErpSalesOrderInput> = {}): ErpSalesOrderInput => ({
  externalId: `money:${Date.now()}-${++seq}`,
  customerErpId: taxable,
  currency: 'USD',
  lines: [
    { lineKey: 'L1', sku: 'P101', quantity: 3, rate: '19.99', location: '1' },
    { lineKey: 'L2', sku: 'P205', quantity: 1, rate: '0.10', location: '1' },
  ],
  ...overrides,
});

describe('the sandbox ERP computes a sales order’s money as NetSuite does', () => {
  it('subtotal, discount item, shipping cost, tax amounts and the total', async () => {
    const so = await client.createSalesOrder(
      order({
        discount: { amount: '20.00', codes: ['SAVE20'] },
        shipping: { method: '1', storeMethod: 'Standard', cost: '10.00' },
        tax: { lines: [{ title: 'State Tax', rate: '0.06', amount: '2.41' }] },
      }),
    );
    // 3 × 19.99 + 0.10 = 60.07; − 20.00 + 10.00 + 2.41 = 52.48
    expect(so.totals).toEqual({
      currency: 'USD',
      subtotal: '60.07',
      discountTotal: '-20.00',
      shippingCost: '10.00',
      taxTotal: '2.41',
      total: '52.48',
    });
  });

  it('keeps a tax-exempt customer exempt', async () => {
    const so = await client.createSalesOrder(
      order({
        customerErpId: exempt,
        tax: { lines: [{ title: 'State Tax', rate: '0.06', amount: '3.60' }] },
      }),
    );
    expect(so.totals).toMatchObject({ taxTotal: '0.00', total: '60.07' });
  });

  it('records a paid order’s payment once as a customer deposit, and none for an authorized one', async () => {
    const paid = order({
      payment: { status: 'paid', gateway: 'shopify_payments', amount: '60.07', externalId: '' },
    });
    paid.payment!.externalId = `${paid.externalId}:deposit`;
    await client.createSalesOrder(paid);
    await client.createSalesOrder(paid);
    const deposits = await client.suiteql(
      `SELECT id, foreigntotal FROM transaction WHERE type = 'CustDep' AND externalid = '${paid.externalId}:deposit'`,
    );
    expect(deposits.totalResults).toBe(1);
    expect(String(deposits.items[0]!.foreigntotal)).toBe('60.07');

    const authorized = order();
    await client.createSalesOrder(authorized);
    const none = await client.suiteql(
      `SELECT id FROM transaction WHERE type = 'CustDep' AND externalid = '${authorized.externalId}:deposit'`,
    );
    expect(none.totalResults).toBe(0);
  });
});

describe('the sandbox ERP invoices a sales order’s money as NetSuite does', () => {
  const money = {
    discount: { amount: '20.00', codes: ['SAVE20'] },
    shipping: { method: '1', storeMethod: 'Standard', cost: '10.00' },
    tax: { lines: [{ title: 'State Tax', rate: '0.06', amount: '2.41' }] },
  };
  const figures = (b: Record<string, unknown>) => ({
    subtotal: b.subtotal,
    discountTotal: b.discountTotal,
    shippingCost: b.shippingCost,
    taxTotal: b.taxTotal,
    total: b.total,
  });
  const ship = (externalId: string, lines?: { lineKey: string; quantity: number }[]) =>
    erp.admin('POST', `/sales-orders/eid:${externalId}/ship`, { location: '1', ...(lines ? { lines } : {}) });
  const invoice = async (externalId: string) => {
    const r = await erp.admin('POST', `/sales-orders/eid:${externalId}/invoice`, {});
    expect(r.status).toBe(201);
    return r.body;
  };

  it("a full invoice carries the order's discount, shipping and tax, and its total is the order's", async () => {
    const so = await client.createSalesOrder(order(money));
    expect((await ship(so.externalId)).status).toBe(201);
    const inv = await invoice(so.externalId);
    expect(figures(inv)).toEqual({
      subtotal: 60.07,
      discountTotal: -20,
      shippingCost: 10,
      taxTotal: 2.41,
      total: 52.48,
    });
    const read = (await client.invoicesSince(client.cursorAt(new Date(Date.now() - 5_000)))).items;
    expect(read.find((i) => i.salesOrderExternalId === so.externalId)?.total).toBe(so.totals?.total);
  });

  it('partial invoices pro-rate the discount and tax by the goods billed, shipping on the first; together they are the order', async () => {
    const so = await client.createSalesOrder(order(money));
    await ship(so.externalId, [{ lineKey: 'L1', quantity: 1 }]);
    // 19.99 of 60.07 billed: discount 20.00 × 19.99 / 60.07 = 6.66, tax 2.41 × 19.99 / 60.07 = 0.80.
    expect(figures(await invoice(so.externalId))).toEqual({
      subtotal: 19.99,
      discountTotal: -6.66,
      shippingCost: 10,
      taxTotal: 0.8,
      total: 24.13,
    });
    await ship(so.externalId);
    // The last invoice takes what is left: 52.48 − 24.13.
    expect(figures(await invoice(so.externalId))).toEqual({
      subtotal: 40.08,
      discountTotal: -13.34,
      shippingCost: 0,
      taxTotal: 1.61,
      total: 28.35,
    });
  });

  it("an invoice raises the customer's balance by its total and shows the customer in the change feed", async () => {
    const so = await client.createSalesOrder(order(money));
    await ship(so.externalId);
    const before = await client.getCustomer(taxable);
    const cursor = client.cursorAt(new Date(Date.now() - 1_000));
    await invoice(so.externalId);
    const after = await client.getCustomer(taxable);
    expect(Money.of(after!.balance, 'USD').minus(Money.of(before!.balance, 'USD')).toString()).toBe('52.48');
    const changed = await client.customersChangedSince(cursor, 1000);
    expect(changed.items.find((c) => c.erpId === taxable)?.balance).toBe(after!.balance);
  });

  it("a paid order's deposit pays its invoices: they are paid in full and the customer's balance does not move", async () => {
    const paid = order({
      ...money,
      payment: { status: 'paid', gateway: 'shopify_payments', amount: '52.48', externalId: '' },
    });
    paid.payment!.externalId = `${paid.externalId}:deposit`;
    const so = await client.createSalesOrder(paid);
    const balance = async () => Money.of((await client.getCustomer(taxable))!.balance, 'USD').toString();
    const before = await balance();
    // Partly shipped and invoiced, then the rest: each invoice is paid from the deposit.
    await ship(so.externalId, [{ lineKey: 'L1', quantity: 1 }]);
    const first = await invoice(so.externalId);
    expect(first).toMatchObject({ total: 24.13, amountPaid: 24.13, amountRemaining: 0 });
    expect(first.status).toMatchObject({ refName: 'Paid In Full' });
    await ship(so.externalId);
    const last = await invoice(so.externalId);
    expect(last).toMatchObject({ total: 28.35, amountPaid: 28.35, amountRemaining: 0 });
    expect(await balance()).toBe(before);
    // The deposit is used up, by one deposit application per invoice.
    const deposit = await client.suiteql(
      `SELECT id, status FROM transaction WHERE type = 'CustDep' AND externalid = '${paid.externalId}:deposit'`,
    );
    const applications = await client.suiteql(
      `SELECT foreigntotal FROM transaction WHERE type = 'DepAppl' AND createdfrom = ${String(deposit.items[0]!.id)} ORDER BY id`,
    );
    expect(applications.items.map((a) => String(a.foreigntotal))).toEqual(['24.13', '28.35']);
    expect(deposit.items[0]!.status).toBe('C');
  });
});
