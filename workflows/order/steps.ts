import { ActivityFailure, ApplicationFailure, condition, patched } from '@temporalio/workflow';
import type { CreditInfo, MappedOrder } from '../../activities/orders';
import { allocate, reservationsOf, type Allocation } from '../../domain/allocation';
import { assessCredit, findPriceMismatches } from '../../domain/credit';
import { onAccount } from '../../domain/credit-exposure';
import type { ErpSalesOrder } from '../../domain/erp';
import { erpRejections } from '../../domain/failures';
import { chargedTotal, orderTotal, type CanonicalOrder } from '../../domain/order';
import { mappedStatus, withAllocations, withErpSkus } from '../../domain/order-ledger';
import { erpTotalGap, rejectedOrderField, salesOrderInput } from '../../domain/sales-order';
import { erp, erpRead, local } from './proxies';
import { awaitApproval, rejectedBy } from './approval';
import { willUndo } from './compensate';
import { reconcile } from './fulfilment';
import { clearAttention, park, readModel, record, recordSummary, resolveAlert } from './record';
import { adoptOrder, current, guard, rulesOf, type OrderRun } from './state';

/** The order mapped to the ERP: its ERP customer and each storefront SKU's ERP item. */
export interface Mapped {
  customerErpId: string;
  skus: Record<string, string>;
  shipMethods?: Record<string, string>;
}

/** Parked: waits for an operator's fix, a cancellation or a newer order, then the pipeline starts over. */
async function untilFixed(o: OrderRun, seen: number) {
  await condition(() => o.fix !== undefined || o.cancel !== undefined || o.revision !== seen);
  o.fix = undefined;
  o.fixApplied = true;
  guard(o);
}

/**
 * 1. Maps the customer and every SKU through the mapping tables. What is unmapped parks the order
 * until an operator maps it; then the pipeline starts over (undefined).
 */
export async function mapOrder(o: OrderRun, seen: number): Promise<Mapped | undefined> {
  const { status } = o;
  status.step = 'mapping';
  const pre = o.premapped;
  o.premapped = undefined;
  const m: MappedOrder =
    pre !== undefined && pre.revision === seen
      ? pre.mapped
      : await local.mapOrder.executeWithOptions(
          { summary: `Map ${current(o).lines.length} lines and customer ${current(o).customerId}` },
          [{ order: current(o) }],
        );
  guard(o);
  if (m.customerErpId === null || m.unmappedSkus.length > 0) {
    o.unmapped = { skus: m.unmappedSkus, customer: m.customerErpId === null };
    const many = m.unmappedSkus.length > 1;
    if (m.customerErpId === null) {
      await park(o, {
        kind: 'unmappedCustomer',
        field: 'customerId',
        reason: `Storefront customer ${current(o).customerId} has no ERP customer in the customer mapping; map it to an ERP customer to continue.`,
      });
    } else {
      await park(o, {
        kind: 'unmappedSku',
        sku: m.unmappedSkus[0],
        reason: `SKU ${m.unmappedSkus.join(', ')} ${many ? 'are' : 'is'} not mapped to an ERP item; map ${many ? 'them' : 'it'} to continue.`,
      });
    }
    await untilFixed(o, seen);
    return undefined;
  }
  if (o.fewerTasks) {
    // The alert resolves here; the read model (attention cleared, mapped) is written by the credit
    // check that always follows, before it reads anything.
    if (status.attention) {
      status.attention = null;
      await resolveAlert(o);
    }
  } else await clearAttention(o);
  o.customerErpId = m.customerErpId;
  status.lines = withErpSkus(status.lines, m.skus);
  status.status = mappedStatus(status.status);
  if (!o.fewerTasks) await record(o);
  return { customerErpId: m.customerErpId, skus: m.skus, shipMethods: m.shipMethods };
}

/** 2. The ERP customer's credit account: limit, balance, open orders, terms, price level. */
export async function readCredit(o: OrderRun, mapped: Mapped): Promise<CreditInfo> {
  // With fewer tasks, the read model of the mapped order is written by the same activity, first.
  const mappedRecord = o.fewerTasks ? readModel(o) : undefined;
  const check = `credit check for ERP customer ${mapped.customerErpId}`;
  o.status.step = 'creditCheck';
  const account = await erpRead.readCreditAccount.executeWithOptions(
    { summary: mappedRecord ? `${recordSummary(o)}, then ${check}` : `C${check.slice(1)}` },
    [
      {
        store: o.input.store,
        orderId: o.input.orderId,
        customerId: current(o).customerId,
        customerErpId: mapped.customerErpId,
        ...(mappedRecord ? { record: mappedRecord } : {}),
      },
    ],
  );
  o.balanceCached = account.balanceCached === true;
  guard(o);
  return account;
}

