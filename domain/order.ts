import { z } from 'zod';

/** Money travels as a decimal string so no cents are lost between systems. */
export const Money = z.string().regex(/^-?\d+(\.\d{1,4})?$/, 'a decimal amount such as "89.99"');

export const OrderLine = z.object({
  lineId: z.string().min(1),
  sku: z.string().min(1),
  quantity: z.number().int().positive(),
  unitPrice: Money,
});
export type OrderLine = z.infer<typeof OrderLine>;

export const CanonicalOrder = z.object({
  store: z.string().min(1),
  orderId: z.string().min(1),
  orderNumber: z.string().min(1),
  customerId: z.string().min(1),
  poNumber: z.string().optional(),
  currency: z.string().length(3),
  lines: z.array(OrderLine).min(1),
});
export type CanonicalOrder = z.infer<typeof CanonicalOrder>;

export function orderTotal(order: Pick<CanonicalOrder, 'lines'>): string {
  const cents = order.lines.reduce((sum, l) => sum + Math.round(Number(l.unitPrice) * 100) * l.quantity, 0);
  return (cents / 100).toFixed(2);
}
