import { Money } from '../../domain/money';

/**
 * An order's money as Shopify's checkout computes it: the discount code's amount (a fixed amount, at
 * most the goods, or a percentage of the goods) allocated over the lines in proportion to their
 * amounts with the last line taking the rounding remainder; shipping at the chosen rates' prices; and
 * tax on each line's discounted amount at the ship-to rate, rounded half up per line (shipping is not
 * taxed; a tax-exempt customer pays none). Total = goods − discount + shipping + tax.
 */

export interface DiscountCodeInput {
  code: string;
  type: 'fixed_amount' | 'percentage';
  /** The amount off (fixed_amount) or the percentage off ("10" is 10 %). */
  value: string;
}

export interface CheckoutMoney {
  lines: { amount: Money; discount: Money; tax: Money }[];
  goods: Money;
  discount: Money;
  shipping: Money;
  tax: Money;
  total: Money;
}

/** `rate` (a decimal fraction such as "0.0625") of the amount, rounded half up. */
export function taxOf(amount: Money, rate: string): Money {
  const [whole = '0', frac = ''] = rate.split('.');
  return amount.share(BigInt(whole + frac), 10n ** BigInt(frac.length));
}

export function checkoutMoney(input: {
  currency: string;
  lines: { price: string; quantity: number }[];
  discount?: DiscountCodeInput;
  shipping: { price: string }[];
  taxRate?: string;
  taxExempt: boolean;
}): CheckoutMoney {
  const c = input.currency;
  const amounts = input.lines.map((l) => Money.of(l.price, c, 'halfUp').times(l.quantity));
  const goods = Money.sum(amounts, c);
  const d = input.discount;
  const discount = !d
    ? Money.zero(c)
    : d.type === 'percentage'
      ? goods.percent(d.value).min(goods)
      : Money.of(d.value, c, 'halfUp').min(goods);
  let allocated = Money.zero(c);
  const lines = amounts.map((amount, i) => {
    const share =
      i === amounts.length - 1
        ? discount.minus(allocated)
        : goods.isZero()
          ? Money.zero(c)
          : discount.share(amount.minor, goods.minor);
    allocated = allocated.plus(share);
    const tax = input.taxExempt || !input.taxRate ? Money.zero(c) : taxOf(amount.minus(share), input.taxRate);
    return { amount, discount: share, tax };
  });
  const shipping = Money.sum(
    input.shipping.map((s) => Money.of(s.price, c, 'halfUp')),
    c,
  );
  const tax = Money.sum(
    lines.map((l) => l.tax),
    c,
  );
  return { lines, goods, discount, shipping, tax, total: goods.minus(discount).plus(shipping).plus(tax) };
}
