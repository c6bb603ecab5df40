import { allHandlersFinished, condition, patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { OrderStatus, OrderWorkflowInput } from '../domain/contracts/order';
import { finalStep } from '../domain/order-ledger';
import { withRuleDefaults } from '../domain/rules';
import { SA } from '../domain/search-attributes';
import { local } from './order/proxies';
import { compensate, willUndo } from './order/compensate';
import { fulfil } from './order/fulfilment';
import { setOrderHandlers } from './order/handlers';
import { clearAttention, publishHeadroom, record } from './order/record';
import { Cancelled, current, guard, newOrderRun, type OrderRun } from './order/state';
import {
  allocateStock,
  checkPrices,
  holdForCredit,
  mapOrder,
  placeErpOrder,
  readCredit,
} from './order/steps';

/**
 * One durable process per storefront order (id `order:<store>:<orderId>`), from the first webhook
 * to the last invoice: map → credit → allocate → price → ERP order → fulfil → invoice → complete.
 * Business problems park the order with a reason an operator can act on (workflows/order/record.ts);
 * a cancellation before anything shipped unwinds the compensation stack in reverse.
 *
 * The order's quantities live in its ledger (domain/order-ledger.ts); each step is in
 * workflows/order/steps.ts, following the ERP order in workflows/order/fulfilment.ts, the handlers in
 * workflows/order/handlers.ts.
 */
export async function orderToInvoice(input: OrderWorkflowInput): Promise<OrderStatus> {
  const o = newOrderRun(input);
  setOrderHandlers(o);

  await condition(() => o.order !== undefined);
  await start(o);
  try {
    guard(o);
    let credited = false;
    while (o.status.erpOrder === null) {
      // Each pass works from one revision of the storefront order; a newer one starts it over.
      const seen = o.revision;
      const mapped = await mapOrder(o, seen);
      if (!mapped) continue;
      const account = await readCredit(o, mapped);
      if (!credited) {
        await holdForCredit(o, mapped, account);
        credited = true;
      }
      if (o.revision !== seen) continue;
      const allocated = await allocateStock(o, mapped, account);
      await checkPrices(o, mapped, account, allocated);
      if (o.revision !== seen) continue;
      await placeErpOrder(o, mapped, account, allocated, seen);
    }
    // The balance the credit check read and cached is as fresh as one read now, unless the order
    // waited for an approver since (workflows/order/approval.ts).
    publishHeadroom(o, `order ${current(o).orderNumber} placed`, { refreshBalance: !o.balanceCached });
    guard(o);
    await fulfil(o);
    await complete(o);
  } catch (err) {
    if (!(err instanceof Cancelled)) throw err;
    await compensate(o);
  }
  await o.headroomPublished;
  await condition(allHandlersFinished);
  return o.status;
}

/**
 * The order reaches the ERP in fewer local activities, each of which holds the worker's workflow
 * task slot while it runs: the rules and the first mapping are read in one, the read model of the
 * mapped order is written by the credit check's activity before it reads, and one activity
 * allocates, reserves and reads the expected prices. Runs started before keep the activities they
 * issued (o.fewerTasks).
 */
const FEWER_TASKS_PATCH = 'order-fewer-local-activities';

/** Snapshots the rules the order runs by, and names it in the search attributes. */
async function start(o: OrderRun) {
  const { input, status } = o;
  o.fewerTasks = patched(FEWER_TASKS_PATCH);
  if (input.rules) o.rules = { version: -1, rules: withRuleDefaults(input.rules) };
  else if (o.fewerTasks) {
    // The rules and the first mapping in one activity; the mapping step takes it for this revision.
    const revision = o.revision;
    const started = await local.startOrder.executeWithOptions(
      {
        summary: `Snapshot the business rules; map ${current(o).lines.length} lines and customer ${current(o).customerId}`,
      },
      [{ store: input.store, order: current(o) }],
    );
    o.rules = started.rules;
    o.premapped = { revision, mapped: started.mapped };
  } else
    o.rules = await local.loadOrderRules.executeWithOptions({ summary: 'Snapshot the business rules' }, [
      { store: input.store },
    ]);
  status.rulesVersion = o.rules.version < 0 ? null : o.rules.version;
  if (o.rules.store !== undefined) status.rulesStore = o.rules.store;
  upsertSearchAttributes([
    { key: SA.store, value: input.store },
    { key: SA.customer, value: current(o).customerId },
    { key: SA.orderNumber, value: current(o).orderNumber },
  ]);
  willUndo(o, 'voidPayment');
}

/** Every line shipped or cancelled and invoiced, every child done: the order completes (or ends cancelled). */
async function complete(o: OrderRun) {
  await condition(() => o.activeChildren === 0);
  o.status.step = finalStep(o.status.lines);
  await local.releaseReservations.executeWithOptions({ summary: 'Release what is left reserved' }, [
    { workflowId: o.workflowId },
  ]);
  await clearAttention(o);
  await record(o);
}
