import type { PerItemQuantity } from './schemas/inventory';

/** The inventory sync's rules; their zod schema is in schemas/inventory.ts. */
export type { InventoryRules, PerItemQuantity } from './schemas/inventory';

export interface ItemRef {
  sku: string;
  category?: string | null;
}

/** The rule's quantity for one item: its own, else its category's, else the default. */
export function ruleFor(rule: PerItemQuantity, item: ItemRef): number {
  const own = rule.items[item.sku];
  if (own !== undefined) return own;
  const byCategory = item.category ? rule.categories[item.category] : undefined;
  return byCategory ?? rule.default;
}

/**
 * The quantity the store may sell at one location:
 *
 *   ERP available − safety stock − Quayside's open reservations not yet on an ERP sales order,
 *
 * never below zero. The ERP's available already excludes what its own sales orders committed, so a
 * reservation whose order has reached the ERP is not subtracted again. This is what the store's
 * *available* quantity is set to; Shopify keeps its own committed units apart (on hand = available
 * + committed), so nothing it has sold is subtracted twice either. A reservation leaving the last
 * term (its ERP sales order recorded, or released before that) changes the figure with no ERP stock
 * change: the inventory sync sets such items again on its next round (see docs/architecture.md).
 */
export function sellableQuantity(input: {
  erpAvailable: number;
  safetyStock: number;
  /** Open reservations of Quayside's orders that have no ERP sales order yet. */
  reservedNotInErp: number;
}): number {
  return Math.max(0, Math.trunc(input.erpAvailable) - input.safetyStock - input.reservedNotInErp);
}

export type VisibilityChange = 'hide' | 'show' | null;

/**
 * Whether a product must be hidden or shown again, given its sellable stock summed over locations.
 * Hidden when below the threshold, shown again once it reaches it; nothing when it already is where
 * it should be. Drop-ship and special-order items are never hidden for lack of stock.
 */
export function visibilityChange(input: {
  sellable: number;
  threshold: number;
  hidden: boolean;
  neverHide?: boolean;
}): VisibilityChange {
  const shouldHide = !input.neverHide && input.threshold > 0 && input.sellable < input.threshold;
  if (shouldHide && !input.hidden) return 'hide';
  if (!shouldHide && input.hidden) return 'show';
  return null;
}

/** One component of a kit at one location: what the store may sell of it, and how many go in a kit. */
export interface KitComponent {
  available: number;
  /** Units of the component in one kit (a positive whole number). */
  perKit: number;
}

/**
 * How many kits can be made from their components:
 *
 *   min over components of floor(component available ÷ quantity per kit)
 *
 * never below zero; a kit without components (or with a component of no valid quantity) has none.
 * The inventory sync sets a kit's store quantity to this over its components' sellable quantities at
 * each location, less the kit's own safety stock and reservations.
 */
export function kitAvailable(components: KitComponent[]): number {
  if (components.length === 0) return 0;
  let kits = Number.POSITIVE_INFINITY;
  for (const c of components) {
    if (!Number.isInteger(c.perKit) || c.perKit <= 0) return 0;
    kits = Math.min(kits, Math.floor(Math.max(0, Math.trunc(c.available)) / c.perKit));
  }
  return kits;
}

/** Metafields (namespace `erp`, on the variant) a backordered item carries in the store. */
export const BACKORDER_METAFIELD_KEYS = ['backordered', 'expected_date', 'expected_source'] as const;

/** When a backordered item is expected in, and from what the date comes. */
export interface BackorderInfo {
  /** YYYY-MM-DD, or null when neither a purchase order nor a lead time gives one. */
  expectedDate: string | null;
  source: 'purchase_order' | 'lead_time' | null;
}

const addDays = (day: string, days: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

/**
 * Whether an item is backordered in the store, and when it is expected. An item is backordered when
 * its sellable stock over the store's locations is nothing (drop-ship and special-order items, ordered
 * in when sold, never are). It is expected on the earliest expected receipt date of the open purchase
 * order lines that still have something to receive (an overdue date counts as today); without one, on
 * today plus the item's purchase lead time; without that, no date is known. `today` is YYYY-MM-DD.
 */
export function backorderInfo(input: {
  sellable: number;
  orderedOnDemand: boolean;
  openLines: { remaining: number; expectedReceiptDate: string | null }[];
  leadTimeDays: number | null;
  today: string;
}): BackorderInfo | null {
  if (input.sellable > 0 || input.orderedOnDemand) return null;
  const dates = input.openLines
    .filter((l) => l.remaining > 0 && l.expectedReceiptDate)
    .map((l) => l.expectedReceiptDate!)
    .sort();
  if (dates.length)
    return { expectedDate: dates[0]! < input.today ? input.today : dates[0]!, source: 'purchase_order' };
  if (input.leadTimeDays !== null && input.leadTimeDays >= 0)
    return { expectedDate: addDays(input.today, input.leadTimeDays), source: 'lead_time' };
  return { expectedDate: null, source: null };
}
