import { creditExposure } from './credit-exposure';
import { Money } from './money';
import type { BusinessRules } from './rules';

export interface CreditAccount {
  /** The ERP's credit limit; null means the account has no limit. */
  creditLimit: string | null;
  /** Open balance (receivables) on the ERP account. */
  balance: string;
  /**
   * Quayside's other open orders the ERP has not invoiced yet. Absent in accounts read before it
   * was counted (older workflow histories), which means none.
   */
  openOrders?: string;
  /** True when the customer has no earlier order through Quayside or the ERP. */
  firstOrder: boolean;
}

export type CreditAssessment =
  | { outcome: 'clear'; exposure: string; headroom: string | null }
  | { outcome: 'creditHold'; exposure: string; headroom: string; overBy: string; reason: string }
  | { outcome: 'firstOrder'; exposure: string; headroom: string | null; reason: string };

/**
 * Credit check: the exposure the store's headroom uses (open balance + Quayside's other open
 * orders + this order, `creditExposure`) against the limit plus the configured allowance, then the
 * first-order rule for new customers. `headroom` is what was left before this order. An order paid
 * at checkout (`paidAtCheckout`) takes no credit: it adds nothing to the exposure and is never held
 * for credit, though a large first order still needs an approver. Pure, so the workflow can run it
 * on snapshotted rules.
 */
export function assessCredit(
  account: CreditAccount,
  orderTotal: string,
  rules: BusinessRules,
  currency: string,
  opts: { paidAtCheckout?: boolean } = {},
): CreditAssessment {
  const m = (amount: string) => Money.of(amount, currency, 'halfUp');
  const position = {
    creditLimit: account.creditLimit,
    balance: account.balance,
    openOrders: account.openOrders ?? '0',
    currency,
  };
  const before = creditExposure(position);
  const paid = opts.paidAtCheckout === true;
  const { exposure: exposureMoney } = paid ? before : creditExposure(position, orderTotal);
  const exposure = exposureMoney.toString();
  const headroom = before.headroom === null ? null : before.headroom.toString();
  const total = m(orderTotal);
  if (!paid && rules.credit.checkEnabled && account.creditLimit !== null) {
    const limit = m(account.creditLimit);
    const allowed = limit.plus(m(rules.credit.overLimitAllowance));
    if (exposureMoney.greaterThan(allowed)) {
      const overBy = exposureMoney.minus(limit).toString();
      const open = m(position.openOrders);
      const others = open.isZero() ? '' : ` plus open orders not yet invoiced ${open.toString()}`;
      const figures = `open balance ${account.balance}${others} plus this order ${orderTotal}`;
      return {
        outcome: 'creditHold',
        exposure,
        headroom: headroom ?? Money.zero(currency).toString(),
        overBy,
        reason: `Credit hold: ${figures} is ${exposure}, over the credit limit ${account.creditLimit} by ${overBy}.`,
      };
    }
  }
  if (account.firstOrder && total.greaterThan(m(rules.firstOrder.approvalAmount))) {
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

/**
 * Lines whose storefront unit price is more than `tolerancePercent` away from the ERP's. The
 * comparison is exact (integer arithmetic on the unit prices); only the reported percentage is
 * rounded, to two decimals.
 */
export function findPriceMismatches(
  lines: { lineId: string; sku: string; unitPrice: string }[],
  expected: Record<string, string>,
  tolerancePercent: number,
  currency: string,
): PriceMismatch[] {
  // The tolerance in ten-thousandths of a percent, so "0.5" and "2" compare exactly with integers.
  const tolerance = BigInt(Math.round(tolerancePercent * 10_000));
  const out: PriceMismatch[] = [];
  for (const line of lines) {
    const erpPrice = expected[line.sku];
    if (erpPrice === undefined) continue;
    // Unit prices may be finer than the currency; one unit each, unrounded to four decimals.
    const erp = Money.line(erpPrice, 10_000, currency).minor;
    const shop = Money.line(line.unitPrice, 10_000, currency).minor;
    const gap = shop > erp ? shop - erp : erp - shop;
    const over = erp === 0n ? gap > 0n : gap * 100n * 10_000n > tolerance * erp;
    if (over) {
      out.push({
        lineId: line.lineId,
        sku: line.sku,
        storefrontPrice: line.unitPrice,
        erpPrice,
        // Hundredths of a percent, half up: the figure shown to the approver.
        differencePercent: erp === 0n ? 100 : Number((gap * 10_000n * 2n + erp) / (2n * erp)) / 100,
      });
    }
  }
  return out;
}
