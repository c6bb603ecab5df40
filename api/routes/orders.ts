import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { queuePrefixOf, servedStores } from '../stores';
import type { Client } from '@temporalio/client';
import { orderRepository } from '../../db/orders';
import type { Db } from '../../db/pool';
import type { Principal } from '../../db/principals';
import type { StorefrontOrderEvent } from '../../domain/order';
import {
  ORDER_TASK_QUEUE,
  ORDER_WORKFLOW,
  orderEventSignal,
  orderWorkflowId,
  taskQueue,
  type OrderWorkflowInput,
} from '../../domain/contracts';
import { orderActions } from '../actions/orders';
import { authenticate, principalOf, requireRole } from '../auth';
import { ApiError, answerStart, validate } from '../errors';
import { apiEvent, mayActFor, requestEventId } from '../process';
import { startForEvent } from '../../platform/temporal-client';
import { CancelRequest, OrderFix } from '../../domain/schemas/order-requests';
import { CanonicalOrder } from '../../domain/schemas/order';

const OrderParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9._-]+$/, 'a storefront order id'),
});
const ListQuery = z.object({
  status: z
    .enum([
      'received',
      'onHold',
      'inErp',
      'backordered',
      'partiallyShipped',
      'shipped',
      'completed',
      'cancelled',
    ])
    .optional(),
  attention: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  customerId: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export interface OrdersRouterDeps {
  temporal: Client;
  db: Db;
  store: string;
  taskQueuePrefix: string;
  shops?: { store: string }[];
}

/**
 * Orders: the status of one order comes from its workflow (lines, step, the parked reason in words),
 * lists from the Postgres read model; cancel and fix are Updates, answered once the workflow accepts.
 */
export function ordersRouter(deps: OrdersRouterDeps) {
  const { temporal, db, store } = deps;
  const router = Router();
  // Anyone signed in may read orders; starting, cancelling and fixing them is operators' work.
  const signedIn = authenticate(db);
  const operator = [signedIn, requireRole('operator', 'admin')];
  const orders = orderRepository(db);

  const actions = orderActions({
    temporal,
    store,
    stores: servedStores(deps),
  });
  /** `?store=`: which store's order the id names (the API's primary store when absent). */
  const InStore = z.object({ store: z.string().min(1).max(100).optional() });
  const storeOf = (req: { query: unknown }) => (req.query as z.infer<typeof InStore>).store;

  /**
   * Creates an order from the API (not a webhook): the same path as orders/create. The same request
   * again is answered 200 (nothing new starts); another order under an id already in process, 409.
   */
  router.post(
    '/orders',
    ...operator,
    validate({
      body: CanonicalOrder.omit({ store: true }).extend({ store: z.string().min(1).default(store) }),
    }),
    async (req, res) => {
      const order = req.body as CanonicalOrder;
      mayActFor(req, order.store);
      const workflowId = orderWorkflowId(order.store, order.orderId);
      const eventId = requestEventId('api', order.orderId, order);
      const event: StorefrontOrderEvent = { ...apiEvent('orders/create', eventId), order };
      const outcome = await startForEvent(temporal, {
        workflowType: ORDER_WORKFLOW,
        workflowId,
        taskQueue: taskQueue(ORDER_TASK_QUEUE, queuePrefixOf(deps, order.store)),
        args: [{ store: order.store, orderId: order.orderId } satisfies OrderWorkflowInput],
        signal: orderEventSignal,
        event,
      });
      const taken = new ApiError(
        409,
        'ORDER.ALREADY_RECEIVED',
        `Order ${order.orderId} is already in process from another event; change it with fix or cancel.`,
      );
      res.status(answerStart(outcome, taken)).json({ workflowId, started: outcome === 'started' });
    },
  );

  router.get('/orders', signedIn, validate({ query: ListQuery }), async (req, res) => {
    const q = req.query as unknown as z.infer<typeof ListQuery>;
    res.json({ orders: await orders.list({ ...q, stores: principalOf(req).stores }) });
  });

  router.get('/orders/:id', signedIn, validate({ params: OrderParams, query: InStore }), async (req, res) => {
    const { id } = req.params as z.infer<typeof OrderParams>;
    const status = await actions.status(principalOf(req), id, storeOf(req));
    res.json({
      ...status,
      needsAttention: status.attention !== null,
      attentionReason: status.attention?.reason ?? null,
    });
  });

  /** An update on the order, made by the caller, answered with the workflow's result. */
  const update =
    <B>(run: (p: Principal, id: string, body: B, store?: string) => Promise<unknown>): RequestHandler =>
    async (req, res) => {
      const { id } = req.params as z.infer<typeof OrderParams>;
      res.json(await run(principalOf(req), id, req.body as B, storeOf(req)));
    };
  router.post(
    '/orders/:id/cancel',
    ...operator,
    validate({ params: OrderParams, query: InStore, body: CancelRequest }),
    update(actions.cancel),
  );
  router.post(
    '/orders/:id/fix',
    ...operator,
    validate({ params: OrderParams, query: InStore, body: OrderFix }),
    update(actions.fix),
  );

  return router;
}
