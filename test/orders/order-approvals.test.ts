import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionInput } from '../../domain/approvals';
import { cancelUpdate, decideUpdate } from '../../domain/contracts';
import type { Db } from '../../db/pool';
import { testClient, testDb, withWorker } from '../support/env';
import { deliver, event, makeOrder, scenario, until, waitFor } from './harness';

const ann: DecisionInput['decidedBy'] = {
  userId: 'u1',
  name: 'Ann',
  role: 'approver',
  approvalLimit: '1000.00',
};

/** A held order's approval as the approver sees it: asked for information, then decided; or ended by a cancel. */
describe('order approvals', () => {
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

  it('an approver asking for information keeps the same approval open; the approval then releases the order', async () => {
    const s = await scenario(db, { creditLimit: '10.00' });
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      // On payment terms: an order paid at checkout takes no credit and is never held for it.
      const order = makeOrder(s.store, '3001', { financialStatus: 'pending' });
      const handle = await deliver(client, s.taskQueue, event(order));
      const held = await waitFor(handle, (x) => x.pendingApproval !== null, 'the credit hold');
      const approvalId = held.pendingApproval?.approvalId as string;
      const decide = (outcome: DecisionInput['outcome'], reason: string) =>
        handle.executeUpdate(decideUpdate, {
          args: [{ approvalId, outcome, reason, decidedAt: new Date().toISOString(), decidedBy: ann }],
        });
      await expect(decide('requestInfo', 'which project is this for?')).resolves.toMatchObject({
        accepted: true,
      });
      const asked = await waitFor(handle, (x) => x.approvals.length === 1, 'the question recorded');
      expect(asked.step).toBe('awaitingApproval');
      expect(asked.attention?.kind).toBe('approval');
      expect(asked.pendingApproval?.approvalId).toBe(approvalId);
      expect(s.approvals.log.closed).toEqual([]);

      await decide('approve', 'project Harbour');
      const inErp = await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order after approval');
      expect(inErp.approvals.map((a) => [a.approvalId, a.outcome, a.reason])).toEqual([
        [approvalId, 'requestInfo', 'which project is this for?'],
        [approvalId, 'approve', 'project Harbour'],
      ]);
      expect(inErp.attention).toBeNull();
      expect(inErp.pendingApproval).toBeNull();
      expect(s.approvals.log.opened.map((p) => p.approvalId)).toEqual([approvalId]);
      expect(s.approvals.log.closed).toEqual([{ approvalId, outcome: 'approve' }]);
      // The credit check was before the wait for the approver: the placement reads the balance again.
      await until(() => s.headroom.calls.length === 1, 'the headroom after the ERP order');
      expect(s.headroom.calls).toEqual([{ customerErpIds: [`C-${s.store}`], refreshBalance: true }]);
      await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'test over', by: 'operator' }] });
      await handle.result();
    });
  });

  it('cancelling a held order closes its approval as cancelled and voids the payment', async () => {
    const s = await scenario(db, { creditLimit: '10.00' });
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      const order = makeOrder(s.store, '3002', { financialStatus: 'pending' });
      const handle = await deliver(client, s.taskQueue, event(order));
      const held = await waitFor(handle, (x) => x.pendingApproval !== null, 'the credit hold');
      const approvalId = held.pendingApproval?.approvalId as string;
      const cancelled = await handle.executeUpdate(cancelUpdate, {
        args: [{ reason: 'buyer withdrew', by: 'buyer' }],
      });
      expect(cancelled).toMatchObject({
        outcome: 'cancelled',
        compensations: ['voidPayment'],
      });
      const done = await handle.result();
      expect(done).toMatchObject({
        step: 'cancelled',
        cancelReason: 'buyer withdrew',
        pendingApproval: null,
      });
      expect(done.approvals).toEqual([]);
      expect(s.approvals.log.closed).toEqual([{ approvalId, outcome: 'cancelled' }]);
      expect(s.erp.createCalls).toEqual([]);
    });
  });
});
