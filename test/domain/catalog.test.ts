import { describe, expect, it } from 'vitest';
import { familyOf, handleFor, metafieldChanges, planProduct, type CatalogRules } from '../../domain/catalog';
import type { ErpItem, ErpItemMaster } from '../../domain/erp';

const rules: CatalogRules = { discontinuedStatus: 'ARCHIVED' };
const master = (m: Partial<ErpItemMaster> = {}): ErpItemMaster => ({
  descriptionHtml: null,
  salesDescription: null,
  weight: null,
  dimensions: null,
  category: null,
  keywords: [],
  hazmatId: null,
  hazmatClass: null,
  matrix: null,
  discontinued: false,
  dropShip: false,
  specialOrder: false,
  leadTimeDays: null,
  ...m,
});
let id = 0;
const item = (sku: string, m: Partial<ErpItemMaster> = {}, extra: Partial<ErpItem> = {}): ErpItem => ({
  erpId: String(++id),
  sku,
  name: `Item ${sku}`,
  kind: 'inventory',
  parentSku: null,
  hazmat: false,
  serialized: false,
  basePrice: '10.00',
  inactive: false,
  lastModified: '2026-01-01T00:00:00.000Z',
  master: master(m),
  ...extra,
});
const child = (sku: string, parent: string, options: Record<string, string>, extra: Partial<ErpItem> = {}) =>
  item(sku, { matrix: { role: 'child', options } }, { parentSku: parent, ...extra });
const same = (s: string) => s;

