import type { Decision } from './approvals';
import type { CustomerApplication } from './customer';
import type { CustomerApprovalPolicy } from './schemas/customer-rules';

/** New-customer approval rules; their zod schema and defaults are in schemas/customer-rules.ts. */
export type { CustomerApprovalPolicy } from './schemas/customer-rules';

/** The ERP customer's external id (its idempotency key): one ERP customer per storefront customer. */
export const customerExternalId = (store: string, customerId: string) => `${store}:${customerId}`;

export interface ApprovedAccount {
  creditLimit: string;
  terms: string;
  priceLevel: string;
  priceList: string;
  taxExempt: boolean;
}

/** The account an approval grants: the approver's values, else what the applicant asked for, else the store's defaults. */
export function approvedAccount(
  application: CustomerApplication,
  decision: Pick<Decision, 'creditLimit' | 'terms' | 'priceLevel'>,
  policy: CustomerApprovalPolicy,
): ApprovedAccount {
  const priceLevel = decision.priceLevel ?? policy.defaultPriceLevel;
  return {
    creditLimit: decision.creditLimit ?? application.requestedCreditLimit ?? policy.defaultCreditLimit,
    terms: decision.terms ?? application.requestedTerms ?? policy.defaultTerms,
    priceLevel,
    priceList: policy.priceLists[priceLevel] ?? priceLevel,
    taxExempt: application.taxExempt,
  };
}

export function applicantName(application: CustomerApplication): string {
  const person = [application.firstName, application.lastName].filter(Boolean).join(' ');
  return application.companyName ?? (person || application.email);
}
