import type { ErpItem, ErpItemMaster, LengthUnit, WeightUnit } from './erp';
import type { CatalogRules } from './schemas/catalog';

/** The catalog sync's rules; their zod schema is in schemas/catalog.ts. */
export type { CatalogRules } from './schemas/catalog';

/**
 * The ERP as product master: how an ERP item (or a matrix family) becomes one store product. A plain
 * item, kit or item group is a product with one variant; a matrix parent with its children is one
 * product whose options are the children's matrix options. Titles, descriptions, weights, dimensions,
 * categories (the product type), search keywords (tags) and compliance flags (metafields the theme can
 * show) all come from the ERP. Inactive or discontinued items are archived (or drafted), never deleted.
 */

/** Metafield namespace of everything the catalog sync writes on products and variants. */
export const CATALOG_NAMESPACE = 'erp';
/**
 * The metafield keys (namespace `erp`) the catalog sync owns: written from the item master and removed
 * when the item no longer has the fact. Any other metafield on a product or variant, in this namespace
 * or another (a merchant's, another app's, the inventory sync's expected dates), is never touched by it.
 */
export const CATALOG_METAFIELD_KEYS = [
  'item',
  'hazmat',
  'un_number',
  'hazard_class',
  'serialized',
  'length',
  'width',
  'height',
  'drop_ship',
  'special_order',
  'lead_time_days',
  'discontinued',
] as const;
/** Shopify's limits: options per product, tags per product, and the variants of one synchronous productSet. */
export const STORE_LIMITS = { options: 3, tags: 250, variants: 100 } as const;

export type ProductStatus = 'ACTIVE' | 'ARCHIVED' | 'DRAFT';

export interface StoreMetafield {
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface StoreVariantInput {
  /** The store's SKU (the ERP SKU through the SKU mapping). */
  sku: string;
  erpSku: string;
  price: string;
  /** Option name → value, one for each of the product's options. */
  options: Record<string, string>;
  weight: { value: number; unit: 'GRAMS' | 'KILOGRAMS' | 'OUNCES' | 'POUNDS' } | null;
  /** Whether the store tracks its stock (non-inventory items are not stocked). */
  tracked: boolean;
  /** DENY for everything but drop-ship and special-order items, which are ordered in when sold. */
  inventoryPolicy: 'DENY' | 'CONTINUE';
  metafields: StoreMetafield[];
}

export interface StoreProductInput {
  /** The ERP SKU of the standalone item or matrix parent the product stands for. */
  erpSku: string;
  handle: string;
  title: string;
  descriptionHtml: string;
  productType: string;
  tags: string[];
  status: ProductStatus;
  options: { name: string; values: string[] }[];
  variants: StoreVariantInput[];
  metafields: StoreMetafield[];
}

/** What one pass of the catalog sync did with the products it considered. */
export interface CatalogPushResult {
  /** Products written for the first time (created, or found in the store and taken over). */
  created: number;
  updated: number;
  /** Products whose ERP data did not change since they were last written: not written again. */
  unchanged: number;
  /** Products archived or drafted because their item was discontinued or made inactive. */
  retired: number;
  /** Items the store never had that are inactive or discontinued: not created. */
  skipped: number;
  /** Families the store refused or that cannot be a product (alerted). */
  failed: number;
}

export const noCatalogChanges = (): CatalogPushResult => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  retired: 0,
  skipped: 0,
  failed: 0,
});

export type ProductPlan =
  { ok: true; product: StoreProductInput } | { ok: false; erpSku: string; reason: string };

/** The product an item belongs to: itself, or its matrix parent for a matrix child. */
export function familyOf(item: Pick<ErpItem, 'sku' | 'parentSku' | 'master'>): string {
  return item.master?.matrix?.role === 'child' && item.parentSku ? item.parentSku : item.sku;
}

/**
 * The product handle for an ERP item: its SKU as a URL slug, with a short hash of the SKU appended
 * when slugging changed it, so two SKUs never share a handle (`P123` → `p123`, `A/1` → `a-1-3f2c9a`).
 */
