import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createOrderActivities } from '../../activities/orders';
import { ShopifyStorefront } from '../../connectors/shopify/storefront';
import type { Db } from '../../db/pool';
import {
  cancelUpdate,
  erpFulfillmentSignal,
  erpInvoiceSignal,
  fixUpdate,
  backorderStatusQuery,
  backorderWorkflowId,
  orderStatusQuery,
} from '../../domain/contracts';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { testClient, testDb, withWorker } from '../support/env';
import { deliver, event, makeOrder, scenario, until, waitFor } from './harness';

type Scenario = Awaited<ReturnType<typeof scenario>>;
type OrderHandle = Awaited<ReturnType<typeof deliver>>;
const PRICES: Record<string, string> = { 'BOLT-1': '2.50', 'NUT-2': '1.00' };

/**
 * The store refusing what the order asks of it (Shopify userErrors, from the sandbox store over the
 * real connector) parks the order with the store's words; the rest of the order goes on.
 */
describe('an order the store refuses a write for', () => {
  let db: Db;
  let client: Client;
  let shop: RunningSandbox;
  let storefront: ShopifyStorefront;
  beforeAll(async () => {
    db = testDb();
    client = await testClient();
    shop = await startSandbox(`order_refusals_${Date.now()}`);
    storefront = new ShopifyStorefront(shop.client);
    await shop.sim('/sandbox/products', { sku: 'BOLT-1', title: 'Bolt', price: '2.50' });
    await shop.sim('/sandbox/products', { sku: 'NUT-2', title: 'Nut', price: '1.00' });
  });
  afterAll(async () => {
    await shop.stop();
    await client.connection.close();
    await db.end();
  });

  /** A store order's line ids, by SKU (read over the Admin API: the ids are beyond a JS number). */
  const lineIds = async (orderId: string) => {
    const r = await shop.client.request<{ order: { lineItems: { nodes: { id: string; sku: string }[] } } }>(
      `query($id: ID!) { order(id: $id) { lineItems(first: 10) { nodes { id sku } } } }`,
      { id: `gid://shopify/Order/${orderId}` },
    );
    return Object.fromEntries(r.order.lineItems.nodes.map((n) => [n.sku, n.id.split('/').pop()!]));
  };

  const openAlert = async (workflowId: string) =>
    (
      await db.query<{ kind: string; message: string }>(
        'SELECT kind, message FROM alerts WHERE workflow_id = $1 AND resolved_at IS NULL',
        [workflowId],
      )
    ).rows;
  /** The order's open alerts once it has raised one: it parks first and raises its alert in its next step. */
  const raisedAlert = (workflowId: string) =>
    until(
      () => openAlert(workflowId).then((a) => (a.length > 0 ? a : undefined)),
      'the order to raise its alert',
    );

  /** A paid order placed in the store by the scenario's buyer, and the order Quayside reads of it. */
  const placeOrder = async (s: Scenario, quantities: Record<string, number>) => {
    const lines = Object.entries(quantities).map(([sku, quantity]) => ({ sku, quantity }));
    const placed = await shop.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: `buyer-${s.store}@example.com`,
      financialStatus: 'paid',
      lines,
    });
    const ids = await lineIds(placed.orderId);
    const order = makeOrder(s.store, placed.orderId, {
      lines: lines.map((l) => ({ lineId: ids[l.sku]!, ...l, unitPrice: PRICES[l.sku]! })),
    });
    return { orderId: placed.orderId, ids, order };
  };

  /** A scenario of its own, and a store order of 10 bolts and 4 nuts in it. */
  const boltsAndNuts = async () => {
    const s = await scenario(db);
    const placed = await placeOrder(s, { 'BOLT-1': 10, 'NUT-2': 4 });
    return { s, placed, boltLine: placed.ids['BOLT-1']!, nutLine: placed.ids['NUT-2']! };
  };

  /** Runs the scenario's worker, its order activities writing to the sandbox store, while `fn` runs. */
  const withStoreWorker = (s: Scenario, fn: () => Promise<void>) =>
    withWorker(
      {
        taskQueue: s.taskQueue,
        activities: { ...s.activities, ...createOrderActivities({ db, erp: s.erp, storefront }) },
      },
      fn,
    );

  /** Ships the bolts in the ERP with tracking, and invoices the order. */
  const shipBoltsAndInvoice = async (
    s: Scenario,
    handle: OrderHandle,
    orderId: string,
    boltLine: string,
    tracking: string,
  ) => {
    await handle.signal(
      erpFulfillmentSignal,
      s.erp.ship(s.externalId(orderId), [{ lineKey: boltLine, quantity: 10 }], 'UPS', [tracking]),
    );
    await waitFor(handle, (x) => x.shipments.length === 1, 'the bolts shipment');
    await handle.signal(erpInvoiceSignal, s.erp.invoice(s.externalId(orderId)));
  };

  /** The store order once it shows its invoice: its fulfillments and their tracking. */
  const invoicedInStore = (orderId: string) =>
    until(async () => {
      const r = await shop.client.request<{
        order: { tags: string[]; fulfillments: { trackingInfo: { number: string }[] }[] };
      }>(`query($id: ID!) { order(id: $id) { tags fulfillments(first: 5) { trackingInfo { number } } } }`, {
        id: `gid://shopify/Order/${orderId}`,
      });
      return r.order.tags.includes('invoiced') ? r.order : undefined;
    }, 'the invoice on the store order');

  /** A person acknowledges the parked order: it completes, its attention and alert gone. */
  const acknowledgeCompletes = async (handle: OrderHandle) => {
    await handle.executeUpdate(fixUpdate, { args: [{ acknowledge: true, by: 'ops' }] });
    const done = await handle.result();
    expect(done.step).toBe('completed');
    expect(done.attention).toBeNull();
    expect(await openAlert(handle.workflowId)).toEqual([]);
  };

  it('a line the store had already refunded: cancelled in the ERP, parked for a person to refund it, the rest ships and is invoiced', async () => {
    const { s, placed, boltLine, nutLine } = await boltsAndNuts();
    // Staff refunded the nuts in the store admin; Quayside does not know.
    await storefront.createRefund({
      orderId: placed.orderId,
      refundKey: `staff-${s.store}`,
      lines: [{ lineId: nutLine, quantity: 4, restock: false }],
      amount: '0.00',
      currency: 'USD',
      note: 'refunded at the counter',
      notifyCustomer: false,
    });
    await withStoreWorker(s, async () => {
      const handle = await deliver(client, s.taskQueue, event(placed.order));
      await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order');

      const result = await handle.executeUpdate(cancelUpdate, {
        args: [{ reason: 'buyer no longer needs the nuts', by: 'operator', lines: [{ lineId: nutLine }] }],
      });
      expect(result.cancelledLines).toEqual([{ lineId: nutLine, quantity: 4 }]);
      const parked = await waitFor(handle, (x) => x.attention?.kind === 'refundRefused', 'parked');
      expect(parked.attention?.reason).toMatch(
        new RegExp(
          `^NUT-2 \\(line ${nutLine}\\) of order #${placed.orderId} was cancelled in the ERP, but the store refused to refund it: Quantity cannot refund more items than were purchased \\(NUT-2\\) \\(refundLineItems\\.0\\.quantity\\)\\. Refund or cancel it in the store yourself`,
        ),
      );
      expect(parked.lines[1]).toMatchObject({ cancelled: 4 });
      expect(s.erp.orders.get(s.externalId(placed.orderId))?.lines.map((l) => l.closed)).toEqual([
        false,
        true,
      ]);
      expect(await raisedAlert(handle.workflowId)).toEqual([
        { kind: 'order.refundRefused', message: parked.attention?.reason },
      ]);

      // The bolts go on: shipped to the store with tracking, invoiced on the store order.
      await shipBoltsAndInvoice(s, handle, placed.orderId, boltLine, '1Z1');
      const invoiced = await waitFor(handle, (x) => x.invoices.length === 1, 'the invoice');
      // The invoice is on the ledger before the store write: wait for the store order itself.
      expect((await invoicedInStore(placed.orderId)).fulfillments).toHaveLength(1);
      // Still parked: it does not complete until a person says the refund is done.
      expect(invoiced.attention?.kind).toBe('refundRefused');

      await acknowledgeCompletes(handle);
    });
  });

  it('invoices for an order deleted in the store: parked with the store words, tried again when acknowledged, other orders complete', async () => {
    const s = await scenario(db);
    const gone = makeOrder(s.store, '990001');
    const placed = await placeOrder(s, { 'BOLT-1': 10 });
    await withStoreWorker(s, async () => {
      const refused = await deliver(client, s.taskQueue, event(gone));
      const other = await deliver(client, s.taskQueue, event(placed.order));
      await waitFor(refused, (x) => x.step === 'fulfilling', 'the ERP order');
      await refused.signal(erpInvoiceSignal, s.erp.invoice(s.externalId('990001')));
      const parked = await waitFor(refused, (x) => x.attention?.kind === 'invoiceRefused', 'parked');
      expect(parked.attention?.reason).toBe(
        "Invoice INV-5001 could not be shown on order #990001 in the store, which refused: Order does not exist (id). Correct the order in the store, then acknowledge and Quayside shows the order's invoices again.",
      );
      expect(parked.invoices.map((i) => i.tranId)).toEqual(['INV-5001']);
      expect(await raisedAlert(refused.workflowId)).toEqual([
        { kind: 'order.invoiceRefused', message: parked.attention?.reason },
      ]);

      // The other order of the same store is shipped, invoiced and completes meanwhile.
      await waitFor(other, (x) => x.step === 'fulfilling', 'the other ERP order');
      await other.signal(
        erpFulfillmentSignal,
        s.erp.ship(s.externalId(placed.orderId), [{ lineKey: placed.ids['BOLT-1']!, quantity: 10 }]),
      );
      await other.signal(erpInvoiceSignal, s.erp.invoice(s.externalId(placed.orderId)));
      expect((await other.result()).step).toBe('completed');

      // Acknowledged while the order is still missing: shown again, refused again, parked again.
      const since = parked.attention!.since;
      await refused.executeUpdate(fixUpdate, { args: [{ acknowledge: true, by: 'ops' }] });
      const again = await waitFor(
        refused,
        (x) => x.attention?.kind === 'invoiceRefused' && x.attention.since !== since,
        'parked again',
      );
      expect(again.attention?.reason).toMatch(/Order does not exist/);
      await refused.terminate('test over');
    });
  });

  it('a shipment the store refuses (fulfilled by hand already): parked with the store words, the other shipment and the invoice go on, completed once acknowledged', async () => {
    const { s, placed, boltLine, nutLine } = await boltsAndNuts();
    // Staff handed the nuts over the counter and fulfilled them in the store admin.
    await storefront.createFulfillment({
      orderId: placed.orderId,
      fulfillmentKey: `counter-${s.store}`,
      lines: [{ lineId: nutLine, quantity: 4 }],
      carrier: null,
      trackingNumbers: [],
      notifyCustomer: false,
    });
    await withStoreWorker(s, async () => {
      const handle = await deliver(client, s.taskQueue, event(placed.order));
      await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order');
      const nuts = s.erp.ship(s.externalId(placed.orderId), [{ lineKey: nutLine, quantity: 4 }], 'UPS', [
        '1ZNUT',
      ]);
      await handle.signal(erpFulfillmentSignal, nuts);
      const parked = await waitFor(handle, (x) => x.attention?.kind === 'shipmentRefused', 'parked');
      expect(parked.attention?.reason).toBe(
        `ERP fulfillment ${nuts.erpId} of order #${placed.orderId} (UPS, tracking 1ZNUT) could not be sent to the store, which refused: Line ${nutLine} has nothing left to fulfill (lines.0.lineId). Check the order's fulfillments in the store and fulfil it there by hand if needed (Quayside does not try again), then acknowledge.`,
      );
      expect(await raisedAlert(handle.workflowId)).toEqual([
        { kind: 'order.shipmentRefused', message: parked.attention?.reason },
      ]);

      // The bolts go on: shipped to the store with tracking, invoiced on the store order.
      await shipBoltsAndInvoice(s, handle, placed.orderId, boltLine, '1ZBOLT');
      const after = await invoicedInStore(placed.orderId);
      // The counter's fulfillment and the bolts'; the refused one was not made twice.
      expect(after.fulfillments.flatMap((f) => f.trackingInfo.map((t) => t.number))).toEqual(['1ZBOLT']);
      expect(after.fulfillments).toHaveLength(2);
      // Still parked: it does not complete until a person says the store is right.
      expect((await handle.query(orderStatusQuery)).attention?.kind).toBe('shipmentRefused');

      await acknowledgeCompletes(handle);
    });
  });

  it('a backorder notice the store refuses (the order deleted in the store): an alert quoting the notice, the backorder goes on waiting for stock', async () => {
    const s = await scenario(db, { stock: { MAIN: 5 } });
    const gone = makeOrder(s.store, '990002', {
      lines: [{ lineId: '1', sku: 'BOLT-1', quantity: 8, unitPrice: '2.50' }],
    });
    await withStoreWorker(s, async () => {
      const handle = await deliver(client, s.taskQueue, event(gone));
      await waitFor(handle, (x) => x.status === 'backordered', 'the backorder');
      const alert = await until(async () => {
        const r = await db.query<{ kind: string; message: string }>(
          "SELECT kind, message FROM alerts WHERE workflow_id = $1 AND kind = 'order.noticeRefused' AND resolved_at IS NULL",
          [handle.workflowId],
        );
        return r.rows[0];
      }, 'the notice alert');
      expect(alert.message).toBe(
        `The store refused to show the buyer of order #990002 this notice: "3 × ${s.store}-B1 on order #990002 is backordered; we will ship it as soon as stock arrives. You may cancel it." It said: Order does not exist (id). Tell the buyer yourself; the backorder goes on.`,
      );
      // The backorder is still waiting for stock, not retrying the notice.
      const backorder = client.workflow.getHandle(backorderWorkflowId(s.store, '990002', '1'));
      expect((await backorder.describe()).status.name).toBe('RUNNING');
      expect((await backorder.query(backorderStatusQuery)).step).toBe('waiting');
      // Terminating the order ends its backorder too.
      await handle.terminate('test over');
    });
  });
});
