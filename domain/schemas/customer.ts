import { z } from 'zod';
import { MoneyText, storeRecord, storefrontEvent } from './formats';
import { Address } from './order';

/** A new B2B customer's application, from customers/create or the registration form. */
export const CustomerApplication = z.object({
  ...storeRecord('customerId'),
  email: z.string().min(3),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  companyName: z.string().optional(),
  taxId: z.string().optional(),
  taxExempt: z.boolean().default(false),
  requestedTerms: z.string().optional(),
  requestedCreditLimit: MoneyText.optional(),
  parentErpCustomerId: z.string().optional(),
  phone: z.string().optional(),
  address: Address.optional(),
  tags: z.array(z.string()).default([]),
});
export type CustomerApplication = z.infer<typeof CustomerApplication>;

export const StorefrontCustomerEvent = storefrontEvent(
  ['customers/create', 'customers/update', 'registration'],
  {
    application: CustomerApplication,
    /** The storefront's `updated_at` of the customer: a late delivery older than the last applied change is skipped. */
    updatedAt: z.string().optional(),
    /** The storefront verified the customer's email address (an ERP customer may be recognised by it). */
    verifiedEmail: z.boolean().optional(),
  },
);
export type StorefrontCustomerEvent = z.infer<typeof StorefrontCustomerEvent>;