export function handleFor(erpSku: string): string {
  const lower = erpSku.toLowerCase();
  const slug = lower.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug && slug === lower) return slug;
  return `${slug || 'item'}-${fnv1a(erpSku)}`;
}

/** FNV-1a, 32 bits, as 8 hex digits: a short stable tag for a string. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (const ch of new TextEncoder().encode(s)) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

const SHOPIFY_WEIGHT: Record<WeightUnit, 'GRAMS' | 'KILOGRAMS' | 'OUNCES' | 'POUNDS'> = {
  g: 'GRAMS',
  kg: 'KILOGRAMS',
  oz: 'OUNCES',
  lb: 'POUNDS',
};
const DIMENSION_UNITS: Record<LengthUnit, string> = { in: 'in', ft: 'ft', mm: 'mm', cm: 'cm', m: 'm' };

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const text = (key: string, value: string): StoreMetafield => ({
  namespace: CATALOG_NAMESPACE,
  key,
  type: 'single_line_text_field',
  value,
});
const flag = (key: string, value: boolean): StoreMetafield => ({
  namespace: CATALOG_NAMESPACE,
  key,
  type: 'boolean',
  value: String(value),
});

/**
 * The compliance and logistics facts of one item as metafields: `erp.item` (the ERP SKU), `erp.hazmat`,
 * `erp.un_number`, `erp.hazard_class`, `erp.serialized`, `erp.length/width/height` (dimension),
 * `erp.drop_ship`, `erp.special_order` and `erp.lead_time_days`.
 */
export function itemMetafields(item: ErpItem): StoreMetafield[] {
  const m = item.master;
  const out: StoreMetafield[] = [text('item', item.sku), flag('hazmat', item.hazmat)];
  if (item.hazmat && m?.hazmatId) out.push(text('un_number', m.hazmatId));
  if (item.hazmat && m?.hazmatClass) out.push(text('hazard_class', m.hazmatClass));
  if (item.serialized) out.push(flag('serialized', true));
  if (m?.dimensions) {
    const unit = DIMENSION_UNITS[m.dimensions.unit];
    for (const k of ['length', 'width', 'height'] as const)
      out.push({
        namespace: CATALOG_NAMESPACE,
        key: k,
        type: 'dimension',
        value: JSON.stringify({ value: m.dimensions[k], unit }),
      });
  }
  if (m?.dropShip) out.push(flag('drop_ship', true));
  if (m?.specialOrder) out.push(flag('special_order', true));
  if (m?.leadTimeDays !== null && m?.leadTimeDays !== undefined)
    out.push({
      namespace: CATALOG_NAMESPACE,
      key: 'lead_time_days',
      type: 'number_integer',
      value: String(m.leadTimeDays),
    });
  return out;
}

/** Whether an item is ordered in when sold (drop-ship or special order): never short of stock. */
export const orderedOnDemand = (m: ErpItemMaster | undefined) => Boolean(m?.dropShip || m?.specialOrder);
const retired = (i: ErpItem) => i.inactive || Boolean(i.master?.discontinued);

function description(m: ErpItemMaster | undefined): string {
  if (m?.descriptionHtml) return m.descriptionHtml;
  if (m?.salesDescription)
    return m.salesDescription
      .split(/\n{2,}/)
      .map((p) => `<p>${escapeHtml(p.trim()).replace(/\n/g, '<br>')}</p>`)
      .join('');
  return '';
}

function tagsOf(items: ErpItem[]): string[] {
  const tags = new Set<string>();
  for (const i of items) {
    for (const k of i.master?.keywords ?? []) tags.add(k.slice(0, 255));
    if (i.hazmat) tags.add('hazmat');
  }
  return [...tags].slice(0, STORE_LIMITS.tags);
}

