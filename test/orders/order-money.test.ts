import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalOrder } from '../../connectors/shopify/webhooks/map';
import { ShopifyOrder } from '../../connectors/shopify/webhooks/schemas';
import { parseShopifyJson } from '../../connectors/shopify/webhooks/json';
import { projectErpTotals, type ErpSalesOrderInput } from '../../domain/erp';
import { orderMoney, type CanonicalOrder } from '../../domain/order';

const sample = (): Record<string, unknown> =>
  parseShopifyJson(
    readFileSync(path.join(__dirname, '../fixtures/shopify/orders_create.json'), 'utf8'),
  ) as Record<string, unknown>;

/** The ERP sales order money the order workflow sends for a canonical order. */
function erpInput(o: CanonicalOrder): ErpSalesOrderInput {
  const money = orderMoney(o);
  return {
    externalId: `s:${o.orderId}`,
    customerErpId: '1',
    currency: o.currency,
    lines: o.lines.map((l) => ({
      lineKey: l.lineId,
      sku: l.sku,
      quantity: l.quantity,
      rate: l.unitPrice,
      location: '1',
    })),
    discount: { amount: money.discount.toString(), codes: (o.discountCodes ?? []).map((d) => d.code) },
    shipping: { method: '1', storeMethod: 'x', cost: money.shipping.toString() },
    ...(o.taxExempt ? { taxExempt: true } : { tax: { lines: o.taxLines ?? [] } }),
  };
}

describe("the order's whole money from Shopify's orders/create", () => {
  it('maps the unmodified sample: 20.00 discount and 10.00 shipping give the ERP total_price to the cent', () => {
    const o = canonicalOrder('s', ShopifyOrder.parse({ ...sample(), customer: { id: 1 } }));
    expect(o.shippingLines).toEqual([
      { code: 'Generic Shipping', title: 'Generic Shipping', price: '10.00' },
    ]);
    expect(o.totals).toMatchObject({ discounts: '20.00', total: '404.95' });
    const money = orderMoney(o);
    expect([money.subtotal, money.discount, money.shipping, money.tax, money.total].map(String)).toEqual([
      '414.95',
      '20.00',
      '10.00',
      '0.00',
      '404.95',
    ]);
    expect(projectErpTotals(erpInput(o)).total).toBe('404.95');
  });

  it('with a 20.00 discount code, 10.00 shipping and a tax line, the ERP total is total_price', () => {
    const body = sample();
    const o = canonicalOrder(
      's',
      ShopifyOrder.parse({
        ...body,
        customer: { id: 1, tax_exempt: false },
        discount_codes: [{ code: 'SAVE20', amount: '20.00', type: 'fixed_amount' }],
        tax_lines: [{ title: 'State Tax', price: '31.60', rate: 0.08 }],
        total_tax: '31.60',
        total_price: '436.55',
      }),
    );
    expect(o.discountCodes).toEqual([{ code: 'SAVE20', amount: '20.00', type: 'fixed_amount' }]);
    expect(o.taxLines).toEqual([{ title: 'State Tax', rate: '0.08', amount: '31.60' }]);
    const totals = projectErpTotals(erpInput(o));
    expect(totals).toEqual({
      subtotal: '414.95',
      discountTotal: '-20.00',
      shippingCost: '10.00',
      taxTotal: '31.60',
      total: '436.55',
    });
    // The old mapping sent only line rates: 414.95 against the store's 436.55.
    expect(totals.total).toBe(o.totals?.total);
  });

  it('keeps a tax-exempt customer exempt, so a store that charged tax anyway does not match', () => {
    const o = canonicalOrder(
      's',
      ShopifyOrder.parse({
        ...sample(),
        customer: { id: 1, tax_exempt: true },
        tax_lines: [{ title: 'State Tax', price: '31.60', rate: 0.08 }],
        total_price: '436.55',
      }),
    );
    expect(o.taxExempt).toBe(true);
    expect(projectErpTotals(erpInput(o)).total).toBe('404.95');
  });

  it('reads line discount allocations and the payment gateway', () => {
    const body = sample();
    const lines = (body.line_items as Record<string, unknown>[]).map((l, i) =>
      i === 0 ? { ...l, discount_allocations: [{ amount: '5.00' }, { amount: '2.50' }] } : l,
    );
    const o = canonicalOrder('s', ShopifyOrder.parse({ ...body, line_items: lines, customer: { id: 1 } }));
    expect(o.lines[0]?.discount).toBe('7.50');
    expect(o.gateway).toBe('visa');
    expect(o.financialStatus).toBe('voided');
  });
});
