import { Money, percentText } from './money';
import type { ReturnRequest } from './returns';
import type { ReturnPolicy } from './schemas/return-rules';

/** Return rules; their zod schema and defaults are in schemas/return-rules.ts. */
export type { ReturnPolicy } from './schemas/return-rules';

/** What the return rules need to know about the original order. */
export interface ReturnOrderFacts {
  orderId: string;
  currency: string;
  orderedAt: string;
  deliveredAt?: string | null;
  /** The ERP sales order's external id, which the return authorization references. */
  salesOrderExternalId: string;
  customerId?: string | null;
  lines: {
    lineId: string;
    sku: string;
    /** The ERP item and sales-order line key the return authorization names (default: the storefront's). */
    erpSku?: string | null;
    erpLineKey?: string | null;
    title?: string;
    /** Price paid per unit, or null when unknown (then an approver sets the refund). */
    unitPrice: string | null;
    quantityShipped: number;
    /** Already returned on earlier returns. */
    quantityReturned: number;
    hazmat: boolean;
    specialOrder: boolean;
  }[];
}

export type IneligibleCode =
  'line.unknown' | 'window.expired' | 'item.nonReturnable' | 'quantity.exceedsShipped';

export interface EligibleLine {
  lineId: string;
  sku: string;
  quantity: number;
  unitPrice: string | null;
  reason: string | null;
}

export interface ReturnAssessment {
  eligible: EligibleLine[];
  ineligible: { lineId: string; quantity: number; code: IneligibleCode; message: string }[];
  /** The refund the eligible lines would get before inspection and fees; null when a price is unknown. */
  requestedAmount: string | null;
  needsApproval: boolean;
  approvalReasons: string[];
}

const lower = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();

/** Pure eligibility: the window, non-returnable items, quantities not above what shipped; then auto-approval. */
export function assessReturn(
  request: ReturnRequest,
  facts: ReturnOrderFacts,
  policy: ReturnPolicy,
): ReturnAssessment {
  const byLine = new Map(facts.lines.map((l) => [l.lineId, l]));
  const requested = new Map<string, { quantity: number; reason: string | null; sku?: string }>();
  for (const line of request.lines) {
    const prev = requested.get(line.lineId);
    requested.set(line.lineId, {
      quantity: (prev?.quantity ?? 0) + line.quantity,
      reason: prev?.reason ?? line.reason ?? null,
      sku: line.sku,
    });
  }

  const since = Date.parse(facts.deliveredAt ?? facts.orderedAt);
  const windowEnds = since + policy.windowDays * 86_400_000;
  const outsideWindow = Date.parse(request.requestedAt) > windowEnds;

  const assessment: ReturnAssessment = {
    eligible: [],
    ineligible: [],
    requestedAmount: null,
    needsApproval: false,
    approvalReasons: [],
  };
  for (const [lineId, want] of requested) {
    const line = byLine.get(lineId);
    if (!line) {
      assessment.ineligible.push({
        lineId,
        quantity: want.quantity,
        code: 'line.unknown',
        message: `Line ${lineId} is not on order ${facts.orderId}.`,
      });
      continue;
    }
    if (outsideWindow) {
      assessment.ineligible.push({
        lineId,
        quantity: want.quantity,
        code: 'window.expired',
        message: `The ${policy.windowDays}-day return window ended ${new Date(windowEnds).toISOString().slice(0, 10)}.`,
      });
      continue;
    }
    const blockedSku =
      policy.nonReturnableSkus.includes(line.sku) ||
      policy.nonReturnableSkuPrefixes.some((p) => line.sku.startsWith(p));
    if (line.hazmat || line.specialOrder || blockedSku) {
      const what = line.hazmat
        ? 'a hazardous-materials item'
        : line.specialOrder
          ? 'a special-order item'
          : 'not returnable';
      assessment.ineligible.push({
        lineId,
        quantity: want.quantity,
        code: 'item.nonReturnable',
        message: `${line.sku} is ${what}.`,
      });
      continue;
    }
    const returnable = line.quantityShipped - line.quantityReturned;
    if (want.quantity > returnable) {
      assessment.ineligible.push({
        lineId,
        quantity: want.quantity,
        code: 'quantity.exceedsShipped',
        message: `${want.quantity} × ${line.sku} requested but only ${Math.max(returnable, 0)} shipped and not yet returned.`,
      });
      continue;
    }
    assessment.eligible.push({
      lineId,
      sku: line.sku,
      quantity: want.quantity,
      unitPrice: line.unitPrice,
      reason: want.reason,
    });
  }

  if (assessment.eligible.length === 0) return assessment;
  const unknownPrice = assessment.eligible.some((l) => l.unitPrice === null);
  if (!unknownPrice) {
    assessment.requestedAmount = Money.sum(
      assessment.eligible.map((l) => Money.line(l.unitPrice as string, l.quantity, facts.currency)),
      facts.currency,
    ).toString();
  }
  const reasons: string[] = [];
  if (unknownPrice) reasons.push('The price paid for a returned line is unknown.');
  else if (
    Money.of(assessment.requestedAmount as string, facts.currency).greaterThan(
      Money.of(policy.autoApproveLimit, facts.currency, 'halfUp'),
    )
  ) {
    reasons.push(
      `The refund ${assessment.requestedAmount} is above the automatic approval limit ${policy.autoApproveLimit}.`,
    );
  }
  const review = new Set(policy.reviewReasons.map(lower));
  for (const l of assessment.eligible) {
    if (l.reason && review.has(lower(l.reason)))
      reasons.push(`Line ${l.lineId} is returned as "${l.reason}", which needs review.`);
  }
  assessment.needsApproval = reasons.length > 0;
  assessment.approvalReasons = reasons;
  return assessment;
}

