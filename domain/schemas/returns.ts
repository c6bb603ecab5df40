import { z } from 'zod';
import { StorefrontDelivery, storeRecord, storefrontEvent } from './formats';

/** A buyer's return request, from returns/request or the API. */
export const ReturnRequest = z.object({
  ...storeRecord('returnId'),
  orderId: z.string().min(1),
  customerId: z.string().optional(),
  requestedAt: z.string(),
  lines: z
    .array(
      z.object({
        /** The storefront order line the returned goods came from. */
        lineId: z.string().min(1),
        sku: z.string().optional(),
        quantity: z.number().int().positive(),
        reason: z.string().optional(),
        customerNote: z.string().optional(),
      }),
    )
    .min(1),
});
export type ReturnRequest = z.infer<typeof ReturnRequest>;

export const StorefrontReturnEvent = storefrontEvent(['returns/request', 'api'], {
  /** From returns/request the lines may be empty, as Shopify sends them: the process reads them from the store. */
  request: ReturnRequest.extend({ lines: ReturnRequest.shape.lines.element.array() }),
});
export type StorefrontReturnEvent = z.infer<typeof StorefrontReturnEvent>;

/** refunds/create: a refund made on the storefront, signalled into the order workflow for its ledger. */
export const StorefrontRefundEvent = z.object({
  ...StorefrontDelivery,
  store: z.string(),
  orderId: z.string(),
  refundId: z.string(),
  amount: z.string(),
  currency: z.string().optional(),
  lines: z.array(z.object({ lineId: z.string(), quantity: z.number().int().nonnegative() })),
});
export type StorefrontRefundEvent = z.infer<typeof StorefrontRefundEvent>;
