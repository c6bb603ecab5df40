/** Pure price and credit resolution for checkout quotes, over cached ERP data. Amounts are decimal strings. */

export interface PriceRow {
  priceLevel: string | null;
  customerErpId: string | null;
  minQuantity: number;
  unitPrice: string;
}

export interface ResolvedPrice {
  unitPrice: string;
  source: 'contract' | 'priceLevel' | 'base';
  /** The quantity break that applied (1 for the base price). */
  minQuantity: number;
}

const toCents = (amount: string) => Math.round(Number(amount) * 100);
const fromCents = (cents: number) => (cents / 100).toFixed(2);

/** The best quantity break at or below `quantity` among `rows`. */
function bestBreak(rows: PriceRow[], quantity: number): PriceRow | undefined {
  return rows.filter((r) => r.minQuantity <= quantity).sort((a, b) => b.minQuantity - a.minQuantity)[0];
}

/**
 * A customer's contract price wins; else their price level's quantity break; else the item's base
 * price. Within one source the largest quantity break not above the ordered quantity applies.
 */
export function resolvePrice(input: {
  quantity: number;
  basePrice: string;
  customerErpId: string | null;
  priceLevel: string | null;
  prices: PriceRow[];
}): ResolvedPrice {
  if (input.customerErpId) {
    const contract = bestBreak(
      input.prices.filter((p) => p.customerErpId === input.customerErpId),
      input.quantity,
    );
    if (contract)
      return {
        unitPrice: fromCents(toCents(contract.unitPrice)),
        source: 'contract',
        minQuantity: contract.minQuantity,
      };
  }
  if (input.priceLevel) {
    const level = bestBreak(
      input.prices.filter((p) => !p.customerErpId && p.priceLevel === input.priceLevel),
      input.quantity,
    );
    if (level)
      return {
        unitPrice: fromCents(toCents(level.unitPrice)),
        source: 'priceLevel',
        minQuantity: level.minQuantity,
      };
  }
  return { unitPrice: fromCents(toCents(input.basePrice)), source: 'base', minQuantity: 1 };
}

/** Credit left for new orders: limit − open balance − this order; null when the customer has no limit. */
export function creditHeadroom(creditLimit: string | null, balance: string, orderTotal = '0'): string | null {
  if (creditLimit === null) return null;
  return fromCents(toCents(creditLimit) - toCents(balance) - toCents(orderTotal));
}

export function lineTotal(unitPrice: string, quantity: number): string {
  return fromCents(toCents(unitPrice) * quantity);
}