export type Disposition = 'restock' | 'scrap' | 'warranty';

export interface InspectedLine {
  lineId: string;
  sku: string;
  quantity: number;
  unitPrice: string;
  reason: string | null;
  disposition: Disposition;
}

export interface RefundBreakdown {
  lines: {
    lineId: string;
    sku: string;
    quantity: number;
    disposition: Disposition;
    gross: string;
    fee: string;
    refund: string;
    restock: boolean;
  }[];
  gross: string;
  restockingFee: string;
  /** What the buyer gets back: gross minus fees and scrap deductions, never above an approved cap. */
  total: string;
  capped: boolean;
}

/**
 * Refund math after inspection: restocked goods pay the restocking fee unless the seller is at
 * fault; warranty returns are refunded in full; scrapped goods get the scrap share unless the seller
 * is at fault. An approver's amount caps the total.
 */
export function computeRefund(
  lines: InspectedLine[],
  policy: ReturnPolicy,
  cap: string | null,
  currency: string,
): RefundBreakdown {
  const sellerFault = new Set(policy.sellerFaultReasons.map(lower));
  const zero = Money.zero(currency);
  let gross = zero;
  let fees = zero;
  let total = zero;
  const out: RefundBreakdown['lines'] = [];
  for (const l of lines) {
    const lineGross = Money.line(l.unitPrice, l.quantity, currency);
    const atFault = l.reason !== null && sellerFault.has(lower(l.reason));
    let fee = zero;
    let refund = lineGross;
    if (l.disposition === 'restock' && !atFault) {
      fee = lineGross.percent(percentText(policy.restockingFeePercent));
      refund = lineGross.minus(fee);
    } else if (l.disposition === 'scrap' && !atFault) {
      refund = lineGross.percent(percentText(policy.scrapRefundPercent));
    }
    gross = gross.plus(lineGross);
    fees = fees.plus(fee);
    total = total.plus(refund);
    out.push({
      lineId: l.lineId,
      sku: l.sku,
      quantity: l.quantity,
      disposition: l.disposition,
      gross: lineGross.toString(),
      fee: fee.toString(),
      refund: refund.toString(),
      restock: l.disposition === 'restock',
    });
  }
  let capped = false;
  const limit = cap === null ? null : Money.of(cap, currency, 'halfUp');
  if (limit !== null && total.greaterThan(limit)) {
    total = limit;
    capped = true;
  }
  return {
    lines: out,
    gross: gross.toString(),
    restockingFee: fees.toString(),
    total: total.toString(),
    capped,
  };
}
