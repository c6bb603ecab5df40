import { z } from 'zod';
import { DurationText, MoneyText } from './formats';

/** New-customer approval rules, configured per store and snapshotted by each approval workflow. */
export const CustomerApprovalPolicy = z.object({
  /** A reminder to the approvers when an application waits this long. */
  reminderAfter: DurationText.default('1 day'),
  /** Escalation (next approval level, operator alert) when it waits this long. */
  escalateAfter: DurationText.default('3 days'),
  /** An application nobody decides within this time is closed as expired. */
  decisionTimeout: DurationText.default('30 days'),
  /** How long the applicant has to answer a request for more information. */
  infoTimeout: DurationText.default('14 days'),
  defaultTerms: z.string().default('Net 30'),
  defaultPriceLevel: z.string().default('Wholesale'),
  /** Credit limit an approval grants when neither the applicant nor the approver names one. */
  defaultCreditLimit: MoneyText.default('5000.00'),
  /** Storefront price list (catalog) per ERP price level; the level's own name when absent. */
  priceLists: z.record(z.string(), z.string()).default({}),
});
export type CustomerApprovalPolicy = z.infer<typeof CustomerApprovalPolicy>;
export const DEFAULT_CUSTOMER_POLICY: CustomerApprovalPolicy = CustomerApprovalPolicy.parse({});
