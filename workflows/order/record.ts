import { log, patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Attention } from '../../domain/contracts/order';
import { parkedStatus, statusAtStep } from '../../domain/order-ledger';
import { attentionAttribute, SA } from '../../domain/search-attributes';
import { local, sideChannel } from './proxies';
import { current, type OrderRun } from './state';

/** The order's placement, invoices and cancellations republish its customer's credit headroom in the store. */
const HEADROOM_PATCH = 'credit-headroom-on-order-events';

const alertKey = (o: OrderRun) => `order-attention:${o.workflowId}`;

/**
 * Writes the order's read model, and the search attributes that changed since the last write
 * (visibility writes are not free).
 */
export async function record(o: OrderRun) {
  const input = readModel(o);
  await local.recordOrder.executeWithOptions({ summary: recordSummary(o) }, [input]);
}

/** What the read model shows of the order now; the search attributes that changed are written with it. */
export function readModel(o: OrderRun) {
  const { status, written } = o;
  status.status = statusAtStep(status.step, status.status);
  const changes: SearchAttributeUpdatePair[] = [];
  if (written.status !== status.status)
    changes.push({ key: SA.status, value: (written.status = status.status) });
  // Search attributes are indexed in plain text, outside the payload encryption: the kind of problem
  // and the ids at fault only, never the reason's words (an ERP message may quote an address or a name).
  const attention = status.attention ? attentionAttribute(status.attention) : null;
  if (written.attention !== attention && !(written.attention === undefined && attention === null)) {
    changes.push({ key: SA.attention, value: (written.attention = attention) });
  }
  if (status.poNumber && written.poNumber !== status.poNumber)
    changes.push({ key: SA.poNumber, value: (written.poNumber = status.poNumber) });
  if (changes.length > 0) upsertSearchAttributes(changes);
  return {
    workflowId: o.workflowId,
    order: current(o),
    status: status.status,
    step: status.step,
    attention: status.attention ? { kind: status.attention.kind, reason: status.attention.reason } : null,
    lines: status.lines,
    erpOrder: status.erpOrder ? { erpId: status.erpOrder.erpId, tranId: status.erpOrder.tranId } : null,
    rulesVersion: status.rulesVersion,
    // A new field of the activity's input adds no command and removes none, so no patch: a record
    // activity scheduled before this field existed arrives without it and counts pro rata.
    invoiceTotals: status.invoices.map((i) => i.total),
  };
}

export const recordSummary = ({ status }: OrderRun) =>
  `Read model: ${status.status}${status.attention ? ' (needs attention)' : ''}`;

/** Parks the order for a person, with the reason and what is at fault, and raises its alert. */
export async function park(o: OrderRun, a: Omit<Attention, 'since'>) {
  o.status.attention = { ...a, since: new Date().toISOString() };
  o.status.status = parkedStatus(o.status.erpOrder !== null, o.status.status);
  await record(o);
  await local.raiseOrderAlert.executeWithOptions({ summary: `Needs attention: ${a.reason}` }, [
    {
      severity: 'warning',
      kind: `order.${a.kind}`,
      subject: `Order ${current(o).orderNumber}`,
      message: a.reason,
      workflowId: o.workflowId,
      dedupeKey: alertKey(o),
      details: { orderId: o.input.orderId, sku: a.sku, field: a.field },
    },
  ]);
}

/** The order needs nobody any more: its alert resolves. */
export async function clearAttention(o: OrderRun) {
  if (!o.status.attention) return;
  o.status.attention = null;
  await local.resolveOrderAlert.executeWithOptions({ summary: 'Attention resolved' }, [
    { dedupeKey: alertKey(o) },
  ]);
  await record(o);
}

/** Resolves the order's alert at its end (cancelled), whatever it was. */
export const resolveAlert = (o: OrderRun) => local.resolveOrderAlert({ dedupeKey: alertKey(o) });

/**
 * Republishes the customer's credit headroom in the store after the read model changed. Best
 * effort: it runs beside the order, and a failure is only logged (the next order event or the
 * pricing sync publishes it again). The ERP balance is read afresh (an invoice moves an order's
 * amount into it) unless `refreshBalance` is false: at placement, when the credit check saved the
 * balance it had just read (a sales order does not change it).
 */
export function publishHeadroom(o: OrderRun, why: string, { refreshBalance = true } = {}) {
  const erpId = o.customerErpId;
  if (erpId === undefined || !patched(HEADROOM_PATCH)) return;
  o.headroomPublished = o.headroomPublished.then(async () => {
    try {
      await sideChannel.publishCreditHeadroom.executeWithOptions(
        { summary: `Credit headroom of ERP customer ${erpId} to the store (${why})` },
        [{ store: o.input.store, customerErpIds: [erpId], refreshBalance }],
      );
    } catch (err) {
      log.warn('credit headroom not published', { customerErpId: erpId, why, error: String(err) });
    }
  });
}
