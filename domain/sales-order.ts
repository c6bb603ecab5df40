import type { AllocatedLine } from './allocation';
import { projectErpTotals, type ErpSalesOrder, type ErpSalesOrderInput, type SalesOrderChanges } from './erp';
import type { ErpRejection } from './failures';
import { Money } from './money';
import { orderMoney, type Address, type CanonicalOrder } from './order';
import type { OrderField } from './order';

/**
 * How a storefront order becomes the ERP sales order, and back: the sales order for a mapped and
 * allocated order, whether the ERP's total would be the store's, the ship-to address the ERP is
 * given, and the order field an operator fixes when the ERP refuses one of the sales order's.
 */

export interface SalesOrderSource {
  /** The ERP sales order's external id (`<store>:<orderId>`). */
  externalId: string;
  order: CanonicalOrder;
  customerErpId: string;
  /** The ERP customer's payment terms. */
  terms: string | null;
  /** Where each line ships from, and how much (`domain/allocation.ts`). */
  allocation: readonly AllocatedLine[];
  /** Store shipping code → ERP shipping method. */
  shipMethods?: Record<string, string>;
}

/**
 * The ERP sales order for an order: its lines as allocated, at the store's prices, with PO number,
 * project code, terms, memo and ship-to. With `wholeMoney` also the order's whole money: its one
 * discount, shipping method and cost, tax lines (or exemption), and a paid order's payment.
 */
export function salesOrderInput(src: SalesOrderSource, wholeMoney: boolean): ErpSalesOrderInput {
  const { order: o, externalId } = src;
  const input: ErpSalesOrderInput = {
    externalId,
    customerErpId: src.customerErpId,
    poNumber: o.poNumber,
    projectCode: o.projectCode,
    terms: src.terms ?? undefined,
    memo: o.note,
    currency: o.currency,
    shipTo: erpShipTo(o.shippingAddress),
    lines: src.allocation.map((a) => ({
      lineKey: a.lineKey,
      sku: a.sku,
      quantity: a.quantity,
      rate: o.lines.find((l) => l.lineId === a.lineId)?.unitPrice ?? '0',
      location: a.location,
    })),
  };
  if (!wholeMoney) return input;
  const money = orderMoney(o);
  const codes = (o.discountCodes ?? []).map((d) => d.code);
  if (money.discount.isPositive()) input.discount = { amount: money.discount.toString(), codes };
  const shippingLines = o.shippingLines ?? [];
  const [shippingLine] = shippingLines;
  if (shippingLine)
    input.shipping = {
      method: src.shipMethods?.[shippingLine.code] ?? null,
      storeMethod: shippingLines.map((sl) => sl.title ?? sl.code).join(', '),
      cost: money.shipping.toString(),
    };
  if (o.taxExempt) input.taxExempt = true;
  else if (o.taxLines?.length) input.tax = { lines: o.taxLines };
  // Only a fully paid order's payment is known to be the total; authorized ones record none.
  if (o.financialStatus === 'paid' && o.totals)
    input.payment = {
      status: 'paid',
      gateway: o.gateway ?? null,
      amount: o.totals.total,
      externalId: `${externalId}:deposit`,
    };
  return input;
}

/** How the ERP's total for a sales order would differ from what the store charged (null: to the cent, or no store total). */
export function erpTotalGap(
  input: ErpSalesOrderInput,
  order: CanonicalOrder,
): { erpTotal: Money; storeTotal: Money; gap: Money } | null {
  if (!order.totals) return null;
  const erpTotal = Money.of(projectErpTotals(input).total, order.currency);
  const storeTotal = Money.of(order.totals.total, order.currency, 'halfUp');
  if (erpTotal.equals(storeTotal)) return null;
  return { erpTotal, storeTotal, gap: erpTotal.minus(storeTotal) };
}

/**
 * How the total of the ERP's sales order as it now stands differs from what the store charges (null:
 * to the cent, or either total unknown): the check after a change the ERP has applied, which catches
 * what the projection cannot (a rate edited in the ERP, a line the ERP recomputed).
 */
