import { describe, expect, it } from 'vitest';
import type { CanonicalOrder } from '../../domain/order';
import { erpShipTo, erpTotalGap, rejectedOrderField, salesOrderInput } from '../../domain/sales-order';

const order: CanonicalOrder = {
  store: 'shop',
  orderId: '4501',
  orderNumber: '#4501',
  customerId: 'cust-1',
  currency: 'USD',
  poNumber: 'PO-9',
  note: 'dock 4',
  tags: [],
  financialStatus: 'paid',
  gateway: 'manual',
  lines: [
    { lineId: '1', sku: 'BOLT', quantity: 10, unitPrice: '2.50', discount: '4.00' },
    { lineId: '2', sku: 'NUT', quantity: 4, unitPrice: '1.00' },
  ],
  shippingAddress: {
    name: 'Dock 4',
    address1: '1 Quay St',
    city: 'Hull',
    zip: 'HU1',
    country: 'GB',
    phone: '01',
  },
  shippingLines: [{ code: 'ground', title: 'Ground', price: '10.00' }],
  taxLines: [{ title: 'State tax', rate: '0.08', amount: '2.00' }],
  totals: { discounts: '4.00', tax: '2.00', total: '37.00' },
};

const allocation = [
  { lineKey: '1', lineId: '1', sku: 'B-1', location: 'MAIN', quantity: 10, shortQuantity: 0 },
  { lineKey: '2', lineId: '2', sku: 'N-2', location: 'MAIN', quantity: 3, shortQuantity: 0 },
  { lineKey: '2#2', lineId: '2', sku: 'N-2', location: 'EAST', quantity: 1, shortQuantity: 0 },
];
const source = {
  externalId: 'shop:4501',
  order,
  customerErpId: 'C-1',
  terms: 'Net 30',
  allocation,
  shipMethods: { ground: 'SM-7' },
};

describe('the ERP sales order of a storefront order', () => {
  it('carries the allocated lines at the store’s prices, with PO number, terms, memo and ship-to', () => {
    const so = salesOrderInput(source, false);
    expect(so).toEqual({
      externalId: 'shop:4501',
      customerErpId: 'C-1',
      poNumber: 'PO-9',
      projectCode: undefined,
      terms: 'Net 30',
      memo: 'dock 4',
      currency: 'USD',
      shipTo: { name: 'Dock 4', address1: '1 Quay St', city: 'Hull', zip: 'HU1', country: 'GB' },
      lines: [
        { lineKey: '1', sku: 'B-1', quantity: 10, rate: '2.50', location: 'MAIN' },
        { lineKey: '2', sku: 'N-2', quantity: 3, rate: '1.00', location: 'MAIN' },
        { lineKey: '2#2', sku: 'N-2', quantity: 1, rate: '1.00', location: 'EAST' },
      ],
    });
    expect(erpShipTo(undefined)).toBeUndefined();
  });

  it('with its whole money: one discount, the mapped shipping method and cost, tax lines and the payment', () => {
    const so = salesOrderInput(source, true);
    expect(so.discount).toEqual({ amount: '4.00', codes: [] });
    expect(so.shipping).toEqual({ method: 'SM-7', storeMethod: 'Ground', cost: '10.00' });
    expect(so.tax).toEqual({ lines: order.taxLines });
    expect(so.payment).toEqual({
      status: 'paid',
      gateway: 'manual',
      amount: '37.00',
      externalId: 'shop:4501:deposit',
    });
    // 29.00 goods − 4.00 + 10.00 shipping + 2.00 tax: the ERP's total is the store's, to the cent.
    expect(erpTotalGap(so, order)).toBeNull();
    const short = erpTotalGap(so, { ...order, totals: { discounts: '4.00', tax: '2.00', total: '37.01' } });
    expect(short?.gap.toString()).toBe('-0.01');
    expect(erpTotalGap(so, { ...order, totals: undefined })).toBeNull();
  });

  it('sends a tax-exempt order’s tax as exemption, and an authorized one without a payment', () => {
    const so = salesOrderInput(
      { ...source, order: { ...order, taxExempt: true, financialStatus: 'authorized' } },
      true,
    );
    expect(so).toMatchObject({ taxExempt: true });
    expect(so.tax).toBeUndefined();
    expect(so.payment).toBeUndefined();
  });

  it('names the order field a refused sales order field is, for the operator’s fix', () => {
    const r = (field: string | null) => ({ code: 'USER_ERROR', path: null, field });
    expect(rejectedOrderField([r('poNumber')])).toBe('poNumber');
    expect(rejectedOrderField([r('memo')])).toBe('note');
    expect(rejectedOrderField([r('lines[0].quantity'), r('shipTo.zip')])).toBe('shippingAddress.zip');
    expect(rejectedOrderField([r('customerErpId'), r(null)])).toBeUndefined();
    expect(rejectedOrderField([])).toBeUndefined();
  });
});
