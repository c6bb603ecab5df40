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
export function orderActions({
  temporal,
  store,
  stores,
}: {
  temporal: Client;
  /** The store an order is looked up in when the caller names none (the API's primary store). */
  store: string;
  /** Every store this API serves (default: `store` alone); an order of any other is missing. */
  stores?: string[];
}) {
  const served = new Set(stores ?? [store]);
  const noOrder = (id: string, in_: string) =>
    new ApiError(404, 'ORDER.NOT_FOUND', `No order ${id} in store ${in_}.`);

  /** Runs `fn` on the order's workflow; an order outside the principal's stores is answered like a missing one. */
  function withOrder<T>(
    principal: Principal,
    id: string,
    fn: (handle: WorkflowHandle) => Promise<T>,
    in_: string = store,
  ): Promise<T> {
    if (!served.has(in_) || !maySeeStore(principal, in_)) throw noOrder(id, in_);
    return onProcess(temporal.workflow.getHandle(orderWorkflowId(in_, id)), fn, {
      notFound: noOrder(id, in_),
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
    status(principal: Principal, id: string, in_?: string): Promise<OrderStatus> {
      return withOrder(principal, id, (h) => h.query(orderStatusQuery), in_);
    },
    /** The `fix` update, made by the principal (its name is recorded, whatever the request said). */
    fix(principal: Principal, id: string, fix: OrderFix, in_?: string): Promise<FixResult> {
      const signed = { ...fix, by: principal.name } as OrderFix;
      return withOrder(principal, id, (h) => h.executeUpdate(fixUpdate, { args: [signed] }), in_);
    },
    cancel(principal: Principal, id: string, request: CancelRequest, in_?: string): Promise<CancelResult> {
      return withOrder(principal, id, (h) => h.executeUpdate(cancelUpdate, { args: [request] }), in_);
    },
  };
}

export type OrderActions = ReturnType<typeof orderActions>;
