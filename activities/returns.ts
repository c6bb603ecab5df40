import { ApplicationFailure } from '@temporalio/common';
import { alertRepository } from '../db/alerts';
import type { Db } from '../db/pool';
import { policyRepository } from '../db/policies';
import { returnRepository, type ReturnRecordInput } from '../db/returns';
import { syncRepository } from '../db/sync';
import { withItemGroups } from './item-groups';
import type {
  ErpCreditMemo,
  ErpCreditMemoInput,
  ErpPort,
  ErpRefundInput,
  ErpReturnAuthorization,
  ErpReturnAuthorizationInput,
} from '../domain/erp';
import { RETURN_FAILURES } from '../domain/failures';
import { erpOrderExternalId } from '../domain/contracts/order';
import type { ReturnOrderFacts, ReturnPolicy } from '../domain/return-rules';
import type { ReturnRequest } from '../domain/returns';
import type { StorefrontPort, StorefrontRefundInput } from '../domain/storefront';
import type { Logger } from '../platform/logger';

/** Where the return rules learn what was ordered, at what price, and what shipped. */
export interface OrderFactsSource {
  getOrderFacts(input: { store: string; orderId: string }): Promise<ReturnOrderFacts | null>;
}

export interface ReturnActivityDeps {
  db: Db;
  erp: ErpPort;
  storefront: StorefrontPort;
  orderFacts?: OrderFactsSource;
  log?: Logger;
}

export { RETURN_FAILURES };

export type { ReturnRecordInput };

/**
 * Order facts from Quayside's own order read model (prices paid and shipped quantities kept by the
 * order workflow), with quantities already taken back by other returns; the ERP sales order stands
 * in, without prices, for orders that predate Quayside.
 */
export function createOrderFactsSource({ db, erp }: { db: Db; erp: ErpPort }): OrderFactsSource {
  const returns = returnRepository(db);
  return {
    async getOrderFacts({ store, orderId }) {
      const already = await returns.returnedQuantities(store, orderId);
      const row = await returns.orderLedger(store, orderId);
      const salesOrderExternalId = erpOrderExternalId(store, orderId);
      // Hazardous-materials flags come from the catalog sync's item cache (the ERP's item master).
      const hazmatSkus = (skus: string[]) => syncRepository(db).hazmatSkus(skus);
      if (row && row.lines.length > 0) {
        const hazmat = await hazmatSkus(row.lines.map((l) => l.erpSku ?? l.sku));
        return {
          orderId,
          currency: row.currency ?? 'USD',
          orderedAt: row.createdAt.toISOString(),
          salesOrderExternalId,
          customerId: row.customerId,
          lines: row.lines.map((l) => ({
            lineId: l.lineId,
            sku: l.sku,
            erpSku: l.erpSku ?? l.sku,
            erpLineKey: l.allocations?.[0]?.lineKey ?? l.lineId,
            title: l.title,
            unitPrice: l.unitPrice,
            quantityShipped: l.shipped,
            quantityReturned: already.get(l.lineId) ?? 0,
            hazmat: hazmat.has(l.erpSku ?? l.sku),
            specialOrder: false,
          })),
        };
      }
      const so = await erp.getSalesOrder({ externalId: salesOrderExternalId });
      if (!so) return null;
      const byLine = new Map<string, { sku: string; lineKey: string; shipped: number }>();
      for (const l of so.lines) {
        const prev = byLine.get(l.lineKey);
        byLine.set(l.lineKey, {
          sku: l.sku,
          lineKey: l.lineKey,
          shipped: (prev?.shipped ?? 0) + l.quantityFulfilled,
        });
      }
      const hazmat = await hazmatSkus(so.lines.map((l) => l.sku));
      return {
        orderId,
        currency: 'USD',
        orderedAt: so.lastModified,
        salesOrderExternalId,
        customerId: null,
        lines: [...byLine.values()].map((l) => ({
          lineId: l.lineKey,
          sku: l.sku,
          erpSku: l.sku,
          erpLineKey: l.lineKey,
          unitPrice: null,
          quantityShipped: l.shipped,
          quantityReturned: already.get(l.lineKey) ?? 0,
          hazmat: hazmat.has(l.sku),
          specialOrder: false,
        })),
      };
    },
  };
}