/** 2. Over the credit limit, or a large first order: an approver decides; a rejection cancels the order. */
export async function holdForCredit(o: OrderRun, mapped: Mapped, account: CreditInfo) {
  const order = current(o);
  const amount = patched('credit-on-store-total') ? chargedTotal(order) : orderTotal(order);
  // An order the store was paid for at checkout takes no credit (domain/credit-exposure.ts).
  const paidAtCheckout = patched('paid-orders-take-no-credit') && !onAccount(order.financialStatus);
  const assessment = assessCredit(account, amount, rulesOf(o), order.currency, { paidAtCheckout });
  if (assessment.outcome === 'clear') return;
  const kind = assessment.outcome === 'creditHold' ? 'order.creditHold' : 'order.firstOrder';
  const d = await awaitApproval(o, kind, `Order ${order.orderNumber}: ${assessment.reason}`, {
    orderId: o.input.orderId,
    customerId: order.customerId,
    customerErpId: mapped.customerErpId,
    company: account.companyName,
    creditLimit: account.creditLimit,
    balance: account.balance,
    exposure: assessment.exposure,
  });
  if (d.outcome === 'reject') rejectedBy(o, kind === 'order.creditHold' ? 'Credit hold' : 'First order', d);
}

/** The order's lines as ERP items. */
const erpLinesOf = (order: CanonicalOrder, mapped: Mapped) =>
  order.lines.map((l) => ({ lineId: l.lineId, sku: mapped.skus[l.sku] as string, quantity: l.quantity }));

/** The order's lines as ERP items, allocated to warehouses. */
export interface Allocated {
  erpLines: { lineId: string; sku: string; quantity: number }[];
  allocation: Allocation;
  /** The ERP's expected unit prices, when they were read with the allocation. */
  expected?: Record<string, string>;
}

/**
 * 3. Allocates the lines across warehouses (stock, then priority) and reserves the stock. With fewer
 * tasks, one activity allocates, reserves and reads the expected prices (for step 4) at the same time.
 */
export async function allocateStock(o: OrderRun, mapped: Mapped, account: CreditInfo): Promise<Allocated> {
  o.status.step = 'allocating';
  const erpLines = erpLinesOf(current(o), mapped);
  let allocation: Allocation;
  let expected: Record<string, string> | undefined;
  if (o.fewerTasks) {
    ({ allocation, expected } = await local.reserveAndPrice.executeWithOptions(
      {
        summary: 'Allocate and reserve stock by warehouse priority; expected prices from the ERP price cache',
      },
      [
        {
          workflowId: o.workflowId,
          lines: erpLines,
          priority: rulesOf(o).warehouses.priority,
          customerErpId: mapped.customerErpId,
          priceLevel: account.priceLevel,
        },
      ],
    ));
  } else {
    const stock = await local.readFreeStock.executeWithOptions(
      { summary: 'Read free stock in every warehouse' },
      [{ workflowId: o.workflowId, skus: [...new Set(erpLines.map((l) => l.sku))] }],
    );
    allocation = allocate(erpLines, stock, rulesOf(o).warehouses.priority);
    await local.reserveStock.executeWithOptions(
      {
        summary: `Reserve stock: ${[...new Set(allocation.lines.map((a) => a.location))].join(' + ')}${allocation.split ? ' (split shipment)' : ''}`,
      },
      [{ workflowId: o.workflowId, lines: reservationsOf(allocation) }],
    );
  }
  willUndo(o, 'releaseReservations');
  o.status.lines = withAllocations(o.status.lines, allocation.lines);
  guard(o);
  return { erpLines, allocation, ...(expected ? { expected } : {}) };
}

