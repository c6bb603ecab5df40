import { Money } from './money';
import { resolvePrice, type PriceRow } from './pricing';

/**
 * How the ERP's prices become Shopify B2B price lists, so that what the store shows a company location
 * is what `resolvePrice` gives its ERP customer: contract beats level beats break.
 *
 * Shopify's rules this plans for: a price list gives a variant its fixed price (with volume pricing —
 * quantity price breaks — on top of a fixed price only), else the list's percentage adjustment of the
 * base price; a company location with several catalogs is shown the lowest of their prices.
 */

export interface ItemBase {
  sku: string;
  basePrice: string;
}

export interface PriceBreak {
  minimumQuantity: number;
  price: string;
}

/** One variant's entry on a price list: its fixed price and its quantity price breaks (ascending). */
export interface PlannedPrice {
  sku: string;
  price: string;
  breaks: PriceBreak[];
}

export interface PlannedList {
  /** Percentage decrease of the base price for variants without a fixed price ("5" = 5% off); null = none. */
  adjustmentPercent: string | null;
  prices: PlannedPrice[];
}

export interface PlannedCustomerList extends PlannedList {
  /**
   * True when the customer's own list has to carry the whole level too (a contract price above what the
   * level would give at some quantity): the location then gets this catalog only, not the level's.
   */
  standalone: boolean;
}

export const levelListKey = (level: string) => `level:${level}`;
export const customerListKey = (customerErpId: string) => `customer:${customerErpId}`;

/** The price a list with `adjustmentPercent` shows for a variant it has no fixed price for. */
export function adjustedPrice(basePrice: string, adjustmentPercent: string | null, currency: string): string {
  const base = Money.of(basePrice, currency, 'halfUp');
  if (adjustmentPercent === null) return base.toString();
  return base.percent(hundredMinus(adjustmentPercent)).toString();
}

function hundredMinus(percent: string): string {
  const [whole = '0', frac = ''] = percent.split('.');
  const scale = 10n ** BigInt(frac.length);
  const v = 100n * scale - BigInt(whole + frac);
  const s = v.toString().padStart(frac.length + 1, '0');
  return frac.length ? `${s.slice(0, -frac.length)}.${s.slice(-frac.length)}` : s;
}

const norm = (amount: string, currency: string) => Money.of(amount, currency, 'halfUp').toString();

/** The ERP price at `quantity` for a buyer on `priceLevel` (and with contract rows, when `customerErpId`). */
function erpPrice(
  item: ItemBase,
  rows: PriceRow[],
  quantity: number,
  priceLevel: string | null,
  customerErpId: string | null,
  currency: string,
): string {
  return norm(
    resolvePrice({ quantity, basePrice: item.basePrice, customerErpId, priceLevel, prices: rows }).unitPrice,
    currency,
  );
}

/** The fixed price and breaks that make a list give the ERP's price at every quantity. */
function entryFor(
  item: ItemBase,
  rows: PriceRow[],
  priceLevel: string | null,
  customerErpId: string | null,
  currency: string,
): PlannedPrice {
  const price = erpPrice(item, rows, 1, priceLevel, customerErpId, currency);
  const quantities = [...new Set(rows.map((r) => r.minQuantity).filter((q) => q > 1))].sort((a, b) => a - b);
  const breaks: PriceBreak[] = [];
  let previous = price;
  for (const q of quantities) {
    const at = erpPrice(item, rows, q, priceLevel, customerErpId, currency);
    if (at !== previous) breaks.push({ minimumQuantity: q, price: at });
    previous = at;
  }
  return { sku: item.sku, price, breaks };
}

const rowsBySku = (rows: PriceRow[], sku: (r: PriceRow) => string) => {
  const out = new Map<string, PriceRow[]>();
  for (const r of rows) out.set(sku(r), [...(out.get(sku(r)) ?? []), r]);
  return out;
};

