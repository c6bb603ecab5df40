import { z } from 'zod';
import { MoneyText, nullableTexts, storeRecord, storefrontEvent } from './formats';

export const Address = z.object(
  nullableTexts('name', 'company', 'address1', 'address2', 'city', 'province', 'zip', 'country', 'phone'),
);
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

/** The fields of a storefront order an operator may correct (a parked order's `fix`): every shipping-address field among them. */
export const OrderField = z.enum([
  'poNumber',
  'projectCode',
  'note',
  ...Address.keyof().options.map((k) => `shippingAddress.${k}` as const),
]);
export type OrderField = z.infer<typeof OrderField>;
/** A storefront order in Quayside's own words. */
export const CanonicalOrder = z.object({
  ...storeRecord('orderId'),
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
export const StorefrontOrderEvent = storefrontEvent(['orders/create', 'orders/updated', 'orders/cancelled'], {
  order: CanonicalOrder,
  cancelReason: z.string().optional(),
});
export type StorefrontOrderEvent = z.infer<typeof StorefrontOrderEvent>;
