import {
  ChildWorkflowFailure,
  condition,
  log,
  patched,
  startChild,
  upsertSearchAttributes,
  type ChildWorkflowHandle,
  type SignalDefinition,
} from '@temporalio/workflow';
import { backorderWorkflowId, shipmentWorkflowId } from '../../domain/contracts';
import { durationMs } from '../../domain/duration';
import type { ErpFulfillment, ErpInvoice, ErpSalesOrder } from '../../domain/erp';
import {
  allLinesSettled,
  backorderCancelled,
  businessStatus,
  cancelOpen,
  diffStorefrontUpdate,
  erpPosition,
  invoiceLines,
  openQuantity,
  shipLine,
  shippedByLine,
  withBackordered,
  withCancelled,
  withOrderedAllocations,
  type OrderLineStatus,
} from '../../domain/order-ledger';
import type { CancelResult } from '../../domain/contracts/order';
import { isPaidStatus, type CanonicalOrder } from '../../domain/order';
import { erpOrderTotalGap, salesOrderUpdate } from '../../domain/sales-order';
import { SA } from '../../domain/search-attributes';
import {
  backorderReleasedSignal,
  cancelBackorderSignal,
  orderClosedSignal,
  type BackorderResult,
} from '../../domain/contracts/backorder';
import { backorder } from '../backorder';
import { shipment } from '../shipment';
import { STORE_REFUSALS_PATCH, storeRefusalOf } from '../store-refusal';
import { erp, local, storefront } from './proxies';
import { clearAttention, park, publishHeadroom, record } from './record';
import {
  adoptOrder,
  current,
  guard,
  lineOfRun,
  rulesOf,
  shippedAny,
  type OrderRun,
  type PendingCancel,
} from './state';

/**
 * Quantity changes go to the ERP at the store's prices with the order's money, checked against the
 * store's total before they are sent and against the ERP's total once applied.
 */
const UPDATE_MONEY_PATCH = 'order-update-money';

/** A parcel of kit parts that completes no kit is shown on the store order (before, it never arrived). */
const KIT_PARCELS_PATCH = 'kit-parts-parcels';

/**
 * Follows the ERP order until every line is shipped or cancelled and invoiced: each ERP fulfillment
 * becomes a shipment child, backordered lines backorder children, invoices reach the customer portal,
 * storefront updates the ERP order, and the ERP order is re-read when it changed or every refresh.
 */
export async function fulfil(o: OrderRun) {
  const { inbox } = o;
  const refreshMs = durationMs(rulesOf(o).fulfillment.refreshEvery);
  for (;;) {
    guard(o);
    const cancel = o.cancel;
    if (cancel !== undefined && !cancel.result) {
      cancel.result = await cancelLines(o, {
        ...cancel,
        lines: o.status.lines.filter((l) => openQuantity(l) > 0).map((l) => l.lineId),
      });
      o.status.cancelReason = cancel.reason;
    }
    while (inbox.fulfillments.length > 0) await ship(o, inbox.fulfillments.shift() as ErpFulfillment);
    if (inbox.invoices.length > 0) await invoice(o, inbox.invoices.splice(0));
    if (o.republishInvoices) {
      o.republishInvoices = false;
      await publishInvoices(o);
    }
    while (o.storeParks.length > 0) await park(o, o.storeParks.shift()!);
    while (inbox.updates.length > 0) await applyStorefrontUpdate(o, inbox.updates.shift() as CanonicalOrder);
    if (o.erpChanged) {
      o.erpChanged = false;
      await refresh(o);
    }
    if (
      allLinesSettled(o.status.lines) &&
      o.activeChildren === 0 &&
      inbox.fulfillments.length === 0 &&
      inbox.invoices.length === 0 &&
      !storeRefusalOpen(o)
    )
      break;
    const woke = await condition(
      () =>
        inbox.fulfillments.length > 0 ||
        inbox.invoices.length > 0 ||
        inbox.updates.length > 0 ||
        o.erpChanged ||
        (o.cancel !== undefined && !o.cancel.result) ||
        o.republishInvoices ||
        o.storeParks.length > 0 ||
        (allLinesSettled(o.status.lines) && o.activeChildren === 0 && !storeRefusalOpen(o)),
      refreshMs,
    );
    if (!woke) o.erpChanged = true;
  }
}

