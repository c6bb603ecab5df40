import type { Db } from './pool';

/** A line of the order read model as the order workflow keeps it. */
export interface LedgerLine {
  lineId: string;
  sku: string;
  erpSku: string | null;
  title?: string;
  unitPrice: string;
  shipped: number;
  allocations?: { lineKey: string; location: string; quantity: number }[];
}

export interface ReturnRecordInput {
  store: string;
  returnId: string;
  workflowId: string;
  orderId: string;
  customerId: string | null;
  status: string;
  lines: { lineId: string; sku: string; quantity: number }[];
  refundTotal: string | null;
  currency: string | null;
}

/** Statuses of returns that did not take goods back (their quantities may be returned again). */
const VOID_STATUSES = ['declined', 'rejected', 'expired', 'ineligible'];

/** The returns read model, and the order facts a return is judged against. */
export function returnRepository(db: Db) {
  return {
    /** Quantities per order line already taken back by other returns. */
    async returnedQuantities(store: string, orderId: string): Promise<Map<string, number>> {
      const res = await db.query<{ line_id: string; quantity: number }>(
        `SELECT l->>'lineId' AS line_id, SUM((l->>'quantity')::int)::int AS quantity
           FROM returns r, jsonb_array_elements(r.lines) l
          WHERE r.store = $1 AND r.order_id = $2 AND r.status <> ALL ($3::text[])
          GROUP BY 1`,
        [store, orderId, VOID_STATUSES],
      );
      return new Map(res.rows.map((r) => [r.line_id, r.quantity]));
    },

    /** The order as the order workflow recorded it, or null for an order Quayside never handled. */
    async orderLedger(
      store: string,
      orderId: string,
    ): Promise<{
      currency: string | null;
      createdAt: Date;
      lines: LedgerLine[];
      customerId: string | null;
    } | null> {
      const res = await db.query<{
        currency: string | null;
        created_at: Date;
        lines: LedgerLine[];
        customer_id: string | null;
      }>('SELECT currency, created_at, lines, customer_id FROM orders WHERE store = $1 AND order_id = $2', [
        store,
        orderId,
      ]);
      const row = res.rows[0];
      return row
        ? { currency: row.currency, createdAt: row.created_at, lines: row.lines, customerId: row.customer_id }
        : null;
    },

    async record(r: ReturnRecordInput): Promise<void> {
      await db.query(
        `INSERT INTO returns (store, return_id, workflow_id, order_id, customer_id, status, lines, refund_total, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (store, return_id) DO UPDATE SET status = EXCLUDED.status, lines = EXCLUDED.lines,
           refund_total = EXCLUDED.refund_total, currency = EXCLUDED.currency, updated_at = now(),
           step_since = CASE WHEN returns.status IS DISTINCT FROM EXCLUDED.status THEN now() ELSE returns.step_since END`,
        [
          r.store,
          r.returnId,
          r.workflowId,
          r.orderId,
          r.customerId,
          r.status,
          JSON.stringify(r.lines),
          r.refundTotal,
          r.currency,
        ],
      );
    },
  };
}
