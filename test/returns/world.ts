import { ApplicationFailure } from '@temporalio/common';
import type { ReturnActivities, ReturnRecordInput } from '../../activities/returns';
import type {
  ErpCreditMemoInput,
  ErpRefundInput,
  ErpReturnAuthorization,
  ErpReturnAuthorizationInput,
} from '../../domain/erp';
import type { ReturnOrderFacts } from '../../domain/return-rules';
import type { StorefrontRefundInput } from '../../domain/storefront';
import { memoryApprovals } from '../approvals/harness';
import { ReturnPolicy } from '../../domain/schemas/return-rules';

/**
 * A small ERP and storefront for return workflow tests, as plain-object activities. Documents are
 * keyed like the real systems (external ids, refund keys), so a retried call finds the first one.
 */
export function returnWorld(opts: {
  facts: ReturnOrderFacts;
  policy?: Partial<ReturnPolicy>;
  storefrontRefundFailures?: number;
  /** The return's lines as the store answers them (a returns/request lists none). */
  storeReturnLines?: { lineId: string; sku?: string; quantity: number; reason?: string }[];
  erpRefundRejected?: boolean;
}) {
  const policy = ReturnPolicy.parse(opts.policy ?? {});
  const rmas = new Map<string, ErpReturnAuthorization & { input: ErpReturnAuthorizationInput }>();
  const creditMemos = new Map<string, ErpCreditMemoInput>();
  const erpRefunds = new Map<string, ErpRefundInput>();
  const storefrontRefunds = new Map<string, StorefrontRefundInput & { refundId: string }>();
  const returnUpdates: { returnId: string; status: string; reason?: string }[] = [];
  const records: ReturnRecordInput[] = [];
  const reversals: { document: string; id: string }[] = [];
  const alerts: string[] = [];
  const closedRmas: string[] = [];
  let storefrontRefundCalls = 0;
  let failuresLeft = opts.storefrontRefundFailures ?? 0;
  const approvals = memoryApprovals();

  const activities: ReturnActivities & typeof approvals.activities = {
    ...approvals.activities,
    async loadReturnPolicy() {
      return policy;
    },
    async loadOrderFacts() {
      return opts.facts;
    },
    async readStorefrontReturnLines() {
      return opts.storeReturnLines ?? [];
    },
    async recordReturn(r) {
      records.push(r);
    },
    async createReturnAuthorization(input) {
      const existing = rmas.get(input.externalId);
      if (existing) return existing;
      const rma = {
        erpId: `RMA${rmas.size + 101}`,
        externalId: input.externalId,
        status: 'pendingReceipt' as const,
        lines: input.lines.map((l) => ({ ...l, quantityReceived: 0, location: null })),
        lastModified: new Date().toISOString(),
        input,
      };
      rmas.set(input.externalId, rma);
      return rma;
    },
    async getReturnAuthorization({ externalId }) {
      return rmas.get(externalId) ?? null;
    },
    async closeReturnAuthorization({ externalId }) {
      const rma = rmas.get(externalId);
      if (!rma) throw new Error(`no RMA ${externalId}`);
      rma.status = 'closed';
      closedRmas.push(externalId);
      return rma;
    },
    async createCreditMemo(input) {
      if (!creditMemos.has(input.externalId)) creditMemos.set(input.externalId, input);
      const total = input.lines.reduce((s, l) => s + Math.round(Number(l.amount) * 100), 0);
      return {
        erpId: `CM${[...creditMemos.keys()].indexOf(input.externalId) + 1}`,
        externalId: input.externalId,
        total: (total / 100).toFixed(2),
      };
    },
    async createErpRefund(input) {
      if (opts.erpRefundRejected) {
        throw ApplicationFailure.create({
          type: 'ErpRejected',
          message: 'INVALID_FLD_VALUE: the accounting period is closed',
          nonRetryable: true,
        });
      }
      if (!erpRefunds.has(input.externalId)) erpRefunds.set(input.externalId, input);
      return { erpId: `CR${erpRefunds.size}`, externalId: input.externalId, amount: input.amount };
    },
    async createStorefrontRefund(input) {
      storefrontRefundCalls += 1;
      const existing = storefrontRefunds.get(input.refundKey);
      if (existing) return { refundId: existing.refundId, created: false };
      const refundId = `R${storefrontRefunds.size + 9001}`;
      storefrontRefunds.set(input.refundKey, { ...input, refundId });
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        // The refund went through but the answer was lost: the retry must not refund again.
        throw new Error('storefront answered 502 Bad Gateway');
      }
      return { refundId, created: true };
    },
    async updateStorefrontReturn(input) {
      returnUpdates.push(input);
    },
    async flagForReversal(input) {
      reversals.push({ document: input.document, id: input.id });
    },
    async raiseReturnAlert(input) {
      alerts.push(input.kind);
    },
  };

  return {
    activities,
    policy,
    rmas,
    creditMemos,
    erpRefunds,
    storefrontRefunds,
    returnUpdates,
    records,
    reversals,
    alerts,
    closedRmas,
    approvals,
    get storefrontRefundCalls() {
      return storefrontRefundCalls;
    },
    /** The warehouse receives goods against the RMA (all of each line unless quantities are given). */
    receive(received?: Record<string, number>) {
      for (const rma of rmas.values()) {
        for (const l of rma.lines) l.quantityReceived = received ? (received[l.lineKey] ?? 0) : l.quantity;
        const all = rma.lines.every((l) => l.quantityReceived >= l.quantity);
        rma.status = all ? 'received' : 'partiallyReceived';
        rma.lines.forEach((l) => (l.location = 'WH-EAST'));
      }
    },
  };
}

export function orderFacts(
  lines: { lineId: string; sku: string; unitPrice: string | null; shipped: number; hazmat?: boolean }[],
  orderedAt = new Date().toISOString(),
): ReturnOrderFacts {
  return {
    orderId: '5001',
    currency: 'USD',
    orderedAt,
    salesOrderExternalId: 'shop:5001',
    customerId: 'C-77',
    lines: lines.map((l) => ({
      lineId: l.lineId,
      sku: l.sku,
      erpSku: `${l.sku}-ERP`,
      erpLineKey: `${l.lineId}@WH-EAST`,
      unitPrice: l.unitPrice,
      quantityShipped: l.shipped,
      quantityReturned: 0,
      hazmat: l.hazmat ?? false,
      specialOrder: false,
    })),
  };
}
