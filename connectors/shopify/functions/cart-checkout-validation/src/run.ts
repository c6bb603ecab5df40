/**
 * Cart and checkout validation: a B2B buyer's cart may not cost more than its company location's
 * credit headroom (the ERP credit limit less the open balance and the orders not yet invoiced), which
 * Quayside publishes as the location's `quayside.credit_headroom` money metafield. Self-contained (a
 * Function is compiled on its own to WebAssembly): exact decimal arithmetic on minor units, no floats.
 */

/** The input `run.graphql` asks for (the shape `shopify app function typegen` generates). */
export interface RunInput {
  cart: {
    cost: { totalAmount: { amount: string; currencyCode: string } };
    buyerIdentity?: {
      purchasingCompany?: {
        company?: { name: string } | null;
        location?: { id: string; creditHeadroom?: { value: string } | null } | null;
      } | null;
    } | null;
  };
}

export interface FunctionError {
  localizedMessage: string;
  target: string;
}

export interface FunctionRunResult {
  errors: FunctionError[];
}

/** A `money` metafield's value: `{"amount":"5.99","currency_code":"USD"}`. */
export function parseMoneyMetafield(value: string): { amount: string; currencyCode: string } | null {
  try {
    const v = JSON.parse(value) as { amount?: unknown; currency_code?: unknown };
    if (typeof v.amount !== 'string' || typeof v.currency_code !== 'string') return null;
    if (!/^-?\d+(\.\d+)?$/.test(v.amount)) return null;
    return { amount: v.amount, currencyCode: v.currency_code.toUpperCase() };
  } catch {
    return null;
  }
}

/** -1, 0 or 1 for two decimal strings, exactly. */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 {
  const scale = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const units = (s: string) => {
    const negative = s.startsWith('-');
    const [whole = '0', frac = ''] = s.replace('-', '').split('.');
    const n = BigInt(whole + frac.padEnd(scale, '0'));
    return negative ? -n : n;
  };
  const x = units(a);
  const y = units(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** "1250.5" → "1,250.50 USD" for the buyer. */
export function formatAmount(amount: string, currencyCode: string): string {
  const negative = amount.startsWith('-');
  const [whole = '0', frac] = amount.replace('-', '').split('.');
  const grouped = whole.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const decimals = frac === undefined ? '' : `.${frac.padEnd(2, '0')}`;
  return `${negative ? '-' : ''}${grouped}${decimals} ${currencyCode}`;
}

/** The message that blocks checkout; it names the cart's total and the credit available. */
export function overCreditMessage(total: string, headroom: string, currencyCode: string): string {
  return `This order totals ${formatAmount(total, currencyCode)}, more than your company's available credit of ${formatAmount(headroom, currencyCode)}. Remove items or contact your account manager.`;
}

export function run(input: RunInput): FunctionRunResult {
  const location = input.cart.buyerIdentity?.purchasingCompany?.location;
  const raw = location?.creditHeadroom?.value;
  // Not a B2B buyer, or a location without a credit limit: nothing to check.
  if (!raw) return { errors: [] };
  const total = input.cart.cost.totalAmount;
  const headroom = parseMoneyMetafield(raw);
  if (!headroom)
    return {
      errors: [
        {
          localizedMessage:
            'Your available credit could not be read, so this order cannot be placed on account. Contact your account manager.',
          target: '$.cart',
        },
      ],
    };
  if (headroom.currencyCode !== total.currencyCode.toUpperCase())
    return {
      errors: [
        {
          localizedMessage: `Your credit is kept in ${headroom.currencyCode}; this cart is in ${total.currencyCode}. Contact your account manager.`,
          target: '$.cart',
        },
      ],
    };
  if (compareDecimal(total.amount, headroom.amount) > 0)
    return {
      errors: [
        {
          localizedMessage: overCreditMessage(total.amount, headroom.amount, headroom.currencyCode),
          target: '$.cart',
        },
      ],
    };
  return { errors: [] };
}
