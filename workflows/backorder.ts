import { condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { OrderActivities } from '../activities/orders';
import { durationMs } from '../domain/duration';
import {
  backorderReleasedSignal,
  backorderStatusQuery,
  cancelBackorderSignal,
  orderClosedSignal,
  type BackorderInput,
  type BackorderResult,
  type BackorderStatus,
} from '../domain/contracts/backorder';
import { PROFILES } from './activity-profiles';
import { STORE_REFUSALS_PATCH, storeRefusalOf } from './store-refusal';

/** The order workflow signals its backorders through these. */
export { backorderReleasedSignal, cancelBackorderSignal, orderClosedSignal, type BackorderResult };

const erp = proxyActivities<OrderActivities>(PROFILES.erpCall);
const storefront = proxyActivities<OrderActivities>(PROFILES.storefrontCall);
const local = proxyActivities<OrderActivities>(PROFILES.local);

/**
 * A backordered line: tell the buyer, wait for replenishment (the order's signal, or the ERP line
 * re-read every `recheckEvery`), let the buyer or an operator cancel it, and raise an alert for an
 * operator when it has waited longer than `escalateAfter`.
 */
export async function backorder(input: BackorderInput): Promise<BackorderResult> {
  let released = false;
  let closed = false;
  let cancel: { reason: string; by: 'buyer' | 'operator' } | undefined;
  const status: BackorderStatus = {
    lineId: input.lineId,
    sku: input.sku,
    quantity: input.quantity,
    step: 'waiting',
    escalated: false,
    outcome: null,
  };
  setHandler(backorderReleasedSignal, () => void (released = true));
  setHandler(orderClosedSignal, () => void (closed = true));
  setHandler(cancelBackorderSignal, (c) => void (cancel ??= c));
  setHandler(backorderStatusQuery, () => status);

  const alertKey = `backorder:${workflowInfo().workflowId}`;
  if (input.rules.notifyBuyer) {
    await tellBuyer(input, `Tell the buyer ${input.quantity}× ${input.sku} is backordered`, {
      orderId: input.orderId,
      tag: 'backordered',
      notice: `${input.quantity} × ${input.sku} on order ${input.orderNumber} is backordered; we will ship it as soon as stock arrives. You may cancel it.`,
    });
  }

  const started = Date.now();
  const escalateMs = durationMs(input.rules.escalateAfter);
  const recheckMs = durationMs(input.rules.recheckEvery);
  const settled = () => released || closed || cancel !== undefined;
  while (!settled()) {
    const untilEscalation = status.escalated ? Infinity : escalateMs - (Date.now() - started);
    const wait = Math.max(1, Math.min(recheckMs, untilEscalation));
    if (await condition(settled, wait)) break;
    if (!status.escalated && Date.now() - started >= escalateMs) {
      status.escalated = true;
      await local.raiseOrderAlert.executeWithOptions(
        { summary: `Escalate: ${input.sku} backordered for over ${input.rules.escalateAfter}` },
        [
          {
            severity: 'warning',
            kind: 'order.backorderEscalated',
            subject: `Order ${input.orderNumber}`,
            message: `${input.quantity} × ${input.sku} on order ${input.orderNumber} has been backordered for over ${input.rules.escalateAfter}; expedite stock or cancel the line.`,
            workflowId: workflowInfo().workflowId,
            dedupeKey: alertKey,
            details: { orderId: input.orderId, lineId: input.lineId, sku: input.sku },
          },
        ],
      );
      continue;
    }
    const so = await erp.readErpSalesOrder.executeWithOptions(
      { summary: `Check the ERP for stock of ${input.sku}` },
      [{ externalId: input.externalId }],
    );
    const lines = so?.lines.filter((l) => input.lineKeys.includes(l.lineKey)) ?? [];
    if (lines.length > 0 && lines.every((l) => l.closed)) closed = true;
    else if (lines.reduce((s, l) => s + l.quantityBackOrdered, 0) === 0) released = true;
  }

  if (status.escalated) await local.resolveOrderAlert({ dedupeKey: alertKey });
  if (cancel !== undefined && !released && !closed) {
    status.step = 'cancelling';
    await erp.cancelOrderLines.executeWithOptions(
      { summary: `Cancel backordered ${input.quantity}× ${input.sku} (${cancel.by}: ${cancel.reason})` },
      [
        {
          workflowId: input.orderWorkflowId,
          store: input.store,
          orderId: input.orderId,
          externalId: input.externalId,
          lines: [
            {
              lineId: input.lineId,
              quantity: input.quantity,
              unitPrice: input.unitPrice,
              lineKeys: input.lineKeys,
            },
          ],
          currency: input.currency,
          paid: input.paid,
          reason: cancel.reason,
          refundKey: `backorder-cancel:${input.orderId}:${input.lineId}`,
          notifyCustomer: true,
        },
      ],
    );
    status.step = 'done';
    status.outcome = 'cancelled';
    return {
      lineId: input.lineId,
      outcome: 'cancelled',
      quantity: input.quantity,
      cancelledBy: cancel.by,
      reason: cancel.reason,
    };
  }
  if (closed) {
    status.step = 'done';
    status.outcome = 'orderClosed';
    return { lineId: input.lineId, outcome: 'orderClosed', quantity: input.quantity };
  }
  if (input.rules.notifyBuyer) {
    await tellBuyer(input, `Tell the buyer ${input.sku} is back in stock`, {
      orderId: input.orderId,
      tag: 'backorder-released',
      notice: `${input.sku} on order ${input.orderNumber} is back in stock and will ship shortly.`,
    });
  }
  status.step = 'done';
  status.outcome = 'released';
  return { lineId: input.lineId, outcome: 'released', quantity: input.quantity };
}

/**
 * A notice to the buyer on the store order. The store refusing it (Shopify userErrors) is an alert
 * with the store's words and the notice, for a person to pass on; the backorder goes on.
 */
async function tellBuyer(
  input: BackorderInput,
  summary: string,
  notice: { orderId: string; tag: string; notice: string },
) {
  try {
    await storefront.notifyBuyer.executeWithOptions({ summary }, [notice]);
  } catch (err) {
    const refused = storeRefusalOf(err);
    if (!refused || !patched(STORE_REFUSALS_PATCH)) throw err;
    await local.raiseOrderAlert.executeWithOptions({ summary: `Notice refused: ${refused.words}` }, [
      {
        severity: 'warning',
        kind: 'order.noticeRefused',
        subject: `Order ${input.orderNumber}: the store refused a notice to the buyer`,
        message: `The store refused to show the buyer of order ${input.orderNumber} this notice: "${notice.notice}" It said: ${refused.words}. Tell the buyer yourself; the backorder goes on.`,
        workflowId: input.orderWorkflowId,
        dedupeKey: `order.noticeRefused:${workflowInfo().workflowId}:${notice.tag}`,
        details: { orderId: input.orderId, sku: input.sku },
      },
    ]);
  }
}