export interface LevelInput {
  level: string;
  items: ItemBase[];
  /** The level's rows (no customer), with `sku` of the item each belongs to. */
  rows: (PriceRow & { sku: string })[];
  adjustmentPercent: string | null;
  currency: string;
}

/** A level's price list under a given adjustment: fixed prices only where the adjustment is not the ERP's price. */
export function planLevelList(input: LevelInput): PlannedList {
  const bySku = rowsBySku(input.rows, (r) => (r as PriceRow & { sku: string }).sku);
  const prices: PlannedPrice[] = [];
  for (const item of input.items) {
    const rows = bySku.get(item.sku) ?? [];
    const entry = entryFor(item, rows, input.level, null, input.currency);
    const adjusted = adjustedPrice(item.basePrice, input.adjustmentPercent, input.currency);
    if (entry.breaks.length === 0 && entry.price === adjusted) continue;
    prices.push(entry);
  }
  return { adjustmentPercent: input.adjustmentPercent, prices };
}

/**
 * The adjustment for a level: the ERP's flat percentage when it describes the level's prices better
 * (fewer fixed prices) than none at all. A level whose items carry exactly `discountPct` off the base
 * becomes one percentage and no fixed prices.
 */
export function chooseLevelAdjustment(
  input: Omit<LevelInput, 'adjustmentPercent'> & { discountPct: string },
) {
  const none = planLevelList({ ...input, adjustmentPercent: null });
  if (!(Number(input.discountPct) > 0) || Number(input.discountPct) >= 100) return none;
  const pct = planLevelList({ ...input, adjustmentPercent: input.discountPct });
  return pct.prices.length < none.prices.length ? pct : none;
}

export interface CustomerInput {
  customerErpId: string;
  priceLevel: string | null;
  /** Items the customer has contract rows for (and their level rows), with `sku`. */
  items: ItemBase[];
  rows: (PriceRow & { sku: string })[];
  /** The level's planned list (all of it: a standalone customer list copies it). */
  level: PlannedList | null;
  /** Base prices of the items on the level's list (to see whether a level fixed price sits above the adjusted base). */
  basePrices?: Map<string, string>;
  currency: string;
}

/** Where each of two price step functions changes, and 1. */
const breakpoints = (a: PlannedPrice | undefined, b: PlannedPrice | undefined) =>
  [
    ...new Set([
      1,
      ...(a?.breaks ?? []).map((x) => x.minimumQuantity),
      ...(b?.breaks ?? []).map((x) => x.minimumQuantity),
    ]),
  ].sort((x, y) => x - y);

/** The price a list shows for a variant at a quantity (Shopify's rule for one list). */
export function listPrice(
  list: PlannedList | null,
  entry: PlannedPrice | undefined,
  basePrice: string,
  quantity: number,
  currency: string,
): string {
  if (entry) {
    const brk = [...entry.breaks].reverse().find((b) => b.minimumQuantity <= quantity);
    return brk ? brk.price : entry.price;
  }
  return adjustedPrice(basePrice, list?.adjustmentPercent ?? null, currency);
}

/**
 * A contract customer's own list. Beside its level's catalog, Shopify shows the lower of the two
 * prices; where the level would undercut a contract price at some quantity the customer's list becomes
 * standalone (the level's whole list plus the contract entries) and replaces the level's catalog.
 * Otherwise it carries the contract entries and the level's entries its adjustment would undercut.
 */
