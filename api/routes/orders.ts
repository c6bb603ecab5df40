import { Router } from 'express';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../db/pool';
import { orderWorkflowId, taskQueue } from '../../domain/ids';
import { CanonicalOrder } from '../../domain/order';
import { orderStatusQuery, orderToInvoice } from '../../workflows';
import { ApiError, validate } from '../errors';

const OrderParams = z.object({ id: z.string().min(1).max(200) });
const ListQuery = z.object({
  status: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export function ordersRouter({ temporal, db, store, taskQueuePrefix }: { temporal: Client; db: Db; store: string; taskQueuePrefix: string }) {
  const router = Router();

  /** Starts the order process for a canonical order; a repeat of the same order is idempotent (200, same id). */
  router.post('/orders', validate({ body: CanonicalOrder.omit({ store: true }).extend({ store: z.string().min(1).default(store) }) }), async (req, res) => {
    const order = req.body as CanonicalOrder;
    const workflowId = orderWorkflowId(order.store, order.orderId);
    try {
      await temporal.workflow.start(orderToInvoice, { workflowId, taskQueue: taskQueue('orders', taskQueuePrefix), args: [order] });
      res.status(202).json({ workflowId, started: true });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        res.status(200).json({ workflowId, started: false });
        return;
      }
      throw err;
    }
  });

  router.get('/orders', validate({ query: ListQuery }), async (req, res) => {
    const q = req.query as unknown as z.infer<typeof ListQuery>;
    const rows = await db.query(
      `SELECT store, order_id, workflow_id, order_number, customer_id, po_number, status, attention_reason, total, currency, updated_at
         FROM orders WHERE ($1::text IS NULL OR status = $1) ORDER BY updated_at DESC LIMIT $2`,
      [q.status ?? null, q.limit],
    );
    res.json({ orders: rows.rows });
  });

  router.get('/orders/:id', validate({ params: OrderParams }), async (req, res) => {
    const { id } = req.params as z.infer<typeof OrderParams>;
    const workflowId = orderWorkflowId(store, id);
    try {
      const status = await temporal.workflow.getHandle(workflowId).query(orderStatusQuery);
      res.json({ workflowId, ...status });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new ApiError(404, 'ORDER.NOT_FOUND', `No order ${id} in store ${store}.`);
      throw err;
    }
  });

  return router;
}
