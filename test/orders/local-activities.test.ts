import { describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../../workers/worker';
import { orderEventSignal, orderWorkflowId } from '../../domain/contracts';
import { orderToInvoice } from '../../workflows/orderToInvoice';
import { dbAndTemporal, withWorker } from '../support/env';
import { event, makeOrder, scenario, waitFor } from './harness';

const T = temporal.api.enums.v1.EventType;

/**
 * Each local activity holds the worker's workflow task slot while it runs, so the path from the
 * webhook to the ERP sales order runs as few of them as it can: the rules with the mapping, the
 * mapped read model with the credit check, the reservation with the expected prices.
 */
describe('an order on its way to the ERP', () => {
  const env = dbAndTemporal();

  it('reaches the ERP sales order in three local activities, with the read model and reservations written', async () => {
    const s = await scenario(env.db);
    const order = makeOrder(s.store, '7001');
    await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
      // As the webhook ingress starts it: without rules, so the order snapshots the store's.
      const handle = await env.client.workflow.signalWithStart(orderToInvoice, {
        workflowId: orderWorkflowId(s.store, '7001'),
        taskQueue: s.taskQueue,
        args: [{ store: s.store, orderId: '7001' }],
        signal: orderEventSignal,
        signalArgs: [event(order)],
      });
      const placed = await waitFor(handle, (st) => st.step === 'fulfilling', 'the ERP order');
      expect(placed.lines.map((l) => l.allocations.map((a) => a.location))).toEqual([['MAIN'], ['MAIN']]);
      expect(s.erp.orders.size).toBe(1);

      const events = (await handle.fetchHistory()).events ?? [];
      const localActivities: string[] = [];
      for (const e of events) {
        if (e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
          if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'createErpSalesOrder') break;
          continue;
        }
        const m = e.markerRecordedEventAttributes;
        if (e.eventType !== T.EVENT_TYPE_MARKER_RECORDED || m?.markerName !== 'core_local_activity') continue;
        const data = m.details?.data?.payloads?.[0]?.data;
        localActivities.push(
          (JSON.parse(Buffer.from(data ?? []).toString()) as { activity_type: string }).activity_type,
        );
      }
      expect(localActivities).toEqual(['startOrder', 'readCreditAccount', 'reserveAndPrice']);
      // The same code replays what it recorded (the patch marker decides the path once, at the start).
      await Worker.runReplayHistory(
        { workflowBundle: await workflowBundle() },
        await handle.fetchHistory(),
        handle.workflowId,
      );

      const reserved = await env.db.query(
        'SELECT line_key, location, quantity FROM stock_reservations WHERE workflow_id = $1 AND released_at IS NULL ORDER BY line_key',
        [handle.workflowId],
      );
      expect(reserved.rows).toEqual([
        { line_key: '1', location: 'MAIN', quantity: 10 },
        { line_key: '2', location: 'MAIN', quantity: 4 },
      ]);
      const row = await env.db.query(
        'SELECT erp_tran_id, status FROM orders WHERE store = $1 AND order_id = $2',
        [s.store, '7001'],
      );
      expect(row.rows[0]?.erp_tran_id).toBeTruthy();
    });
  });
});
