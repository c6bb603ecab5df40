import { z } from 'zod';
import { nullableTexts } from '../../../domain/schemas/formats';
import { Address } from '../../../domain/schemas/order';

/**
 * Zod schemas of the parts of Shopify's REST webhook bodies Quayside reads. Unknown fields are allowed
 * (Shopify adds fields in every version); the fields used must be present and well-typed.
 * Bodies are parsed with `parseShopifyJson`, so big ids arrive as bigint and are kept as exact strings.
 */

/** A Shopify numeric id in any of its JSON forms, as its exact decimal string. */
export const ShopifyId = z
  .union([
    z.bigint().nonnegative(),
    z.number().int().nonnegative(),
    z.string().regex(/^\d+$/, 'a numeric id'),
  ])
  .transform((v) => String(v));

/** `gid://shopify/Order/123` */
export const ShopifyGid = z
  .string()
  .regex(/^gid:\/\/shopify\/[A-Za-z]+\/\d+$/, 'a gid://shopify/<Type>/<id> id');

export const MoneyString = z.string().regex(/^-?\d+(\.\d{1,4})?$/, 'a decimal amount such as "89.99"');

/** Shopify's address: Quayside's address fields plus the split name and the ISO codes. */
const ShopifyAddress = Address.extend(
  nullableTexts('first_name', 'last_name', 'province_code', 'country_code'),
);
export type ShopifyAddress = z.infer<typeof ShopifyAddress>;

export const ShopifyLineItem = z.object({
  id: ShopifyId,
  sku: z.string().nullish(),
  title: z.string().nullish(),
  name: z.string().nullish(),
  quantity: z.number().int().nonnegative(),
  price: MoneyString,
  variant_id: ShopifyId.nullish(),
  product_id: ShopifyId.nullish(),
  taxable: z.boolean().nullish(),
  total_discount: MoneyString.nullish(),
  discount_allocations: z.array(z.object({ amount: MoneyString })).nullish(),
  tax_lines: z.array(z.object({ title: z.string(), price: MoneyString, rate: z.number() })).nullish(),
});

const ShopifyShippingLine = z.object({
  code: z.string().nullish(),
  title: z.string().nullish(),
  price: MoneyString,
  discount_allocations: z.array(z.object({ amount: MoneyString })).nullish(),
});

export const ShopifyOrder = z.object({
  id: ShopifyId,
  admin_graphql_api_id: ShopifyGid.optional(),
  name: z.string().min(1),
  email: z.string().nullish(),
  contact_email: z.string().nullish(),
  currency: z.string().length(3),
  po_number: z.string().nullish(),
  note: z.string().nullish(),
  note_attributes: z.array(z.object({ name: z.string(), value: z.unknown() })).nullish(),
  tags: z.string().nullish(),
  financial_status: z.string().nullish(),
  gateway: z.string().nullish(),
  payment_gateway_names: z.array(z.string()).nullish(),
  discount_codes: z
    .array(z.object({ code: z.string(), amount: MoneyString, type: z.string().nullish() }))
    .nullish(),
  shipping_lines: z.array(ShopifyShippingLine).nullish(),
  tax_lines: z.array(z.object({ title: z.string(), price: MoneyString, rate: z.number() })).nullish(),
  tax_exempt: z.boolean().nullish(),
  taxes_included: z.boolean().nullish(),
  subtotal_price: MoneyString.nullish(),
  total_discounts: MoneyString.nullish(),
  total_tax: MoneyString.nullish(),
  total_price: MoneyString.nullish(),
  total_shipping_price_set: z
    .object({ shop_money: z.object({ amount: MoneyString, currency_code: z.string() }) })
    .nullish(),
  cancel_reason: z.string().nullish(),
  cancelled_at: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().min(1),
  customer: z
    .object({ id: ShopifyId, email: z.string().nullish(), tax_exempt: z.boolean().nullish() })
    .nullish(),
  company: z.object({ id: ShopifyId, location_id: ShopifyId.nullish() }).nullish(),
  line_items: z.array(ShopifyLineItem),
  shipping_address: ShopifyAddress.nullish(),
});
export type ShopifyOrder = z.infer<typeof ShopifyOrder>;

export const ShopifyCustomer = z.object({
  id: ShopifyId,
  admin_graphql_api_id: ShopifyGid.optional(),
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  note: z.string().nullish(),
  tags: z.string().nullish(),
  phone: z.string().nullish(),
  verified_email: z.boolean().nullish(),
  tax_exempt: z.boolean().nullish(),
  tax_exemptions: z.array(z.string()).nullish(),
  updated_at: z.string().nullish(),
  default_address: ShopifyAddress.nullish(),
});
export type ShopifyCustomer = z.infer<typeof ShopifyCustomer>;

const ReturnLineItem = z.object({
  id: ShopifyId,
  quantity: z.number().int().nonnegative(),
  return_reason: z.string().nullish(),
  return_reason_note: z.string().nullish(),
  customer_note: z.string().nullish(),
  line_item: z.object({ id: ShopifyId, sku: z.string().nullish() }).nullish(),
  fulfillment_line_item: z
    .object({ id: ShopifyId, line_item: z.object({ id: ShopifyId, sku: z.string().nullish() }).nullish() })
    .nullish(),
});

export const ShopifyReturn = z.object({
  id: ShopifyId,
  admin_graphql_api_id: ShopifyGid.optional(),
  status: z.string(),
  order: z.object({ id: ShopifyId }),
  customer: z.object({ id: ShopifyId }).nullish(),
  total_return_line_items: z.number().int().nullish(),
  return_line_items: z.array(ReturnLineItem),
  created_at: z.string().nullish(),
});
export type ShopifyReturn = z.infer<typeof ShopifyReturn>;

export const ShopifyRefund = z.object({
  id: ShopifyId,
  admin_graphql_api_id: ShopifyGid.optional(),
  order_id: ShopifyId,
  created_at: z.string().nullish(),
  note: z.string().nullish(),
  refund_line_items: z.array(
    z.object({
      line_item_id: ShopifyId,
      quantity: z.number().int().nonnegative(),
      subtotal_set: z
        .object({ shop_money: z.object({ amount: MoneyString, currency_code: z.string() }) })
        .nullish(),
    }),
  ),
  transactions: z.array(
    z.object({
      kind: z.string(),
      status: z.string().nullish(),
      amount: MoneyString,
      currency: z.string().nullish(),
    }),
  ),
});
export type ShopifyRefund = z.infer<typeof ShopifyRefund>;