function variantOf(item: ErpItem, storeSku: string, options: Record<string, string>): StoreVariantInput {
  const w = item.master?.weight;
  const metafields = itemMetafields(item);
  if (retired(item)) metafields.push(flag('discontinued', true));
  return {
    sku: storeSku,
    erpSku: item.sku,
    price: item.basePrice,
    options,
    weight: w ? { value: w.value, unit: SHOPIFY_WEIGHT[w.unit] } : null,
    tracked: item.kind !== 'nonInventory',
    inventoryPolicy: orderedOnDemand(item.master) && !retired(item) ? 'CONTINUE' : 'DENY',
    metafields,
  };
}

/**
 * The store product for one family: `root` is a standalone item or a matrix parent, `children` the
 * parent's matrix children. `storeSku` maps an ERP SKU to the store's (the SKU mapping). A family the
 * store cannot show (no sellable variant, options beyond Shopify's limits, two children with the same
 * option values) is refused with the reason, for an operator to fix in the ERP.
 */
export function planProduct(
  root: ErpItem,
  children: ErpItem[],
  storeSku: (erpSku: string) => string,
  rules: CatalogRules,
): ProductPlan {
  const refuse = (reason: string): ProductPlan => ({ ok: false, erpSku: root.sku, reason });
  const isMatrix = root.master?.matrix?.role === 'parent';
  let options: { name: string; values: string[] }[];
  let variants: StoreVariantInput[];
  if (!isMatrix) {
    options = [{ name: 'Title', values: ['Default Title'] }];
    variants = [variantOf(root, storeSku(root.sku), { Title: 'Default Title' })];
  } else {
    const kids = children
      .filter((c) => c.master?.matrix?.role === 'child')
      .sort((a, b) => Number(a.erpId) - Number(b.erpId));
    if (kids.length === 0) return refuse(`Matrix item ${root.sku} has no child items to sell.`);
    if (kids.length > STORE_LIMITS.variants)
      return refuse(
        `Matrix item ${root.sku} has ${kids.length} children; the store takes at most ${STORE_LIMITS.variants} variants per product.`,
      );
    const names: string[] = [];
    for (const k of kids) {
      const o = k.master!.matrix!.role === 'child' ? k.master!.matrix!.options : {};
      for (const n of Object.keys(o)) if (!names.includes(n)) names.push(n);
    }
    if (names.length === 0) return refuse(`The children of matrix item ${root.sku} carry no option values.`);
    if (names.length > STORE_LIMITS.options)
      return refuse(
        `Matrix item ${root.sku} has ${names.length} options (${names.join(', ')}); the store takes at most ${STORE_LIMITS.options}.`,
      );
    options = names.map((name) => ({ name, values: [] as string[] }));
    variants = [];
    const combos = new Map<string, string>();
    for (const k of kids) {
      const o = (k.master!.matrix as { options: Record<string, string> }).options;
      const missing = names.filter((n) => !o[n]);
      if (missing.length)
        return refuse(`Matrix child ${k.sku} of ${root.sku} has no value for ${missing.join(', ')}.`);
      const combo = names.map((n) => o[n]).join(' / ');
      if (combos.has(combo))
        return refuse(`Matrix children ${combos.get(combo)} and ${k.sku} of ${root.sku} are both ${combo}.`);
      combos.set(combo, k.sku);
      names.forEach((n, i) => {
        if (!options[i]!.values.includes(o[n]!)) options[i]!.values.push(o[n]!);
      });
      variants.push(variantOf(k, storeSku(k.sku), Object.fromEntries(names.map((n) => [n, o[n]!]))));
    }
  }

  const family = isMatrix ? [root, ...children] : [root];
  const sellable = isMatrix ? children.filter((c) => c.master?.matrix?.role === 'child') : [root];
  const allRetired = retired(root) || sellable.every(retired);
  const metafields = itemMetafields(root);
  if (isMatrix && !root.hazmat && sellable.some((c) => c.hazmat))
    metafields.splice(1, 1, flag('hazmat', true));
  const product: StoreProductInput = {
    erpSku: root.sku,
    handle: handleFor(root.sku),
    title: root.name,
    descriptionHtml: description(root.master),
    productType: root.master?.category ?? '',
    tags: tagsOf(family),
    status: allRetired ? rules.discontinuedStatus : 'ACTIVE',
    options,
    variants,
    metafields,
  };
  return { ok: true, product };
}

