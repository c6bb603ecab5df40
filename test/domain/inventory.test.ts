import { describe, expect, it } from 'vitest';
import { InventoryRules, ruleFor, sellableQuantity, visibilityChange } from '../../domain/inventory';
import { BusinessRules } from '../../domain/rules';

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
