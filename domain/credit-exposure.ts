import { Money } from './money';
import type { OrderLineStatus } from './order-ledger';

/**
 * A customer's credit exposure and headroom, one figure for every place that needs it: the headroom
 * Quayside publishes to the store for checkout, and the order-time credit hold behind it.
 * exposure = ERP open balance + Quayside's open orders the ERP has not invoiced yet (+ a new order),
 * counting only orders on account: one the store was paid for at checkout owes nothing;
 * headroom = ERP credit limit − exposure (null when the account has no limit).
 */
export interface CreditPosition {
  /** The ERP's credit limit; null means no limit. */
  creditLimit: string | null;
  /** The ERP's open balance (receivables). */
  balance: string;
  /** Orders through Quayside on account that are placed but not yet invoiced or cancelled. */
  openOrders: string;
  currency: string;
}

export interface CreditExposure {
  exposure: Money;
  headroom: Money | null;
}

export function creditExposure(position: CreditPosition, orderTotal = '0'): CreditExposure {
  const c = position.currency;
  const m = (a: string) => Money.of(a, c, 'halfUp');
  const exposure = m(position.balance).plus(m(position.openOrders)).plus(m(orderTotal));
  return {
    exposure,
    headroom: position.creditLimit === null ? null : m(position.creditLimit).minus(exposure),
  };
}

/**
 * Store financial statuses of an order the store has been paid for at checkout (by card, say): no
 * money is owed on account for it, so it is no credit exposure. Pending (payment terms), authorized
 * (not captured), partially paid, voided and unknown statuses are all still owed.
 */
const PAID_AT_CHECKOUT = new Set(['paid', 'partially_refunded']);

/** Whether an order is credit the customer takes on account, by the store's financial status. */
export const onAccount = (financialStatus: string | null | undefined) =>
  financialStatus === null || financialStatus === undefined || !PAID_AT_CHECKOUT.has(financialStatus);

/**
 * An open order's part of the exposure: what the store charged for it (`charged`, its total_price
 * with discounts, shipping and tax) in proportion to the goods not yet invoiced or cancelled, so an
 * order nobody has invoiced counts whole. Without `charged`, those goods at their unit prices.
 */
export function uninvoicedValue(
  lines: Pick<OrderLineStatus, 'ordered' | 'cancelled' | 'invoiced' | 'unitPrice'>[],
  currency: string,
  charged?: string | null,
): Money {
  let open = Money.zero(currency);
  let goods = Money.zero(currency);
  for (const l of lines) {
    goods = goods.plus(Money.line(l.unitPrice, l.ordered, currency));
    const left = Math.max(0, l.ordered - l.cancelled - l.invoiced);
    if (left > 0) open = open.plus(Money.line(l.unitPrice, left, currency));
  }
  if (charged === undefined || charged === null || !goods.isPositive()) return open;
  return Money.of(charged, currency, 'halfUp').share(open.minor, goods.minor);
}

/**
 * What of an order on account is still open, exactly as the ERP bills it: the store total
 * (`charged`) less the totals of its invoices so far (the ERP puts the whole shipping cost on the
 * first invoice and spreads discount and tax per invoice, so the invoices' own totals are what moved
 * into the ERP balance), less the cancelled lines' share: their goods with their part (in
 * proportion to the goods) of the order's discount and tax, that is of `charged` − goods −
 * `shipping`. Never below zero.
 */
export function exactOpenValue(
  order: {
    lines: Pick<OrderLineStatus, 'ordered' | 'cancelled' | 'unitPrice'>[];
    charged: Money;
    shipping: Money;
    invoiced: readonly Money[];
  },
  currency: string,
): Money {
  let goods = Money.zero(currency);
  let cancelled = Money.zero(currency);
  for (const l of order.lines) {
    goods = goods.plus(Money.line(l.unitPrice, l.ordered, currency));
    if (l.cancelled > 0) cancelled = cancelled.plus(Money.line(l.unitPrice, l.cancelled, currency));
  }
  const discountAndTax = order.charged.minus(goods).minus(order.shipping);
  const cancelledShare = goods.isPositive()
    ? cancelled.plus(discountAndTax.share(cancelled.minor, goods.minor))
    : cancelled;
  const open = order.charged.minus(Money.sum(order.invoiced, currency)).minus(cancelledShare);
  return open.isNegative() ? Money.zero(currency) : open;
}

/**
 * An open order's credit exposure: nothing for an order paid at checkout; else, when the read model
 * holds its invoices' totals and its shipping (`invoiced`, `shipping`, minor units), the exact open
 * value (`exactOpenValue`); an order recorded before it held them counts its uninvoiced value
 * (`uninvoicedValue`, pro rata). The read model stores this figure with each row it writes
 * (`orders.open_minor`, db/orders.ts): a change here that moves the figure of an order already
 * written needs a migration that clears that column, so those rows are counted from their lines.
 */
export function openOrderExposure(
  order: {
    financialStatus: string | null | undefined;
    lines: Pick<OrderLineStatus, 'ordered' | 'cancelled' | 'invoiced' | 'unitPrice'>[];
    charged?: string | null;
    invoicedMinor?: string | null;
    shippingMinor?: string | null;
  },
  currency: string,
): Money {
  if (!onAccount(order.financialStatus)) return Money.zero(currency);
  const { charged, invoicedMinor, shippingMinor } = order;
  if (
    charged === undefined ||
    charged === null ||
    invoicedMinor === undefined ||
    invoicedMinor === null ||
    shippingMinor === undefined ||
    shippingMinor === null
  )
    return uninvoicedValue(order.lines, currency, charged);
  return exactOpenValue(
    {
      lines: order.lines,
      charged: Money.of(charged, currency, 'halfUp'),
      shipping: Money.ofMinor(BigInt(shippingMinor), currency),
      invoiced: [Money.ofMinor(BigInt(invoicedMinor), currency)],
    },
    currency,
  );
}

/** What a buyer may still order on account: the headroom, never below zero; null without a limit. */
export function availableCredit(position: CreditPosition): Money | null {
  const { headroom } = creditExposure(position);
  if (headroom === null) return null;
  return headroom.isNegative() ? Money.zero(position.currency) : headroom;
}

/** The value of a Shopify `money` metafield. */
export const moneyMetafieldValue = (amount: Money) =>
  JSON.stringify({ amount: amount.toString(), currency_code: amount.currency });
