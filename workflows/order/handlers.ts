import { condition, setHandler } from '@temporalio/workflow';
import {
  ACKNOWLEDGED_ATTENTION,
  cancelUpdate,
  erpFulfillmentSignal,
  erpInvoiceSignal,
  erpOrderChangedSignal,
  fixUpdate,
  ORDER_UPDATE_FAILURES as F,
  orderEventSignal,
  orderStatusQuery,
  refundEventSignal,
} from '../../domain/contracts/order';
import { applyFieldFix, lineOf, openQuantity } from '../../domain/order-ledger';
import type { AttentionKind } from '../../domain/contracts/order';
import { approvalGate } from '../approvalGate';
import { refusal } from '../refusal';
import { local } from './proxies';
import { cancelLines } from './fulfilment';
import { clearAttention } from './record';
import { adoptOrder, finished, isNewer, type OrderRun, type PendingCancel } from './state';

/**
 * Sets every handler of the order workflow (before its first await): storefront and ERP events are
 * deduplicated and queued for the pipeline, the status is queried, and people decide (through the
 * approval gate every process shares), fix and cancel.
 */
export function setOrderHandlers(o: OrderRun) {
  const { status, seen, inbox, input } = o;

  setHandler(orderEventSignal, (event) => {
    if (seen.events.has(event.eventId)) return;
    seen.events.add(event.eventId);
    if (finished(o)) return;
    if (event.topic === 'orders/cancelled') {
      if (o.order === undefined) adoptOrder(o, event.order);
      o.financialStatus = event.order.financialStatus ?? o.financialStatus;
      o.cancel ??= {
        reason: event.cancelReason ?? 'Cancelled on the storefront',
        by: 'storefront',
        cancelledOnStorefront: true,
      };
      return;
    }
    if (!isNewer(o, event.order)) return;
    // Until the ERP order is on its way, a newer order replaces the one the pipeline works from.
    if (o.order === undefined || (status.erpOrder === null && status.step !== 'creatingErpOrder'))
      adoptOrder(o, event.order);
    else inbox.updates.push(event.order);
  });

  setHandler(refundEventSignal, (event) => {
    if (seen.refunds.has(event.refundId)) return;
    seen.refunds.add(event.refundId);
    status.refunds.push({ refundId: event.refundId, amount: event.amount, lines: event.lines });
  });

  setHandler(erpFulfillmentSignal, (f) => {
    if (seen.fulfillments.has(f.erpId)) return;
    seen.fulfillments.add(f.erpId);
    inbox.fulfillments.push(f);
  });

  setHandler(erpInvoiceSignal, (invoice) => {
    if (seen.invoices.has(invoice.erpId)) return;
    seen.invoices.add(invoice.erpId);
    inbox.invoices.push(invoice);
  });

  setHandler(erpOrderChangedSignal, () => void (o.erpChanged = true));
  setHandler(orderStatusQuery, () => status);
  o.approvalGate = approvalGate({
    outcomes: ['approve', 'reject', 'adjust', 'requestInfo'],
    replayedAs: 'decide-claims',
    onOpen: (open) => void (status.pendingApproval = open),
  });

  setHandler(
    fixUpdate,
    async (f) => {
      const kind = status.attention?.kind as AttentionKind;
      const by = f.by ?? 'operator';
      if ('sku' in f) {
        await local.saveSkuMapping.executeWithOptions(
          { summary: `Map SKU ${f.sku} to ERP item ${f.erpSku} (by ${by})` },
          [{ store: input.store, sku: f.sku, erpSku: f.erpSku, by }],
        );
      } else if ('customerId' in f) {
        await local.saveCustomerMapping.executeWithOptions(
          { summary: `Map customer ${f.customerId} to ERP customer ${f.erpCustomerId} (by ${by})` },
          [{ store: input.store, customerId: f.customerId, erpCustomerId: f.erpCustomerId, by }],
        );
      } else if ('field' in f && o.order) {
        o.order = applyFieldFix(o.order, f.field, f.value);
        status.poNumber = o.order.poNumber ?? null;
      }
      o.fix = f;
      // A refused invoice publication is tried again once acknowledged (it parks again if still refused).
      if (kind === 'invoiceRefused') o.republishInvoices = true;
      if (ACKNOWLEDGED_ATTENTION.includes(kind)) await clearAttention(o);
      else await condition(() => o.fixApplied || finished(o));
      o.fixApplied = false;
      return { accepted: true, resolved: kind };
    },
    {
      validator: (f) => {
        const a = status.attention;
        if (!a || a.kind === 'approval')
          throw refusal(
            F.notParked,
            `Order ${input.orderId} is not parked for a fix${a ? ' (it waits for an approver)' : ''}.`,
          );
        if ('sku' in f) {
          if (a.kind !== 'unmappedSku' || !o.unmapped.skus.includes(f.sku))
            throw refusal(
              F.fixMismatch,
              `SKU ${f.sku} is not what order ${input.orderId} is parked on: ${a.reason}`,
            );
        } else if ('customerId' in f) {
          if (a.kind !== 'unmappedCustomer' || o.order?.customerId !== f.customerId)
            throw refusal(
              F.fixMismatch,
              `Customer ${f.customerId} is not what order ${input.orderId} is parked on: ${a.reason}`,
            );
        } else if ('field' in f) {
          if (a.kind !== 'erpRejected')
            throw refusal(F.fixMismatch, `A field fix does not resolve this: ${a.reason}`);
        } else if (!ACKNOWLEDGED_ATTENTION.includes(a.kind)) {
          throw refusal(F.fixMismatch, `Acknowledging does not resolve this: ${a.reason}`);
        }
      },
    },
  );

  setHandler(
    cancelUpdate,
    async (req) => {
      const request: PendingCancel = {
        reason: req.reason,
        by: req.by,
        cancelledOnStorefront: false,
        lines: req.lines?.map((l) => l.lineId),
      };
      if (request.lines) return cancelLines(o, request);
      o.cancel ??= request;
      const mine = o.cancel;
      await condition(() => mine.result !== undefined || finished(o));
      return mine.result ?? { outcome: 'cancelled', compensations: [], cancelledLines: [] };
    },
    {
      validator: (req) => {
        if (o.order === undefined)
          throw refusal(F.notArrived, `Order ${input.orderId} has not arrived from the storefront yet.`);
        if (finished(o)) throw refusal(F.finished, `Order ${input.orderId} is already ${status.step}.`);
        if (req.lines) {
          if (status.erpOrder === null)
            throw refusal(
              F.lineNotCancellable,
              'Lines can be cancelled once the order is in the ERP; cancel the whole order instead.',
            );
          for (const { lineId } of req.lines) {
            const l = lineOf(status.lines, lineId);
            if (!l) throw refusal(F.lineNotCancellable, `Order ${input.orderId} has no line ${lineId}.`);
            if (openQuantity(l) === 0)
              throw refusal(F.lineNotCancellable, `Line ${lineId} (${l.sku}) has nothing left to cancel.`);
          }
        }
      },
    },
  );
}
