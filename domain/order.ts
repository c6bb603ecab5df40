import { Money } from './money';
import type { CanonicalOrder } from './schemas/order';

/** The order's types; their zod schemas (the webhook ingress validates with them) are in schemas/order.ts. */
export type { Address, CanonicalOrder, OrderField, OrderLine, StorefrontOrderEvent } from './schemas/order';

const PAID = new Set(['paid', 'partially_paid', 'partially_refunded']);
/** Whether the storefront has captured money for the order (so a cancellation refunds it). */
export const isPaidStatus = (financialStatus: string | undefined) =>
  financialStatus !== undefined && PAID.has(financialStatus);

export const ORDER_EVENT_SIGNAL = 'storefrontOrderEvent';

/** The order's goods: the sum of exact line amounts (unit price × quantity, rounded once per line). */
export function orderTotal(order: Pick<CanonicalOrder, 'lines' | 'currency'>): string {
  return Money.sum(
    order.lines.map((l) => Money.line(l.unitPrice, l.quantity, order.currency)),
    order.currency,
  ).toString();
}

/**
 * What the store charged for the order: its total_price when the store sent one, else the goods.
 * The order's status, read model, credit check and approvals use this figure.
 */
export function chargedTotal(order: Pick<CanonicalOrder, 'lines' | 'currency' | 'totals'>): string {
  if (order.totals?.total === undefined) return orderTotal(order);
  return Money.of(order.totals.total, order.currency, 'halfUp').toString();
}

/** An order's money as the ERP sales order carries it: goods, one discount, shipping and tax. */
export interface OrderMoney {
  subtotal: Money;
  /** Positive: what is taken off the goods (line allocations and order-level discounts). */
  discount: Money;
  shipping: Money;
  tax: Money;
  total: Money;
}

/**
 * The order's money the ERP is given. The discount is the store's total_discounts when it sent one
 * (it includes order-level discounts that no line carries), else the lines' allocations; shipping
 * is each shipping line's price less its own discounts; a tax-exempt order carries no tax.
 */
export function orderMoney(order: CanonicalOrder): OrderMoney {
  const c = order.currency;
  const m = (a: string | undefined) => (a === undefined ? Money.zero(c) : Money.of(a, c, 'halfUp'));
  const subtotal = Money.of(orderTotal(order), c);
  const shippingLines = order.shippingLines ?? [];
  const shippingDiscount = Money.sum(
    shippingLines.map((s) => m(s.discount)),
    c,
  );
  const lineDiscount = Money.sum(
    order.lines.map((l) => m(l.discount)),
    c,
  );
  const discount =
    order.totals !== undefined
      ? m(order.totals.discounts).minus(shippingDiscount).max(lineDiscount)
      : lineDiscount;
  const shipping = Money.sum(
    shippingLines.map((s) => m(s.price).minus(m(s.discount))),
    c,
  );
  const tax = order.taxExempt
    ? Money.zero(c)
    : Money.sum(
        (order.taxLines ?? []).map((t) => m(t.amount)),
        c,
      );
  return { subtotal, discount, shipping, tax, total: subtotal.minus(discount).plus(shipping).plus(tax) };
}
