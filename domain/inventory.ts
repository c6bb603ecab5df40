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
 * + committed), so nothing it has sold is subtracted twice either.
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