describe('ERP items as store products', () => {
  it('a plain item is a product with one default variant, its compliance facts as metafields', () => {
    const plan = planProduct(
      item('P1', { salesDescription: 'A <b> bolt', dropShip: true, leadTimeDays: 12 }, { hazmat: true }),
      [],
      (s) => `PROD-${s}`,
      rules,
    );
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.product).toMatchObject({
      erpSku: 'P1',
      handle: 'p1',
      descriptionHtml: '<p>A &lt;b&gt; bolt</p>',
      status: 'ACTIVE',
      tags: ['hazmat'],
      options: [{ name: 'Title', values: ['Default Title'] }],
    });
    expect(plan.product.variants).toEqual([
      expect.objectContaining({ sku: 'PROD-P1', erpSku: 'P1', inventoryPolicy: 'CONTINUE', tracked: true }),
    ]);
    const keys = plan.product.metafields.map((m) => `${m.key}=${m.value}`);
    expect(keys).toEqual(['item=P1', 'hazmat=true', 'drop_ship=true', 'lead_time_days=12']);
  });

  it('a matrix parent with children is one product with an option per matrix option, in order of appearance', () => {
    const parent = item('TEE', { matrix: { role: 'parent' } });
    const kids = [
      child('TEE-RS', 'TEE', { Color: 'Red', Size: 'S' }),
      child('TEE-RM', 'TEE', { Color: 'Red', Size: 'M' }),
      child('TEE-BS', 'TEE', { Color: 'Blue', Size: 'S' }, { inactive: true }),
    ];
    expect(kids.map(familyOf)).toEqual(['TEE', 'TEE', 'TEE']);
    const plan = planProduct(parent, kids, same, rules);
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.product.options).toEqual([
      { name: 'Color', values: ['Red', 'Blue'] },
      { name: 'Size', values: ['S', 'M'] },
    ]);
    expect(plan.product.variants.map((v) => [v.sku, v.options])).toEqual([
      ['TEE-RS', { Color: 'Red', Size: 'S' }],
      ['TEE-RM', { Color: 'Red', Size: 'M' }],
      ['TEE-BS', { Color: 'Blue', Size: 'S' }],
    ]);
    // An inactive child stays a variant (never deleted), marked and sold out; the product stays active.
    expect(plan.product.status).toBe('ACTIVE');
    expect(plan.product.variants[2]!.metafields).toContainEqual(
      expect.objectContaining({ key: 'discontinued' }),
    );
    // Every child retired: the product is.
    const gone = planProduct(
      parent,
      kids.map((k) => ({ ...k, inactive: true })),
      same,
      {
        ...rules,
        discontinuedStatus: 'DRAFT',
      },
    );
    expect(gone.ok && gone.product.status).toBe('DRAFT');
  });

  it('refuses families the store cannot show, with the reason', () => {
    const parent = item('M', { matrix: { role: 'parent' } });
    const reason = (kids: ErpItem[]) => {
      const p = planProduct(parent, kids, same, rules);
      return p.ok ? null : p.reason;
    };
    expect(reason([])).toMatch(/no child items/);
    expect(reason([child('M1', 'M', { Color: 'Red' }), child('M2', 'M', { Color: 'Red' })])).toMatch(
      /both Red/,
    );
    expect(reason([child('M1', 'M', { Color: 'Red' }), child('M2', 'M', { Size: 'S' })])).toMatch(
      /no value for/,
    );
    expect(reason([child('M1', 'M', { A: '1', B: '1', C: '1', D: '1' })])).toMatch(/at most 3/);
    const many = Array.from({ length: 101 }, (_, i) => child(`M${i}`, 'M', { Size: String(i) }));
    expect(reason(many)).toMatch(/at most 100 variants/);
  });

  it('gives every SKU a handle of its own', () => {
    expect(handleFor('P123')).toBe('p123');
    expect(handleFor('abc-1')).toBe('abc-1');
    expect(handleFor('A/1')).toMatch(/^a-1-[0-9a-f]{8}$/);
    expect(handleFor('A 1')).not.toBe(handleFor('A/1'));
    expect(handleFor('A/1')).toBe(handleFor('A/1'));
  });

  it('writes only the catalog metafields that changed, and removes only catalog keys the item lost', () => {
    const plan = (hazmat: boolean) => {
      const p = planProduct(
        item('P9', { hazmatId: 'UN1263', hazmatClass: '3' }, { hazmat }),
        [],
        (s) => `S-${s}`,
        rules,
      );
      if (!p.ok) throw new Error(p.reason);
      return p.product;
    };
    const ref = {
      productId: 'gid://shopify/Product/1',
      variants: [{ sku: 'S-P9', variantId: 'gid://shopify/ProductVariant/2' }],
    };
    // A new product: every metafield set, nothing to remove.
    const first = metafieldChanges(plan(true), ref, undefined, true);
    expect(first.set.map((m) => `${m.ownerId.split('/')[3]}:${m.key}=${m.value}`)).toEqual([
      'Product:item=P9',
      'Product:hazmat=true',
      'Product:un_number=UN1263',
      'Product:hazard_class=3',
      'ProductVariant:item=P9',
      'ProductVariant:hazmat=true',
      'ProductVariant:un_number=UN1263',
      'ProductVariant:hazard_class=3',
    ]);
    expect(first.remove).toEqual([]);
    // The same again: nothing to write.
    const again = metafieldChanges(plan(true), ref, first.written, false);
    expect(again.set).toEqual([]);
    expect(again.remove).toEqual([]);
    // No longer hazmat: the flag changes, the UN number and class go; nothing else is named.
    const lost = metafieldChanges(plan(false), ref, first.written, false);
    expect(lost.set.map((m) => `${m.key}=${m.value}`)).toEqual(['hazmat=false', 'hazmat=false']);
    expect(lost.remove.map((m) => `${m.namespace}.${m.key}`)).toEqual([
      'erp.un_number',
      'erp.hazard_class',
      'erp.un_number',
      'erp.hazard_class',
    ]);
    // A product taken over (what it had is unknown): all set, and only catalog-owned keys it lacks removed.
    const taken = metafieldChanges(plan(false), ref, undefined, false);
    expect(taken.set).toHaveLength(4);
    expect(new Set(taken.remove.map((m) => m.namespace))).toEqual(new Set(['erp']));
    expect(taken.remove.map((m) => m.key)).not.toContain('expected_date');
    expect(taken.remove.map((m) => m.key)).toContain('un_number');
  });
});