/** 4. Storefront prices that differ from the ERP's beyond the tolerance wait for an approver. */
export async function checkPrices(
  o: OrderRun,
  mapped: Mapped,
  account: CreditInfo,
  { erpLines, expected: read }: Allocated,
) {
  const expected =
    read ??
    (await local.expectedPrices.executeWithOptions({ summary: 'Expected prices from the ERP price cache' }, [
      {
        customerErpId: mapped.customerErpId,
        priceLevel: account.priceLevel,
        lines: erpLines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      },
    ]));
  const mismatches = findPriceMismatches(
    current(o).lines.map((l) => ({
      lineId: l.lineId,
      sku: mapped.skus[l.sku] as string,
      unitPrice: l.unitPrice,
    })),
    expected,
    rulesOf(o).price.tolerancePercent,
    current(o).currency,
  );
  if (mismatches.length === 0) return;
  const words = mismatches
    .map((mm) => `${mm.sku} at ${mm.storefrontPrice} vs ERP ${mm.erpPrice} (${mm.differencePercent}%)`)
    .join('; ');
  const d = await awaitApproval(
    o,
    'order.priceMismatch',
    `Order ${current(o).orderNumber}: storefront prices differ from the ERP beyond ${rulesOf(o).price.tolerancePercent}%: ${words}`,
    { orderId: o.input.orderId, mismatches },
  );
  if (d.outcome === 'reject') rejectedBy(o, 'Price mismatch', d);
}

/**
 * 5. The ERP sales order, idempotent by external id. Not sent when the ERP's total would differ from
 * the store's (parked until a corrected order arrives); an ERP rejection parks it for a field fix.
 * The order is in the ERP when `status.erpOrder` is set; else the pipeline starts over.
 */
export async function placeErpOrder(
  o: OrderRun,
  mapped: Mapped,
  account: CreditInfo,
  { allocation }: Allocated,
  seen: number,
): Promise<void> {
  o.status.step = 'creatingErpOrder';
  const order = current(o);
  const { externalId } = o;
  // The order's whole money (discount, shipping, tax, payment), and never an ERP total that
  // differs from what the store charged.
  const wholeMoney = patched('order-whole-money');
  const so = salesOrderInput(
    {
      externalId,
      order,
      customerErpId: mapped.customerErpId,
      terms: account.terms,
      allocation: allocation.lines,
      shipMethods: mapped.shipMethods,
    },
    wholeMoney,
  );
  const mismatch = wholeMoney ? erpTotalGap(so, order) : null;
  if (mismatch) {
    const { erpTotal, storeTotal, gap } = mismatch;
    await park(o, {
      kind: 'totalMismatch',
      reason: `Order ${order.orderNumber} was not sent to the ERP: the ERP's total would be ${erpTotal.format()} but the store charged ${storeTotal.format()}, ${gap.abs().format()} ${gap.isNegative() ? 'less' : 'more'}. Correct the order in the store (an updated order is checked again) or cancel it.`,
    });
    // The signal handler queues updates that arrive at this step (the ERP order may be
    // on its way), so a corrected order is taken from the queue here.
    const resumeOnUpdate = patched('total-mismatch-resumes-on-update');
    const { updates } = o.inbox;
    await condition(
      () => o.cancel !== undefined || o.revision !== seen || (resumeOnUpdate && updates.length > 0),
    );
    if (resumeOnUpdate && o.cancel === undefined)
      while (updates.length > 0) adoptOrder(o, updates.shift() as CanonicalOrder);
    guard(o);
    return;
  }
  let created: ErpSalesOrder;
  try {
    created = await erp.createErpSalesOrder.executeWithOptions(
      {
        summary: `Create ERP sales order ${externalId}${order.poNumber ? ` (PO ${order.poNumber})` : ''}, ${so.lines.length} lines`,
      },
      [so],
    );
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (!(cause instanceof ApplicationFailure) || !cause.nonRetryable) throw err;
    // The connector names the fields the ERP refused (NetSuite's o:errorPath); the operator fixes that one.
    await park(o, {
      kind: 'erpRejected',
      field: rejectedOrderField(erpRejections(cause.details)),
      reason: `The ERP rejected sales order ${externalId}: ${cause.message}`,
    });
    await untilFixed(o, seen);
    return;
  }
  willUndo(o, 'cancelErpOrder');
  o.status.erpOrder = { erpId: created.erpId, tranId: created.tranId, externalId };
  await clearAttention(o);
  o.status.step = 'fulfilling';
  await reconcile(o, created);
}