/**
 * Activities of the return process. Every write carries a key derived from the return id (ERP
 * external ids, the storefront refund key), so retries never create a second document or refund.
 */
export function createReturnActivities(deps: ReturnActivityDeps) {
  const { db, storefront } = deps;
  // A returned item group goes back to the ERP on its components' lines, as it was sold.
  const itemCache = syncRepository(db);
  const erp = withItemGroups(deps.erp, (skus) => itemCache.itemGroups(skus));
  const facts = deps.orderFacts ?? createOrderFactsSource({ db, erp });
  const policies = policyRepository(db);
  const alerts = alertRepository(db);

  return {
    async loadReturnPolicy({ store }: { store: string }): Promise<ReturnPolicy> {
      return (await policies.current(store, 'return')).policy;
    },

    async loadOrderFacts(input: { store: string; orderId: string }): Promise<ReturnOrderFacts> {
      const found = await facts.getOrderFacts(input);
      if (!found) {
        throw ApplicationFailure.create({
          type: RETURN_FAILURES.orderUnknown,
          message: `Order ${input.orderId} of ${input.store} is not known to Quayside or the ERP.`,
          nonRetryable: true,
        });
      }
      return found;
    },

    async recordReturn(r: ReturnRecordInput): Promise<void> {
      await returnRepository(db).record(r);
    },

    async createReturnAuthorization(input: ErpReturnAuthorizationInput): Promise<ErpReturnAuthorization> {
      const existing = await erp.getReturnAuthorization({ externalId: input.externalId });
      return existing ?? erp.createReturnAuthorization(input);
    },

    async getReturnAuthorization(input: { externalId: string }): Promise<ErpReturnAuthorization | null> {
      return erp.getReturnAuthorization(input);
    },

    async closeReturnAuthorization(input: { externalId: string }): Promise<ErpReturnAuthorization> {
      return erp.closeReturnAuthorization(input.externalId);
    },

    async createCreditMemo(input: ErpCreditMemoInput): Promise<ErpCreditMemo> {
      return erp.createCreditMemo(input);
    },

    async createErpRefund(
      input: ErpRefundInput,
    ): Promise<{ erpId: string; externalId: string; amount: string }> {
      return erp.createRefund(input);
    },

    async createStorefrontRefund(
      input: StorefrontRefundInput,
    ): Promise<{ refundId: string; created: boolean }> {
      return storefront.createRefund(input);
    },

    /** The return's lines as the store holds them, for a returns/request that did not list them. */
    async readStorefrontReturnLines(input: { returnId: string }): Promise<ReturnRequest['lines']> {
      return storefront.getReturnLines(input.returnId);
    },

    async updateStorefrontReturn(input: {
      returnId: string;
      status: 'approved' | 'declined' | 'closed';
      reason?: string;
    }): Promise<void> {
      await storefront.updateReturn(input);
    },

    /**
     * Compensation for money that moved before a later step failed for good: the ports offer no
     * reversal of a credit memo or refund, so finance gets a critical alert naming each document.
     */
    async flagForReversal(input: {
      workflowId: string;
      returnId: string;
      document: string;
      id: string;
      amount: string;
      why: string;
    }): Promise<void> {
      await alerts.raise({
        severity: 'critical',
        kind: 'return.reversalNeeded',
        subject: `Return ${input.returnId}: reverse ${input.document} ${input.id}`,
        message: `${input.document} ${input.id} for ${input.amount} was issued but the return could not complete (${input.why}); reverse it.`,
        workflowId: input.workflowId,
        dedupeKey: `return:${input.workflowId}:reverse:${input.document}:${input.id}`,
        details: { ...input },
      });
    },

    async raiseReturnAlert(input: {
      workflowId: string;
      returnId: string;
      kind: string;
      message: string;
    }): Promise<void> {
      await alerts.raise({
        severity: 'warning',
        kind: input.kind,
        subject: `Return ${input.returnId}`,
        message: input.message,
        workflowId: input.workflowId,
        dedupeKey: `${input.workflowId}:${input.kind}`,
      });
    },
  };
}

export type ReturnActivities = ReturnType<typeof createReturnActivities>;
