import { lineIdOfKey } from './allocation';
import type { ErpFulfillment, ErpInvoice, ErpSalesOrder, ErpSalesOrderInput } from './erp';
import type { CanonicalOrder } from './order';
import { erpShipTo } from './sales-order';

/**
 * The order ledger: where each storefront line of an order stands (ordered, allocated, shipped,
 * backordered, cancelled, invoiced), the transitions the order process applies to it, and the diff
 * of a storefront update against it. Plain data in, new data out: no Temporal, no I/O. The order
 * workflow keeps one ledger and replaces it with what these functions return.
 */

export type OrderStep =
  | 'awaitingOrder'
  | 'mapping'
  | 'creditCheck'
  | 'awaitingApproval'
  | 'allocating'
  | 'creatingErpOrder'
  | 'fulfilling'
  | 'cancelling'
  | 'completed'
  | 'cancelled';

/** The business status kept in the read model and the QuaysideStatus search attribute. */
export type OrderStatusName =
  | 'received'
  | 'onHold'
  | 'inErp'
  | 'backordered'
  | 'partiallyShipped'
  | 'shipped'
  | 'completed'
  | 'cancelled';

/** One warehouse's part of a storefront line: the ERP line key that carries it. */
export interface LineAllocation {
  lineKey: string;
  location: string;
  quantity: number;
}

export interface OrderLineStatus {
  lineId: string;
  sku: string;
  erpSku: string | null;
  title?: string;
  unitPrice: string;
  ordered: number;
  shipped: number;
  backordered: number;
  cancelled: number;
  invoiced: number;
  /** ERP lines carrying this storefront line (one per warehouse when split). */
  allocations: LineAllocation[];
}

export type OrderLedger = readonly OrderLineStatus[];

/** A quantity of one storefront line (shipped, cancelled …). */
export interface LineQuantity {
  lineId: string;
  quantity: number;
}

// ---- reading the ledger ------------------------------------------------------------------------

/** What is neither shipped nor cancelled. */
export const openQuantity = (l: Pick<OrderLineStatus, 'ordered' | 'shipped' | 'cancelled'>) =>
  Math.max(0, l.ordered - l.shipped - l.cancelled);

/** Every line is shipped or cancelled, and everything shipped is invoiced. */
export const allLinesSettled = (lines: OrderLedger) =>
  lines.every((l) => openQuantity(l) === 0 && l.invoiced >= l.shipped);

export const anyShipped = (lines: OrderLedger) => lines.some((l) => l.shipped > 0);

export const lineOf = (lines: OrderLedger, lineId: string) => lines.find((l) => l.lineId === lineId);

/** The status the ledger shows once the ERP order exists. */
export function businessStatus(lines: OrderLedger): OrderStatusName {
  const shipped = lines.reduce((s, l) => s + l.shipped, 0);
  const open = lines.reduce((s, l) => s + openQuantity(l), 0);
  if (shipped > 0 && open === 0) return 'shipped';
  if (shipped > 0) return 'partiallyShipped';
  if (lines.some((l) => l.backordered > 0)) return 'backordered';
  return 'inErp';
}

// ---- state transitions -------------------------------------------------------------------------

/** The status recorded with a step: the two end steps name themselves, any other keeps the status. */
export function statusAtStep(step: OrderStep, status: OrderStatusName): OrderStatusName {
  if (step === 'cancelled') return 'cancelled';
  if (step === 'completed') return 'completed';
  return status;
}

/** A parked order is on hold until it is in the ERP; after that it keeps its fulfillment status. */
export const parkedStatus = (inErp: boolean, status: OrderStatusName): OrderStatusName =>
  inErp ? status : 'onHold';

/** Mapped after a hold: the order is received again. */
export const mappedStatus = (status: OrderStatusName): OrderStatusName =>
  status === 'onHold' ? 'received' : status;

/** Where a settled order ends: cancelled when nothing of it remains, else completed. */
export const finalStep = (lines: OrderLedger): 'completed' | 'cancelled' =>
  lines.every((l) => l.cancelled >= l.ordered) ? 'cancelled' : 'completed';

// ---- changes to the ledger ---------------------------------------------------------------------

const changeLine = (
  lines: OrderLedger,
  lineId: string,
  change: (l: OrderLineStatus) => Partial<OrderLineStatus>,
): OrderLineStatus[] => lines.map((l) => (l.lineId === lineId ? { ...l, ...change(l) } : l));

/**
 * The ledger of an order's (new revision of its) lines: a line that stays keeps its quantities and
 * allocations, and its ERP item while its SKU is unchanged; a new line starts at nothing.
 */
