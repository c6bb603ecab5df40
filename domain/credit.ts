import type { BusinessRules } from './rules';

/** Cents from a decimal money string; amounts here stay well inside the safe-integer range. */
export const toCents = (amount: string): number => Math.round(Number(amount) * 100);
export const fromCents = (cents: number): string => (cents / 100).toFixed(2);

export interface CreditAccount {
  /** The ERP's credit limit; null means the account has no limit. */
  creditLimit: string | null;
  /** Open balance (receivables) on the ERP account. */
  balance: string;
  /** True when the customer has no earlier order through Quayside or the ERP. */
  firstOrder: boolean;
}

export type CreditAssessment =
  | { outcome: 'clear'; exposure: string; headroom: string | null }
  | { outcome: 'creditHold'; exposure: string; headroom: string; overBy: string; reason: string }
  | { outcome: 'firstOrder'; exposure: string; headroom: string | null; reason: string };

/**
 * Credit check: open balance + this order against the limit (plus the configured allowance), then
 * the first-order rule for new customers. Pure, so the workflow can run it on snapshotted rules.
 */
export function assessCredit(
  account: CreditAccount,
  orderTotal: string,
  rules: BusinessRules,
): CreditAssessment {
  const exposureCents = toCents(account.balance) + toCents(orderTotal);
  const exposure = fromCents(exposureCents);
  const headroom =
    account.creditLimit === null ? null : fromCents(toCents(account.creditLimit) - toCents(account.balance));
  if (rules.credit.checkEnabled && account.creditLimit !== null) {
    const allowed = toCents(account.creditLimit) + toCents(rules.credit.overLimitAllowance);
    if (exposureCents > allowed) {
      const overBy = fromCents(exposureCents - toCents(account.creditLimit));
      return {
        outcome: 'creditHold',
        exposure,
        headroom: headroom ?? '0.00',
        overBy,
        reason: `Credit hold: open balance ${account.balance} plus this order ${orderTotal} is ${exposure}, over the credit limit ${account.creditLimit} by ${overBy}.`,
      };
    }
  }
  if (account.firstOrder && toCents(orderTotal) > toCents(rules.firstOrder.approvalAmount)) {
    return {
      outcome: 'firstOrder',
      exposure,
      headroom,
      reason: `First order of a new customer: ${orderTotal} is above the ${rules.firstOrder.approvalAmount} that needs an approver.`,
    };
  }
  return { outcome: 'clear', exposure, headroom };
}

/** A storefront price that differs from the ERP's expected price by more than the tolerance. */
export interface PriceMismatch {
  lineId: string;
  sku: string;
  storefrontPrice: string;
  erpPrice: string;
  differencePercent: number;
}

export function findPriceMismatches(
  lines: { lineId: string; sku: string; unitPrice: string }[],
  expected: Record<string, string>,
  tolerancePercent: number,
): PriceMismatch[] {
  const out: PriceMismatch[] = [];
  for (const line of lines) {
    const erpPrice = expected[line.sku];
    if (erpPrice === undefined) continue;
    const erp = toCents(erpPrice);
    const shop = toCents(line.unitPrice);
    const diff = erp === 0 ? (shop === 0 ? 0 : 100) : (Math.abs(shop - erp) * 100) / erp;
    if (diff > tolerancePercent) {
      out.push({
        lineId: line.lineId,
        sku: line.sku,
        storefrontPrice: line.unitPrice,
        erpPrice,
        differencePercent: Math.round(diff * 100) / 100,
      });
    }
  }
  return out;
}