/**
 * Signals a backorder process if it is still running. It may have finished on its own (stock came
 * in) a moment before its result reached this workflow; then there is nobody left to tell.
 */
export async function tellBackorder<Args extends unknown[]>(
  handle: ChildWorkflowHandle<typeof backorder>,
  signal: SignalDefinition<Args>,
  ...args: Args
): Promise<boolean> {
  try {
    await handle.signal(signal, ...args);
    return true;
  } catch (err) {
    if ((err as { type?: string }).type === 'ExternalWorkflowExecutionNotFound') return false;
    throw err;
  }
}

/** Cancels the open quantity of the named lines (backordered ones through their backorder workflow). */
export async function cancelLines(o: OrderRun, req: PendingCancel): Promise<CancelResult> {
  const { status, backorders, input } = o;
  const targets = status.lines.filter((l) => req.lines?.includes(l.lineId) && openQuantity(l) > 0);
  const direct: typeof targets = [];
  const viaBackorder: string[] = [];
  for (const l of targets) {
    const child = backorders.get(l.lineId);
    if (
      child &&
      l.backordered >= openQuantity(l) &&
      req.by !== 'storefront' &&
      (await tellBackorder(child, cancelBackorderSignal, {
        reason: req.reason,
        by: req.by === 'buyer' ? 'buyer' : 'operator',
      }))
    ) {
      viaBackorder.push(l.lineId);
    } else {
      if (child) await tellBackorder(child, orderClosedSignal);
      direct.push(l);
    }
  }
  const cancelledLines: { lineId: string; quantity: number }[] = [];
  let refundRefused: string | undefined;
  if (direct.length > 0) {
    const lines = direct.map((l) => ({
      lineId: l.lineId,
      quantity: openQuantity(l),
      unitPrice: l.unitPrice,
      lineKeys: l.allocations.map((a) => a.lineKey),
    }));
    try {
      await erp.cancelOrderLines.executeWithOptions(
        {
          summary: `Cancel open ${lines.map((l) => `${l.quantity}× line ${l.lineId}`).join(', ')} (${req.by}: ${req.reason})`,
        },
        [
          {
            workflowId: o.workflowId,
            store: input.store,
            orderId: input.orderId,
            externalId: o.externalId,
            lines,
            currency: status.currency ?? 'USD',
            paid: isPaidStatus(o.financialStatus),
            reason: req.reason,
            refundKey: `cancel-lines:${input.orderId}:${lines.map((l) => l.lineId).join(',')}:${o.revision}`,
            notifyCustomer: req.by !== 'storefront',
          },
        ],
      );
    } catch (err) {
      // The store refuses only the refund, after the ERP closed the lines: they are cancelled, and a
      // person refunds them in the store.
      const refused = storeRefusalOf(err);
      if (!refused || !patched(STORE_REFUSALS_PATCH)) throw err;
      refundRefused = refused.words;
    }
    const done = cancelOpen(
      status.lines,
      direct.map((l) => l.lineId),
    );
    status.lines = done.lines;
    cancelledLines.push(...done.cancelled);
  }
  await condition(() => viaBackorder.every((id) => !backorders.has(id)));
  for (const id of viaBackorder)
    cancelledLines.push({ lineId: id, quantity: lineOfRun(o, id)?.cancelled ?? 0 });
  status.status = businessStatus(status.lines);
  await record(o);
  if (refundRefused !== undefined) {
    const which = direct.map((l) => `${l.sku} (line ${l.lineId})`).join(', ');
    await park(o, {
      kind: 'refundRefused',
      sku: direct[0]?.sku,
      reason: `${which} of order ${current(o).orderNumber} ${direct.length > 1 ? 'were' : 'was'} cancelled in the ERP, but the store refused to refund ${direct.length > 1 ? 'them' : 'it'}: ${refundRefused}. Refund or cancel ${direct.length > 1 ? 'them' : 'it'} in the store yourself (Quayside does not try again), then acknowledge.`,
    });
  }
  publishHeadroom(o, `lines of order ${current(o).orderNumber} cancelled`);
  return {
    outcome:
      req.lines && req.lines.length < status.lines.length && o.cancel === undefined
        ? 'linesCancelled'
        : 'openLinesCancelled',
    compensations: [],
    cancelledLines,
  };
}

