import type { Db } from '../db/pool';
import { type CanonicalOrder, orderTotal } from '../domain/order';

export interface OrderActivityDeps {
  db: Db;
}

/** Order activities, built once per worker with their dependencies. */
export function createOrderActivities({ db }: OrderActivityDeps) {
  return {
    /** Upserts the order's row in the read model; safe to retry. */
    async recordOrder(input: { order: CanonicalOrder; workflowId: string; status: string }): Promise<void> {
      const { order, workflowId, status } = input;
      await db.query(
        `INSERT INTO orders (store, order_id, workflow_id, order_number, customer_id, po_number, status, total, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (store, order_id) DO UPDATE
           SET status = EXCLUDED.status, po_number = EXCLUDED.po_number, updated_at = now()`,
        [order.store, order.orderId, workflowId, order.orderNumber, order.customerId, order.poNumber ?? null, status, orderTotal(order), order.currency],
      );
    },
  };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
