import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backorderInfo,
  kitAvailable,
  ruleFor,
  sellableQuantity,
  visibilityChange,
} from '../../domain/inventory';
import { BusinessRules } from '../../domain/schemas/rules';
import { InventoryRules } from '../../domain/schemas/inventory';

describe('the quantity the store sells from', () => {
  it('is ERP available minus safety stock minus reservations not yet on an ERP order', () => {
    expect(sellableQuantity({ erpAvailable: 40, safetyStock: 5, reservedNotInErp: 3 })).toBe(32);
    expect(sellableQuantity({ erpAvailable: 40, safetyStock: 0, reservedNotInErp: 0 })).toBe(40);
  });

  it('never goes below zero, even when the ERP reports a negative available', () => {
    expect(sellableQuantity({ erpAvailable: 4, safetyStock: 5, reservedNotInErp: 0 })).toBe(0);
    expect(sellableQuantity({ erpAvailable: -3, safetyStock: 0, reservedNotInErp: 2 })).toBe(0);
  });
});

describe('inventory rules', () => {
  const rules = InventoryRules.parse({
    safetyStock: { default: 2, categories: { cables: 10 }, items: { P7: 1 } },
  });

  it('take the item rule over the category rule over the default', () => {
    expect(ruleFor(rules.safetyStock, { sku: 'P7', category: 'cables' })).toBe(1);
    expect(ruleFor(rules.safetyStock, { sku: 'P8', category: 'cables' })).toBe(10);
    expect(ruleFor(rules.safetyStock, { sku: 'P8', category: null })).toBe(2);
  });

  it('default to no safety stock and no hiding, and refuse negative quantities', () => {
    const defaults = BusinessRules.parse({}).inventory;
    expect(ruleFor(defaults.safetyStock, { sku: 'P1' })).toBe(0);
    expect(ruleFor(defaults.hideBelow, { sku: 'P1' })).toBe(0);
    expect(InventoryRules.safeParse({ hideBelow: { default: -1 } }).success).toBe(false);
    expect(InventoryRules.safeParse({ safetyStock: { items: { P1: 1.5 } } }).success).toBe(false);
  });
});

describe('threshold hide/show', () => {
  it('hides a shown product below its threshold, once', () => {
    expect(visibilityChange({ sellable: 2, threshold: 3, hidden: false })).toBe('hide');
    expect(visibilityChange({ sellable: 2, threshold: 3, hidden: true })).toBeNull();
  });

  it('shows a hidden product again once it reaches the threshold, once', () => {
    expect(visibilityChange({ sellable: 3, threshold: 3, hidden: true })).toBe('show');
    expect(visibilityChange({ sellable: 3, threshold: 3, hidden: false })).toBeNull();
  });

  it('never hides with no threshold, and shows again a product hidden under a former one', () => {
    expect(visibilityChange({ sellable: 0, threshold: 0, hidden: false })).toBeNull();
    expect(visibilityChange({ sellable: 0, threshold: 0, hidden: true })).toBe('show');
  });

  it('never hides a drop-ship or special-order item for lack of stock', () => {
    expect(visibilityChange({ sellable: 0, threshold: 5, hidden: false, neverHide: true })).toBeNull();
    expect(visibilityChange({ sellable: 0, threshold: 5, hidden: true, neverHide: true })).toBe('show');
  });
});

describe('a kit’s stock', () => {
  it('is the least of floor(component available ÷ quantity per kit)', () => {
    expect(
      kitAvailable([
        { available: 10, perKit: 1 },
        { available: 7, perKit: 2 },
      ]),
    ).toBe(3);
    expect(kitAvailable([{ available: 9, perKit: 3 }])).toBe(3);
    expect(
      kitAvailable([
        { available: 0, perKit: 1 },
        { available: 50, perKit: 1 },
      ]),
    ).toBe(0);
  });

  it('has none without components, for a component short of one kit, or a negative available', () => {
    expect(kitAvailable([])).toBe(0);
    expect(kitAvailable([{ available: 1, perKit: 2 }])).toBe(0);
    expect(kitAvailable([{ available: -4, perKit: 1 }])).toBe(0);
    expect(kitAvailable([{ available: 4, perKit: 0 }])).toBe(0);
  });

  const component = fc.record({
    available: fc.integer({ min: -5, max: 10_000 }),
    perKit: fc.integer({ min: 1, max: 12 }),
  });

  it('never promises a kit some component cannot fill, and is limited by one component', () => {
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 8 }), (components) => {
        const kits = kitAvailable(components);
        expect(kits).toBeGreaterThanOrEqual(0);
        for (const c of components) expect(kits * c.perKit).toBeLessThanOrEqual(Math.max(0, c.available));
        // One more kit would need more of some component than there is.
        expect(components.some((c) => (kits + 1) * c.perKit > Math.max(0, c.available))).toBe(true);
      }),
    );
  });

  it('grows (never shrinks) when a component’s stock grows', () => {
    fc.assert(
      fc.property(
        fc.array(component, { minLength: 1, maxLength: 8 }),
        fc.nat({ max: 7 }),
        fc.nat({ max: 500 }),
        (components, at, more) => {
          const i = at % components.length;
          const grown = components.map((c, j) => (j === i ? { ...c, available: c.available + more } : c));
          expect(kitAvailable(grown)).toBeGreaterThanOrEqual(kitAvailable(components));
        },
      ),
    );
  });
});

describe('backorder dates', () => {
  const base = { orderedOnDemand: false, leadTimeDays: 14, today: '2026-12-01' };
  it('an item with stock, or ordered in when sold, is not backordered', () => {
    expect(backorderInfo({ ...base, sellable: 1, openLines: [] })).toBeNull();
    expect(backorderInfo({ ...base, sellable: 0, orderedOnDemand: true, openLines: [] })).toBeNull();
  });
  it('takes the earliest open purchase order line with something to receive, an overdue one as today', () => {
    const lines = [
      { remaining: 5, expectedReceiptDate: '2026-12-20' },
      { remaining: 0, expectedReceiptDate: '2026-12-05' },
      { remaining: 2, expectedReceiptDate: null },
      { remaining: 3, expectedReceiptDate: '2026-12-10' },
    ];
    expect(backorderInfo({ ...base, sellable: 0, openLines: lines })).toEqual({
      expectedDate: '2026-12-10',
      source: 'purchase_order',
    });
    expect(
      backorderInfo({
        ...base,
        sellable: 0,
        openLines: [{ remaining: 1, expectedReceiptDate: '2026-11-20' }],
      }),
    ).toEqual({ expectedDate: '2026-12-01', source: 'purchase_order' });
  });
  it('without a dated purchase order, today plus the lead time; without either, no date', () => {
    expect(backorderInfo({ ...base, sellable: 0, openLines: [] })).toEqual({
      expectedDate: '2026-12-15',
      source: 'lead_time',
    });
    expect(backorderInfo({ ...base, sellable: 0, leadTimeDays: 31, openLines: [] })!.expectedDate).toBe(
      '2027-01-01',
    );
    expect(backorderInfo({ ...base, sellable: 0, leadTimeDays: null, openLines: [] })).toEqual({
      expectedDate: null,
      source: null,
    });
  });
});