/** Brings backorder children in line with the ERP sales order's backordered and closed quantities. */
export async function reconcile(o: OrderRun, so: ErpSalesOrder) {
  const { status } = o;
  for (const { lineId } of status.lines) {
    const position = erpPosition(lineOfRun(o, lineId) as OrderLineStatus, so);
    status.lines = withCancelled(status.lines, lineId, position.cancelled);
    const child = o.backorders.get(lineId);
    if (position.backordered > 0 && !child) {
      await startBackorder(
        o,
        lineOfRun(o, lineId) as OrderLineStatus,
        position.backordered,
        position.backorderLineKeys,
      );
    } else if (position.backordered === 0 && child) {
      await tellBackorder(child, backorderReleasedSignal);
    }
    // Shown only once its backorder process exists, so a cancel of the line always finds it.
    status.lines = withBackordered(status.lines, lineId, position.backordered);
  }
  status.status = businessStatus(status.lines);
  await record(o);
}

async function startBackorder(o: OrderRun, l: OrderLineStatus, quantity: number, lineKeys: string[]) {
  const { input } = o;
  const handle = await startChild(backorder, {
    workflowId: backorderWorkflowId(input.store, input.orderId, l.lineId),
    staticSummary: `Backorder: ${quantity}× ${l.sku} on order ${current(o).orderNumber}`,
    args: [
      {
        store: input.store,
        orderId: input.orderId,
        orderNumber: current(o).orderNumber,
        orderWorkflowId: o.workflowId,
        externalId: o.externalId,
        lineId: l.lineId,
        sku: l.erpSku ?? l.sku,
        lineKeys,
        quantity,
        unitPrice: l.unitPrice,
        currency: current(o).currency,
        paid: isPaidStatus(o.financialStatus),
        rules: rulesOf(o).backorder,
      },
    ],
  });
  o.backorders.set(l.lineId, handle);
  o.activeChildren += 1;
  handle.result().then(
    (r: BackorderResult) => {
      o.backorders.delete(l.lineId);
      o.activeChildren -= 1;
      if (r.outcome === 'cancelled') {
        o.status.lines = backorderCancelled(o.status.lines, r.lineId, r.quantity);
        o.status.status = businessStatus(o.status.lines);
      }
    },
    (err: unknown) => {
      o.backorders.delete(l.lineId);
      o.activeChildren -= 1;
      log.error('backorder workflow failed', { lineId: l.lineId, error: String(err) });
    },
  );
}

/** An ERP fulfillment: the ledger ships it, its reservations are released, and a shipment child pushes it. */
async function ship(o: OrderRun, f: ErpFulfillment) {
  const { input, status } = o;
  if (f.lines.length === 0 && patched(KIT_PARCELS_PATCH)) return shipParcel(o, f);
  for (const { lineId, quantity } of shippedByLine(f)) {
    if (!lineOfRun(o, lineId)) continue;
    status.lines = shipLine(status.lines, lineId, quantity);
    const child = o.backorders.get(lineId);
    if (child && lineOfRun(o, lineId)?.backordered === 0) await tellBackorder(child, backorderReleasedSignal);
  }
  await local.releaseReservations.executeWithOptions(
    { summary: `Release reservations shipped in fulfillment ${f.erpId}` },
    [{ workflowId: o.workflowId, lineKeys: f.lines.map((x) => x.lineKey) }],
  );
  const handle = await startChild(shipment, {
    workflowId: shipmentWorkflowId(input.store, input.orderId, f.erpId),
    staticSummary: `Shipment ${f.erpId} of order ${current(o).orderNumber}: ${f.carrier ?? 'carrier not given'} ${f.trackingNumbers.join(', ')}`,
    args: [
      {
        store: input.store,
        orderId: input.orderId,
        orderNumber: current(o).orderNumber,
        fulfillment: f,
        notifyCustomer: rulesOf(o).fulfillment.notifyCustomer,
      },
    ],
  });
  o.activeChildren += 1;
  const what = `ERP fulfillment ${f.erpId} of order ${current(o).orderNumber}`;
  handle.result().then(
    (r) => {
      const { serialsRefused, ...shipped } = r;
      status.shipments.push(serialsRefused === undefined ? r : shipped);
      o.activeChildren -= 1;
      if (serialsRefused !== undefined)
        o.storeParks.push({
          kind: 'serialsRefused',
          reason: `${what} is shipped in the store, but the store refused its serial numbers: ${serialsRefused}. Give the buyer the serial numbers (they are on the ERP fulfillment), then acknowledge.`,
        });
    },
    (err: unknown) => {
      o.activeChildren -= 1;
      // The store refused the shipment itself (Shopify userErrors): parked in its words.
      const refused = storeRefusalOf(err instanceof ChildWorkflowFailure ? err.cause : err);
      if (refused && patched(STORE_REFUSALS_PATCH)) {
        o.storeParks.push({
          kind: 'shipmentRefused',
          reason: `${what} (${f.carrier ?? 'carrier not given'}${f.trackingNumbers.length ? `, tracking ${f.trackingNumbers.join(', ')}` : ''}) could not be sent to the store, which refused: ${refused.words}. Check the order's fulfillments in the store and fulfil it there by hand if needed (Quayside does not try again), then acknowledge.`,
        });
        return;
      }
      status.attention = {
        kind: 'shipmentFailed',
        reason: `Tracking for ERP fulfillment ${f.erpId} could not be sent to the storefront: ${String(err)}`,
        since: new Date().toISOString(),
      };
    },
  );
  status.status = businessStatus(status.lines);
  await record(o);
}

