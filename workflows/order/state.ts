import { workflowInfo, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { MappedOrder } from '../../activities/orders';
import type { ErpFulfillment, ErpInvoice } from '../../domain/erp';
import { anyShipped, ledgerOf, lineOf } from '../../domain/order-ledger';
import {
  erpOrderExternalId,
  type Attention,
  type CancelResult,
  type OrderFixRequest,
  type OrderStatus,
  type OrderWorkflowInput,
} from '../../domain/contracts/order';
import { chargedTotal, type CanonicalOrder } from '../../domain/order';
import type { BusinessRules, RulesSnapshot } from '../../domain/rules';
import type { ApprovalGate } from '../approvalGate';
import type { backorder } from '../backorder';
import { CompensationStack } from '../compensation';

/** Thrown inside the pipeline when a cancellation must unwind it (nothing has shipped yet). */
export class Cancelled extends Error {}

export interface PendingCancel {
  reason: string;
  by: 'operator' | 'buyer' | 'storefront' | 'approver';
  cancelledOnStorefront: boolean;
  lines?: string[];
  result?: CancelResult;
}

/**
 * One order process's state: the status it reports (with the order ledger), the storefront order it
 * works from, what its handlers queued for the pipeline, and the children it runs. The pipeline's
 * steps (workflows/order/*.ts) read and replace it; the ledger's quantities change only through
 * domain/order-ledger.ts.
 */
export interface OrderRun {
  readonly input: OrderWorkflowInput;
  readonly workflowId: string;
  /** The ERP sales order's external id, `<store>:<orderId>`. */
  readonly externalId: string;
  readonly status: OrderStatus;
  /** The storefront order as the pipeline works from it (the newest one adopted). */
  order: CanonicalOrder | undefined;
  financialStatus: string | undefined;
  /** Counts adopted revisions of the order: a step that sees it change starts over. */
  revision: number;
  cancel: PendingCancel | undefined;
  /** The approval gate the order's approvers decide through (set with the handlers). */
  approvalGate: ApprovalGate | undefined;
  fix: OrderFixRequest | undefined;
  fixApplied: boolean;
  /** The ERP order changed: re-read it. */
  erpChanged: boolean;
  /** The store refused the invoices and an operator acknowledged it: publish them again. */
  republishInvoices: boolean;
  /** Store refusals a shipment child reported, for the order to park on. */
  storeParks: Omit<Attention, 'since'>[];
  unmapped: { skus: string[]; customer: boolean };
  customerErpId: string | undefined;
  rules: RulesSnapshot | undefined;
  readonly seen: {
    events: Set<string>;
    fulfillments: Set<string>;
    invoices: Set<string>;
    refunds: Set<string>;
  };
  /** What arrived for the pipeline to take in order: ERP fulfillments and invoices, storefront updates. */
  readonly inbox: { fulfillments: ErpFulfillment[]; invoices: ErpInvoice[]; updates: CanonicalOrder[] };
  readonly backorders: Map<string, ChildWorkflowHandle<typeof backorder>>;
  activeChildren: number;
  /** The undo of each step done so far (workflows/order/compensate.ts), unwound on cancellation. */
  readonly compensations: CompensationStack;
  /** Search attributes as last written, so each write sends only what changed. */
  readonly written: { status?: string; attention?: string | null; poNumber?: string };
  /**
   * The ERP balance of the last credit check is in Quayside's customer cache, read by this order
   * and not waited on since (an approval wait clears it): the placement's headroom publication
   * counts it without reading the ERP again.
   */
  balanceCached: boolean;
  /** Headroom publications, one after another, never awaited by the pipeline (awaited before the end). */
  headroomPublished: Promise<void>;
  /**
   * The order runs its steps in fewer local activities (workflows/order/steps.ts, FEWER_TASKS_PATCH):
   * decided once when it starts, so a run started before keeps the activities it issued.
   */
  fewerTasks: boolean;
  /** The mapping read with the rules as the order started, for the revision it was read from. */
  premapped: { revision: number; mapped: MappedOrder } | undefined;
}

export function newOrderRun(input: OrderWorkflowInput): OrderRun {
  const workflowId = workflowInfo().workflowId;
  return {
    input,
    workflowId,
    externalId: erpOrderExternalId(input.store, input.orderId),
    status: {
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
    },
    order: undefined,
    financialStatus: undefined,
    revision: 0,
    cancel: undefined,
    approvalGate: undefined,
    fix: undefined,
    fixApplied: false,
    erpChanged: false,
    republishInvoices: false,
    storeParks: [],
    unmapped: { skus: [], customer: false },
    customerErpId: undefined,
    rules: undefined,
    seen: { events: new Set(), fulfillments: new Set(), invoices: new Set(), refunds: new Set() },
    inbox: { fulfillments: [], invoices: [], updates: [] },
    backorders: new Map(),
    activeChildren: 0,
    compensations: new CompensationStack(),
    written: {},
    balanceCached: false,
    headroomPublished: Promise.resolve(),
    fewerTasks: false,
    premapped: undefined,
  };
}

/** The storefront order (the pipeline runs only once it has arrived). */
export const current = (o: OrderRun): CanonicalOrder => o.order as CanonicalOrder;
/** The business rules the order snapshotted when it started. */
export const rulesOf = (o: OrderRun): BusinessRules => (o.rules as RulesSnapshot).rules;
export const finished = (o: OrderRun) => o.status.step === 'completed' || o.status.step === 'cancelled';
export const shippedAny = (o: OrderRun) => anyShipped(o.status.lines);
export const lineOfRun = (o: OrderRun, lineId: string) => lineOf(o.status.lines, lineId);

/** Takes a (newer) storefront order as the one to work from; its lines keep their quantities. */
export function adoptOrder(o: OrderRun, next: CanonicalOrder) {
  o.order = next;
  o.financialStatus = next.financialStatus ?? o.financialStatus;
  o.status.orderNumber = next.orderNumber;
  o.status.customerId = next.customerId;
  o.status.poNumber = next.poNumber ?? null;
  o.status.total = chargedTotal(next);
  o.status.currency = next.currency;
  o.status.lines = ledgerOf(next, o.status.lines);
  o.revision += 1;
}

/** A storefront event is newer than the order held when either lacks a time or its time is later. */
export const isNewer = (o: OrderRun, next: CanonicalOrder) =>
  o.order === undefined ||
  !next.updatedAt ||
  !o.order.updatedAt ||
  Date.parse(next.updatedAt) > Date.parse(o.order.updatedAt);

/** Unwinds the pipeline when a cancellation is pending and nothing has shipped yet. */
export function guard(o: OrderRun) {
  if (o.cancel !== undefined && !shippedAny(o)) throw new Cancelled();
}
