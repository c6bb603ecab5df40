import { describe, expect, it } from 'vitest';
import { mapDelivery } from '../../connectors/shopify/webhooks/map';
import { approvalLimitProblem, decisionAmount, APPROVAL_FAILURE } from '../../domain/approvals';
import { assessCredit, findPriceMismatches } from '../../domain/credit';
import { unitPriceText } from '../../domain/money';
import { orderTotal } from '../../domain/order';
import { creditHeadroom, lineTotal, resolvePrice } from '../../domain/pricing';
import { computeRefund } from '../../domain/return-rules';
import { DEFAULT_RULES } from '../../domain/schemas/rules';
import { ReturnPolicy } from '../../domain/schemas/return-rules';

const order = (currency: string, lines: [string, number][]) => ({
  currency,
  lines: lines.map(([unitPrice, quantity], i) => ({ lineId: String(i), sku: `S${i}`, quantity, unitPrice })),
});

describe('money in the rules that use it', () => {
  it('multiplies the exact unit price by the quantity before rounding, once per line', () => {
    // 0.125 × 3 = 0.375 → 0.38; rounding the unit price first would give 0.13 × 3 = 0.39.
    expect(lineTotal('0.125', 3)).toBe('0.38');
    expect(orderTotal(order('USD', [['0.125', 3]]))).toBe('0.38');
    // 0.1 + 0.2 with floats is 0.30000000000000004; 1000 × 1.005 in floats rounds to 1004.99.
    expect(
      orderTotal(
        order('USD', [
          ['0.10', 1],
          ['0.20', 1],
        ]),
      ),
    ).toBe('0.30');
    expect(orderTotal(order('USD', [['1.005', 1000]]))).toBe('1005.00');
    expect(orderTotal(order('JPY', [['1500', 3]]))).toBe('4500');
    expect(orderTotal(order('KWD', [['12.345', 2]]))).toBe('24.690');
  });

  it('keeps a B2B unit price finer than the cent, and pads a short one', () => {
    expect(
      resolvePrice({ quantity: 1, basePrice: '0.1234', customerErpId: null, priceLevel: null, prices: [] }),
    ).toMatchObject({ unitPrice: '0.1234', source: 'base' });
    expect(
      resolvePrice({ quantity: 1, basePrice: '10', customerErpId: null, priceLevel: null, prices: [] }),
    ).toMatchObject({ unitPrice: '10.00' });
    expect(unitPriceText('1500', 'JPY')).toBe('1500');
  });

  it('computes headroom and credit exposure without float drift', () => {
    expect(creditHeadroom('1000.10', '999.90')).toBe('0.20');
    expect(creditHeadroom('100.00', '33.33', '33.34')).toBe('33.33');
    const r = assessCredit(
      { creditLimit: '0.30', balance: '0.10', firstOrder: false },
      '0.20',
      DEFAULT_RULES,
      'USD',
    );
    expect(r).toMatchObject({ outcome: 'clear', exposure: '0.30', headroom: '0.20' });
    const jpy = assessCredit(
      { creditLimit: '100000', balance: '99000', firstOrder: false },
      '1500',
      DEFAULT_RULES,
      'JPY',
    );
    expect(jpy).toMatchObject({ outcome: 'creditHold', exposure: '100500', overBy: '500' });
  });

  it('compares unit prices exactly against the tolerance', () => {
    // 10.10 vs 10.00 is exactly 1 %: not beyond a 1 % tolerance; 10.11 is.
    const m = findPriceMismatches(
      [
        { lineId: '1', sku: 'A', unitPrice: '10.10' },
        { lineId: '2', sku: 'B', unitPrice: '10.11' },
      ],
      { A: '10.00', B: '10.00' },
      1,
      'USD',
    );
    expect(m).toEqual([expect.objectContaining({ sku: 'B', differencePercent: 1.1 })]);
  });

  it('computes refunds from exact line amounts and percentages', () => {
    const p = ReturnPolicy.parse({ restockingFeePercent: 15 });
    const r = computeRefund(
      [{ lineId: 'a', sku: 'A', quantity: 3, unitPrice: '0.335', reason: null, disposition: 'restock' }],
      p,
      null,
      'KWD',
    );
    // 3 × 0.335 = 1.005 KWD; 15 % is 0.15075 → 0.151.
    expect(r).toMatchObject({ gross: '1.005', restockingFee: '0.151', total: '0.854' });
  });

  it('sums a refund webhook’s transactions exactly', () => {
    const d = mapDelivery(
      'refunds/create',
      {
        id: 9,
        order_id: 7,
        refund_line_items: [],
        transactions: [
          { kind: 'refund', status: 'success', amount: '0.10', currency: 'USD' },
          { kind: 'refund', status: 'success', amount: '0.20', currency: 'USD' },
        ],
      },
      { store: 's', eventId: 'e', triggeredAt: '2026-01-01T00:00:00Z' },
    );
    expect(d.signalArgs[0]).toMatchObject({ amount: '0.30', currency: 'USD' });
  });
});

describe('approval limits', () => {
  const ann = { role: 'approver' as const, approvalLimit: '1000.00' };
  it('compares a limit only with an amount in its own currency, with a typed refusal', () => {
    expect(approvalLimitProblem(ann, '999.99', 'USD')).toBeNull();
    expect(approvalLimitProblem(ann, '1000.01', 'USD')).toMatchObject({
      failure: APPROVAL_FAILURE.limitExceeded,
    });
    const eur = approvalLimitProblem(ann, '10.00', 'EUR');
    expect(eur).toMatchObject({ failure: APPROVAL_FAILURE.currencyMismatch });
    expect(eur?.message).toMatch(/10\.00 EUR.*1000\.00 USD/);
    expect(approvalLimitProblem({ ...ann, approvalCurrency: 'EUR' }, '10.00', 'EUR')).toBeNull();
    expect(approvalLimitProblem({ ...ann, approvalCurrency: 'EUR' }, '10.00', 'USD')).toMatchObject({
      failure: APPROVAL_FAILURE.currencyMismatch,
    });
  });
  it('commits to the larger figure a decision sets, compared exactly', () => {
    expect(decisionAmount('5.00', { outcome: 'adjust', amount: '100.005', creditLimit: '100.00' })).toBe(
      '100.005',
    );
    expect(decisionAmount('5.00', { outcome: 'reject' })).toBeNull();
  });
});