/**
 * A parcel of item group components that completes no kit (nothing shipped on the ledger, nothing
 * released): its shipment child shows its carrier, tracking and contents on the store order.
 */
async function shipParcel(o: OrderRun, f: ErpFulfillment) {
  const { input, status } = o;
  const handle = await startChild(shipment, {
    workflowId: shipmentWorkflowId(input.store, input.orderId, f.erpId),
    staticSummary: `Parcel ${f.erpId} of order ${current(o).orderNumber} (kit parts): ${f.carrier ?? 'carrier not given'} ${f.trackingNumbers.join(', ')}`,
    args: [
      {
        store: input.store,
        orderId: input.orderId,
        orderNumber: current(o).orderNumber,
        fulfillment: f,
        notifyCustomer: rulesOf(o).fulfillment.notifyCustomer,
      },
    ],
  });
  o.activeChildren += 1;
  handle.result().then(
    (r) => {
      status.shipments.push(r);
      o.activeChildren -= 1;
    },
    (err: unknown) => {
      o.activeChildren -= 1;
      const refused = storeRefusalOf(err instanceof ChildWorkflowFailure ? err.cause : err);
      const what = `Parcel ${f.erpId} of order ${current(o).orderNumber} (${f.carrier ?? 'carrier not given'}${f.trackingNumbers.length ? `, tracking ${f.trackingNumbers.join(', ')}` : ''}), kit parts that complete no kit yet,`;
      if (refused) {
        o.storeParks.push({
          kind: 'shipmentRefused',
          reason: `${what} could not be shown on the store order, which refused: ${refused.words}. Give the buyer the tracking (Quayside does not try again), then acknowledge.`,
        });
        return;
      }
      status.attention = {
        kind: 'shipmentFailed',
        reason: `${what} could not be shown on the store order: ${String(err)}`,
        since: new Date().toISOString(),
      };
    },
  );
}

/** ERP invoices: billed on the ledger, published to the customer portal. */
async function invoice(o: OrderRun, batch: ErpInvoice[]) {
  const { status } = o;
  for (const inv of batch) {
    status.invoices.push({ erpId: inv.erpId, tranId: inv.tranId, total: inv.total, dueDate: inv.dueDate });
    status.lines = invoiceLines(status.lines, inv);
  }
  await publishInvoices(o, batch);
  await record(o);
  publishHeadroom(o, `invoice ${batch.map((i) => i.tranId).join(', ')}`);
}

/**
 * Parked on a store refusal (invoices not shown, a refund not made): the order does not complete
 * before a person acknowledged it, so its alert stays until then.
 */
const storeRefusalOpen = (o: OrderRun) =>
  o.storeParks.length > 0 ||
  ['invoiceRefused', 'refundRefused', 'shipmentRefused', 'serialsRefused'].includes(
    o.status.attention?.kind ?? '',
  );

/**
 * Shows all of the order's invoices on the store order (the customer portal reads them there). A store
 * refusal parks the order with the store's words and the order goes on; acknowledged, they are shown again.
 */
