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
 * An open order's credit exposure: nothing for an order paid at checkout, else its uninvoiced value
 * (`uninvoicedValue`).
 */
export function openOrderExposure(
  order: {
    financialStatus: string | null | undefined;
    lines: Pick<OrderLineStatus, 'ordered' | 'cancelled' | 'invoiced' | 'unitPrice'>[];
    charged?: string | null;
  },
  currency: string,
): Money {
  if (!onAccount(order.financialStatus)) return Money.zero(currency);
  return uninvoicedValue(order.lines, currency, order.charged);
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