/**
 * The catalog's metafields as last written on one product, by owner (`product`, or a variant's store
 * SKU): `namespace.key` → `type:value`.
 */
export type WrittenMetafields = Record<string, Record<string, string>>;

/** Where a store product stands: its id, handle and the variant id of each SKU. */
export interface StoreProductRef {
  productId: string;
  handle: string;
  variants: { sku: string; variantId: string }[];
  /** The catalog's metafields as last written (absent: not known, e.g. a product taken over). */
  metafields?: WrittenMetafields;
}

export interface MetafieldWrite extends StoreMetafield {
  ownerId: string;
}
export interface MetafieldRemoval {
  ownerId: string;
  namespace: string;
  key: string;
}

/** The owner key of a product's own metafields in {@link WrittenMetafields}. */
export const PRODUCT_OWNER = 'product';

/**
 * The metafield writes that bring a product's catalog metafields to `input`'s, given where the
 * product and its variants are (`ref`) and what was written last (`previous`; unknown for a product
 * taken over, or for a variant new to it): a metafield is set when its value differs from the last
 * write, and a catalog-owned key written before (or, when that is unknown, any catalog-owned key)
 * that the input no longer has is removed. `fresh` says the product was just created, so it has no
 * metafields to remove. Metafields the catalog does not own are never in either list.
 */
export function metafieldChanges(
  input: StoreProductInput,
  ref: Pick<StoreProductRef, 'productId' | 'variants'>,
  previous: WrittenMetafields | undefined,
  fresh: boolean,
): { set: MetafieldWrite[]; remove: MetafieldRemoval[]; written: WrittenMetafields } {
  const set: MetafieldWrite[] = [];
  const remove: MetafieldRemoval[] = [];
  const written: WrittenMetafields = {};
  const variantIds = new Map(ref.variants.map((v) => [v.sku, v.variantId]));
  const owners: { owner: string; ownerId: string | undefined; metafields: StoreMetafield[] }[] = [
    { owner: PRODUCT_OWNER, ownerId: ref.productId, metafields: input.metafields },
    ...input.variants.map((v) => ({
      owner: v.sku,
      ownerId: variantIds.get(v.sku),
      metafields: v.metafields,
    })),
  ];
  for (const { owner, ownerId, metafields } of owners) {
    if (!ownerId) continue;
    const before = previous?.[owner];
    const now: Record<string, string> = {};
    for (const m of metafields) {
      const name = `${m.namespace}.${m.key}`;
      now[name] = `${m.type}:${m.value}`;
      if (before?.[name] !== now[name]) set.push({ ownerId, ...m });
    }
    written[owner] = now;
    if (fresh) continue;
    const stale = before
      ? Object.keys(before)
      : CATALOG_METAFIELD_KEYS.map((k) => `${CATALOG_NAMESPACE}.${k}`);
    for (const name of stale)
      if (!(name in now)) {
        const dot = name.indexOf('.');
        remove.push({ ownerId, namespace: name.slice(0, dot), key: name.slice(dot + 1) });
      }
  }
  return { set, remove, written };
}

/** The store's product catalog as the catalog sync writes it (connectors/shopify ShopifyCatalog). */
export interface StoreCatalogPort {
  /** The product and variant that hold each of these SKUs in the store (SKUs it does not have are left out). */
  productsBySku(skus: string[]): Promise<Map<string, { productId: string; variantId: string }>>;
  /**
   * Writes the whole product (an idempotent upsert): onto `target` when the product is known, else by
   * the input's handle, so a retried write finds the product the first one made. Variants keep their
   * ids through `target.variants`. The catalog's metafields are written beside the product, changed
   * ones only (against `target.metafields`), so the product's other metafields stay as they are.
   */
  setProduct(input: StoreProductInput, target: StoreProductRef | null): Promise<StoreProductRef>;
  /** Publishes a new product on the store's sales channels. */
  publish(productId: string): Promise<void>;
}
