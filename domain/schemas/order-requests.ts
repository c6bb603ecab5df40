import { z } from 'zod';
import { OrderField } from './order';

/** An operator's fix for a parked order (the `fix` Update); `by` names who made it, for the audit. */
const by = z.string().min(1).max(200).optional();
export const OrderFix = z.union([
  z.object({ sku: z.string().min(1).max(200), erpSku: z.string().min(1).max(200), by }).strict(),
  z
    .object({ customerId: z.string().min(1).max(200), erpCustomerId: z.string().min(1).max(200), by })
    .strict(),
  z.object({ field: OrderField, value: z.string().max(500), by }).strict(),
  z.object({ acknowledge: z.literal(true), note: z.string().max(2000).optional(), by }).strict(),
]);
export type OrderFix = z.infer<typeof OrderFix>;
/** The `cancel` Update: the whole order (or only the named lines), by an operator or the buyer. */
export const CancelRequest = z
  .object({
    reason: z.string().min(1).max(2000),
    by: z.enum(['operator', 'buyer']).default('operator'),
    lines: z
      .array(z.object({ lineId: z.string().min(1).max(200) }).strict())
      .min(1)
      .optional(),
  })
  .strict();
export type CancelRequest = z.infer<typeof CancelRequest>;
