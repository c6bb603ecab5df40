import {
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { OrderRepair, ReconcileActivities, ReconcileEntry } from '../activities/reconcile';
import {
  ORDER_EVENT_SIGNAL,
  erpOrderChangedSignal,
  type ReconcilePassInput,
  type ReconcilePassResult,
} from '../domain/contracts';
import { PROFILES } from './activity-profiles';

const acts = proxyActivities<ReconcileActivities>(PROFILES.reconcileStep);

/**
 * One pass of the reconciliation that repairs, started by the store's reconciliation schedule. Store
 * orders no process heard of are read whole from the store and their process is started as the
 * webhook would have (the order's own workflow id, its arguments and its event: never a second
 * process); processes that never received their order are given it; drifted store quantities are
 * written again. The pass ends with a report of what it found, repaired and could not repair.
 */
export async function reconcilePass(input: ReconcilePassInput): Promise<ReconcilePassResult> {
  const until = new Date(Date.now());
  const since = new Date(until.getTime() - input.windowMinutes * 60_000);
  const workflowId = workflowInfo().workflowId;
  const entries: ReconcileEntry[] = [];
  const notes: string[] = [];

  const orders = await acts.reconcileOrders({
    store: input.store,
    since: since.toISOString(),
    until: until.toISOString(),
    graceSeconds: input.graceSeconds,
    workflowId,
  });
  entries.push(...orders.entries);
  for (const repair of orders.repairs) entries.push(await repairOrder(repair, input.orderTaskQueue));
  for (const p of orders.erpChanged)
    await getExternalWorkflowHandle(p.workflowId)
      .signal(erpOrderChangedSignal)
      .catch(() => undefined);

  const stock = await acts.reconcileStock({
    store: input.store,
    since: since.toISOString(),
    batch: input.stockBatch,
    workflowId,
  });
  entries.push(...stock.entries);
  if (stock.skipped) notes.push(stock.skipped);

  const { reportId } = await acts.saveReconcileReport({
    store: input.store,
    workflowId,
    windowFrom: since.toISOString(),
    windowTo: until.toISOString(),
    ordersChecked: orders.checked,
    stockChecked: stock.checked,
    entries,
    notes,
  });
  const repaired = entries.filter((e) => e.outcome === 'repaired').length;
  return {
    reportId,
    ordersChecked: orders.checked,
    stockChecked: stock.checked,
    found: entries.length,
    repaired,
    notRepaired: entries.length - repaired,
  };
}

/**
 * Starts the order's process with its event, as the webhook ingress's signal-with-start does: a
 * process already running (its webhook arrived meanwhile, or it waits for the order) gets the event;
 * a closed one is never started again.
 */
async function repairOrder(r: OrderRepair, taskQueue: string): Promise<ReconcileEntry> {
  const entry = { kind: r.kind, subject: r.orderId, title: r.title, workflowId: r.workflowId };
  if (r.kind === 'missedOrder') {
    try {
      const child = await startChild('orderToInvoice', {
        workflowId: r.workflowId,
        taskQueue,
        args: r.args,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      await child.signal(ORDER_EVENT_SIGNAL, r.event);
      return {
        ...entry,
        outcome: 'repaired',
        detail: `Its webhook never reached Quayside: its process ${r.workflowId} was started with the order as the store has it.`,
      };
    } catch (err) {
      if ((err as { name?: string }).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    }
  }
  try {
    await getExternalWorkflowHandle(r.workflowId).signal(ORDER_EVENT_SIGNAL, r.event);
    return {
      ...entry,
      outcome: 'repaired',
      detail:
        r.kind === 'missedOrder'
          ? `Its process ${r.workflowId} was started meanwhile (its webhook arrived late): it was given the order.`
          : `Its process ${r.workflowId} had not received the order (no ERP sales order yet): it was given the order as the store has it.`,
    };
  } catch {
    return {
      ...entry,
      outcome: 'notRepaired',
      detail:
        r.kind === 'missedOrder'
          ? `Its process ${r.workflowId} has already finished; a finished process is never started twice.`
          : `No process ${r.workflowId} is running to give the order to (it has finished).`,
    };
  }
}
