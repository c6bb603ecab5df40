import {
  ActivityFailure,
  ApplicationFailure,
  type ChildWorkflowHandle,
  type SignalDefinition,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type {
  ApprovalActivities,
  DecisionInput,
  DecisionResult,
  PendingApproval,
  ApprovalKind,
} from '../domain/approvals';
import { DECIDE_UPDATE, PENDING_APPROVAL_QUERY } from '../domain/approvals';
import type { OrderActivities } from '../activities/orders';
import type { StorePricingActivities } from '../activities/store-pricing';
import { allocate } from '../domain/allocation';
import { assessCredit, findPriceMismatches } from '../domain/credit';
import {
  projectErpTotals,
  type ErpFulfillment,
  type ErpInvoice,
  type ErpSalesOrder,
  type ErpSalesOrderInput,
} from '../domain/erp';
import { Money } from '../domain/money';
import { backorderWorkflowId, shipmentWorkflowId } from '../domain/contracts';
import {
  ORDER_EVENT_SIGNAL,
  chargedTotal,
  orderMoney,
  orderTotal,
  type CanonicalOrder,
  type StorefrontOrderEvent,
} from '../domain/order';
import {
  isPaidStatus,
  erpOrderExternalId,
  type Attention,
  type AttentionKind,
  type CancelRequest,
  type CancelResult,
  type FixResult,
  type OrderFixRequest,
} from '../domain/order-process';
import {
  allLinesSettled,
  anyShipped as anyLineShipped,
  applyFieldFix,
  backorderCancelled,
  businessStatus,
  cancelOpen,
  diffStorefrontUpdate,
  erpPosition,
  finalStep,
  invoiceLines,
  ledgerOf,
  lineOf,
  mappedStatus,
  openQuantity,
  parkedStatus,
  shipLine,
  shippedByLine,
  statusAtStep,
  withAllocations,
  withBackordered,
  withCancelled,
  withErpSkus,
  withOrderedAllocations,
  type OrderLineStatus,
  type OrderStatusName,
  type OrderStep,
} from '../domain/order-ledger';
import { erpShipTo, rejectedOrderField } from '../domain/sales-order';
import { erpRejections } from '../domain/failures';
import { REFUND_EVENT_SIGNAL, type StorefrontRefundEvent } from '../domain/returns';
import { BusinessRules, durationMs, type BusinessRulesInput, type RulesSnapshot } from '../domain/rules';
import { attentionAttribute, SA } from '../domain/search-attributes';
import { PROFILES } from './activity-profiles';
import {
  backorder,
  backorderReleasedSignal,
  cancelBackorderSignal,
  orderClosedSignal,
  type BackorderResult,
} from './backorder';
import { shipment, type ShipmentResult } from './shipment';
import { DECIDE_CLAIMS_PATCH, type ApprovalGateOptions, decisionProblem } from './approvalGate';

export interface OrderWorkflowInput {
  store: string;
  orderId: string;
  /** Rules to use instead of the stored ones (tests, or a replayed order with the rules it had). */
  rules?: BusinessRulesInput;
}

export interface OrderStatus {
  workflowId: string;
  store: string;
  orderId: string;
  orderNumber: string | null;
  customerId: string | null;
  poNumber: string | null;
  total: string | null;
  currency: string | null;
  step: OrderStep;
  status: OrderStatusName;
  attention: Attention | null;
  pendingApproval: PendingApproval | null;
  erpOrder: { erpId: string; tranId: string; externalId: string } | null;
  lines: OrderLineStatus[];
  shipments: ShipmentResult[];
  invoices: { erpId: string; tranId: string; total: string; dueDate: string | null }[];
  refunds: { refundId: string; amount: string; lines: { lineId: string; quantity: number }[] }[];
  compensations: { name: string; outcome: 'done' | 'failed'; detail?: string }[];
  approvals: {
    approvalId: string;
    kind: ApprovalKind;
    outcome: string;
    decidedBy: string;
    reason?: string;
  }[];
  rulesVersion: number | null;
  cancelReason: string | null;
}

export const orderEventSignal = defineSignal<[StorefrontOrderEvent]>(ORDER_EVENT_SIGNAL);
export const refundEventSignal = defineSignal<[StorefrontRefundEvent]>(REFUND_EVENT_SIGNAL);
/** An ERP fulfillment of this order (from the ERP change poller, or pushed). */
export const erpFulfillmentSignal = defineSignal<[ErpFulfillment]>('erpFulfillment');
/** An ERP invoice of this order. */
export const erpInvoiceSignal = defineSignal<[ErpInvoice]>('erpInvoice');
/** The ERP sales order changed (backorders, closed lines): re-read it now instead of at the next refresh. */
export const erpOrderChangedSignal = defineSignal('erpOrderChanged');
export const orderStatusQuery = defineQuery<OrderStatus>('status');
export const pendingApprovalQuery = defineQuery<PendingApproval | null>(PENDING_APPROVAL_QUERY);
export const decideUpdate = defineUpdate<DecisionResult, [DecisionInput]>(DECIDE_UPDATE);
export const fixUpdate = defineUpdate<FixResult, [OrderFixRequest]>('fix');
export const cancelUpdate = defineUpdate<CancelResult, [CancelRequest]>('cancel');

const erp = proxyActivities<OrderActivities>(PROFILES.erpCall);
const storefront = proxyActivities<OrderActivities>(PROFILES.storefrontCall);
const local = proxyLocalActivities<OrderActivities>(PROFILES.local);
const erpRead = proxyLocalActivities<OrderActivities>(PROFILES.erpRead);
const approvals = proxyActivities<ApprovalActivities>(PROFILES.notify);
const sideChannel = proxyActivities<StorePricingActivities>(PROFILES.sideChannel);

/** The order's placement, invoices and cancellations republish its customer's credit headroom in the store. */
const HEADROOM_PATCH = 'credit-headroom-on-order-events';

/** Thrown inside the pipeline when a cancellation must unwind it (nothing has shipped yet). */
class Cancelled extends Error {}

interface PendingCancel {
  reason: string;
  by: 'operator' | 'buyer' | 'storefront' | 'approver';
  cancelledOnStorefront: boolean;
  lines?: string[];
  result?: CancelResult;
}

/**
 * One durable process per storefront order (id `order:<store>:<orderId>`), from the first webhook
 * to the last invoice: map → credit check → allocate and reserve → ERP sales order → shipments and
 * backorders as child workflows → invoices → complete. Business problems park the order with a
 * reason an operator can act on; cancellation unwinds a compensation stack in reverse.
 */
export async function orderToInvoice(input: OrderWorkflowInput): Promise<OrderStatus> {
  const workflowId = workflowInfo().workflowId;
  const externalId = erpOrderExternalId(input.store, input.orderId);
  const seenEvents = new Set<string>();
  const seenFulfillments = new Set<string>();
  const seenInvoices = new Set<string>();
  const seenRefunds = new Set<string>();
  const fulfillmentQueue: ErpFulfillment[] = [];
  const invoiceQueue: ErpInvoice[] = [];
  const updateQueue: CanonicalOrder[] = [];
  const backorders = new Map<string, ChildWorkflowHandle<typeof backorder>>();
  /**
   * Signals a backorder process if it is still running. It may have finished on its own (stock came
   * in) a moment before its result reached this workflow; then there is nobody left to tell.
   */
  async function tellBackorder<Args extends unknown[]>(
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
  let activeChildren = 0;
  let order: CanonicalOrder | undefined;
  let financialStatus: string | undefined;
  let revision = 0;
  let cancel: PendingCancel | undefined;
  let decision: DecisionInput | undefined;
  let fix: OrderFixRequest | undefined;
  let fixApplied = false;
  let erpChanged = false;
  let unmapped: { skus: string[]; customer: boolean } = { skus: [], customer: false };
  const compensations: ('voidPayment' | 'releaseReservations' | 'cancelErpOrder')[] = [];
  let customerErpId: string | undefined;
  /** Headroom publications, one after another, never awaited by the pipeline (awaited before the end). */
  let headroomPublished: Promise<void> = Promise.resolve();

  const status: OrderStatus = {
    workflowId,
    store: input.store,
    orderId: input.orderId,
    orderNumber: null,
    customerId: null,
    poNumber: null,
    total: null,
    currency: null,
    step: 'awaitingOrder',
    status: 'received',
    attention: null,
    pendingApproval: null,
    erpOrder: null,
    lines: [],
    shipments: [],
    invoices: [],
    refunds: [],
    compensations: [],
    approvals: [],
    rulesVersion: null,
    cancelReason: null,
  };
  const anyShipped = () => anyLineShipped(status.lines);
  const finished = () => status.step === 'completed' || status.step === 'cancelled';
  const line = (lineId: string) => lineOf(status.lines, lineId);

  function adoptOrder(next: CanonicalOrder) {
    order = next;
    financialStatus = next.financialStatus ?? financialStatus;
    status.orderNumber = next.orderNumber;
    status.customerId = next.customerId;
    status.poNumber = next.poNumber ?? null;
    status.total = chargedTotal(next);
    status.currency = next.currency;
    status.lines = ledgerOf(next, status.lines);
    revision += 1;
  }

  const isNewer = (next: CanonicalOrder) =>
    order === undefined ||
    !next.updatedAt ||
    !order.updatedAt ||
    Date.parse(next.updatedAt) > Date.parse(order.updatedAt);

  setHandler(orderEventSignal, (event) => {
    if (seenEvents.has(event.eventId)) return;
    seenEvents.add(event.eventId);
    if (finished()) return;
    if (event.topic === 'orders/cancelled') {
      if (order === undefined) adoptOrder(event.order);
      financialStatus = event.order.financialStatus ?? financialStatus;
      cancel ??= {
        reason: event.cancelReason ?? 'Cancelled on the storefront',
        by: 'storefront',
        cancelledOnStorefront: true,
      };
      return;
    }
    if (!isNewer(event.order)) return;
    if (order === undefined || (status.erpOrder === null && status.step !== 'creatingErpOrder'))
      adoptOrder(event.order);
    else updateQueue.push(event.order);
  });

  setHandler(refundEventSignal, (event) => {
    if (seenRefunds.has(event.refundId)) return;
    seenRefunds.add(event.refundId);
    status.refunds.push({ refundId: event.refundId, amount: event.amount, lines: event.lines });
  });

  setHandler(erpFulfillmentSignal, (f) => {
    if (seenFulfillments.has(f.erpId)) return;
    seenFulfillments.add(f.erpId);
    fulfillmentQueue.push(f);
  });

  setHandler(erpInvoiceSignal, (invoice) => {
    if (seenInvoices.has(invoice.erpId)) return;
    seenInvoices.add(invoice.erpId);
    invoiceQueue.push(invoice);
  });

  setHandler(erpOrderChangedSignal, () => void (erpChanged = true));
  setHandler(orderStatusQuery, () => status);
  setHandler(pendingApprovalQuery, () => status.pendingApproval);

  // A decision claims the pending approval synchronously, in the handler itself: until the main loop
  // has taken it, the approval counts as decided, so a second decision in the same instant is refused.
  const decideOptions: ApprovalGateOptions = { outcomes: ['approve', 'reject', 'adjust', 'requestInfo'] };
  const undecided = () => (decision === undefined ? status.pendingApproval : null);
  setHandler(
    decideUpdate,
    (d) => {
      // Histories from before the patch accepted whatever the validator had let through.
      const problem = decisionProblem(undecided(), d, decideOptions);
      if (problem && patched(DECIDE_CLAIMS_PATCH)) throw problem;
      decision = d;
      return { approvalId: d.approvalId, outcome: d.outcome, accepted: true };
    },
    {
      validator: (d) => {
        const problem = decisionProblem(undecided(), d, decideOptions);
        if (problem) throw problem;
      },
    },
  );

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
      } else if ('field' in f && order) {
        order = applyFieldFix(order, f.field, f.value);
        status.poNumber = order.poNumber ?? null;
      }
      fix = f;
      if (kind === 'changedAfterShipment' || kind === 'shipmentFailed') await clearAttention();
      else await condition(() => fixApplied || finished());
      fixApplied = false;
      return { accepted: true, resolved: kind };
    },
    {
      validator: (f) => {
        const a = status.attention;
        if (!a || a.kind === 'approval')
          throw new Error(
            `Order ${input.orderId} is not parked for a fix${a ? ' (it waits for an approver)' : ''}.`,
          );
        if ('sku' in f) {
          if (a.kind !== 'unmappedSku' || !unmapped.skus.includes(f.sku))
            throw new Error(`SKU ${f.sku} is not what order ${input.orderId} is parked on: ${a.reason}`);
        } else if ('customerId' in f) {
          if (a.kind !== 'unmappedCustomer' || order?.customerId !== f.customerId)
            throw new Error(
              `Customer ${f.customerId} is not what order ${input.orderId} is parked on: ${a.reason}`,
            );
        } else if ('field' in f) {
          if (a.kind !== 'erpRejected') throw new Error(`A field fix does not resolve this: ${a.reason}`);
        } else if (a.kind !== 'changedAfterShipment' && a.kind !== 'shipmentFailed') {
          throw new Error(`Acknowledging does not resolve this: ${a.reason}`);
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
      if (request.lines) return cancelLines(request);
      cancel ??= request;
      const mine = cancel;
      await condition(() => mine.result !== undefined || finished());
      return mine.result ?? { outcome: 'cancelled', compensations: [], cancelledLines: [] };
    },
    {
      validator: (req) => {
        if (order === undefined)
          throw new Error(`Order ${input.orderId} has not arrived from the storefront yet.`);
        if (finished()) throw new Error(`Order ${input.orderId} is already ${status.step}.`);
        if (req.lines) {
          if (status.erpOrder === null)
            throw new Error(
              'Lines can be cancelled once the order is in the ERP; cancel the whole order instead.',
            );
          for (const { lineId } of req.lines) {
            const l = line(lineId);
            if (!l) throw new Error(`Order ${input.orderId} has no line ${lineId}.`);
            if (openQuantity(l) === 0)
              throw new Error(`Line ${lineId} (${l.sku}) has nothing left to cancel.`);
          }
        }
      },
    },
  );

  // ---- helpers -------------------------------------------------------------------------------

  const rules = (): BusinessRules => snapshot.rules;
  const current = (): CanonicalOrder => order as CanonicalOrder;
  const alertKey = `order-attention:${workflowId}`;

  // Search attributes as last written, so each step writes only what changed (visibility writes are not free).
  const written: { status?: string; attention?: string | null; poNumber?: string } = {};
  async function record() {
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
    await local.recordOrder.executeWithOptions(
      { summary: `Read model: ${status.status}${status.attention ? ' (needs attention)' : ''}` },
      [
        {
          workflowId,
          order: current(),
          status: status.status,
          step: status.step,
          attention: status.attention
            ? { kind: status.attention.kind, reason: status.attention.reason }
            : null,
          lines: status.lines,
          erpOrder: status.erpOrder ? { erpId: status.erpOrder.erpId, tranId: status.erpOrder.tranId } : null,
          rulesVersion: status.rulesVersion,
        },
      ],
    );
  }

  async function park(a: Omit<Attention, 'since'>) {
    status.attention = { ...a, since: new Date().toISOString() };
    status.status = parkedStatus(status.erpOrder !== null, status.status);
    await record();
    await local.raiseOrderAlert.executeWithOptions({ summary: `Needs attention: ${a.reason}` }, [
      {
        severity: 'warning',
        kind: `order.${a.kind}`,
        subject: `Order ${current().orderNumber}`,
        message: a.reason,
        workflowId,
        dedupeKey: alertKey,
        details: { orderId: input.orderId, sku: a.sku, field: a.field },
      },
    ]);
  }

  async function clearAttention() {
    if (!status.attention) return;
    status.attention = null;
    await local.resolveOrderAlert.executeWithOptions({ summary: 'Attention resolved' }, [
      { dedupeKey: alertKey },
    ]);
    await record();
  }

  function guard() {
    if (cancel !== undefined && !anyShipped()) throw new Cancelled();
  }

  async function awaitApproval(
    kind: ApprovalKind,
    summary: string,
    context: Record<string, unknown>,
  ): Promise<DecisionInput> {
    const approvalId = `${workflowId}:${kind}:${status.approvals.length + 1}`;
    const pending: PendingApproval = {
      approvalId,
      kind,
      workflowId,
      amount: status.total,
      currency: status.currency,
      summary,
      context,
      requestedAt: new Date().toISOString(),
      escalated: false,
    };
    status.pendingApproval = pending;
    status.step = 'awaitingApproval';
    await park({ kind: 'approval', reason: summary });
    await approvals.openApproval.executeWithOptions({ summary: `Ask an approver: ${summary}` }, [pending]);
    const started = Date.now();
    const remindMs = durationMs(rules().approval.remindAfter);
    const escalateMs = Math.max(remindMs, durationMs(rules().approval.escalateAfter));
    let reminded = false;
    const decided = () => decision !== undefined || cancel !== undefined;
    for (;;) {
      const elapsed = Date.now() - started;
      const next = !reminded ? remindMs : !pending.escalated ? escalateMs : undefined;
      if (next === undefined) await condition(decided);
      else if (!(await condition(decided, Math.max(1, next - elapsed)))) {
        if (!reminded) reminded = true;
        else pending.escalated = true;
        await approvals.remindApproval.executeWithOptions(
          { summary: pending.escalated ? `Escalate approval ${kind}` : `Remind approvers of ${kind}` },
          [{ approvalId, escalate: pending.escalated }],
        );
        continue;
      }
      if (cancel !== undefined) {
        status.pendingApproval = null;
        await approvals.closeApproval({ approvalId, outcome: 'cancelled' });
        throw new Cancelled();
      }
      const d = decision as DecisionInput;
      decision = undefined;
      status.approvals.push({
        approvalId,
        kind,
        outcome: d.outcome,
        decidedBy: d.decidedBy.name,
        reason: d.reason,
      });
      if (d.outcome === 'requestInfo') continue;
      status.pendingApproval = null;
      await approvals.closeApproval.executeWithOptions({ summary: `${d.outcome} by ${d.decidedBy.name}` }, [
        { approvalId, outcome: d.outcome, decision: d },
      ]);
      await clearAttention();
      return d;
    }
  }

  // ---- the pipeline --------------------------------------------------------------------------

  await condition(() => order !== undefined);
  const snapshot: RulesSnapshot = input.rules
    ? { version: -1, rules: BusinessRules.parse(input.rules) }
    : await local.loadOrderRules.executeWithOptions({ summary: 'Snapshot the business rules' }, []);
  status.rulesVersion = snapshot.version < 0 ? null : snapshot.version;
  const o0 = current();
  const attributes: SearchAttributeUpdatePair[] = [
    { key: SA.store, value: input.store },
    { key: SA.customer, value: o0.customerId },
    { key: SA.orderNumber, value: o0.orderNumber },
  ];
  upsertSearchAttributes(attributes);
  compensations.push('voidPayment');

  try {
    guard();
    let mapped: { customerErpId: string; skus: Record<string, string> } | undefined;
    let credited = false;
    while (status.erpOrder === null) {
      // 1. Map through the mapping tables; park on what is unmapped until an operator fixes it.
      status.step = 'mapping';
      const seenRevision = revision;
      const m = await local.mapOrder.executeWithOptions(
        { summary: `Map ${current().lines.length} lines and customer ${current().customerId}` },
        [{ order: current() }],
      );
      guard();
      if (m.customerErpId === null || m.unmappedSkus.length > 0) {
        unmapped = { skus: m.unmappedSkus, customer: m.customerErpId === null };
        const first = m.unmappedSkus[0];
        if (m.customerErpId === null) {
          await park({
            kind: 'unmappedCustomer',
            field: 'customerId',
            reason: `Storefront customer ${current().customerId} has no ERP customer in the customer mapping; map it to an ERP customer to continue.`,
          });
        } else {
          await park({
            kind: 'unmappedSku',
            sku: first,
            reason: `SKU ${m.unmappedSkus.join(', ')} ${m.unmappedSkus.length > 1 ? 'are' : 'is'} not mapped to an ERP item; map ${m.unmappedSkus.length > 1 ? 'them' : 'it'} to continue.`,
          });
        }
        await condition(() => fix !== undefined || cancel !== undefined || revision !== seenRevision);
        fix = undefined;
        fixApplied = true;
        guard();
        continue;
      }
      await clearAttention();
      mapped = { customerErpId: m.customerErpId, skus: m.skus };
      customerErpId = m.customerErpId;
      status.lines = withErpSkus(status.lines, m.skus);
      status.status = mappedStatus(status.status);
      await record();

      // 2. Credit check against the ERP account and the first-order rule.
      status.step = 'creditCheck';
      const account = await erpRead.readCreditAccount.executeWithOptions(
        { summary: `Credit check for ERP customer ${mapped.customerErpId}` },
        [
          {
            store: input.store,
            orderId: input.orderId,
            customerId: current().customerId,
            customerErpId: mapped.customerErpId,
          },
        ],
      );
      guard();
      if (!credited) {
        const amount = patched('credit-on-store-total') ? chargedTotal(current()) : orderTotal(current());
        const assessment = assessCredit(account, amount, rules(), current().currency);
        if (assessment.outcome !== 'clear') {
          const kind = assessment.outcome === 'creditHold' ? 'order.creditHold' : 'order.firstOrder';
          const d = await awaitApproval(kind, `Order ${current().orderNumber}: ${assessment.reason}`, {
            orderId: input.orderId,
            customerId: current().customerId,
            customerErpId: mapped.customerErpId,
            company: account.companyName,
            creditLimit: account.creditLimit,
            balance: account.balance,
            exposure: assessment.exposure,
          });
          if (d.outcome === 'reject') {
            cancel ??= {
              reason: `${kind === 'order.creditHold' ? 'Credit hold' : 'First order'} rejected by ${d.decidedBy.name}${d.reason ? `: ${d.reason}` : ''}`,
              by: 'approver',
              cancelledOnStorefront: false,
            };
            throw new Cancelled();
          }
        }
        credited = true;
      }
      if (revision !== seenRevision) continue;

      // 3. Allocate across warehouses (stock, then priority) and reserve.
      status.step = 'allocating';
      const erpLines = current().lines.map((l) => ({
        lineId: l.lineId,
        sku: mapped!.skus[l.sku] as string,
        quantity: l.quantity,
      }));
      const stock = await local.readFreeStock.executeWithOptions(
        { summary: 'Read free stock in every warehouse' },
        [{ workflowId, skus: [...new Set(erpLines.map((l) => l.sku))] }],
      );
      const allocation = allocate(erpLines, stock, rules().warehouses.priority);
      await local.reserveStock.executeWithOptions(
        {
          summary: `Reserve stock: ${[...new Set(allocation.lines.map((a) => a.location))].join(' + ')}${allocation.split ? ' (split shipment)' : ''}`,
        },
        [
          {
            workflowId,
            lines: allocation.lines.map((a) => ({
              lineKey: a.lineKey,
              sku: a.sku,
              location: a.location,
              quantity: a.quantity - a.shortQuantity,
            })),
          },
        ],
      );
      if (!compensations.includes('releaseReservations')) compensations.push('releaseReservations');
      status.lines = withAllocations(status.lines, allocation.lines);
      guard();

      // 4. Price check against the ERP's expected prices; a mismatch beyond tolerance waits for an approver.
      const expected = await local.expectedPrices.executeWithOptions(
        { summary: 'Expected prices from the ERP price cache' },
        [
          {
            customerErpId: mapped.customerErpId,
            priceLevel: account.priceLevel,
            lines: erpLines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
          },
        ],
      );
      const mismatches = findPriceMismatches(
        current().lines.map((l) => ({
          lineId: l.lineId,
          sku: mapped!.skus[l.sku] as string,
          unitPrice: l.unitPrice,
        })),
        expected,
        rules().price.tolerancePercent,
        current().currency,
      );
      if (mismatches.length > 0) {
        const words = mismatches
          .map((mm) => `${mm.sku} at ${mm.storefrontPrice} vs ERP ${mm.erpPrice} (${mm.differencePercent}%)`)
          .join('; ');
        const d = await awaitApproval(
          'order.priceMismatch',
          `Order ${current().orderNumber}: storefront prices differ from the ERP beyond ${rules().price.tolerancePercent}%: ${words}`,
          {
            orderId: input.orderId,
            mismatches,
          },
        );
        if (d.outcome === 'reject') {
          cancel ??= {
            reason: `Price mismatch rejected by ${d.decidedBy.name}${d.reason ? `: ${d.reason}` : ''}`,
            by: 'approver',
            cancelledOnStorefront: false,
          };
          throw new Cancelled();
        }
      }
      if (revision !== seenRevision) continue;

      // 5. The ERP sales order, idempotent by external id; an ERP rejection parks for a field fix.
      status.step = 'creatingErpOrder';
      const o = current();
      const soInput: ErpSalesOrderInput = {
        externalId,
        customerErpId: mapped.customerErpId,
        poNumber: o.poNumber,
        projectCode: o.projectCode,
        terms: account.terms ?? undefined,
        memo: o.note,
        currency: o.currency,
        shipTo: erpShipTo(o.shippingAddress),
        lines: allocation.lines.map((a) => ({
          lineKey: a.lineKey,
          sku: a.sku,
          quantity: a.quantity,
          rate: o.lines.find((l) => l.lineId === a.lineId)?.unitPrice ?? '0',
          location: a.location,
        })),
      };
      // The order's whole money (discount, shipping, tax, payment), and never an ERP total that
      // differs from what the store charged.
      if (patched('order-whole-money')) {
        const money = orderMoney(o);
        const codes = (o.discountCodes ?? []).map((d) => d.code);
        if (money.discount.isPositive()) soInput.discount = { amount: money.discount.toString(), codes };
        const shippingLine = o.shippingLines?.[0];
        if (shippingLine)
          soInput.shipping = {
            method: m.shipMethods?.[shippingLine.code] ?? null,
            storeMethod: o.shippingLines!.map((sl) => sl.title ?? sl.code).join(', '),
            cost: money.shipping.toString(),
          };
        if (o.taxExempt) soInput.taxExempt = true;
        else if (o.taxLines?.length) soInput.tax = { lines: o.taxLines };
        // Only a fully paid order's payment is known to be the total; authorized ones record none.
        if (o.financialStatus === 'paid' && o.totals)
          soInput.payment = {
            status: 'paid',
            gateway: o.gateway ?? null,
            amount: o.totals.total,
            externalId: `${externalId}:deposit`,
          };
        if (o.totals) {
          const erpTotal = Money.of(projectErpTotals(soInput).total, o.currency);
          const storeTotal = Money.of(o.totals.total, o.currency, 'halfUp');
          if (!erpTotal.equals(storeTotal)) {
            const gap = erpTotal.minus(storeTotal);
            await park({
              kind: 'totalMismatch',
              reason: `Order ${o.orderNumber} was not sent to the ERP: the ERP's total would be ${erpTotal.format()} but the store charged ${storeTotal.format()}, ${gap.abs().format()} ${gap.isNegative() ? 'less' : 'more'}. Correct the order in the store (an updated order is checked again) or cancel it.`,
            });
            // The signal handler queues updates that arrive at this step (the ERP order may be
            // on its way), so a corrected order is taken from the queue here.
            const resumeOnUpdate = patched('total-mismatch-resumes-on-update');
            await condition(
              () =>
                cancel !== undefined ||
                revision !== seenRevision ||
                (resumeOnUpdate && updateQueue.length > 0),
            );
            if (resumeOnUpdate && cancel === undefined)
              while (updateQueue.length > 0) adoptOrder(updateQueue.shift() as CanonicalOrder);
            guard();
            continue;
          }
        }
      }
      let so: ErpSalesOrder;
      try {
        so = await erp.createErpSalesOrder.executeWithOptions(
          {
            summary: `Create ERP sales order ${externalId}${o.poNumber ? ` (PO ${o.poNumber})` : ''}, ${soInput.lines.length} lines`,
          },
          [soInput],
        );
      } catch (err) {
        const cause = err instanceof ActivityFailure ? err.cause : undefined;
        if (!(cause instanceof ApplicationFailure) || !cause.nonRetryable) throw err;
        // The connector names the fields the ERP refused (NetSuite's o:errorPath); the operator fixes that one.
        await park({
          kind: 'erpRejected',
          field: rejectedOrderField(erpRejections(cause.details)),
          reason: `The ERP rejected sales order ${externalId}: ${cause.message}`,
        });
        await condition(() => fix !== undefined || cancel !== undefined || revision !== seenRevision);
        fix = undefined;
        fixApplied = true;
        guard();
        continue;
      }
      compensations.push('cancelErpOrder');
      status.erpOrder = { erpId: so.erpId, tranId: so.tranId, externalId };
      await clearAttention();
      status.step = 'fulfilling';
      await reconcile(so);
      publishHeadroom(`order ${o.orderNumber} placed`);
      guard();
    }

    // 6. Follow fulfillment until every line is shipped or cancelled and invoiced.
    const refreshMs = durationMs(rules().fulfillment.refreshEvery);
    for (;;) {
      guard();
      if (cancel !== undefined && !cancel.result) {
        cancel.result = await cancelLines({
          ...cancel,
          lines: status.lines.filter((l) => openQuantity(l) > 0).map((l) => l.lineId),
        });
        status.cancelReason = cancel.reason;
      }
      while (fulfillmentQueue.length > 0) await ship(fulfillmentQueue.shift() as ErpFulfillment);
      if (invoiceQueue.length > 0) await invoice(invoiceQueue.splice(0));
      while (updateQueue.length > 0) await applyStorefrontUpdate(updateQueue.shift() as CanonicalOrder);
      if (erpChanged) {
        erpChanged = false;
        await refresh();
      }
      if (
        allLinesSettled(status.lines) &&
        activeChildren === 0 &&
        fulfillmentQueue.length === 0 &&
        invoiceQueue.length === 0
      )
        break;
      const woke = await condition(
        () =>
          fulfillmentQueue.length > 0 ||
          invoiceQueue.length > 0 ||
          updateQueue.length > 0 ||
          erpChanged ||
          (cancel !== undefined && !cancel.result) ||
          (allLinesSettled(status.lines) && activeChildren === 0),
        refreshMs,
      );
      if (!woke) erpChanged = true;
    }
    await condition(() => activeChildren === 0);
    status.step = finalStep(status.lines);
    await local.releaseReservations.executeWithOptions({ summary: 'Release what is left reserved' }, [
      { workflowId },
    ]);
    await clearAttention();
    await record();
  } catch (err) {
    if (!(err instanceof Cancelled)) throw err;
    await compensate();
  }
  await headroomPublished;
  await condition(allHandlersFinished);
  return status;

  // ---- steps used by the pipeline ------------------------------------------------------------

  /**
   * Republishes the customer's credit headroom in the store after the read model changed. Best
   * effort: it runs beside the order, and a failure is only logged (the next order event or the
   * pricing sync publishes it again).
   */
  function publishHeadroom(why: string) {
    const erpId = customerErpId;
    if (erpId === undefined || !patched(HEADROOM_PATCH)) return;
    headroomPublished = headroomPublished.then(async () => {
      try {
        await sideChannel.publishCreditHeadroom.executeWithOptions(
          { summary: `Credit headroom of ERP customer ${erpId} to the store (${why})` },
          [{ store: input.store, customerErpIds: [erpId], refreshBalance: true }],
        );
      } catch (err) {
        log.warn('credit headroom not published', { customerErpId: erpId, why, error: String(err) });
      }
    });
  }

  async function compensate() {
    const c = cancel as PendingCancel;
    status.step = 'cancelling';
    status.cancelReason = c.reason;
    if (status.pendingApproval) {
      const pending = status.pendingApproval;
      status.pendingApproval = null;
      await approvals.closeApproval({ approvalId: pending.approvalId, outcome: 'cancelled' });
    }
    for (const handle of backorders.values()) await tellBackorder(handle, orderClosedSignal);
    const done: string[] = [];
    while (compensations.length > 0) {
      const step = compensations.pop() as (typeof compensations)[number];
      try {
        if (step === 'cancelErpOrder') {
          await erp.cancelErpSalesOrder.executeWithOptions(
            { summary: `Compensate: cancel ERP sales order ${externalId}` },
            [{ externalId }],
          );
        } else if (step === 'releaseReservations') {
          await local.releaseReservations.executeWithOptions(
            { summary: 'Compensate: release stock reservations' },
            [{ workflowId }],
          );
        } else {
          const r = await storefront.voidPayment.executeWithOptions(
            { summary: `Compensate: void or refund payment (${c.reason})` },
            [
              {
                orderId: input.orderId,
                reason: c.reason,
                cancelledOnStorefront: c.cancelledOnStorefront,
                financialStatus,
                amount: status.total ?? '0.00',
                currency: status.currency ?? 'USD',
              },
            ],
          );
          status.compensations.push({ name: step, outcome: 'done', detail: r.action });
          done.push(step);
          continue;
        }
        status.compensations.push({ name: step, outcome: 'done' });
        done.push(step);
      } catch (err) {
        log.error('compensation failed; continuing with the rest', { step, error: String(err) });
        status.compensations.push({
          name: step,
          outcome: 'failed',
          detail: err instanceof Error ? err.message : String(err),
        });
      }
    }
    const { lines: cancelledLedger, cancelled: cancelledLines } = cancelOpen(status.lines);
    status.lines = cancelledLedger;
    await condition(() => activeChildren === 0);
    c.result = { outcome: 'cancelled', compensations: done, cancelledLines };
    status.step = 'cancelled';
    status.attention = null;
    await local.resolveOrderAlert({ dedupeKey: alertKey });
    await record();
    publishHeadroom(`order ${current().orderNumber} cancelled`);
  }

  /** Cancels the open quantity of the named lines (backordered ones through their backorder workflow). */
  async function cancelLines(req: PendingCancel): Promise<CancelResult> {
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
    if (direct.length > 0) {
      const lines = direct.map((l) => ({
        lineId: l.lineId,
        quantity: openQuantity(l),
        unitPrice: l.unitPrice,
        lineKeys: l.allocations.map((a) => a.lineKey),
      }));
      await erp.cancelOrderLines.executeWithOptions(
        {
          summary: `Cancel open ${lines.map((l) => `${l.quantity}× line ${l.lineId}`).join(', ')} (${req.by}: ${req.reason})`,
        },
        [
          {
            workflowId,
            store: input.store,
            orderId: input.orderId,
            externalId,
            lines,
            currency: status.currency ?? 'USD',
            paid: isPaidStatus(financialStatus),
            reason: req.reason,
            refundKey: `cancel-lines:${input.orderId}:${lines.map((l) => l.lineId).join(',')}:${revision}`,
            notifyCustomer: req.by !== 'storefront',
          },
        ],
      );
      const done = cancelOpen(
        status.lines,
        direct.map((l) => l.lineId),
      );
      status.lines = done.lines;
      cancelledLines.push(...done.cancelled);
    }
    await condition(() => viaBackorder.every((id) => !backorders.has(id)));
    for (const id of viaBackorder) cancelledLines.push({ lineId: id, quantity: line(id)?.cancelled ?? 0 });
    status.status = businessStatus(status.lines);
    await record();
    publishHeadroom(`lines of order ${current().orderNumber} cancelled`);
    return {
      outcome:
        req.lines && req.lines.length < status.lines.length && cancel === undefined
          ? 'linesCancelled'
          : 'openLinesCancelled',
      compensations: [],
      cancelledLines,
    };
  }

  /** Brings backorder children in line with the ERP sales order's backordered and closed quantities. */
  async function reconcile(so: ErpSalesOrder) {
    for (const { lineId } of status.lines) {
      const position = erpPosition(line(lineId) as OrderLineStatus, so);
      status.lines = withCancelled(status.lines, lineId, position.cancelled);
      const child = backorders.get(lineId);
      if (position.backordered > 0 && !child) {
        await startBackorder(
          line(lineId) as OrderLineStatus,
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
    await record();
  }

  async function startBackorder(l: OrderLineStatus, quantity: number, lineKeys: string[]) {
    const handle = await startChild(backorder, {
      workflowId: backorderWorkflowId(input.store, input.orderId, l.lineId),
      staticSummary: `Backorder: ${quantity}× ${l.sku} on order ${current().orderNumber}`,
      args: [
        {
          store: input.store,
          orderId: input.orderId,
          orderNumber: current().orderNumber,
          orderWorkflowId: workflowId,
          externalId,
          lineId: l.lineId,
          sku: l.erpSku ?? l.sku,
          lineKeys,
          quantity,
          unitPrice: l.unitPrice,
          currency: current().currency,
          paid: isPaidStatus(financialStatus),
          rules: rules().backorder,
        },
      ],
    });
    backorders.set(l.lineId, handle);
    activeChildren += 1;
    handle.result().then(
      (r: BackorderResult) => {
        backorders.delete(l.lineId);
        activeChildren -= 1;
        if (r.outcome === 'cancelled') {
          status.lines = backorderCancelled(status.lines, r.lineId, r.quantity);
          status.status = businessStatus(status.lines);
        }
      },
      (err: unknown) => {
        backorders.delete(l.lineId);
        activeChildren -= 1;
        log.error('backorder workflow failed', { lineId: l.lineId, error: String(err) });
      },
    );
  }

  async function ship(f: ErpFulfillment) {
    for (const { lineId, quantity } of shippedByLine(f)) {
      if (!line(lineId)) continue;
      status.lines = shipLine(status.lines, lineId, quantity);
      const child = backorders.get(lineId);
      if (child && line(lineId)?.backordered === 0) await tellBackorder(child, backorderReleasedSignal);
    }
    await local.releaseReservations.executeWithOptions(
      { summary: `Release reservations shipped in fulfillment ${f.erpId}` },
      [{ workflowId, lineKeys: f.lines.map((x) => x.lineKey) }],
    );
    const handle = await startChild(shipment, {
      workflowId: shipmentWorkflowId(input.store, input.orderId, f.erpId),
      staticSummary: `Shipment ${f.erpId} of order ${current().orderNumber}: ${f.carrier ?? 'carrier not given'} ${f.trackingNumbers.join(', ')}`,
      args: [
        {
          store: input.store,
          orderId: input.orderId,
          orderNumber: current().orderNumber,
          fulfillment: f,
          notifyCustomer: rules().fulfillment.notifyCustomer,
        },
      ],
    });
    activeChildren += 1;
    handle.result().then(
      (r) => {
        status.shipments.push(r);
        activeChildren -= 1;
      },
      (err: unknown) => {
        activeChildren -= 1;
        status.attention = {
          kind: 'shipmentFailed',
          reason: `Tracking for ERP fulfillment ${f.erpId} could not be sent to the storefront: ${String(err)}`,
          since: new Date().toISOString(),
        };
      },
    );
    status.status = businessStatus(status.lines);
    await record();
  }

  async function invoice(batch: ErpInvoice[]) {
    for (const inv of batch) {
      status.invoices.push({ erpId: inv.erpId, tranId: inv.tranId, total: inv.total, dueDate: inv.dueDate });
      status.lines = invoiceLines(status.lines, inv);
    }
    await storefront.publishInvoices.executeWithOptions(
      { summary: `Invoice ${batch.map((i) => i.tranId).join(', ')} to the customer portal` },
      [{ orderId: input.orderId, invoices: status.invoices }],
    );
    await record();
    publishHeadroom(`invoice ${batch.map((i) => i.tranId).join(', ')}`);
  }

  async function refresh() {
    const so = await erp.readErpSalesOrder.executeWithOptions(
      { summary: `Re-read ERP sales order ${externalId}` },
      [{ externalId }],
    );
    if (so) await reconcile(so);
  }

  /** orders/updated after the ERP order exists: applied to the ERP before shipping, parked after. */
  async function applyStorefrontUpdate(next: CanonicalOrder) {
    const prev = current();
    const { changes, structural, erp: erpChanges } = diffStorefrontUpdate(prev, next, status.lines);
    if (changes.length === 0 && structural.length === 0) {
      order = { ...prev, updatedAt: next.updatedAt };
      return;
    }
    if (anyShipped() || structural.length > 0) {
      await park({
        kind: 'changedAfterShipment',
        reason: `Order ${prev.orderNumber} changed on the storefront ${anyShipped() ? 'after shipping began' : 'in a way the ERP order cannot take'} (${[...changes, ...structural].join('; ')}); review it in the ERP and acknowledge.`,
      });
      return;
    }
    await erp.updateErpSalesOrder.executeWithOptions(
      { summary: `Apply storefront changes to the ERP order: ${changes.join('; ')}` },
      [{ externalId, changes: erpChanges }],
    );
    const keepErp = status.erpOrder;
    adoptOrder(next);
    status.erpOrder = keepErp;
    status.lines = withOrderedAllocations(status.lines);
    if (next.poNumber) upsertSearchAttributes([{ key: SA.poNumber, value: next.poNumber }]);
    await refresh();
  }
}
