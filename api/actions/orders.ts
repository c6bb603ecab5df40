import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Principal } from '../../db/principals';
import {
  cancelUpdate,
  orderWorkflowId,
  fixUpdate,
  orderStatusQuery,
  type CancelRequest,
  type CancelResult,
  type FixResult,
  type OrderFix,
  type OrderStatus,
} from '../../domain/contracts';
import { maySeeStore } from '../auth';
import { ApiError, onProcess } from '../errors';

/**
 * What people do to an order, for the REST routes (api/routes/orders.ts) and the dashboard alike:
 * read its status, fix what it is parked on, cancel it. Each runs as the given principal: an order
 * outside its stores is answered like a missing one, and a fix records who made it.
 */
export function orderActions({ temporal, store }: { temporal: Client; store: string }) {
  const noOrder = (id: string) => new ApiError(404, 'ORDER.NOT_FOUND', `No order ${id} in store ${store}.`);

  /** Runs `fn` on the order's workflow; an order outside the principal's stores is answered like a missing one. */
  function withOrder<T>(
    principal: Principal,
    id: string,
    fn: (handle: WorkflowHandle) => Promise<T>,
  ): Promise<T> {
    if (!maySeeStore(principal, store)) throw noOrder(id);
    return onProcess(temporal.workflow.getHandle(orderWorkflowId(store, id)), fn, {
      notFound: noOrder(id),
      finished: new ApiError(
        409,
        'ORDER.FINISHED',
        `Order ${id} has already finished; nothing can change it now.`,
      ),
    });
  }

  return {
    store,
    workflowIdOf: (id: string) => orderWorkflowId(store, id),
    status(principal: Principal, id: string): Promise<OrderStatus> {
      return withOrder(principal, id, (h) => h.query(orderStatusQuery));
    },
    /** The `fix` update, made by the principal (its name is recorded, whatever the request said). */
    fix(principal: Principal, id: string, fix: OrderFix): Promise<FixResult> {
      const signed = { ...fix, by: principal.name } as OrderFix;
      return withOrder(principal, id, (h) => h.executeUpdate(fixUpdate, { args: [signed] }));
    },
    cancel(principal: Principal, id: string, request: CancelRequest): Promise<CancelResult> {
      return withOrder(principal, id, (h) => h.executeUpdate(cancelUpdate, { args: [request] }));
    },
  };
}

export type OrderActions = ReturnType<typeof orderActions>;