async function publishInvoices(o: OrderRun, batch: Pick<ErpInvoice, 'tranId'>[] = o.status.invoices) {
  const numbers = batch.map((i) => i.tranId).join(', ');
  try {
    await storefront.publishInvoices.executeWithOptions(
      { summary: `Invoice ${numbers} to the customer portal` },
      [{ orderId: o.input.orderId, invoices: o.status.invoices }],
    );
  } catch (err) {
    const refused = storeRefusalOf(err);
    if (!refused || !patched(STORE_REFUSALS_PATCH)) throw err;
    const many = batch.length > 1;
    await park(o, {
      kind: 'invoiceRefused',
      reason: `Invoice${many ? 's' : ''} ${numbers} could not be shown on order ${current(o).orderNumber} in the store, which refused: ${refused.words}. Correct the order in the store, then acknowledge and Quayside shows the order's invoices again.`,
    });
  }
}

async function refresh(o: OrderRun) {
  const so = await erp.readErpSalesOrder.executeWithOptions(
    { summary: `Re-read ERP sales order ${o.externalId}` },
    [{ externalId: o.externalId }],
  );
  if (so) await reconcile(o, so);
}

/** orders/updated after the ERP order exists: applied to the ERP before shipping, parked after. */
async function applyStorefrontUpdate(o: OrderRun, next: CanonicalOrder) {
  const prev = current(o);
  const { changes, structural, erp: erpChanges } = diffStorefrontUpdate(prev, next, o.status.lines);
  if (changes.length === 0 && structural.length === 0) {
    o.order = { ...prev, updatedAt: next.updatedAt };
    return;
  }
  if (shippedAny(o) || structural.length > 0) {
    await park(o, {
      kind: 'changedAfterShipment',
      reason: `Order ${prev.orderNumber} changed on the storefront ${shippedAny(o) ? 'after shipping began' : 'in a way the ERP order cannot take'} (${[...changes, ...structural].join('; ')}); review it in the ERP and acknowledge.`,
    });
    return;
  }
  let toErp = erpChanges;
  const moneyChecked = erpChanges.lines !== undefined && patched(UPDATE_MONEY_PATCH);
  if (moneyChecked) {
    // New quantities go at the store's prices with the order's changed money, and never to an ERP
    // total that differs from what the store now charges (parked until a consistent update).
    const update = salesOrderUpdate(prev, next, o.status.lines, erpChanges);
    if (update.gap) {
      const { erpTotal, storeTotal, gap } = update.gap;
      await park(o, {
        kind: 'totalMismatch',
        reason: `The change to order ${prev.orderNumber} (${changes.join('; ')}) was not sent to the ERP: the ERP's total would be ${erpTotal.format()} but the store now charges ${storeTotal.format()}, ${gap.abs().format()} ${gap.isNegative() ? 'less' : 'more'}. Correct the order in the store (an updated order is checked again); the ERP order keeps its earlier quantities.`,
      });
      return;
    }
    toErp = update.changes;
  }
  const applied = await erp.updateErpSalesOrder.executeWithOptions(
    { summary: `Apply storefront changes to the ERP order: ${changes.join('; ')}` },
    [{ externalId: o.externalId, changes: toErp }],
  );
  // A consistent update resolves a change parked on its total.
  if (o.status.attention?.kind === 'totalMismatch') await clearAttention(o);
  const keepErp = o.status.erpOrder;
  adoptOrder(o, next);
  o.status.erpOrder = keepErp;
  o.status.lines = withOrderedAllocations(o.status.lines);
  if (next.poNumber) upsertSearchAttributes([{ key: SA.poNumber, value: next.poNumber }]);
  await refresh(o);
  // The ERP's own total after the change, to the cent: what the projection could not know (a rate
  // edited in the ERP, a line it recomputed) parks with the difference for a person to correct.
  const after = moneyChecked ? erpOrderTotalGap(applied, next) : null;
  if (after) {
    const { erpTotal, storeTotal, gap } = after;
    await park(o, {
      kind: 'erpTotalDiffers',
      reason: `After the change to order ${next.orderNumber} (${changes.join('; ')}), the ERP's sales order totals ${erpTotal.format()} but the store charges ${storeTotal.format()}, ${gap.abs().format()} ${gap.isNegative() ? 'less' : 'more'} in the ERP. Correct the sales order's lines in the ERP (or the order in the store), then acknowledge.`,
    });
  }
}