export function ledgerOf(order: Pick<CanonicalOrder, 'lines'>, prev: OrderLedger): OrderLineStatus[] {
  return order.lines.map((l) => {
    const was = lineOf(prev, l.lineId);
    return {
      lineId: l.lineId,
      sku: l.sku,
      erpSku: was?.sku === l.sku ? was.erpSku : null,
      title: l.title,
      unitPrice: l.unitPrice,
      ordered: l.quantity,
      shipped: was?.shipped ?? 0,
      backordered: was?.backordered ?? 0,
      cancelled: was?.cancelled ?? 0,
      invoiced: was?.invoiced ?? 0,
      allocations: was?.allocations ?? [],
    };
  });
}

/** Each line's ERP item, from the SKU mapping (null where unmapped). */
export const withErpSkus = (lines: OrderLedger, skus: Record<string, string>): OrderLineStatus[] =>
  lines.map((l) => ({ ...l, erpSku: skus[l.sku] ?? null }));

/** Each line's warehouse portions, from an allocation. */
export function withAllocations(
  lines: OrderLedger,
  allocated: readonly (LineAllocation & { lineId: string })[],
): OrderLineStatus[] {
  return lines.map((l) => ({
    ...l,
    allocations: allocated
      .filter((a) => a.lineId === l.lineId)
      .map((a) => ({ lineKey: a.lineKey, location: a.location, quantity: a.quantity })),
  }));
}

/** After the ERP took new quantities: a line carried by one ERP line has it carry what is ordered. */
export const withOrderedAllocations = (lines: OrderLedger): OrderLineStatus[] =>
  lines.map((l) => {
    const [only] = l.allocations;
    return only && l.allocations.length === 1 ? { ...l, allocations: [{ ...only, quantity: l.ordered }] } : l;
  });

/** An ERP fulfillment's quantities per storefront line (a line split across warehouses ships as one). */
export function shippedByLine(f: Pick<ErpFulfillment, 'lines'>): LineQuantity[] {
  const byLine = new Map<string, number>();
  for (const l of f.lines)
    byLine.set(lineIdOfKey(l.lineKey), (byLine.get(lineIdOfKey(l.lineKey)) ?? 0) + l.quantity);
  return [...byLine].map(([lineId, quantity]) => ({ lineId, quantity }));
}

/**
 * A shipment of one line: never more than what is not cancelled, and what is still backordered is
 * at most what remains open. A line the order does not have is left alone.
 */
export const shipLine = (lines: OrderLedger, lineId: string, quantity: number): OrderLineStatus[] =>
  changeLine(lines, lineId, (l) => {
    const shipped = Math.min(l.ordered - l.cancelled, l.shipped + quantity);
    return { shipped, backordered: Math.min(l.backordered, openQuantity({ ...l, shipped })) };
  });

/** An ERP invoice's quantities, by the ERP line keys it bills. */
export function invoiceLines(lines: OrderLedger, invoice: Pick<ErpInvoice, 'lines'>): OrderLineStatus[] {
  let next: OrderLineStatus[] = [...lines];
  for (const il of invoice.lines)
    next = changeLine(next, lineIdOfKey(il.lineKey), (l) => ({ invoiced: l.invoiced + il.quantity }));
  return next;
}

/**
 * Cancels what is open on the named lines (every line when none are named), and ends their
 * backorders. Returns each named line with the quantity cancelled now (0 when nothing was open).
 */
export function cancelOpen(
  lines: OrderLedger,
  lineIds?: readonly string[],
): { lines: OrderLineStatus[]; cancelled: LineQuantity[] } {
  const cancelled: LineQuantity[] = [];
  const next = lines.map((l) => {
    if (lineIds && !lineIds.includes(l.lineId)) return l;
    const quantity = openQuantity(l);
    cancelled.push({ lineId: l.lineId, quantity });
    return { ...l, cancelled: l.cancelled + quantity, backordered: 0 };
  });
  return { lines: next, cancelled };
}

/** A backorder process ended by cancelling its quantity (at most what is still open). */
export const backorderCancelled = (lines: OrderLedger, lineId: string, quantity: number): OrderLineStatus[] =>
  changeLine(lines, lineId, (l) => ({
    cancelled: l.cancelled + Math.min(quantity, openQuantity(l)),
    backordered: 0,
  }));

/** Sets what the ERP closed on a line (from `erpPosition`). */
export const withCancelled = (lines: OrderLedger, lineId: string, cancelled: number): OrderLineStatus[] =>
  changeLine(lines, lineId, () => ({ cancelled }));

/** Sets what the ERP backorders on a line (from `erpPosition`). */
export const withBackordered = (lines: OrderLedger, lineId: string, backordered: number): OrderLineStatus[] =>
  changeLine(lines, lineId, () => ({ backordered }));