export function planCustomerList(input: CustomerInput): PlannedCustomerList {
  const bySku = rowsBySku(input.rows, (r) => (r as PriceRow & { sku: string }).sku);
  const levelEntries = new Map((input.level?.prices ?? []).map((p) => [p.sku, p]));
  const own: PlannedPrice[] = [];
  let standalone = false;
  for (const item of input.items) {
    const rows = bySku.get(item.sku) ?? [];
    if (!rows.some((r) => r.customerErpId === input.customerErpId)) continue;
    const entry = entryFor(item, rows, input.priceLevel, input.customerErpId, input.currency);
    own.push(entry);
    const levelEntry = levelEntries.get(item.sku);
    for (const q of breakpoints(entry, levelEntry)) {
      const mine = listPrice(null, entry, item.basePrice, q, input.currency);
      const theirs = listPrice(input.level, levelEntry, item.basePrice, q, input.currency);
      if (Money.of(theirs, input.currency).lessThan(Money.of(mine, input.currency))) standalone = true;
    }
  }
  // Beside the level's catalog the customer's list shows the level's adjusted base for everything else;
  // where a level fixed price (at any of its breaks) is above that, the list carries the level's entry
  // too, so the lower of the two lists is the level's price.
  const mine = new Set(own.map((p) => p.sku));
  const adjustment = input.level?.adjustmentPercent ?? null;
  if (!standalone) {
    const copied = undercutLevelEntries(input.level, input.basePrices, input.currency).filter(
      (p) => !mine.has(p.sku),
    );
    return { adjustmentPercent: adjustment, prices: [...copied, ...own], standalone: false };
  }
  return {
    adjustmentPercent: adjustment,
    prices: [...(input.level?.prices ?? []).filter((p) => !mine.has(p.sku)), ...own],
    standalone: true,
  };
}

/**
 * The level's entries a list with the level's adjustment would undercut beside it: those whose fixed
 * price or a break is above the adjusted base (`basePrices` by SKU; entries without one are left out).
 */
export function undercutLevelEntries(
  level: PlannedList | null,
  basePrices: Map<string, string> | undefined,
  currency: string,
): PlannedPrice[] {
  if (!level || !basePrices) return [];
  return level.prices.filter((p) => {
    const base = basePrices.get(p.sku);
    if (base === undefined) return false;
    const adjusted = Money.of(adjustedPrice(base, level.adjustmentPercent, currency), currency);
    return [p.price, ...p.breaks.map((b) => b.price)].some((x) =>
      Money.of(x, currency).greaterThan(adjusted),
    );
  });
}

/** Two entries equal in price and breaks (what an incremental push compares with what it pushed). */
export const samePlannedPrice = (a: PlannedPrice | undefined, b: PlannedPrice | undefined) =>
  !!a &&
  !!b &&
  a.price === b.price &&
  a.breaks.length === b.breaks.length &&
  a.breaks.every(
    (x, i) => x.minimumQuantity === b.breaks[i]!.minimumQuantity && x.price === b.breaks[i]!.price,
  );

/** A catalog and its price list in the store. */
export interface StoreCatalogRef {
  catalogId: string;
  priceListId: string;
}

/** The store side of B2B pricing (Shopify catalogs and price lists); SKUs here are storefront SKUs. */
export interface StorePricingPort {
  /**
   * The catalog titled `title` with a price list of the same name, created when missing (assigned to
   * `companyLocationIds` at once), its percentage adjustment set. Idempotent by title.
   */
  ensureCatalog(input: {
    title: string;
    currency: string;
    adjustmentPercent: string | null;
    companyLocationIds: string[];
  }): Promise<StoreCatalogRef>;
  /** Sets fixed prices with their breaks (replacing the variant's earlier breaks) and removes others; ≤250 per call. */
  writePrices(input: {
    priceListId: string;
    currency: string;
    set: PlannedPrice[];
    remove: string[];
  }): Promise<{ written: number; removed: number; unknownSkus: string[] }>;
  assignCatalog(input: { catalogId: string; add: string[]; remove: string[] }): Promise<void>;
  /** Company location ids of the companies whose external id is the ERP customer id. */
  companyLocations(erpCustomerIds: string[]): Promise<Map<string, string>>;
  /** Publishes a company location's credit headroom (null: no limit, the metafield is cleared). */
  setCreditHeadroom(
    companyLocationId: string,
    headroom: { amount: string; currency: string } | null,
  ): Promise<void>;
}
