import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Money } from '../../domain/money';
import { resolvePrice, type PriceRow } from '../../domain/pricing';
import {
  chooseLevelAdjustment,
  listPrice,
  planCustomerList,
  type PlannedList,
} from '../../domain/store-pricing';

const USD = 'USD';
type Row = PriceRow & { sku: string };

/** What Shopify shows a company location: the lowest of its catalogs' prices, the base price with none. */
function storePrice(lists: PlannedList[], sku: string, base: string, quantity: number): string {
  const prices = lists.map((l) =>
    listPrice(
      l,
      l.prices.find((p) => p.sku === sku),
      base,
      quantity,
      USD,
    ),
  );
  if (prices.length === 0) return Money.of(base, USD).toString();
  return prices.reduce((a, b) => (Money.of(b, USD).lessThan(Money.of(a, USD)) ? b : a));
}

describe('ERP prices as Shopify price lists', () => {
  it('a level that is a flat percentage of base becomes one adjustment and no fixed prices', () => {
    const items = Array.from({ length: 50 }, (_, i) => ({
      sku: `P${i}`,
      basePrice: Money.ofMinor(((i * 7919) % 49_900) + 100, USD).toString(),
    }));
    const rows: Row[] = items.map((it) => ({
      sku: it.sku,
      priceLevel: 'Tier 2',
      customerErpId: null,
      minQuantity: 1,
      unitPrice: Money.of(it.basePrice, USD).percent('90').toString(),
    }));
    const list = chooseLevelAdjustment({ level: 'Tier 2', items, rows, currency: USD, discountPct: '10' });
    expect(list.adjustmentPercent).toBe('10');
    expect(list.prices).toEqual([]);
    // A level with item prices but no rows for most items keeps the base price: no adjustment.
    const some = chooseLevelAdjustment({
      level: 'Tier 2',
      items,
      rows: rows.slice(0, 3),
      currency: USD,
      discountPct: '10',
    });
    expect(some.adjustmentPercent).toBeNull();
    expect(some.prices.map((p) => p.sku)).toEqual(['P0', 'P1', 'P2']);
  });

  it('quantity breaks become volume pricing on a fixed price', () => {
    const items = [{ sku: 'P10', basePrice: '10.00' }];
    const rows: Row[] = [
      { sku: 'P10', priceLevel: 'Base Price', customerErpId: null, minQuantity: 10, unitPrice: '9.70' },
      { sku: 'P10', priceLevel: 'Base Price', customerErpId: null, minQuantity: 100, unitPrice: '9.30' },
    ];
    const list = chooseLevelAdjustment({ level: 'Base Price', items, rows, currency: USD, discountPct: '0' });
    expect(list.prices).toEqual([
      {
        sku: 'P10',
        price: '10.00',
        breaks: [
          { minimumQuantity: 10, price: '9.70' },
          { minimumQuantity: 100, price: '9.30' },
        ],
      },
    ]);
  });

  it('a level price above its adjusted base is carried in a contract list beside it, which stays beside the level', () => {
    // Level: 15% off base, except P2 at 9.18 (above 10.54 less 15% = 8.96). C1 has a contract on P1 only.
    const items = [
      { sku: 'P1', basePrice: '20.00' },
      { sku: 'P2', basePrice: '10.54' },
    ];
    const level: PlannedList = {
      adjustmentPercent: '15',
      prices: [{ sku: 'P2', price: '9.18', breaks: [] }],
    };
    const mine = planCustomerList({
      customerErpId: 'C1',
      priceLevel: 'L',
      items: [items[0]!],
      rows: [{ sku: 'P1', priceLevel: null, customerErpId: 'C1', minQuantity: 1, unitPrice: '15.00' }],
      level,
      basePrices: new Map(items.map((i) => [i.sku, i.basePrice])),
      currency: USD,
    });
    expect(mine).toEqual({
      adjustmentPercent: '15',
      standalone: false,
      prices: [
        { sku: 'P2', price: '9.18', breaks: [] },
        { sku: 'P1', price: '15.00', breaks: [] },
      ],
    });
    // The buyer sees the level's 9.18 on P2, not the 8.96 its own list's adjustment would give.
    expect(storePrice([level, mine], 'P2', '10.54', 1)).toBe('9.18');
    expect(storePrice([level, mine], 'P1', '20.00', 1)).toBe('15.00');
  });

  it('for any prices, the store shows every buyer what resolvePrice gives (contract > level > break)', () => {
    const cents = fc.integer({ min: 1, max: 50_000 });
    const qty = fc.constantFrom(1, 2, 5, 10, 25, 100);
    const arb = fc.record({
      bases: fc.array(cents, { minLength: 1, maxLength: 6 }),
      pct: fc.constantFrom('0', '5', '10', '12.5'),
      level: fc.array(fc.record({ i: fc.nat(5), q: qty, c: cents }), { maxLength: 10 }),
      contract: fc.array(fc.record({ i: fc.nat(5), q: qty, c: cents }), { maxLength: 6 }),
      flat: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, ({ bases, pct, level, contract, flat }) => {
        const items = bases.map((c, i) => ({ sku: `P${i}`, basePrice: Money.ofMinor(c, USD).toString() }));
        const sku = (i: number) => items[i % items.length]!.sku;
        const dedupe = (rows: Row[]) => [
          ...new Map(rows.map((r) => [`${r.sku}|${r.minQuantity}`, r])).values(),
        ];
        const levelRows = dedupe([
          ...(flat
            ? items.map((it) => ({
                sku: it.sku,
                priceLevel: 'L',
                customerErpId: null,
                minQuantity: 1,
                unitPrice: Money.of(it.basePrice, USD)
                  .percent(String(100 - Number(pct)))
                  .toString(),
              }))
            : []),
          ...level.map((r) => ({
            sku: sku(r.i),
            priceLevel: 'L',
            customerErpId: null,
            minQuantity: r.q,
            unitPrice: Money.ofMinor(r.c, USD).toString(),
          })),
        ]);
        const contractRows = dedupe(
          contract.map((r) => ({
            sku: sku(r.i),
            priceLevel: null,
            customerErpId: 'C1',
            minQuantity: r.q,
            unitPrice: Money.ofMinor(r.c, USD).toString(),
          })),
        );
        const levelList = chooseLevelAdjustment({
          level: 'L',
          items,
          rows: levelRows,
          currency: USD,
          discountPct: pct,
        });
        const mine = planCustomerList({
          customerErpId: 'C1',
          priceLevel: 'L',
          items,
          rows: [...levelRows, ...contractRows],
          level: levelList,
          basePrices: new Map(items.map((i) => [i.sku, i.basePrice])),
          currency: USD,
        });
        const lists = mine.standalone ? [mine] : [levelList, mine];
        for (const it of items)
          for (const q of [1, 2, 5, 9, 10, 11, 25, 99, 100, 500]) {
            const erp = resolvePrice({
              quantity: q,
              basePrice: it.basePrice,
              customerErpId: 'C1',
              priceLevel: 'L',
              prices: [...levelRows, ...contractRows].filter((r) => r.sku === it.sku),
            }).unitPrice;
            expect(storePrice(lists, it.sku, it.basePrice, q)).toBe(erp);
            // A buyer on the level without contracts sees the level's price.
            const levelOnly = resolvePrice({
              quantity: q,
              basePrice: it.basePrice,
              customerErpId: null,
              priceLevel: 'L',
              prices: levelRows.filter((r) => r.sku === it.sku),
            }).unitPrice;
            expect(storePrice([levelList], it.sku, it.basePrice, q)).toBe(levelOnly);
          }
      }),
      { numRuns: 300 },
    );
  });
});