/** Where one storefront line stands in the ERP sales order. */
export interface ErpLinePosition {
  /** The line's cancelled quantity, counting what the ERP closed unshipped. */
  cancelled: number;
  /** What the ERP backorders of what is still open. */
  backordered: number;
  /** The ERP lines (open) that carry the backorder. */
  backorderLineKeys: string[];
}

/**
 * A line as the ERP sales order has it: lines the ERP closed count their unshipped quantity as
 * cancelled (never more than is left unshipped), and the open ERP lines' backorders are backordered.
 */
export function erpPosition(line: OrderLineStatus, so: Pick<ErpSalesOrder, 'lines'>): ErpLinePosition {
  const erpLines = so.lines.filter((e) => lineIdOfKey(e.lineKey) === line.lineId);
  const closedOpen = erpLines
    .filter((e) => e.closed)
    .reduce((s, e) => s + Math.max(0, e.quantity - e.quantityFulfilled), 0);
  const cancelled =
    closedOpen > line.cancelled && openQuantity(line) > 0
      ? Math.min(line.ordered - line.shipped, closedOpen)
      : line.cancelled;
  const open = erpLines.filter((e) => !e.closed);
  return {
    cancelled,
    backordered: Math.min(
      openQuantity({ ...line, cancelled }),
      open.reduce((s, e) => s + e.quantityBackOrdered, 0),
    ),
    backorderLineKeys: open.filter((e) => e.quantityBackOrdered > 0).map((e) => e.lineKey),
  };
}

// ---- a storefront update -----------------------------------------------------------------------

export interface StorefrontUpdateDiff {
  /** What changed that the ERP order can take, in an operator's words. */
  changes: string[];
  /** What changed that it cannot: new or removed lines, the quantity of a line split across warehouses. */
  structural: string[];
  /** The sales order update that applies `changes`. */
  erp: Partial<Pick<ErpSalesOrderInput, 'poNumber' | 'memo' | 'shipTo'>> & {
    lines?: { lineKey: string; quantity: number }[];
  };
}

/** How a storefront update (orders/updated) differs from the order the ERP has, line by line. */
export function diffStorefrontUpdate(
  prev: CanonicalOrder,
  next: CanonicalOrder,
  lines: OrderLedger,
): StorefrontUpdateDiff {
  const changes: string[] = [];
  if ((next.poNumber ?? '') !== (prev.poNumber ?? ''))
    changes.push(`PO number ${prev.poNumber ?? '(none)'} → ${next.poNumber ?? '(none)'}`);
  const addressChanged =
    JSON.stringify(next.shippingAddress ?? null) !== JSON.stringify(prev.shippingAddress ?? null);
  if (addressChanged) changes.push('shipping address');
  if ((next.note ?? '') !== (prev.note ?? '')) changes.push('note');
  const quantities: { lineKey: string; quantity: number }[] = [];
  const structural: string[] = [];
  for (const nl of next.lines) {
    const l = lineOf(lines, nl.lineId);
    if (!l || l.sku !== nl.sku) structural.push(`new line ${nl.lineId} (${nl.sku})`);
    else if (l.ordered !== nl.quantity) {
      changes.push(`${nl.sku} quantity ${l.ordered} → ${nl.quantity}`);
      const [only] = l.allocations;
      if (l.allocations.length === 1 && only)
        quantities.push({ lineKey: only.lineKey, quantity: nl.quantity });
      else structural.push(`quantity of split line ${nl.sku}`);
    }
  }
  for (const l of lines)
    if (!next.lines.some((nl) => nl.lineId === l.lineId))
      structural.push(`removed line ${l.lineId} (${l.sku})`);
  const shipTo = addressChanged ? erpShipTo(next.shippingAddress) : undefined;
  return {
    changes,
    structural,
    erp: {
      ...(next.poNumber !== prev.poNumber ? { poNumber: next.poNumber } : {}),
      ...(next.note !== prev.note ? { memo: next.note } : {}),
      ...(shipTo ? { shipTo } : {}),
      ...(quantities.length > 0 ? { lines: quantities } : {}),
    },
  };
}

/** An operator's fix of one field of the order (`poNumber`, `shippingAddress.zip` …). */
export function applyFieldFix(order: CanonicalOrder, field: string, value: string): CanonicalOrder {
  if (field.startsWith('shippingAddress.')) {
    const key = field.slice('shippingAddress.'.length);
    return { ...order, shippingAddress: { ...(order.shippingAddress ?? {}), [key]: value } };
  }
  return { ...order, [field]: value };
}
