import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderRepository } from '../../db/orders';
import type { Db } from '../../db/pool';
import { testClient, testDb, withWorker } from '../support/env';
import { deliver, event, makeOrder, scenario, waitFor } from './harness';

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
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const first = await deliver(client, s.taskQueue, event(makeOrder(s.store, '2001')));
      const inErp = await waitFor(first, (x) => x.step === 'fulfilling', 'the first order in the ERP');
      expect(inErp.pendingApproval).toBeNull();

      const second = await deliver(client, s.taskQueue, event(makeOrder(s.store, '2002')));
      const held = await waitFor(second, (x) => x.pendingApproval !== null, 'the credit hold');
      expect(held.step).toBe('awaitingApproval');
      expect(held.pendingApproval).toMatchObject({ kind: 'order.creditHold', amount: '29.00' });
      expect(held.attention?.reason).toBe(
        'Order #2002: Credit hold: open balance 10.00 plus open orders not yet invoiced 29.00 plus this order 29.00 is 68.00, over the credit limit 40.00 by 28.00.',
      );
      expect(s.erp.orders.has(s.externalId('2002'))).toBe(false);
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
});
