import { describe, expect, it } from 'vitest';
import { durationMs } from '../../domain/duration';
import { assessReturn, computeRefund } from '../../domain/return-rules';
import type { ReturnRequest } from '../../domain/returns';
import { orderFacts } from './world';
import { ReturnPolicy } from '../../domain/schemas/return-rules';

const policy = ReturnPolicy.parse({
  windowDays: 30,
  autoApproveLimit: '500.00',
  nonReturnableSkuPrefixes: ['SO-'],
});
const request = (lines: ReturnRequest['lines'], requestedAt = '2026-03-10T00:00:00Z'): ReturnRequest => ({
  store: 's',
  returnId: 'r1',
  orderId: '5001',
  requestedAt,
  lines,
});

describe('return eligibility', () => {
  const facts = orderFacts(
    [
      { lineId: 'L1', sku: 'VALVE', unitPrice: '40.00', shipped: 3 },
      { lineId: 'L2', sku: 'ACID-1', unitPrice: '10.00', shipped: 1, hazmat: true },
      { lineId: 'L3', sku: 'SO-CUSTOM', unitPrice: '99.00', shipped: 1 },
    ],
    '2026-03-01T00:00:00Z',
  );

  it('refuses hazmat and special-order items and quantities above what shipped, and keeps the rest', () => {
    const a = assessReturn(
      request([
        { lineId: 'L1', quantity: 2 },
        { lineId: 'L2', quantity: 1 },
        { lineId: 'L3', quantity: 1 },
        { lineId: 'L9', quantity: 1 },
      ]),
      facts,
      policy,
    );
    expect(a.eligible).toEqual([
      { lineId: 'L1', sku: 'VALVE', quantity: 2, unitPrice: '40.00', reason: null },
    ]);
    expect(a.ineligible.map((l) => [l.lineId, l.code])).toEqual([
      ['L2', 'item.nonReturnable'],
      ['L3', 'item.nonReturnable'],
      ['L9', 'line.unknown'],
    ]);
    expect(a.requestedAmount).toBe('80.00');
    expect(a.needsApproval).toBe(false);

    const tooMany = assessReturn(
      request([
        { lineId: 'L1', quantity: 2 },
        { lineId: 'L1', quantity: 2 },
      ]),
      facts,
      policy,
    );
    expect(tooMany.ineligible[0]).toMatchObject({ code: 'quantity.exceedsShipped', quantity: 4 });
  });

  it('closes the window after the configured days and asks an approver above the limit or for damage', () => {
    expect(
      assessReturn(request([{ lineId: 'L1', quantity: 1 }], '2026-04-01T00:00:00Z'), facts, policy)
        .ineligible[0]?.code,
    ).toBe('window.expired');
    const big = assessReturn(
      request([{ lineId: 'L1', quantity: 3, reason: 'Damaged' }]),
      facts,
      ReturnPolicy.parse({ autoApproveLimit: '100.00' }),
    );
    expect(big.needsApproval).toBe(true);
    expect(big.approvalReasons).toHaveLength(2);
  });
});

describe('refund math', () => {
  it('charges the restocking fee on restocked goods unless the seller is at fault, in exact cents', () => {
    const p = ReturnPolicy.parse({ restockingFeePercent: 12.5, scrapRefundPercent: 0 });
    const r = computeRefund(
      [
        { lineId: 'a', sku: 'A', quantity: 3, unitPrice: '33.33', reason: null, disposition: 'restock' },
        { lineId: 'b', sku: 'B', quantity: 1, unitPrice: '10.00', reason: 'defective', disposition: 'scrap' },
        { lineId: 'c', sku: 'C', quantity: 1, unitPrice: '5.00', reason: null, disposition: 'scrap' },
        { lineId: 'd', sku: 'D', quantity: 2, unitPrice: '7.50', reason: null, disposition: 'warranty' },
      ],
      p,
      null,
      'USD',
    );
    expect(r.lines.map((l) => [l.fee, l.refund])).toEqual([
      ['12.50', '87.49'],
      ['0.00', '10.00'],
      ['0.00', '0.00'],
      ['0.00', '15.00'],
    ]);
    expect(r).toMatchObject({ gross: '129.99', restockingFee: '12.50', total: '112.49', capped: false });
    expect(
      computeRefund(
        [{ lineId: 'a', sku: 'A', quantity: 1, unitPrice: '100', reason: null, disposition: 'warranty' }],
        p,
        '60.00',
        'USD',
      ),
    ).toMatchObject({ total: '60.00', capped: true });
  });

  it('reads configured durations', () => {
    expect(durationMs('30 days')).toBe(30 * 86_400_000);
    expect(durationMs('90 seconds')).toBe(90_000);
    expect(durationMs('500 ms')).toBe(500);
    expect(() => ReturnPolicy.parse({ receiveTimeout: 'soon' })).toThrow();
  });
});