export function erpOrderTotalGap(
  so: Pick<ErpSalesOrder, 'totals'>,
  order: CanonicalOrder,
): { erpTotal: Money; storeTotal: Money; gap: Money } | null {
  if (!order.totals || !so.totals) return null;
  const erpTotal = Money.of(so.totals.total, order.currency, 'halfUp');
  const storeTotal = Money.of(order.totals.total, order.currency, 'halfUp');
  if (erpTotal.equals(storeTotal)) return null;
  return { erpTotal, storeTotal, gap: erpTotal.minus(storeTotal) };
}

/**
 * A storefront update's quantity changes as the ERP gets them, and whether the ERP's total would
 * then differ from what the store now charges (null: to the cent, or no store total). Each changed
 * line goes at the store's unit price (an item group line's money is split over its components again,
 * `activities/item-groups.ts`), and the order's discount, shipping cost and tax go with them when
 * the store's changed: the ERP's total after the change is the sales order the updated order would
 * make, lines as the ledger holds them with the new quantities.
 */
export function salesOrderUpdate(
  prev: CanonicalOrder,
  next: CanonicalOrder,
  ledger: readonly {
    lineId: string;
    sku: string;
    erpSku: string | null;
    allocations: readonly { lineKey: string; location: string; quantity: number }[];
  }[],
  changes: SalesOrderChanges,
): { changes: SalesOrderChanges; gap: ReturnType<typeof erpTotalGap> } {
  const quantity = new Map((changes.lines ?? []).map((l) => [l.lineKey, l.quantity]));
  const allocation = ledger.flatMap((l) =>
    l.allocations.map((a) => ({
      lineKey: a.lineKey,
      lineId: l.lineId,
      sku: l.erpSku ?? l.sku,
      location: a.location,
      quantity: quantity.get(a.lineKey) ?? a.quantity,
      shortQuantity: 0,
    })),
  );
  const project = (order: CanonicalOrder) =>
    salesOrderInput({ externalId: '', order, customerErpId: '', terms: null, allocation }, true);
  const before = project(prev);
  const after = project(next);
  const differs = <K extends 'discount' | 'shipping' | 'tax' | 'taxExempt'>(k: K) =>
    JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null);
  const money: SalesOrderChanges = {};
  if (differs('discount')) money.discount = after.discount ?? { amount: '0', codes: [] };
  if (differs('shipping') && after.shipping) money.shipping = after.shipping;
  if (differs('tax') || differs('taxExempt')) {
    if (after.taxExempt) money.taxExempt = true;
    else money.tax = after.tax ?? { lines: [] };
  }
  const rateOf = new Map(
    allocation.map((a) => [a.lineKey, after.lines.find((l) => l.lineKey === a.lineKey)]),
  );
  return {
    changes: {
      ...changes,
      ...money,
      currency: next.currency,
      ...(changes.lines
        ? {
            lines: changes.lines.map((l) => {
              const rate = rateOf.get(l.lineKey)?.rate;
              return rate === undefined ? l : { ...l, rate };
            }),
          }
        : {}),
    },
    gap: erpTotalGap(after, next),
  };
}

/** The ERP's ship-to address for a storefront address. */
export function erpShipTo(a: Address | undefined): ErpSalesOrderInput['shipTo'] {
  if (!a) return undefined;
  return {
    name: a.name ?? undefined,
    address1: a.address1 ?? undefined,
    city: a.city ?? undefined,
    zip: a.zip ?? undefined,
    country: a.country ?? undefined,
  };
}

/** Sales order fields that carry one field of the storefront order. */
const ORDER_FIELD_OF: Record<string, OrderField> = {
  poNumber: 'poNumber',
  projectCode: 'projectCode',
  memo: 'note',
  'shipTo.name': 'shippingAddress.name',
  'shipTo.address1': 'shippingAddress.address1',
  'shipTo.city': 'shippingAddress.city',
  'shipTo.zip': 'shippingAddress.zip',
  'shipTo.country': 'shippingAddress.country',
};

/** The order field a fix of the ERP's rejection goes to: the first the ERP named that the order carries. */
export function rejectedOrderField(rejections: readonly ErpRejection[]): OrderField | undefined {
  for (const r of rejections) {
    const field = r.field === null ? undefined : ORDER_FIELD_OF[r.field];
    if (field) return field;
  }
  return undefined;
}
