import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  DECIDE_UPDATE,
  PENDING_APPROVAL_QUERY,
  type DecisionInput,
  type DecisionResult,
  type PendingApproval,
} from '../../domain/approvals';
import { returnWorkflowId, type InspectionInput, type ReturnStatus } from '../../domain/contracts';
import { RETURN_EVENT_SIGNAL, type ReturnRequest } from '../../domain/returns';
import { approvalWorkflowsBundle, approverInput, eventually, runWorker, stepOf } from '../approvals/harness';
import { testClient, uniqueTaskQueue } from '../support/env';
import { recordHistory } from '../support/histories';
import { orderFacts, returnWorld } from './world';
import { ReturnPolicy } from '../../domain/schemas/return-rules';

const STORE = 'wf-store';

describe('returnRefund workflow', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
    await approvalWorkflowsBundle();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  async function startReturn(
    taskQueue: string,
    lines: ReturnRequest['lines'],
    policy?: Partial<ReturnPolicy>,
  ) {
    const returnId = `r-${randomUUID().slice(0, 8)}`;
    const request: ReturnRequest = {
      store: STORE,
      returnId,
      orderId: '5001',
      customerId: 'C-77',
      requestedAt: new Date().toISOString(),
      lines,
    };
    const handle = await client.workflow.signalWithStart('returnRefund', {
      workflowId: returnWorkflowId(STORE, returnId),
      taskQueue,
      args: [{ store: STORE, returnId, ...(policy ? { policy: ReturnPolicy.parse(policy) } : {}) }],
      signal: RETURN_EVENT_SIGNAL,
      signalArgs: [
        { topic: 'returns/request', eventId: `ev-${returnId}`, triggeredAt: request.requestedAt, request },
      ],
    });
    return { handle: client.workflow.getHandle(handle.workflowId), returnId };
  }
  const inspect = (handle: ReturnType<Client['workflow']['getHandle']>, inspection: InspectionInput) =>
    handle.executeUpdate<ReturnStatus, [InspectionInput]>('inspectReturn', { args: [inspection] });

  it('approves a small return automatically, restocks the goods and refunds the buyer once', async () => {
    const world = returnWorld({
      facts: orderFacts([{ lineId: 'L1', sku: 'VALVE-10', unitPrice: '40.00', shipped: 3 }]),
      policy: { restockingFeePercent: 0 },
    });
    const taskQueue = uniqueTaskQueue('return-auto');
    await runWorker({ taskQueue, activities: world.activities }, async () => {
      const { handle, returnId } = await startReturn(taskQueue, [
        { lineId: 'L1', quantity: 2, reason: 'no_longer_needed' },
      ]);
      await stepOf<ReturnStatus>(handle, 'returnStatus', 'awaitingGoods');
      expect(await handle.query<PendingApproval | null>(PENDING_APPROVAL_QUERY)).toBeNull();

      world.receive();
      await handle.signal('returnGoodsReceived', {});
      await stepOf<ReturnStatus>(handle, 'returnStatus', 'awaitingInspection');
      await inspect(handle, {
        inspectedBy: 'dock 3',
        lines: [{ lineId: 'L1', quantity: 2, disposition: 'restock' }],
      });

      const result = await handle.result();
      expect(result.step).toBe('completed');
      expect(result.autoApproved).toBe(true);
      expect(result.refund?.total).toBe('80.00');
      expect(result.restocked).toEqual([{ sku: 'VALVE-10', quantity: 2, location: 'WH-EAST' }]);
      expect(world.approvals.opened).toHaveLength(0);

      const [rma] = [...world.rmas.values()];
      expect(rma?.input.lines).toEqual([{ lineKey: 'L1@WH-EAST', sku: 'VALVE-10-ERP', quantity: 2 }]);
      expect(rma?.input.salesOrderExternalId).toBe('shop:5001');
      expect(world.storefrontRefunds.size).toBe(1);
      const [refund] = [...world.storefrontRefunds.values()];
      expect(refund).toMatchObject({
        orderId: '5001',
        amount: '80.00',
        currency: 'USD',
        lines: [{ lineId: 'L1', quantity: 2, restock: true }],
      });
      expect(world.erpRefunds.size).toBe(1);
      expect(world.creditMemos.size).toBe(1);
      expect(world.returnUpdates.map((u) => u.status)).toEqual(['approved', 'closed']);
      expect(world.approvals.notifications.map((n) => n.kind)).toEqual([
        'return.approved',
        'return.refunded',
      ]);
      expect(world.records.at(-1)).toMatchObject({ returnId, status: 'completed', refundTotal: '80.00' });
      await recordHistory(client, handle.workflowId, 'returnRefund-auto-approved');
    });
  });

  it('sends a damaged-goods return to an approver, who rejects it; nothing is authorized or refunded', async () => {
    const world = returnWorld({
      facts: orderFacts([{ lineId: 'L1', sku: 'PUMP-2', unitPrice: '300.00', shipped: 1 }]),
    });
    const taskQueue = uniqueTaskQueue('return-reject');
    await runWorker({ taskQueue, activities: world.activities }, async () => {
      const { handle } = await startReturn(taskQueue, [{ lineId: 'L1', quantity: 1, reason: 'damaged' }]);
      const pending = await eventually(
        () => handle.query<PendingApproval | null>(PENDING_APPROVAL_QUERY),
        'the pending approval',
      );
      expect(pending).toMatchObject({ kind: 'return', amount: '300.00', currency: 'USD', escalated: false });
      const opened = await eventually(
        async () => (world.approvals.opened.length > 0 ? world.approvals.opened : null),
        'the approval recorded',
      );
      expect(opened.map((o) => o.approvalId)).toEqual([pending.approvalId]);

      const stale = handle.executeUpdate<DecisionResult, [DecisionInput]>(DECIDE_UPDATE, {
        args: [approverInput('someone-else', { outcome: 'approve' })],
      });
      await expect(stale).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      const overLimit = handle.executeUpdate<DecisionResult, [DecisionInput]>(DECIDE_UPDATE, {
        args: [approverInput(pending.approvalId, { outcome: 'approve' }, { approvalLimit: '100.00' })],
      });
      await expect(overLimit).rejects.toThrow(WorkflowUpdateFailedError);

      const decided = await handle.executeUpdate<DecisionResult, [DecisionInput]>(DECIDE_UPDATE, {
        args: [
          approverInput(pending.approvalId, {
            outcome: 'reject',
            reason: 'Damage is from misuse, see photos.',
          }),
        ],
      });
      expect(decided).toEqual({ approvalId: pending.approvalId, outcome: 'reject', accepted: true });

      const result = await handle.result();
      expect(result.step).toBe('declined');
      expect(result.declineReason).toBe('Damage is from misuse, see photos.');
      expect(world.rmas.size).toBe(0);
      expect(world.storefrontRefunds.size).toBe(0);
      expect(world.returnUpdates).toEqual([
        { returnId: result.returnId, status: 'declined', reason: 'Damage is from misuse, see photos.' },
      ]);
      expect(world.approvals.closed).toMatchObject([
        {
          approvalId: pending.approvalId,
          outcome: 'reject',
          decision: { decidedBy: { name: 'Ada Approver' } },
        },
      ]);
      expect(world.approvals.notifications.map((n) => n.kind)).toEqual(['return.declined']);
      await recordHistory(client, handle.workflowId, 'returnRefund-rejected');
    });
  });

  it('closes the RMA and tells the buyer when the goods never arrive', async () => {
    const world = returnWorld({
      facts: orderFacts([{ lineId: 'L1', sku: 'HOSE-5', unitPrice: '12.00', shipped: 5 }]),
      policy: { receiveTimeout: '3 seconds', receivePollInterval: '1 second' },
    });
    const taskQueue = uniqueTaskQueue('return-timeout');
    await runWorker({ taskQueue, activities: world.activities }, async () => {
      const { handle } = await startReturn(taskQueue, [{ lineId: 'L1', quantity: 5 }]);
      const result = await handle.result();
      expect(result.step).toBe('expired');
      expect(world.closedRmas).toEqual([handle.workflowId]);
      expect(world.returnUpdates.map((u) => u.status)).toEqual(['approved', 'closed']);
      expect(world.storefrontRefunds.size).toBe(0);
      expect(world.creditMemos.size).toBe(0);
      expect(world.approvals.notifications.map((n) => n.kind)).toEqual(['return.approved', 'return.expired']);
      await recordHistory(client, handle.workflowId, 'returnRefund-goods-never-arrived');
    });
  });

  it('refunds only what came back, less the restocking fee, with a partial share for scrapped goods', async () => {
    const world = returnWorld({
      facts: orderFacts([
        { lineId: 'L1', sku: 'MOTOR-1', unitPrice: '100.00', shipped: 4 },
        { lineId: 'L2', sku: 'BELT-7', unitPrice: '25.00', shipped: 2 },
      ]),
      policy: { restockingFeePercent: 15, scrapRefundPercent: 50, autoApproveLimit: '1000.00' },
    });
    const taskQueue = uniqueTaskQueue('return-partial');
    await runWorker({ taskQueue, activities: world.activities }, async () => {
      const { handle } = await startReturn(taskQueue, [
        { lineId: 'L1', quantity: 3, reason: 'ordered_too_many' },
        { lineId: 'L2', quantity: 2 },
      ]);
      await stepOf<ReturnStatus>(handle, 'returnStatus', 'awaitingGoods');
      world.receive({ 'L1@WH-EAST': 2, 'L2@WH-EAST': 2 });
      await inspect(handle, {
        inspectedBy: 'dock 1',
        lines: [
          { lineId: 'L1', quantity: 2, disposition: 'restock' },
          { lineId: 'L2', quantity: 1, disposition: 'restock' },
          { lineId: 'L2', quantity: 1, disposition: 'scrap' },
        ],
      });
      const result = await handle.result();
      expect(result.step).toBe('completed');
      expect(result.refund).toMatchObject({ gross: '250.00', restockingFee: '33.75', total: '203.75' });

      const [refund] = [...world.storefrontRefunds.values()];
      expect(refund?.amount).toBe('203.75');
      expect(refund?.lines).toEqual([
        { lineId: 'L1', quantity: 2, restock: true },
        { lineId: 'L2', quantity: 1, restock: true },
        { lineId: 'L2', quantity: 1, restock: false },
      ]);
      const [memo] = [...world.creditMemos.values()];
      expect(memo?.restockingFee).toBe('33.75');
      expect(memo?.lines.map((l) => l.amount)).toEqual(['170.00', '21.25', '12.50']);
      expect([...world.erpRefunds.values()][0]?.amount).toBe('203.75');
      expect(result.restocked).toEqual([
        { sku: 'MOTOR-1', quantity: 2, location: 'WH-EAST' },
        { sku: 'BELT-7', quantity: 1, location: 'WH-EAST' },
      ]);
      await recordHistory(client, handle.workflowId, 'returnRefund-partial-restocking-fee');
    });
  });

  it('flags the credit memo and the storefront refund for reversal, newest first, when the ERP refund fails for good', async () => {
    const world = returnWorld({
      facts: orderFacts([{ lineId: 'L1', sku: 'FILTER', unitPrice: '20.00', shipped: 1 }]),
      policy: { restockingFeePercent: 0 },
      erpRefundRejected: true,
    });
    const taskQueue = uniqueTaskQueue('return-saga');
    await runWorker({ taskQueue, activities: world.activities }, async () => {
      const { handle } = await startReturn(taskQueue, [{ lineId: 'L1', quantity: 1 }]);
      await stepOf<ReturnStatus>(handle, 'returnStatus', 'awaitingGoods');
      world.receive();
      await inspect(handle, {
        inspectedBy: 'dock 4',
        lines: [{ lineId: 'L1', quantity: 1, disposition: 'warranty' }],
      });
      await expect(handle.result()).rejects.toThrow();
      expect(world.reversals).toEqual([
        { document: 'storefront refund', id: 'R9001' },
        { document: 'credit memo', id: 'CM1' },
      ]);
      expect(world.storefrontRefunds.size).toBe(1);
      expect((await handle.query<ReturnStatus>('returnStatus')).step).toBe('failed');
      expect(world.returnUpdates.map((u) => u.status)).toEqual(['approved']);
      await recordHistory(client, handle.workflowId, 'returnRefund-compensated');
    });
  });

  it('retries the storefront refund after an error and still refunds exactly once', async () => {
    const world = returnWorld({
      facts: orderFacts([{ lineId: 'L1', sku: 'GASKET', unitPrice: '9.99', shipped: 10 }]),
      policy: { restockingFeePercent: 0 },
      storefrontRefundFailures: 1,
    });
    const taskQueue = uniqueTaskQueue('return-retry');
    await runWorker({ taskQueue, activities: world.activities }, async () => {
      const { handle } = await startReturn(taskQueue, [{ lineId: 'L1', quantity: 10 }]);
      await stepOf<ReturnStatus>(handle, 'returnStatus', 'awaitingGoods');
      world.receive();
      await handle.signal('returnGoodsReceived', {});
      await stepOf<ReturnStatus>(handle, 'returnStatus', 'awaitingInspection');
      await inspect(handle, {
        inspectedBy: 'dock 2',
        lines: [{ lineId: 'L1', quantity: 10, disposition: 'restock' }],
      });
      const result = await handle.result();
      expect(result.step).toBe('completed');
      expect(world.storefrontRefundCalls).toBe(2);
      expect(world.storefrontRefunds.size).toBe(1);
      expect([...world.storefrontRefunds.values()][0]?.amount).toBe('99.90');
      expect(result.storefrontRefundId).toBe('R9001');
      expect(world.erpRefunds.size).toBe(1);
      expect(world.reversals).toEqual([]);
      await recordHistory(client, handle.workflowId, 'returnRefund-storefront-refund-retried');
    });
  });
});
