import { condition } from '@temporalio/workflow';
import { cancelOpen } from '../../domain/order-ledger';
import { orderClosedSignal } from '../../domain/contracts/backorder';
import { approvals, erp, local, storefront } from './proxies';
import { tellBackorder } from './fulfilment';
import { publishHeadroom, record, resolveAlert } from './record';
import { current, type OrderRun, type PendingCancel } from './state';

/** The steps of the order that a cancellation undoes, in the order they are done. */
export type OrderCompensation = 'voidPayment' | 'releaseReservations' | 'cancelErpOrder';

/** Pushes the undo of a step just done onto the order's compensation stack. */
export function willUndo(o: OrderRun, step: OrderCompensation) {
  const { status, input, externalId } = o;
  const undo: Record<OrderCompensation, () => Promise<string | void>> = {
    cancelErpOrder: async () => {
      await erp.cancelErpSalesOrder.executeWithOptions(
        { summary: `Compensate: cancel ERP sales order ${externalId}` },
        [{ externalId }],
      );
    },
    releaseReservations: async () => {
      await local.releaseReservations.executeWithOptions(
        { summary: 'Compensate: release stock reservations' },
        [{ workflowId: o.workflowId }],
      );
    },
    voidPayment: async () => {
      const c = o.cancel as PendingCancel;
      const r = await storefront.voidPayment.executeWithOptions(
        { summary: `Compensate: void or refund payment (${c.reason})` },
        [
          {
            orderId: input.orderId,
            reason: c.reason,
            cancelledOnStorefront: c.cancelledOnStorefront,
            financialStatus: o.financialStatus,
            amount: status.total ?? '0.00',
            currency: status.currency ?? 'USD',
          },
        ],
      );
      return r.action;
    },
  };
  o.compensations.push(step, undo[step]);
}

/**
 * A cancellation before anything shipped: closes a pending approval, ends the backorders, and
 * unwinds what the pipeline did in reverse (cancel the ERP order, release the reservations, void or
 * refund the payment), going on when one undo fails; every open quantity ends cancelled.
 */
export async function compensate(o: OrderRun) {
  const { status } = o;
  const c = o.cancel as PendingCancel;
  status.step = 'cancelling';
  status.cancelReason = c.reason;
  if (status.pendingApproval) {
    const pending = status.pendingApproval;
    status.pendingApproval = null;
    await approvals.closeApproval({ approvalId: pending.approvalId, outcome: 'cancelled' });
  }
  for (const handle of o.backorders.values()) await tellBackorder(handle, orderClosedSignal);
  const outcomes = await o.compensations.unwind((outcome) => status.compensations.push(outcome));
  const done = outcomes.filter((x) => x.outcome === 'done').map((x) => x.name);
  const { lines, cancelled } = cancelOpen(status.lines);
  status.lines = lines;
  await condition(() => o.activeChildren === 0);
  c.result = { outcome: 'cancelled', compensations: done, cancelledLines: cancelled };
  status.step = 'cancelled';
  status.attention = null;
  await resolveAlert(o);
  await record(o);
  publishHeadroom(o, `order ${current(o).orderNumber} cancelled`);
}
