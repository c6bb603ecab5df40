import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/pool';
import { SA } from '../../domain/search-attributes';
import { erpEventsWorkflowId } from '../../domain/contracts';
import {
  cancelUpdate,
  decideUpdate,
  erpFulfillmentSignal,
  erpInvoiceSignal,
  erpOrderChangedSignal,
  fixUpdate,
} from '../../domain/contracts';
import { stopErpEventsSignal } from '../../domain/contracts';
import { erpEvents } from '../../workflows/erpEvents';
import { createFlowActivities } from '../../activities/flows';
import { createErpEventActivities } from '../../activities/erp-events';
import { testClient, testDb, withWorker } from '../support/env';
import { deliver, event, makeOrder, saveHistory, scenario, until, waitFor } from './harness';

describe('orderToInvoice', () => {
  let db: Db;
  let client: Client;
  beforeAll(async () => {
    db = testDb();
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
    await db.end();
  });

  it('happy path: ERP order with PO, one shipment with tracking, invoice on the portal, completed (through the ERP change poller)', async () => {
    const s = await scenario(db);
    const order = makeOrder(s.store, '1001');
    const activities = {
      ...s.activities,
      ...createErpEventActivities({ db, erp: s.erp }),
      ...createFlowActivities({ db }),
    };
    await withWorker({ taskQueue: s.taskQueue, activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      const poller = await client.workflow.start(erpEvents, {
        workflowId: erpEventsWorkflowId(s.store),
        taskQueue: s.taskQueue,
        args: [{ store: s.store, cursors: null, pollEvery: '200ms', pageSize: 50 }],
      });
      const inErp = await waitFor(handle, (st) => st.step === 'fulfilling', 'the ERP order');
      expect(inErp.erpOrder?.externalId).toBe(`${s.store}:1001`);
      expect(s.erp.orders.get(s.externalId('1001'))?.poNumber).toBe('PO-77');
      expect(inErp.lines.map((l) => l.allocations.map((a) => a.location))).toEqual([['MAIN'], ['MAIN']]);

      s.erp.ship(
        s.externalId('1001'),
        [
          { lineKey: '1', quantity: 10 },
          { lineKey: '2', quantity: 4 },
        ],
        'FedEx',
        ['7777'],
      );
      s.erp.invoice(s.externalId('1001'));
      const done = await handle.result();
      await poller.signal(stopErpEventsSignal);
      await poller.result();

      expect(done.step).toBe('completed');
      expect(done.lines.map((l) => [l.ordered, l.shipped, l.invoiced, l.cancelled])).toEqual([
        [10, 10, 10, 0],
        [4, 4, 4, 0],
      ]);
      const pushed = s.storefront.fulfillments.get('IF1');
      expect(pushed).toMatchObject({
        orderId: '1001',
        carrier: 'FedEx',
        trackingNumbers: ['7777'],
        notifyCustomer: true,
      });
      expect(pushed?.lines).toEqual([
        { lineId: '1', quantity: 10 },
        { lineId: '2', quantity: 4 },
      ]);
      expect(s.storefront.invoicesOf('1001').map((i) => i.number)).toEqual(['INV-5001']);
      expect(s.erp.orders.size).toBe(1);
      const row = await db.query(
        'SELECT status, po_number, erp_tran_id, jsonb_array_length(lines) AS n FROM orders WHERE store = $1 AND order_id = $2',
        [s.store, '1001'],
      );
      expect(row.rows[0]).toMatchObject({
        status: 'completed',
        po_number: 'PO-77',
        erp_tran_id: 'SO-1001',
        n: 2,
      });
      const d = await handle.describe();
      expect(d.typedSearchAttributes.get(SA.status)).toBe('completed');
      expect(d.typedSearchAttributes.get(SA.poNumber)).toBe('PO-77');
      expect(d.typedSearchAttributes.get(SA.customer)).toBe('cust-1');
      expect(d.typedSearchAttributes.get(SA.orderNumber)).toBe('#1001');
      await saveHistory(client, handle.workflowId, 'orderToInvoice-happy');
      await saveHistory(client, poller.workflowId, 'erpEvents');
      await saveHistory(client, `shipment:${s.store}:1001:IF1`, 'shipment');
    });
  });

  it('two partial shipments, then the invoice completes the order', async () => {
    const s = await scenario(db);
    const order = makeOrder(s.store, '1002');
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      await waitFor(handle, (st) => st.step === 'fulfilling', 'the ERP order');
      await handle.signal(
        erpFulfillmentSignal,
        s.erp.ship(s.externalId('1002'), [{ lineKey: '1', quantity: 6 }]),
      );
      const partial = await waitFor(
        handle,
        (st) => st.status === 'partiallyShipped' && st.shipments.length === 1,
        'first shipment',
      );
      expect(partial.lines[0]).toMatchObject({ shipped: 6, ordered: 10 });
      await handle.signal(
        erpFulfillmentSignal,
        s.erp.ship(s.externalId('1002'), [
          { lineKey: '1', quantity: 4 },
          { lineKey: '2', quantity: 4 },
        ]),
      );
      await waitFor(handle, (st) => st.status === 'shipped' && st.shipments.length === 2, 'second shipment');
      expect(s.storefront.fulfillments.size).toBe(2);
      await handle.signal(erpInvoiceSignal, s.erp.invoice(s.externalId('1002')));
      const done = await handle.result();
      expect(done.step).toBe('completed');
      expect(done.lines.every((l) => l.invoiced === l.ordered)).toBe(true);
      const reservations = await db.query(
        'SELECT count(*)::int AS n FROM stock_reservations WHERE workflow_id = $1 AND released_at IS NULL',
        [handle.workflowId],
      );
      expect(reservations.rows[0].n).toBe(0);
      await saveHistory(client, handle.workflowId, 'orderToInvoice-partial-shipments');
    });
  });

  it('a backordered line waits, the buyer hears of it, and it ships later', async () => {
    const s = await scenario(db, { stock: { MAIN: 5 } });
    const order = makeOrder(s.store, '1003', {
      lines: [{ lineId: '1', sku: 'BOLT-1', quantity: 8, unitPrice: '2.50' }],
    });
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      const st = await waitFor(handle, (x) => x.status === 'backordered', 'the backorder');
      expect(st.lines[0]).toMatchObject({ ordered: 8, backordered: 3 });
      await until(() => s.storefront.tagsOf('1003').includes('backordered'), 'buyer notice');
      await handle.signal(
        erpFulfillmentSignal,
        s.erp.ship(s.externalId('1003'), [{ lineKey: '1', quantity: 5 }]),
      );
      await waitFor(handle, (x) => x.lines[0]?.shipped === 5, 'first part shipped');
      s.erp.receive(s.externalId('1003'), '1');
      await until(() => s.storefront.tagsOf('1003').includes('backorder-released'), 'back-in-stock notice');
      await handle.signal(
        erpFulfillmentSignal,
        s.erp.ship(s.externalId('1003'), [{ lineKey: '1', quantity: 3 }]),
      );
      await handle.signal(erpInvoiceSignal, s.erp.invoice(s.externalId('1003')));
      const done = await handle.result();
      expect(done.lines[0]).toMatchObject({ shipped: 8, backordered: 0, invoiced: 8, cancelled: 0 });
      await saveHistory(client, `backorder:${s.store}:1003:1`, 'backorder-released');
      await saveHistory(client, handle.workflowId, 'orderToInvoice-partial-shipment-backorder');
    });
  });

  it('a backordered line cancelled by the buyer is cancelled in the ERP and on the storefront; the rest completes', async () => {
    const s = await scenario(db, { stock: { MAIN: 100 } });
    s.erp.stock.set(`${s.store}-N2@MAIN`, 0);
    await db.query('UPDATE inventory_cache SET on_hand = 0 WHERE erp_sku = $1', [`${s.store}-N2`]);
    const order = makeOrder(s.store, '1004');
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      await waitFor(handle, (x) => x.lines[1]?.backordered === 4, 'the backorder');
      const result = await handle.executeUpdate(cancelUpdate, {
        args: [{ reason: 'no longer needed', by: 'buyer', lines: [{ lineId: '2' }] }],
      });
      expect(result.cancelledLines).toEqual([{ lineId: '2', quantity: 4 }]);
      expect(s.erp.orders.get(s.externalId('1004'))?.lines.find((l) => l.lineKey === '2')?.closed).toBe(true);
      const refund = s.storefront.refunds.get('backorder-cancel:1004:2');
      expect(refund).toMatchObject({ amount: '4.00', lines: [{ lineId: '2', quantity: 4, restock: false }] });
      await handle.signal(
        erpFulfillmentSignal,
        s.erp.ship(s.externalId('1004'), [{ lineKey: '1', quantity: 10 }]),
      );
      await handle.signal(erpInvoiceSignal, s.erp.invoice(s.externalId('1004')));
      const done = await handle.result();
      expect(done.step).toBe('completed');
      expect(done.lines.map((l) => [l.shipped, l.cancelled, l.invoiced])).toEqual([
        [10, 0, 10],
        [0, 4, 0],
      ]);
      await saveHistory(client, `backorder:${s.store}:1004:2`, 'backorder-cancelled');
      await saveHistory(client, handle.workflowId, 'orderToInvoice-backorder-line-cancelled');
    });
  });

  it('credit hold: reminded, escalated, a too-small limit and a stale approval id are refused, then approved', async () => {
    const s = await scenario(db, { creditLimit: '30.00', balance: '10.00' });
    // On payment terms: an order paid at checkout takes no credit and is never held for it.
    const order = makeOrder(s.store, '1005', { financialStatus: 'pending' });
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      const held = await waitFor(handle, (x) => x.pendingApproval !== null, 'the credit hold');
      expect(held.step).toBe('awaitingApproval');
      expect(held.attention?.reason).toContain('over the credit limit 30.00');
      expect(held.pendingApproval).toMatchObject({ kind: 'order.creditHold', amount: '29.00' });
      await until(() => s.approvals.log.reminders.some((r) => r.escalate), 'escalation');
      expect(s.approvals.log.reminders.map((r) => r.escalate)).toEqual([false, true]);
      const approvalId = held.pendingApproval?.approvalId as string;
      const base = { decidedAt: new Date().toISOString(), reason: 'good customer' };
      await expect(
        handle.executeUpdate(decideUpdate, {
          args: [
            {
              ...base,
              approvalId: 'stale',
              outcome: 'approve',
              decidedBy: { userId: 'u1', name: 'Ann', role: 'approver', approvalLimit: null },
            },
          ],
        }),
      ).rejects.toThrow();
      await expect(
        handle.executeUpdate(decideUpdate, {
          args: [
            {
              ...base,
              approvalId,
              outcome: 'approve',
              decidedBy: { userId: 'u2', name: 'Bob', role: 'approver', approvalLimit: '20.00' },
            },
          ],
        }),
      ).rejects.toThrow();
      await handle.executeUpdate(decideUpdate, {
        args: [
          {
            ...base,
            approvalId,
            outcome: 'approve',
            decidedBy: { userId: 'u1', name: 'Ann', role: 'approver', approvalLimit: '1000.00' },
          },
        ],
      });
      const inErp = await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order after approval');
      expect(inErp.approvals).toMatchObject([
        { kind: 'order.creditHold', outcome: 'approve', decidedBy: 'Ann' },
      ]);
      expect(s.approvals.log.closed).toEqual([{ approvalId, outcome: 'approve' }]);
      expect(s.erp.orders.size).toBe(1);
      await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'test over', by: 'operator' }] });
      await handle.result();
      await saveHistory(client, handle.workflowId, 'orderToInvoice-credit-approved');
    });
  });

  it('credit hold rejected: the order is cancelled on the storefront with the reason, and no ERP order exists', async () => {
    const s = await scenario(db, { creditLimit: '10.00' });
    const order = makeOrder(s.store, '1006', { financialStatus: 'pending' });
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      const held = await waitFor(handle, (x) => x.pendingApproval !== null, 'the credit hold');
      await handle.executeUpdate(decideUpdate, {
        args: [
          {
            approvalId: held.pendingApproval?.approvalId as string,
            outcome: 'reject',
            reason: 'account in arrears',
            decidedAt: new Date().toISOString(),
            decidedBy: { userId: 'u1', name: 'Ann', role: 'approver', approvalLimit: null },
          },
        ],
      });
      const done = await handle.result();
      expect(done.step).toBe('cancelled');
      expect(done.cancelReason).toBe('Credit hold rejected by Ann: account in arrears');
      expect(s.storefront.cancels).toEqual([
        { orderId: '1006', reason: 'Credit hold rejected by Ann: account in arrears', refund: true },
      ]);
      expect(s.erp.createCalls).toEqual([]);
      await saveHistory(client, handle.workflowId, 'orderToInvoice-credit-rejected');
    });
  });

  it('an unmapped SKU parks the order with the SKU named; the fix maps it and the order resumes', async () => {
    const s = await scenario(db);
    const order = makeOrder(s.store, '1007', {
      lines: [
        { lineId: '1', sku: 'BOLT-1', quantity: 1, unitPrice: '2.50' },
        { lineId: '2', sku: 'WASHER-9', quantity: 2, unitPrice: '0.10' },
      ],
    });
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      const parked = await waitFor(handle, (x) => x.attention !== null, 'the parked order');
      expect(parked.attention).toMatchObject({ kind: 'unmappedSku', sku: 'WASHER-9' });
      expect(parked.attention?.reason).toContain('SKU WASHER-9 is not mapped');
      const alert = await until(async () => {
        const r = await db.query<{ message: string }>(
          'SELECT message FROM alerts WHERE workflow_id = $1 AND resolved_at IS NULL',
          [handle.workflowId],
        );
        return r.rows[0];
      }, 'the operator alert');
      expect(alert.message).toContain('WASHER-9');
      await expect(
        handle.executeUpdate(fixUpdate, { args: [{ sku: 'OTHER', erpSku: 'X' }] }),
      ).rejects.toThrow();
      await handle.executeUpdate(fixUpdate, {
        args: [{ sku: 'WASHER-9', erpSku: `${s.store}-N2`, by: 'olga' }],
      });
      const resumed = await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order after the fix');
      expect(resumed.attention).toBeNull();
      expect(s.erp.orders.get(s.externalId('1007'))?.lines.map((l) => l.sku)).toEqual([
        `${s.store}-B1`,
        `${s.store}-N2`,
      ]);
      const map = await db.query(
        'SELECT erp_sku, updated_by FROM sku_map WHERE store = $1 AND store_sku = $2',
        [s.store, 'WASHER-9'],
      );
      expect(map.rows[0]).toEqual({ erp_sku: `${s.store}-N2`, updated_by: 'olga' });
      const resolved = await db.query(
        'SELECT count(*)::int AS n FROM alerts WHERE workflow_id = $1 AND resolved_at IS NULL',
        [handle.workflowId],
      );
      expect(resolved.rows[0].n).toBe(0);
      await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'test over', by: 'operator' }] });
      await handle.result();
      await saveHistory(client, handle.workflowId, 'orderToInvoice-parked-sku-fixed');
    });
  });

  it('cancel before shipment runs every compensation in reverse: ERP order, reservations, payment', async () => {
    const s = await scenario(db);
    const order = makeOrder(s.store, '1008');
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order');
      const held = await db.query(
        'SELECT count(*)::int AS n FROM stock_reservations WHERE workflow_id = $1 AND released_at IS NULL',
        [handle.workflowId],
      );
      expect(held.rows[0].n).toBe(2);
      const result = await handle.executeUpdate(cancelUpdate, {
        args: [{ reason: 'customer called', by: 'operator' }],
      });
      expect(result).toMatchObject({
        outcome: 'cancelled',
        compensations: ['cancelErpOrder', 'releaseReservations', 'voidPayment'],
      });
      const done = await handle.result();
      expect(done.step).toBe('cancelled');
      expect(s.erp.orders.get(s.externalId('1008'))?.status).toBe('cancelled');
      const open = await db.query(
        'SELECT count(*)::int AS n FROM stock_reservations WHERE workflow_id = $1 AND released_at IS NULL',
        [handle.workflowId],
      );
      expect(open.rows[0].n).toBe(0);
      expect(s.storefront.cancels).toEqual([{ orderId: '1008', reason: 'customer called', refund: true }]);
      expect(done.lines.map((l) => l.cancelled)).toEqual([10, 4]);
      const row = await db.query('SELECT status FROM orders WHERE workflow_id = $1', [handle.workflowId]);
      expect(row.rows[0].status).toBe('cancelled');
      await saveHistory(client, handle.workflowId, 'orderToInvoice-cancelled');
    });
  });

  it('orders/cancelled after a partial shipment cancels only the open lines; the shipped part is invoiced', async () => {
    const s = await scenario(db);
    const order = makeOrder(s.store, '1009');
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order');
      await handle.signal(
        erpFulfillmentSignal,
        s.erp.ship(s.externalId('1009'), [{ lineKey: '1', quantity: 10 }]),
      );
      await waitFor(handle, (x) => x.shipments.length === 1, 'the shipment');
      await deliver(
        client,
        s.taskQueue,
        event(
          { ...order, updatedAt: '2025-01-01T12:00:00Z' },
          'orders/cancelled',
          'cancel-1',
          'buyer changed plans',
        ),
      );
      const st = await waitFor(handle, (x) => x.lines[1]?.cancelled === 4, 'open lines cancelled');
      expect(st.lines[0]).toMatchObject({ shipped: 10, cancelled: 0 });
      expect(s.erp.orders.get(s.externalId('1009'))?.lines.map((l) => l.closed)).toEqual([false, true]);
      expect(s.storefront.cancels).toEqual([]);
      await handle.signal(erpInvoiceSignal, s.erp.invoice(s.externalId('1009')));
      const done = await handle.result();
      expect(done.step).toBe('completed');
      expect(done.lines.map((l) => [l.shipped, l.cancelled, l.invoiced])).toEqual([
        [10, 0, 10],
        [0, 4, 0],
      ]);
      await saveHistory(client, handle.workflowId, 'orderToInvoice-cancelled-after-partial-shipment');
    });
  });

  it('duplicate and out-of-order webhooks: one process, one ERP order, newest data wins, stale updates ignored', async () => {
    const s = await scenario(db);
    const created = makeOrder(s.store, '1010', { updatedAt: '2025-01-01T10:00:00Z', poNumber: 'PO-OLD' });
    const updated = { ...created, updatedAt: '2025-01-01T10:05:00Z', poNumber: 'PO-NEW' };
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(updated, 'orders/updated'));
      await deliver(client, s.taskQueue, event(created, 'orders/create'));
      await deliver(client, s.taskQueue, event(updated, 'orders/updated'));
      await deliver(client, s.taskQueue, event(created, 'orders/create'));
      const st = await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order');
      expect(st.poNumber).toBe('PO-NEW');
      expect(s.erp.orders.size).toBe(1);
      expect(s.erp.orders.get(s.externalId('1010'))?.poNumber).toBe('PO-NEW');
      // a newer update before shipment is applied to the ERP order; a late stale one is not
      await deliver(
        client,
        s.taskQueue,
        event({ ...created, updatedAt: '2025-01-01T11:00:00Z', poNumber: 'PO-NEWER' }, 'orders/updated'),
      );
      await waitFor(handle, (x) => x.poNumber === 'PO-NEWER', 'the applied update');
      await deliver(
        client,
        s.taskQueue,
        event({ ...created, updatedAt: '2025-01-01T10:30:00Z', poNumber: 'PO-STALE' }, 'orders/updated'),
      );
      await handle.signal(erpOrderChangedSignal);
      await handle.signal(
        erpFulfillmentSignal,
        s.erp.ship(s.externalId('1010'), [
          { lineKey: '1', quantity: 10 },
          { lineKey: '2', quantity: 4 },
        ]),
      );
      const dup = s.erp.fulfillments[0];
      if (dup) await handle.signal(erpFulfillmentSignal, dup);
      await handle.signal(erpInvoiceSignal, s.erp.invoice(s.externalId('1010')));
      const done = await handle.result();
      expect(done.poNumber).toBe('PO-NEWER');
      expect(s.erp.orders.get(s.externalId('1010'))?.poNumber).toBe('PO-NEWER');
      expect(s.erp.updateCalls).toHaveLength(1);
      expect(done.lines.map((l) => l.shipped)).toEqual([10, 4]);
      expect(done.shipments).toHaveLength(1);
      await saveHistory(client, handle.workflowId, 'orderToInvoice-duplicate-webhooks');
    });
  });

  it('a worker restarted in the middle of an order: the order finishes with one ERP sales order', async () => {
    const s = await scenario(db);
    const order = makeOrder(s.store, '1011');
    const handle = await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const h = await deliver(client, s.taskQueue, event(order));
      await waitFor(h, (x) => x.step === 'fulfilling', 'the ERP order');
      return h;
    });
    // no worker: the ERP ships and invoices meanwhile
    await handle.signal(
      erpFulfillmentSignal,
      s.erp.ship(s.externalId('1011'), [
        { lineKey: '1', quantity: 10 },
        { lineKey: '2', quantity: 4 },
      ]),
    );
    await handle.signal(erpInvoiceSignal, s.erp.invoice(s.externalId('1011')));
    const done = await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, () =>
      handle.result(),
    );
    expect(done.step).toBe('completed');
    expect(s.erp.orders.size).toBe(1);
    expect(new Set(s.erp.createCalls)).toEqual(new Set([s.externalId('1011')]));
    expect(s.storefront.fulfillments.size).toBe(1);
    await saveHistory(client, handle.workflowId, 'orderToInvoice-worker-restarted');
  });

  it('the ERP rejecting the sales order parks it naming the ERP message; a field fix resumes it', async () => {
    const s = await scenario(db);
    s.erp.rejectNextCreate = {
      detail: 'Invalid PO number: must not contain spaces',
      code: 'USER_ERROR',
      path: 'otherRefNum',
    };
    const order = makeOrder(s.store, '1012', { poNumber: 'PO 12' });
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      const parked = await waitFor(handle, (x) => x.attention?.kind === 'erpRejected', 'the ERP rejection');
      expect(parked.attention).toMatchObject({ field: 'poNumber' });
      expect(parked.attention?.reason).toContain('Invalid PO number');
      await handle.executeUpdate(fixUpdate, { args: [{ field: 'poNumber', value: 'PO-12' }] });
      await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order after the fix');
      expect(s.erp.orders.get(s.externalId('1012'))?.poNumber).toBe('PO-12');
      await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'test over', by: 'operator' }] });
      await handle.result();
      await saveHistory(client, handle.workflowId, 'orderToInvoice-erp-rejected-fixed');
    });
  });

  it('a storefront refund is recorded in the order ledger once', async () => {
    const s = await scenario(db);
    const order = makeOrder(s.store, '1013');
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order');
      const refund = {
        eventId: 'r1',
        triggeredAt: new Date().toISOString(),
        store: s.store,
        orderId: '1013',
        refundId: 'RF1',
        amount: '2.50',
        lines: [{ lineId: '1', quantity: 1 }],
      };
      await handle.signal('storefrontRefundEvent', refund);
      await handle.signal('storefrontRefundEvent', refund);
      const st = await waitFor(handle, (x) => x.refunds.length > 0, 'the refund');
      expect(st.refunds).toEqual([
        { refundId: 'RF1', amount: '2.50', lines: [{ lineId: '1', quantity: 1 }] },
      ]);
      await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'test over', by: 'operator' }] });
      await handle.result();
      await saveHistory(client, handle.workflowId, 'orderToInvoice-storefront-refund');
    });
  });
});
