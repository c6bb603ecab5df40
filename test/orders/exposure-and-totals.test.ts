import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderRepository } from '../../db/orders';
import { cancelUpdate, erpFulfillmentSignal, erpInvoiceSignal } from '../../domain/contracts';
import type { Db } from '../../db/pool';
import { testClient, testDb, withWorker } from '../support/env';
import { deliver, event, makeOrder, scenario, until, waitFor } from './harness';

describe('order workflow: credit exposure and the ERP total', () => {
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

  it("holds an order that the customer's other open, uninvoiced orders take over the limit", async () => {
    // Limit 40.00, balance 10.00: one 29.00 order fits (39.00); a second one alone would too.
    const s = await scenario(db, { creditLimit: '40.00', balance: '10.00' });
    // Both on payment terms (the harness's order is paid by card, which takes no credit).
    const onTerms = { financialStatus: 'pending' };
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const first = await deliver(client, s.taskQueue, event(makeOrder(s.store, '2001', onTerms)));
      const inErp = await waitFor(first, (x) => x.step === 'fulfilling', 'the first order in the ERP');
      expect(inErp.pendingApproval).toBeNull();

      const second = await deliver(client, s.taskQueue, event(makeOrder(s.store, '2002', onTerms)));
      const held = await waitFor(second, (x) => x.pendingApproval !== null, 'the credit hold');
      expect(held.step).toBe('awaitingApproval');
      expect(held.pendingApproval).toMatchObject({ kind: 'order.creditHold', amount: '29.00' });
      expect(held.attention?.reason).toBe(
        'Order #2002: Credit hold: open balance 10.00 plus open orders not yet invoiced 29.00 plus this order 29.00 is 68.00, over the credit limit 40.00 by 28.00.',
      );
      expect(s.erp.orders.has(s.externalId('2002'))).toBe(false);
    });
  });

  it('counts no credit for orders paid at checkout: a paid order is never held, and adds nothing to the next one', async () => {
    // Limit 40.00, balance 10.00: a 29.00 order on terms fits (39.00), a second one would not (68.00).
    const s = await scenario(db, { creditLimit: '40.00', balance: '10.00' });
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      // Paid by card, twice; together 58.00 over the 30.00 of headroom, yet neither is held.
      for (const id of ['2401', '2402']) {
        const paid = await deliver(
          client,
          s.taskQueue,
          event(makeOrder(s.store, id, { financialStatus: 'paid' })),
        );
        const inErp = await waitFor(paid, (x) => x.step === 'fulfilling', `paid order ${id} in the ERP`);
        expect(inErp.pendingApproval).toBeNull();
        expect(inErp.approvals).toEqual([]);
      }
      // What the next order's check counts of them: nothing.
      expect(await orderRepository(db).openUninvoicedValue(s.store, `C-${s.store}`, '2401')).toBe('0.00');

      // An order on terms sees only the balance: 10.00 + 29.00 = 39.00 is within the limit.
      const onTerms = await deliver(
        client,
        s.taskQueue,
        event(makeOrder(s.store, '2403', { financialStatus: 'pending' })),
      );
      const inErp = await waitFor(onTerms, (x) => x.step === 'fulfilling', 'the order on terms in the ERP');
      expect(inErp.pendingApproval).toBeNull();

      // The next one on terms counts that order (authorized counts too), not the paid ones.
      const over = await deliver(
        client,
        s.taskQueue,
        event(makeOrder(s.store, '2404', { financialStatus: 'authorized' })),
      );
      const held = await waitFor(over, (x) => x.pendingApproval !== null, 'the credit hold');
      expect(held.attention?.reason).toBe(
        'Order #2404: Credit hold: open balance 10.00 plus open orders not yet invoiced 29.00 plus this order 29.00 is 68.00, over the credit limit 40.00 by 28.00.',
      );
    });
  });

  it('parks an order whose ERP total would differ from the store total, then resumes on a corrected update', async () => {
    const s = await scenario(db);
    // The lines come to 29.00, but the store charged 31.00 (e.g. a fee the mapping cannot carry).
    const order = makeOrder(s.store, '2101', {
      updatedAt: '2025-01-01T10:00:00Z',
      totals: { discounts: '0.00', tax: '0.00', total: '31.00' },
    });
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      const parked = await waitFor(
        handle,
        (x) => x.attention?.kind === 'totalMismatch',
        'the total mismatch',
      );
      expect(parked.status).toBe('onHold');
      const reason =
        "Order #2101 was not sent to the ERP: the ERP's total would be 29.00 USD but the store charged 31.00 USD, 2.00 USD less. Correct the order in the store (an updated order is checked again) or cancel it.";
      expect(parked.attention?.reason).toBe(reason);
      expect(parked.erpOrder).toBeNull();
      expect(s.erp.orders.has(s.externalId('2101'))).toBe(false);
      const [row] = await orderRepository(db).list({ stores: [s.store], attention: true, limit: 10 });
      expect(row).toMatchObject({ orderId: '2101', status: 'onHold', attentionKind: 'totalMismatch' });
      expect(row?.attentionReason).toBe(reason);

      const corrected = {
        ...order,
        updatedAt: '2025-01-01T10:05:00Z',
        totals: { discounts: '0.00', tax: '0.00', total: '29.00' },
      };
      await deliver(client, s.taskQueue, event(corrected, 'orders/updated'));
      const resumed = await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order after the update');
      expect(resumed.attention).toBeNull();
      expect(s.erp.orders.get(s.externalId('2101'))?.externalId).toBe(s.externalId('2101'));
    });
  });

  it("carries the store's total_price, not the goods, into its status, read model and credit check", async () => {
    // Goods 29.00, less 4.00 discount, plus 10.00 shipping and 2.00 tax: the store charged 37.00.
    const s = await scenario(db, { creditLimit: '60.00', balance: '25.00' });
    const order = makeOrder(s.store, '2201', {
      financialStatus: 'pending',
      lines: [
        { lineId: '1', sku: 'BOLT-1', quantity: 10, unitPrice: '2.50', discount: '4.00' },
        { lineId: '2', sku: 'NUT-2', quantity: 4, unitPrice: '1.00' },
      ],
      shippingLines: [{ code: 'ground', price: '10.00' }],
      taxLines: [{ title: 'State tax', rate: '0.08', amount: '2.00' }],
      totals: { discounts: '4.00', tax: '2.00', total: '37.00' },
    });
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order));
      // 25.00 + 37.00 is over the 60.00 limit, though 25.00 + the goods' 29.00 would not be.
      const held = await waitFor(handle, (x) => x.pendingApproval !== null, 'the credit hold');
      expect(held.total).toBe('37.00');
      expect(held.pendingApproval).toMatchObject({
        kind: 'order.creditHold',
        amount: '37.00',
        currency: 'USD',
      });
      expect(held.attention?.reason).toContain(
        'plus this order 37.00 is 62.00, over the credit limit 60.00 by 2.00',
      );
      const [row] = await orderRepository(db).list({ stores: [s.store], limit: 10 });
      expect(row).toMatchObject({ orderId: '2201', total: '37.00' });
    });
  });

  it("republishes the customer's headroom when the order reaches the ERP, is invoiced and is cancelled, never waiting on it", async () => {
    const s = await scenario(db);
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const placed = await deliver(client, s.taskQueue, event(makeOrder(s.store, '2301')));
      await waitFor(placed, (x) => x.step === 'fulfilling', 'the ERP order');
      // Placed: the balance the credit check read moments before (and cached) counts, unread again
      // (a sales order does not change it). Invoiced or cancelled: the ERP balance is read afresh.
      const placement = { customerErpIds: [`C-${s.store}`], refreshBalance: false };
      const refreshed = { customerErpIds: [`C-${s.store}`], refreshBalance: true };
      await until(() => s.headroom.calls.length === 1, 'the headroom after the ERP order');
      await placed.signal(
        erpFulfillmentSignal,
        s.erp.ship(s.externalId('2301'), [
          { lineKey: '1', quantity: 10 },
          { lineKey: '2', quantity: 4 },
        ]),
      );
      await placed.signal(erpInvoiceSignal, s.erp.invoice(s.externalId('2301')));
      expect((await placed.result()).step).toBe('completed');
      expect(s.headroom.calls).toEqual([placement, refreshed]);

      const cancelled = await deliver(client, s.taskQueue, event(makeOrder(s.store, '2302')));
      await waitFor(cancelled, (x) => x.step === 'fulfilling', 'the second ERP order');
      await until(() => s.headroom.calls.length === 3, 'the headroom after the second ERP order');
      await cancelled.executeUpdate(cancelUpdate, { args: [{ reason: 'not needed', by: 'buyer' }] });
      expect((await cancelled.result()).step).toBe('cancelled');
      expect(s.headroom.calls.slice(2)).toEqual([placement, refreshed]);

      // The store refusing every publication neither fails nor holds up the order.
      s.headroom.failing = true;
      const unlucky = await deliver(client, s.taskQueue, event(makeOrder(s.store, '2303')));
      await waitFor(unlucky, (x) => x.step === 'fulfilling', 'the third ERP order');
      await unlucky.executeUpdate(cancelUpdate, { args: [{ reason: 'not needed', by: 'buyer' }] });
      expect((await unlucky.result()).step).toBe('cancelled');
      expect(s.headroom.calls).toHaveLength(4);
    });
  });
});
