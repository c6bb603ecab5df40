import { describe, expect, it } from 'vitest';
import { exactOpenValue, openOrderExposure, uninvoicedValue } from '../../domain/credit-exposure';
import { Money } from '../../domain/money';

const usd = (a: string) => Money.of(a, 'USD');

/**
 * An order of 10 × 50.00 and 5 × 100.00 (goods 1000.00), a 20.00 discount, 10.00 shipping and 80.00
 * tax: the store charged 1070.00. The ERP bills the whole shipping on the first invoice and the
 * discount and tax in proportion to the goods each invoice bills.
 */
describe("an open order's exact exposure after invoices and cancellations", () => {
  const lines = [
    { ordered: 10, cancelled: 0, invoiced: 0, unitPrice: '50.00' },
    { ordered: 5, cancelled: 0, invoiced: 0, unitPrice: '100.00' },
  ];
  const order = { lines, charged: usd('1070.00'), shipping: usd('10.00'), invoiced: [] as Money[] };

  it('counts an order nobody has invoiced at its whole store total', () => {
    expect(exactOpenValue(order, 'USD').toString()).toBe('1070.00');
  });

  it('takes off what the first invoice billed, shipping included, so no shipping counts twice', () => {
    // First invoice: the 500.00 of the first line − 10.00 discount + 40.00 tax + the whole 10.00 shipping.
    const invoiced = [{ ...lines[0]!, invoiced: 10 }, lines[1]!];
    const open = exactOpenValue({ ...order, lines: invoiced, invoiced: [usd('540.00')] }, 'USD');
    expect(open.toString()).toBe('530.00'); // the second line: 500.00 − 10.00 + 40.00
    // The pro-rata count kept half the shipping open that the ERP balance already holds.
    expect(uninvoicedValue(invoiced, 'USD', '1070.00').toString()).toBe('535.00');
  });

  it('takes off cancelled lines with their share of the discount and tax', () => {
    // 2 of the 100.00 line cancelled: 200.00 − 4.00 discount + 16.00 tax = 212.00 off.
    const part = [
      { ...lines[0]!, invoiced: 10 },
      { ...lines[1]!, cancelled: 2 },
    ];
    const open = exactOpenValue({ ...order, lines: part, invoiced: [usd('540.00')] }, 'USD');
    expect(open.toString()).toBe('318.00'); // the 3 left: 300.00 − 6.00 + 24.00
  });

  it('is the cent the ERP still has to bill, where the pro-rata share rounds it away', () => {
    // 3 × 1.00 with 0.10 tax: two invoices of 1.00 + 0.03 leave 1.04, which the last invoice bills.
    const three = [
      { ordered: 1, cancelled: 0, invoiced: 1, unitPrice: '1.00' },
      { ordered: 1, cancelled: 0, invoiced: 1, unitPrice: '1.00' },
      { ordered: 1, cancelled: 0, invoiced: 0, unitPrice: '1.00' },
    ];
    const o = {
      lines: three,
      charged: usd('3.10'),
      shipping: usd('0.00'),
      invoiced: [usd('1.03'), usd('1.03')],
    };
    expect(exactOpenValue(o, 'USD').toString()).toBe('1.04');
    expect(uninvoicedValue(three, 'USD', '3.10').toString()).toBe('1.03');
  });

  it('is never below zero', () => {
    expect(exactOpenValue({ ...order, invoiced: [usd('1100.00')] }, 'USD').toString()).toBe('0.00');
  });
});

describe('the exposure the read model figures count', () => {
  const lines = [{ ordered: 3, cancelled: 0, invoiced: 1, unitPrice: '500' }];

  it('uses the invoice totals and shipping in minor units, in currencies without decimals too', () => {
    const o = {
      financialStatus: 'pending',
      lines,
      charged: '1800',
      invoicedMinor: '800',
      shippingMinor: '300',
    };
    expect(openOrderExposure(o, 'JPY').toString()).toBe('1000');
    expect(openOrderExposure({ ...o, financialStatus: 'paid' }, 'JPY').toString()).toBe('0');
  });

  it('counts pro rata an order recorded before the read model held its invoice totals', () => {
    const o = {
      financialStatus: 'pending',
      lines,
      charged: '1800',
      invoicedMinor: null,
      shippingMinor: '300',
    };
    expect(openOrderExposure(o, 'JPY').toString()).toBe('1200');
  });
});
