import { z } from 'zod';

import { Money, MoneyText } from './money';

export const Address = z.object({
  name: z.string().nullish(),
  company: z.string().nullish(),
  address1: z.string().nullish(),
  address2: z.string().nullish(),
  city: z.string().nullish(),
  province: z.string().nullish(),
  zip: z.string().nullish(),
  country: z.string().nullish(),
  phone: z.string().nullish(),
});
export type Address = z.infer<typeof Address>;

export const OrderLine = z.object({
  /** The storefront's line item id (a decimal string). */
  lineId: z.string().min(1),
  /** The storefront SKU; mapped to the ERP's item through the mapping tables. */
  sku: z.string().min(1),
  title: z.string().optional(),
  quantity: z.number().int().positive(),
  unitPrice: MoneyText,
  /** The line's share of discounts (Shopify's discount_allocations), in the order's currency. */
  discount: MoneyText.optional(),
  taxable: z.boolean().optional(),
});
export type OrderLine = z.infer<typeof OrderLine>;

/** The fields of a storefront order an operator may correct (a parked order's `fix`). */
export const OrderField = z.enum([
  'poNumber',
  'projectCode',
  'note',
  'shippingAddress.name',
  'shippingAddress.company',
  'shippingAddress.address1',
  'shippingAddress.address2',
  'shippingAddress.city',
  'shippingAddress.province',
  'shippingAddress.zip',
  'shippingAddress.country',
  'shippingAddress.phone',
]);
export type OrderField = z.infer<typeof OrderField>;

const PAID = new Set(['paid', 'partially_paid', 'partially_refunded']);
/** Whether the storefront has captured money for the order (so a cancellation refunds it). */
export const isPaidStatus = (financialStatus: string | undefined) =>
  financialStatus !== undefined && PAID.has(financialStatus);

/** A storefront order in Quayside's own words. */
export const CanonicalOrder = z.object({
  store: z.string().min(1),
  orderId: z.string().min(1),
  orderNumber: z.string().min(1),
  customerId: z.string().min(1),
  email: z.string().optional(),
  poNumber: z.string().optional(),
  projectCode: z.string().optional(),
  companyLocationId: z.string().optional(),
  currency: z.string().length(3),
  lines: z.array(OrderLine).min(1),
  shippingAddress: Address.optional(),
  tags: z.array(z.string()).default([]),
  note: z.string().optional(),
  financialStatus: z.string().optional(),
  /** The payment gateway (authorize_net, shopify_payments, manual …) when the store names one. */
  gateway: z.string().optional(),
  discountCodes: z
    .array(z.object({ code: z.string(), amount: MoneyText, type: z.string().optional() }))
    .optional(),
  shippingLines: z
    .array(
      z.object({
        /** The shipping rate's code (what the shipping-method map translates), else its title. */
        code: z.string(),
        title: z.string().optional(),
        price: MoneyText,
        /** Discounts allocated to this shipping line. */
        discount: MoneyText.optional(),
      }),
    )
    .optional(),
  taxLines: z.array(z.object({ title: z.string(), rate: z.string(), amount: MoneyText })).optional(),
  /** True when the order or its customer is tax exempt. */
  taxExempt: z.boolean().optional(),
  taxesIncluded: z.boolean().optional(),
  /** The store's own figures, which the ERP order must match to the cent. */
  totals: z
    .object({
      subtotal: MoneyText.optional(),
      discounts: MoneyText,
      shipping: MoneyText.optional(),
      tax: MoneyText,
      total: MoneyText,
    })
    .optional(),
  /** The storefront's updated_at, used to ignore stale (late, retried) deliveries. */
  updatedAt: z.string().optional(),
});
export type CanonicalOrder = z.infer<typeof CanonicalOrder>;

/**
 * What the webhook ingress signals into the order workflow (signal-with-start, workflow id
 * `order:<store>:<orderId>`). The workflow takes `{ store, orderId }` as its input and buffers these
 * events, so orders/updated arriving before orders/create never starts a second process.
 */
export const StorefrontOrderEvent = z.object({
  topic: z.enum(['orders/create', 'orders/updated', 'orders/cancelled']),
  /** X-Shopify-Event-Id (or Webhook-Id): the workflow ignores an event it has already seen. */
  eventId: z.string().min(1),
  triggeredAt: z.string(),
  order: CanonicalOrder,
  cancelReason: z.string().optional(),
});
export type StorefrontOrderEvent = z.infer<typeof StorefrontOrderEvent>;
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
