import { z } from 'zod';
import { MoneyText } from './formats';

export const ApprovalKind = z.enum([
  'order.creditHold',
  'order.firstOrder',
  'order.priceMismatch',
  'return',
  'customer',
]);
export type ApprovalKind = z.infer<typeof ApprovalKind>;

export const Decision = z.object({
  outcome: z.enum(['approve', 'reject', 'adjust', 'requestInfo']),
  reason: z.string().max(2000).optional(),
  /** For `adjust` or an approval that sets terms: new credit limit, terms, price level, amount. */
  creditLimit: MoneyText.optional(),
  terms: z.string().optional(),
  priceLevel: z.string().optional(),
  amount: MoneyText.optional(),
});
export type Decision = z.infer<typeof Decision>;
