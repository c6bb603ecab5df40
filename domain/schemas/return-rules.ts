import { z } from 'zod';
import { DurationText, MoneyText } from './formats';

/** Return rules, configured per store and snapshotted by each return workflow when it starts. */
export const ReturnPolicy = z.object({
  /** Days after delivery (or the order date when delivery is unknown) within which a return may be requested. */
  windowDays: z.number().int().positive().default(30),
  /** Returns whose refund is at most this amount, with no reason that needs review, are approved automatically. */
  autoApproveLimit: MoneyText.default('500.00'),
  /** Reasons that always need an approver (matched case-insensitively). */
  reviewReasons: z.array(z.string()).default(['damaged', 'defective', 'wrong_item']),
  /** Restocking fee on restocked goods, in percent of their price. */
  restockingFeePercent: z.number().min(0).max(100).default(15),
  /** Reasons that are the seller's fault: no restocking fee, full refund even when scrapped. */
  sellerFaultReasons: z.array(z.string()).default(['damaged', 'defective', 'wrong_item']),
  /** Share of the price refunded for goods scrapped at inspection when the buyer is at fault. */
  scrapRefundPercent: z.number().min(0).max(100).default(0),
  nonReturnableSkus: z.array(z.string()).default([]),
  nonReturnableSkuPrefixes: z.array(z.string()).default([]),
  /** How long the goods may take to reach a warehouse before the RMA is closed. */
  receiveTimeout: DurationText.default('30 days'),
  /** How often the ERP is asked whether the goods arrived (an ERP event signal short-cuts the wait). */
  receivePollInterval: DurationText.default('1 hour'),
  /** When to alert operators that received goods still await inspection. */
  inspectionReminderAfter: DurationText.default('2 days'),
  approvalReminderAfter: DurationText.default('1 day'),
  approvalEscalateAfter: DurationText.default('3 days'),
  /** An approval left undecided this long declines the return. */
  approvalTimeout: DurationText.default('14 days'),
});
export type ReturnPolicy = z.infer<typeof ReturnPolicy>;
export const DEFAULT_RETURN_POLICY: ReturnPolicy = ReturnPolicy.parse({});
