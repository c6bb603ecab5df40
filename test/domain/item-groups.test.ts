import { describe, expect, it } from 'vitest';
import { projectErpTotals, type ErpSalesOrder, type ErpSalesOrderInput } from '../../domain/erp';
import {
  componentQuantities,
  explodeItemGroups,
  foldFulfillment,
  foldInvoice,
  foldSalesOrder,
  type ItemGroup,
} from '../../domain/item-groups';
import { Money } from '../../domain/money';

const group: ItemGroup = {
  sku: 'G1',
  members: [
    { sku: 'A', quantity: 2, basePrice: '30.00' },
    { sku: 'B', quantity: 3, basePrice: '7.50' },
    { sku: 'C', quantity: 1, basePrice: null },
  ],
};
const groups = new Map([['G1', group]]);

const order = (currency: string, rate: string, quantity: number): ErpSalesOrderInput => ({
  externalId: 's:1',
  customerErpId: '3',
  currency,
  lines: [
    { lineKey: 'L1', sku: 'G1', quantity, rate, location: '1' },
    { lineKey: 'L2', sku: 'KIT', quantity: 1, rate: '5', location: '1' },
  ],
  discount: { amount: currency === 'JPY' ? '7' : '1.00', codes: [] },
});

describe('an item group exploded into its components', () => {
  it.each([
    ['USD', '89.99', 1],
    ['USD', '0.07', 7],
    ['JPY', '1999', 3],
    ['KWD', '12.345', 11],
    ['USD', '0.1234', 13],
  ])('keeps the order total in %s at %s × %i to the minor unit', (currency, rate, quantity) => {
    const input = order(currency, rate, quantity);
    const out = explodeItemGroups(input, groups);
    expect(projectErpTotals(out)).toEqual(projectErpTotals(input));
    const units = (s: string) => out.lines.filter((l) => l.sku === s).reduce((n, l) => n + l.quantity, 0);
    expect([units('A'), units('B'), units('C'), units('G1'), units('KIT')]).toEqual([
      2 * quantity,
      3 * quantity,
      quantity,
      0,
      1,
    ]);
    // Every rate is a whole number of minor units.
    for (const l of out.lines.filter((x) => x.sku !== 'KIT'))
      expect(Money.of(l.rate, currency).toString()).toBe(l.rate);
  });

  it('folds the ERP order, shipments and invoices back onto the store line in kits', () => {
    const input = explodeItemGroups(order('USD', '89.99', 4), groups);
    const so: ErpSalesOrder = {
      erpId: '1',
      tranId: 'SO1',
      externalId: 's:1',
      status: 'pendingFulfillment',
      poNumber: null,
      lastModified: '',
      lines: input.lines.map((l) => ({
        lineKey: l.lineKey,
        sku: l.sku,
        quantity: l.quantity,
        // 5 of the 12 B are backordered: 2 whole kits can ship.
        quantityFulfilled: l.sku === 'A' ? 8 : l.sku === 'B' ? 0 : 1,
        quantityBilled: 0,
        quantityBackOrdered: l.sku === 'B' && l.quantity >= 5 ? 5 : 0,
        location: '1',
        closed: false,
      })),
    };
    expect(foldSalesOrder(so).lines).toEqual([
      expect.objectContaining({
        lineKey: 'L1',
        sku: 'G1',
        quantity: 4,
        quantityFulfilled: 0,
        quantityBackOrdered: 2,
      }),
      expect.objectContaining({ lineKey: 'L2', sku: 'KIT', quantity: 1 }),
    ]);
    const ship = (of: (sku: string) => number) => ({
      erpId: 'IF1',
      salesOrderErpId: '1',
      salesOrderExternalId: 's:1',
      location: '1',
      carrier: null,
      trackingNumbers: [],
      shippedAt: '',
      lastModified: '',
      lines: input.lines
        .filter((l) => l.sku !== 'KIT')
        .map((l) => ({
          lineKey: l.lineKey,
          sku: l.sku,
          quantity: of(l.sku) * (l.quantity / (l.sku === 'A' ? 8 : l.sku === 'B' ? 12 : 4)),
        }))
        .filter((l) => l.quantity > 0),
    });
    // All of A, B and C for 2 kits: 2 kits shipped on L1.
    expect(foldFulfillment(ship((s) => (s === 'A' ? 4 : s === 'B' ? 6 : 2))).lines).toEqual([
      { lineKey: 'L1', sku: 'G1', quantity: 2 },
    ]);
    // C not in the box: no whole kit shipped.
    expect(foldFulfillment(ship((s) => (s === 'C' ? 0 : 8))).lines).toEqual([]);
    const inv = foldInvoice({
      erpId: 'IN1',
      tranId: 'IN1',
      salesOrderErpId: '1',
      salesOrderExternalId: 's:1',
      total: '359.96',
      dueDate: null,
      lastModified: '',
      lines: input.lines
        .filter((l) => l.sku !== 'KIT')
        .map((l) => ({
          lineKey: l.lineKey,
          sku: l.sku,
          quantity: l.quantity,
          amount: Money.line(l.rate, l.quantity, 'USD').toString(),
        })),
    });
    expect(inv.lines).toEqual([{ lineKey: 'L1', sku: 'G1', quantity: 4, amount: '359.96' }]);
  });

  it('counts kits over the fulfillments that ship their components separately', () => {
    // 7 kits at 0.07: some components go as two lines a cent apart, so units fill part 1 then part 2.
    const input = explodeItemGroups(order('USD', '0.07', 7), groups);
    const parts = input.lines.filter((l) => l.sku !== 'KIT');
    expect(parts.length).toBeGreaterThan(3);
    const box = (erpId: string, units: Record<string, number>) => {
      const left = { ...units };
      const lines = parts.flatMap((l) => {
        const q = Math.min(l.quantity, left[l.sku] ?? 0);
        left[l.sku] = (left[l.sku] ?? 0) - q;
        return q > 0 ? [{ lineKey: l.lineKey, sku: l.sku, quantity: q }] : [];
      });
      return {
        erpId,
        salesOrderErpId: '1',
        salesOrderExternalId: 's:1',
        location: '1',
        carrier: null,
        trackingNumbers: [],
        shippedAt: '',
        lastModified: '',
        lines,
      };
    };
    // 7 kits need A 14, B 21, C 7. The first box has all of A and B, the second all of C, then none.
    const first = box('101', { A: 14, B: 21 });
    const second = box('102', { C: 7 });
    expect(foldFulfillment(first).lines).toEqual([]);
    expect(foldFulfillment(second, [first]).lines).toEqual([{ lineKey: 'L1', sku: 'G1', quantity: 7 }]);
    // Read again with the same history, it reports the same kits (the feed may deliver it twice).
    expect(foldFulfillment(second, [first]).lines).toEqual([{ lineKey: 'L1', sku: 'G1', quantity: 7 }]);

    // Three boxes, each completing what it can: 2 kits, then 3 more, then the last 2; 7 in all.
    const boxes = [box('201', { A: 14, B: 6, C: 2 }), box('202', { B: 9, C: 5 }), box('203', { B: 6 })];
    const kits = boxes.map((b, i) => foldFulfillment(b, boxes.slice(0, i)).lines.map((l) => l.quantity));
    expect(kits).toEqual([[2], [3], [2]]);
  });

  it('turns a kit line’s new quantity into its components’ quantities', () => {
    const input = explodeItemGroups(order('USD', '0.07', 7), groups);
    const so = {
      lines: input.lines.map((l) => ({
        lineKey: l.lineKey,
        sku: l.sku,
        quantity: l.quantity,
        quantityFulfilled: 0,
        quantityBilled: 0,
        quantityBackOrdered: 0,
        location: '1',
        closed: false,
      })),
    } as ErpSalesOrder;
    const { set, close } = componentQuantities(so, 'L1', 2);
    const after = so.lines
      .filter((l) => l.sku !== 'KIT')
      .map((l) =>
        close.includes(l.lineKey) ? 0 : (set.find((s) => s.lineKey === l.lineKey)?.quantity ?? l.quantity),
      );
    const units = (s: string) =>
      so.lines.reduce((n, l, i) => n + (l.sku === s ? (after[i] as number) : 0), 0);
    expect([units('A'), units('B'), units('C')]).toEqual([4, 6, 2]);
  });
});

describe('Money.allocate', () => {
  it('splits exactly, leftovers to the largest remainders', () => {
    const parts = Money.of('100.00', 'USD').allocate([1, 1, 1]);
    expect(parts.map(String)).toEqual(['33.34', '33.33', '33.33']);
    expect(Money.of('0.05', 'USD').allocate([0, 2, 1]).map(String)).toEqual(['0.00', '0.03', '0.02']);
    expect(Money.of('-10', 'JPY').allocate([1, 2]).map(String)).toEqual(['-3', '-7']);
    expect(() => Money.of('1.00', 'USD').allocate([0, 0])).toThrow();
  });
});
