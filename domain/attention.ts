/**
 * The dashboard's "needs attention" queue: every process's open problems — parked orders, open
 * alerts (returns, customers, syncs, notifications, decisions) and dead-lettered webhooks — merged
 * so one problem is one item, grouped by cause, each in an operator's words with the one action
 * that fixes it. Pure: the API reads the sources, this decides what the operator sees.
 */
import { areaOfWorkflowId } from './contracts';

export type Severity = 'info' | 'warning' | 'critical';

/** An order read-model row with attention (`orders.attention_kind` / `attention_reason`). */
export interface ParkedOrderSource {
  workflowId: string;
  store: string;
  orderId: string;
  orderNumber: string | null;
  attentionKind: string | null;
  attentionReason: string;
  poNumber: string | null;
  updatedAt: string;
}

/** An open alert row. */
export interface AlertSource {
  id: number;
  dedupeKey: string | null;
  severity: Severity;
  kind: string;
  subject: string;
  message: string;
  workflowId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

/** A parked dead letter; `orderId` is the storefront order its payload is about, when it names one. */
export interface DeadLetterSource {
  id: number;
  topic: string;
  reason: string;
  orderId: string | null;
  createdAt: string;
}

export type AttentionAction =
  /** Map the storefront SKU to an ERP item: fixes every order parked on it. */
  | { kind: 'mapSku'; sku: string }
  | { kind: 'mapCustomer'; customerId: string }
  /** Correct a field of the order the ERP refused, then the order is sent again. */
  | { kind: 'correctField'; field: string | null }
  /** Acknowledge a change the order process cannot apply by itself (it goes on). */
  | { kind: 'acknowledgeOrder' }
  | { kind: 'cancelOrder' }
  | { kind: 'replay'; deadLetterId: number }
  /** Run the sync now; the alert is closed and comes back if the problem is still there. */
  | { kind: 'retrySync'; sync: 'inventory' }
  /** Open the approved customer's store account again, once the store's refusal is fixed. */
  | { kind: 'retryAccount' }
  | { kind: 'decide' }
  /** Close an alert by hand: the operator has dealt with it outside Quayside. */
  | { kind: 'acknowledgeAlert' };

export type AttentionProcess = 'order' | 'return' | 'customer' | 'sync' | 'webhook' | 'decision' | 'other';

export interface AttentionItem {
  /** Stable within a page (and as an HTML id): `order:<workflowId>`, `dead-letter:<id>`, `alert:<id>`. */
  key: string;
  process: AttentionProcess;
  /** Which thing: "Order #1001", "orders/create delivery 7". */
  title: string;
  /** What is wrong and what fixes it, in words. */
  what: string;
  severity: Severity;
  since: string;
  workflowId: string | null;
  /** The fixes, the one that resolves it first. */
  actions: AttentionAction[];
  orderId: string | null;
  /** The store of the parked order the item is (its fixes act on that store's order); null for other items. */
  store: string | null;
  deadLetterId: number | null;
  /** The open alerts this item stands for (closed together with it). */
  alertIds: number[];
}

export interface AttentionGroup {
  /** `sku:PROD-77`, `order.erpRejected`, `webhook:orders/create`, `sync.unmapped` … */
  cause: string;
  /** The cause in words: "SKU PROD-77 is not mapped to an ERP item". */
  title: string;
  process: AttentionProcess;
  items: AttentionItem[];
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
const worse = (a: Severity, b: Severity): Severity => (SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a);

/** The first SKU an unmapped-SKU reason names ("SKU PROD-77, PROD-78 are not mapped …"). */
export function skuOfReason(reason: string): string | null {
  return /^SKU ([^\s,]+)/.exec(reason)?.[1] ?? null;
}

/** The storefront customer an unmapped-customer reason names. */
export function customerOfReason(reason: string): string | null {
  return /^Storefront customer (\S+) has no ERP customer/.exec(reason)?.[1] ?? null;
}

/**
 * A dead letter's reason as an operator reads it: a validation message such as
 * `body.name: Invalid input: expected string, received undefined` becomes
 * `the field “name” is missing (it should be text)`.
 */
export function plainDeadLetterReason(reason: string): string {
  const words: Record<string, string> = {
    string: 'text',
    number: 'a number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a group of fields',
  };
  const parts = reason.split(/;\s*/).map((part) => {
    const m = /^(?:body\.)?([\w.[\]-]+): Invalid input: expected (\w+), received (\w+)/.exec(part);
    if (!m) return part;
    const [, field, expected, received] = m as unknown as [string, string, string, string];
    const should = words[expected] ?? expected;
    return received === 'undefined'
      ? `the field “${field}” is missing (it should be ${should})`
      : `the field “${field}” should be ${should}, not ${words[received] ?? received}`;
  });
  return parts.join('; ');
}

/** A parked order a person only needs to acknowledge once they have seen to it in the store. */
const acknowledged = (title: string) => ({ title, actions: () => [{ kind: 'acknowledgeOrder' as const }] });

const ORDER_CAUSES: Record<string, { title: string; actions: (o: ParkedOrderSource) => AttentionAction[] }> =
  {
    erpRejected: {
      title: 'The ERP refused the sales order',
      actions: () => [{ kind: 'correctField', field: null }, { kind: 'cancelOrder' }],
    },
    totalMismatch: {
      title: "The ERP's total would differ from what the store charged",
      actions: () => [{ kind: 'cancelOrder' }],
    },
    changedAfterShipment: acknowledged('Changed in the store after the ERP order was made'),
    shipmentFailed: acknowledged('Tracking could not reach the store'),
    invoiceRefused: acknowledged('The store refused to show invoices on an order'),
    refundRefused: acknowledged('The store refused to refund cancelled lines'),
    shipmentRefused: acknowledged('The store refused a shipment'),
    serialsRefused: acknowledged('The store refused the serial numbers of a shipment'),
    erpTotalDiffers: acknowledged("The ERP's order total differs from the store's after a change"),
  };

/** An alert's cause in the queue: its title, under the process it belongs to. */
const causeOf = (process: AttentionProcess) => (title: string) => ({ title, process });
const customerCause = causeOf('customer');
const decisionCause = causeOf('decision');
const orderCause = causeOf('order');
const otherCause = causeOf('other');
const returnCause = causeOf('return');
const syncCause = causeOf('sync');

/** An alert about stock or products a sync left out, which a person can tell the sync to try again. */
const syncRetry = (title: string) => ({ title, process: 'sync' as const, retrySync: true });

/** Titles of the causes alerts stand for, by alert kind, and the process they belong to. */
const ALERT_CAUSES: Record<string, { title: string; process: AttentionProcess; retrySync?: boolean }> = {
  'sync.unmapped': syncRetry('ERP stock for items with no storefront SKU or location'),
  'sync.unknownInStore': syncRetry('Mapped SKUs the store has no product or location for'),
  'sync.visibility': syncRetry('The store refused to publish or hide a product'),
  'sync.stockRefused': syncRetry('Stock the store refused'),
  'sync.catalogRefused': syncCause('Products the store refused'),
  'sync.pricesRefused': syncCause('Prices the store refused'),
  'sync.headroomRefused': customerCause('Credit headroom the store refused'),
  'sync.pricesUnmapped': syncCause('ERP prices for items with no product in the store'),
  'sync.customerNotInStore': customerCause('ERP customers with no company in the store'),
  'sync.termsNotInStore': customerCause('ERP payment terms the store has no template for'),
  'customer.storeRefused': customerCause('Approved customers the store refused an account'),
  'sync.companyRefused': customerCause('ERP customers the store refused a company for'),
  'customer.erpRefused': customerCause('Store customer changes the ERP refused'),
  'sync.parentNotInStore': customerCause('Child accounts waiting for their parent in the store'),
  'reconcile.missedOrder': orderCause('Orders in the store that never reached Quayside'),
  'order.backorderEscalated': orderCause('Backorders waiting too long for stock'),
  'order.noticeRefused': orderCause('Notices to buyers the store refused'),
  'return.reversalNeeded': returnCause('Money to reverse for a return that could not finish'),
  'return.inspectionOverdue': returnCause('Returned goods waiting for inspection'),
  'approval.noApprover': decisionCause('Decisions nobody is allowed to make'),
  'approval.escalated': decisionCause('Decisions waiting too long'),
  'notification.rejected': otherCause('Notifications the receiver refused'),
  'sla.erpOrder': orderCause('Orders not in the ERP within their service level'),
  'sla.shipment': orderCause('Orders not shipped within their service level'),
  'sla.invoice': orderCause('Shipments not invoiced within their service level'),
  'sla.syncLag': syncCause('Syncs behind their service level'),
  'sla.decision': decisionCause('Decisions waiting past their service level'),
};

const processOfWorkflow = (workflowId: string | null): AttentionProcess | null =>
  workflowId ? areaOfWorkflowId(workflowId) : null;

const orderTitle = (o: Pick<ParkedOrderSource, 'orderNumber' | 'orderId'>) =>
  `Order ${o.orderNumber ?? o.orderId}`;

/**
 * Builds the queue. A parked order and its `order-attention` alert are one item; a dead letter,
 * its alert and a reconciliation alert for the same storefront order are one item; orders waiting
 * for an approver are not here (they are on the Decisions page) unless an alert says nobody may
 * decide or the decision is overdue.
 */
export function attentionQueue(src: {
  orders: ParkedOrderSource[];
  alerts: AlertSource[];
  deadLetters: DeadLetterSource[];
}): AttentionGroup[] {
  const groups = new Map<string, AttentionGroup>();
  const add = (cause: string, title: string, process: AttentionProcess, item: AttentionItem) => {
    const g = groups.get(cause) ?? { cause, title, process, items: [] };
    g.items.push(item);
    groups.set(cause, g);
  };
  const byWorkflow = new Map<string, AttentionItem>();
  const byDeadLetter = new Map<number, AttentionItem>();
  const byOrderId = new Map<string, AttentionItem>();

  for (const o of src.orders) {
    if (o.attentionKind === 'approval') continue;
    let cause: string;
    let title: string;
    let actions: AttentionAction[];
    if (o.attentionKind === 'unmappedSku') {
      const sku = skuOfReason(o.attentionReason);
      cause = sku ? `sku:${sku}` : 'order.unmappedSku';
      title = sku ? `SKU ${sku} is not mapped to an ERP item` : 'SKUs not mapped to an ERP item';
      actions = [...(sku ? [{ kind: 'mapSku' as const, sku }] : []), { kind: 'cancelOrder' }];
    } else if (o.attentionKind === 'unmappedCustomer') {
      const customerId = customerOfReason(o.attentionReason);
      cause = customerId ? `customer:${customerId}` : 'order.unmappedCustomer';
      title = customerId
        ? `Storefront customer ${customerId} is not mapped to an ERP customer`
        : 'Storefront customers not mapped to an ERP customer';
      actions = [
        ...(customerId ? [{ kind: 'mapCustomer' as const, customerId }] : []),
        { kind: 'cancelOrder' },
      ];
    } else {
      const known = ORDER_CAUSES[o.attentionKind ?? ''];
      cause = `order.${o.attentionKind ?? 'attention'}`;
      title = known?.title ?? 'Orders that need a person';
      actions = known?.actions(o) ?? [{ kind: 'cancelOrder' }];
    }
    const item: AttentionItem = {
      key: `order:${o.workflowId}`,
      process: 'order',
      title: orderTitle(o),
      what: o.attentionReason,
      severity: 'warning',
      since: o.updatedAt,
      workflowId: o.workflowId,
      actions,
      orderId: o.orderId,
      store: o.store,
      deadLetterId: null,
      alertIds: [],
    };
    byWorkflow.set(o.workflowId, item);
    add(cause, title, 'order', item);
  }

  for (const d of src.deadLetters) {
    const item: AttentionItem = {
      key: `dead-letter:${d.id}`,
      process: 'webhook',
      title: `${d.topic} delivery ${d.id}${d.orderId ? ` (storefront order ${d.orderId})` : ''}`,
      what: `Quayside could not read this ${d.topic} webhook: ${plainDeadLetterReason(d.reason)}. Correct it and replay it.`,
      severity: 'warning',
      since: d.createdAt,
      workflowId: null,
      actions: [{ kind: 'replay', deadLetterId: d.id }],
      orderId: d.orderId,
      store: null,
      deadLetterId: d.id,
      alertIds: [],
    };
    byDeadLetter.set(d.id, item);
    if (d.orderId) byOrderId.set(d.orderId, item);
    add(`webhook:${d.topic}`, `Storefront ${d.topic} webhooks Quayside could not read`, 'webhook', item);
  }

  const merge = (into: AttentionItem, a: AlertSource) => {
    into.alertIds.push(a.id);
    into.severity = worse(into.severity, a.severity);
    // The order's alert names the field the ERP pointed at, when it did.
    const field = typeof a.details.field === 'string' ? a.details.field : null;
    for (const action of into.actions) if (action.kind === 'correctField' && field) action.field = field;
  };

  for (const a of src.alerts) {
    const deadLetterId = Number(a.details.deadLetterId);
    if (a.kind === 'webhook.dead_letter' && byDeadLetter.has(deadLetterId)) {
      merge(byDeadLetter.get(deadLetterId)!, a);
      continue;
    }
    const orderId = typeof a.details.orderId === 'string' ? a.details.orderId : null;
    if (a.kind === 'reconcile.missedOrder' && orderId && byOrderId.has(orderId)) {
      merge(byOrderId.get(orderId)!, a);
      continue;
    }
    const parked = a.workflowId ? byWorkflow.get(a.workflowId) : undefined;
    // The order's own alerts and its service-level breaches are the parked order's item.
    if (parked && (a.kind.startsWith('order.') || a.kind.startsWith('sla.'))) {
      merge(parked, a);
      continue;
    }
    // An order waiting for an approver is on the Decisions page.
    if (a.kind === 'order.approval') continue;
    const known = ALERT_CAUSES[a.kind];
    const process = known?.process ?? processOfWorkflow(a.workflowId) ?? 'other';
    const actions: AttentionAction[] = [];
    if (process === 'decision') actions.push({ kind: 'decide' });
    if (known?.retrySync && a.workflowId?.startsWith('sync:inventory:'))
      actions.push({ kind: 'retrySync', sync: 'inventory' });
    if (a.kind === 'customer.storeRefused') actions.push({ kind: 'retryAccount' });
    actions.push({ kind: 'acknowledgeAlert' });
    add(a.kind, known?.title ?? a.subject, process, {
      key: `alert:${a.id}`,
      process,
      title: a.subject,
      what:
        a.kind === 'webhook.dead_letter'
          ? 'A storefront webhook was parked; it has been replayed or is no longer on file.'
          : a.message,
      severity: a.severity,
      since: a.createdAt,
      workflowId: a.workflowId,
      actions,
      orderId,
      store: null,
      deadLetterId: Number.isFinite(deadLetterId) ? deadLetterId : null,
      alertIds: [a.id],
    });
  }

  const rank = (g: AttentionGroup) => Math.max(...g.items.map((i) => SEVERITY_RANK[i.severity]));
  const oldest = (g: AttentionGroup) => Math.min(...g.items.map((i) => Date.parse(i.since)));
  for (const g of groups.values()) g.items.sort((a, b) => Date.parse(a.since) - Date.parse(b.since));
  return [...groups.values()].sort(
    (a, b) => rank(b) - rank(a) || b.items.length - a.items.length || oldest(a) - oldest(b),
  );
}

/** How many items each cause has, for the home page's counts. */
export const attentionCounts = (groups: AttentionGroup[]) =>
  groups.map((g) => ({ cause: g.cause, title: g.title, process: g.process, n: g.items.length }));
