import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { createOrderActivities } from '../../activities/orders';
import { mappingRepository } from '../../db/mappings';
import { orderRepository, type OrderRecord } from '../../db/orders';
import type { Db } from '../../db/pool';
import { orderWorkflowId } from '../../domain/contracts';
import type { CanonicalOrder, StorefrontOrderEvent } from '../../domain/order';
import { erpOrderExternalId } from '../../domain/contracts';
import type { BusinessRulesInput } from '../../domain/rules';
import { orderToInvoice } from '../../workflows/orderToInvoice';
import { orderEventSignal, orderStatusQuery, type OrderStatus } from '../../domain/contracts';
import { FakeErp, FakeStorefront, fakeApprovals } from './fakes';

/** Short timers: rules are input data, so tests run the real logic on seconds, not days. */
export const TEST_RULES: BusinessRulesInput = {
  approval: { remindAfter: '1s', escalateAfter: '2s' },
  backorder: { recheckEvery: '300ms', escalateAfter: '1500ms' },
  fulfillment: { refreshEvery: '400ms' },
  firstOrder: { approvalAmount: '100000.00' },
  warehouses: { priority: ['MAIN', 'EAST', 'WEST'] },
};

/** One test's world: its own store, ERP, storefront, approvals and task queue. */
export async function scenario(
  db: Db,
  opts: { creditLimit?: string | null; balance?: string; stock?: Record<string, number> } = {},
) {
  const store = `s${randomUUID().slice(0, 8)}`;
  const erp = new FakeErp();
  const storefront = new FakeStorefront();
  const approvals = fakeApprovals();
  erp.addCustomer(
    `C-${store}`,
    opts.creditLimit === undefined ? '100000.00' : opts.creditLimit,
    opts.balance ?? '0.00',
  );
  const mappings = mappingRepository(db);
  await mappings.upsertCustomer(store, 'cust-1', `C-${store}`);
  await mappings.upsertSkus(store, [
    { storeSku: 'BOLT-1', erpSku: `${store}-B1` },
    { storeSku: 'NUT-2', erpSku: `${store}-N2` },
  ]);
  const stock = opts.stock ?? { MAIN: 100 };
  for (const [loc, qty] of Object.entries(stock)) {
    for (const sku of [`${store}-B1`, `${store}-N2`]) erp.stock.set(`${sku}@${loc}`, qty);
  }
  await orderRepository(db).setStock(
    Object.entries(stock).flatMap(([location, onHand]) =>
      [`${store}-B1`, `${store}-N2`].map((sku) => ({ sku, location, onHand })),
    ),
  );
  // The store's credit headroom, as the order asks for it to be republished (failing when told to).
  const headroom = { calls: [] as { customerErpIds: string[]; refreshBalance?: boolean }[], failing: false };
  const headroomActivities = {
    async publishCreditHeadroom(input: {
      store: string;
      customerErpIds: string[];
      refreshBalance?: boolean;
    }) {
      if (headroom.failing) throw new Error('store unavailable');
      headroom.calls.push({ customerErpIds: input.customerErpIds, refreshBalance: input.refreshBalance });
      return 1;
    },
  };
  const activities = {
    ...createOrderActivities({ db, erp, storefront }),
    ...approvals.activities,
    ...headroomActivities,
  };
  const taskQueue = `orders-${store}`;
  return {
    store,
    erp,
    storefront,
    approvals,
    activities,
    headroom,
    taskQueue,
    externalId: (orderId: string) => erpOrderExternalId(store, orderId),
  };
}

export function makeOrder(
  store: string,
  orderId: string,
  overrides: Partial<CanonicalOrder> = {},
): CanonicalOrder {
  return {
    store,
    orderId,
    orderNumber: `#${orderId}`,
    customerId: 'cust-1',
    poNumber: 'PO-77',
    currency: 'USD',
    financialStatus: 'paid',
    lines: [
      { lineId: '1', sku: 'BOLT-1', quantity: 10, unitPrice: '2.50' },
      { lineId: '2', sku: 'NUT-2', quantity: 4, unitPrice: '1.00' },
    ],
    tags: [],
    updatedAt: '2025-01-01T10:00:00Z',
    ...overrides,
  };
}

/** The read model's row of an order in the ERP with nothing shipped or invoiced yet; `over` changes any field. */
export function orderRecord(order: CanonicalOrder, over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    workflowId: orderWorkflowId(order.store, order.orderId),
    order,
    status: 'inErp',
    step: 'fulfilling',
    attention: null,
    lines: order.lines.map((l) => ({
      lineId: l.lineId,
      sku: l.sku,
      erpSku: l.sku,
      unitPrice: l.unitPrice,
      ordered: l.quantity,
      shipped: 0,
      backordered: 0,
      cancelled: 0,
      invoiced: 0,
      allocations: [],
    })),
    erpOrder: null,
    rulesVersion: null,
    invoiceTotals: [],
    ...over,
  };
}

export function event(
  order: CanonicalOrder,
  topic: StorefrontOrderEvent['topic'] = 'orders/create',
  eventId = `${topic}:${order.orderId}:${order.updatedAt}`,
  cancelReason?: string,
): StorefrontOrderEvent {
  return {
    topic,
    eventId,
    triggeredAt: order.updatedAt ?? new Date().toISOString(),
    order,
    ...(cancelReason ? { cancelReason } : {}),
  };
}

/** What the webhook ingress does: signal-with-start on the order's deterministic id. */
export async function deliver(
  client: Client,
  taskQueue: string,
  e: StorefrontOrderEvent,
  rules: BusinessRulesInput = TEST_RULES,
) {
  return client.workflow.signalWithStart(orderToInvoice, {
    workflowId: orderWorkflowId(e.order.store, e.order.orderId),
    taskQueue,
    args: [{ store: e.order.store, orderId: e.order.orderId, rules }],
    signal: orderEventSignal,
    signalArgs: [e],
  });
}

/** Polls the status query until `ok` holds (or fails with the last status seen after the deadline). */
export async function waitFor(
  handle: WorkflowHandle,
  ok: (s: OrderStatus) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<OrderStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: OrderStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(orderStatusQuery);
      if (ok(last)) return last;
    } catch {
      // not queryable yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
}

export { eventually as until } from '../support/wait';

export { recordHistory as saveHistory } from '../support/histories';
