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
});
export type OrderLine = z.infer<typeof OrderLine>;

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
