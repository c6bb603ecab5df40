import { Money, unitPriceText } from './money';

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

/**
 * The currency of the ERP price cache: the subsidiary's base currency, in which NetSuite's item
 * pricing and customer credit figures are kept.
 */
export const PRICE_BOOK_CURRENCY = 'USD';

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
  currency?: string;
}): ResolvedPrice {
  const currency = input.currency ?? PRICE_BOOK_CURRENCY;
  const { customerErpId, priceLevel } = input;
  // The sources in the order they win; one the customer has none of offers no rows.
  const sources: [ResolvedPrice['source'], PriceRow[]][] = [
    ['contract', customerErpId ? input.prices.filter((p) => p.customerErpId === customerErpId) : []],
    [
      'priceLevel',
      priceLevel ? input.prices.filter((p) => !p.customerErpId && p.priceLevel === priceLevel) : [],
    ],
  ];
  for (const [source, rows] of sources) {
    const best = bestBreak(rows, input.quantity);
    if (best)
      return { unitPrice: unitPriceText(best.unitPrice, currency), source, minQuantity: best.minQuantity };
  }
  return { unitPrice: unitPriceText(input.basePrice, currency), source: 'base', minQuantity: 1 };
}

/** Credit left for new orders: limit − open balance − this order; null when the customer has no limit. */
export function creditHeadroom(
  creditLimit: string | null,
  balance: string,
  orderTotal = '0',
  currency = PRICE_BOOK_CURRENCY,
): string | null {
  if (creditLimit === null) return null;
  const m = (amount: string) => Money.of(amount, currency, 'halfUp');
  return m(creditLimit).minus(m(balance)).minus(m(orderTotal)).toString();
}

/** The exact line amount: unit price × quantity, rounded once to the currency. */
export function lineTotal(unitPrice: string, quantity: number, currency = PRICE_BOOK_CURRENCY): string {
  return Money.line(unitPrice, quantity, currency).toString();
}

/** Where expected (ERP) prices come from for the order's price check; without one, storefront prices stand. */
export interface PriceBook {
  /** Unit price per ERP SKU for this customer and quantity; SKUs without a known price are omitted. */
  unitPrices(input: {
    customerErpId: string;
    priceLevel: string | null;
    lines: { sku: string; quantity: number }[];
  }): Promise<Record<string, string>>;
}
