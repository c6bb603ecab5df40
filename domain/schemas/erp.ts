import { z } from 'zod';
import { MoneyText } from './formats';

/** An ERP customer as the connector reads it. */
export const ErpCustomer = z.object({
  erpId: z.string(),
  externalId: z.string().nullable(),
  companyName: z.string(),
  email: z.string().nullable(),
  creditLimit: MoneyText.nullable(),
  balance: MoneyText,
  terms: z.string().nullable(),
  priceLevel: z.string().nullable(),
  taxExempt: z.boolean(),
  /** The customer's tax registration / resale number (NetSuite `resaleNumber`), when the ERP reads it. */
  taxId: z.string().nullable().optional(),
  parentErpId: z.string().nullable(),
  lastModified: z.string(),
});
export type ErpCustomer = z.infer<typeof ErpCustomer>;
