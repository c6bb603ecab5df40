import { describe, expect, it } from 'vitest';
import { creditExposure, onAccount, openOrderExposure, uninvoicedValue } from '../../domain/credit-exposure';
import { assessCredit } from '../../domain/credit';
import { DEFAULT_RULES } from '../../domain/schemas/rules';

/** The order-time credit hold uses the exposure the store's checkout headroom uses. */
describe('credit hold on the checkout exposure', () => {
  const account = { creditLimit: '1000.00', balance: '600.00', openOrders: '300.00', firstOrder: false };

  it('holds an order that only the other open orders take over the limit, naming every figure', () => {
    // 600.00 + 200.00 = 800.00 would clear; with 300.00 of open, uninvoiced orders it is 1100.00.
    expect(assessCredit({ ...account, openOrders: '0' }, '200.00', DEFAULT_RULES, 'USD').outcome).toBe(
      'clear',
    );
    const r = assessCredit(account, '200.00', DEFAULT_RULES, 'USD');
    expect(r).toMatchObject({
      outcome: 'creditHold',
      exposure: '1100.00',
      headroom: '100.00',
      overBy: '100.00',
    });
    expect(r.outcome === 'creditHold' && r.reason).toBe(
      'Credit hold: open balance 600.00 plus open orders not yet invoiced 300.00 plus this order 200.00 is 1100.00, over the credit limit 1000.00 by 100.00.',
    );
  });

  it('is the same figure as the headroom published to the store', () => {
    const position = { creditLimit: '1000.00', balance: '600.00', openOrders: '300.00', currency: 'USD' };
    const r = assessCredit(account, '99.99', DEFAULT_RULES, 'USD');
    expect(r).toMatchObject({ outcome: 'clear', headroom: creditExposure(position).headroom?.toString() });
    expect(r.exposure).toBe(creditExposure(position, '99.99').exposure.toString());
    expect(assessCredit(account, '100.01', DEFAULT_RULES, 'USD').outcome).toBe('creditHold');
  });

  it('reads an account from before open orders were counted as having none', () => {
    const r = assessCredit(
      { creditLimit: '1000.00', balance: '900.00', firstOrder: false },
      '150.00',
      DEFAULT_RULES,
      'USD',
    );
    expect(r).toMatchObject({ outcome: 'creditHold', exposure: '1050.00', headroom: '100.00' });
    expect(r.outcome === 'creditHold' && r.reason).toBe(
      'Credit hold: open balance 900.00 plus this order 150.00 is 1050.00, over the credit limit 1000.00 by 50.00.',
    );
  });

  it('keeps the allowance over the limit and accounts without a limit', () => {
    const rules = { ...DEFAULT_RULES, credit: { ...DEFAULT_RULES.credit, overLimitAllowance: '100.00' } };
    expect(assessCredit(account, '200.00', rules, 'USD').outcome).toBe('clear');
    expect(assessCredit(account, '200.01', rules, 'USD').outcome).toBe('creditHold');
    expect(assessCredit({ ...account, creditLimit: null }, '9999.00', DEFAULT_RULES, 'USD')).toMatchObject({
      outcome: 'clear',
      exposure: '10899.00',
      headroom: null,
    });
  });
});

describe("an open order's part of the exposure", () => {
  const lines = [
    { ordered: 10, cancelled: 0, invoiced: 0, unitPrice: '2.50' },
    { ordered: 4, cancelled: 0, invoiced: 0, unitPrice: '1.00' },
  ];

  it('counts an order nobody has invoiced at what the store charged, shipping and tax included', () => {
    expect(uninvoicedValue(lines, 'USD', '37.00').toString()).toBe('37.00');
    expect(uninvoicedValue(lines, 'USD').toString()).toBe('29.00');
  });

  it('counts the charged total in proportion to the goods not yet invoiced or cancelled', () => {
    // 25.00 of the 29.00 goods invoiced or cancelled leaves 4.00/29.00 of 37.00 = 5.10.
    const part = [
      { ...lines[0]!, invoiced: 6, cancelled: 4 },
      { ...lines[1]!, invoiced: 0 },
    ];
    expect(uninvoicedValue(part, 'USD', '37.00').toString()).toBe('5.10');
    expect(
      uninvoicedValue(
        part.map((l) => ({ ...l, invoiced: l.ordered - l.cancelled })),
        'USD',
        '37.00',
      ).toString(),
    ).toBe('0.00');
  });

  it('multiplies a sub-cent unit price before rounding, once per line', () => {
    expect(
      uninvoicedValue([{ ordered: 3, cancelled: 0, invoiced: 0, unitPrice: '0.125' }], 'USD').toString(),
    ).toBe('0.38');
  });
});

describe('orders paid at checkout take no credit', () => {
  const lines = [{ ordered: 10, cancelled: 0, invoiced: 0, unitPrice: '2.90' }];

  it('counts only orders on account: pending terms, authorized, partially paid or of unknown status', () => {
    for (const status of ['pending', 'authorized', 'partially_paid', 'voided', undefined, null])
      expect(onAccount(status)).toBe(true);
    for (const status of ['paid', 'partially_refunded']) expect(onAccount(status)).toBe(false);
    expect(openOrderExposure({ financialStatus: 'pending', lines, charged: '37.00' }, 'USD').toString()).toBe(
      '37.00',
    );
    expect(openOrderExposure({ financialStatus: 'paid', lines, charged: '37.00' }, 'USD').toString()).toBe(
      '0.00',
    );
  });

  it('never holds a paid order for credit, and adds nothing of it to the exposure', () => {
    const over = { creditLimit: '1000.00', balance: '990.00', openOrders: '50.00', firstOrder: false };
    expect(assessCredit(over, '200.00', DEFAULT_RULES, 'USD').outcome).toBe('creditHold');
    expect(assessCredit(over, '200.00', DEFAULT_RULES, 'USD', { paidAtCheckout: true })).toEqual({
      outcome: 'clear',
      exposure: '1040.00',
      headroom: '-40.00',
    });
  });

  it('still sends a paid first order above the first-order amount to an approver', () => {
    const first = { creditLimit: '100000.00', balance: '0.00', firstOrder: true };
    const rules = { ...DEFAULT_RULES, firstOrder: { approvalAmount: '500.00' } };
    expect(assessCredit(first, '600.00', rules, 'USD', { paidAtCheckout: true }).outcome).toBe('firstOrder');
  });
});
