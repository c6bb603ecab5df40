import type { CanonicalOrder } from '../domain/order';
import { chargedTotal, orderMoney } from '../domain/order';
import { openOrderExposure } from '../domain/credit-exposure';
import { Money } from '../domain/money';
import type { OrderLineStatus } from '../domain/order-ledger';
import type { StockByLocation } from '../domain/allocation';
import { prepared, type Db } from './pool';

export interface OrderRecord {
  workflowId: string;
  order: CanonicalOrder;
  status: string;
  step: string;
  attention: { kind: string; reason: string } | null;
  lines: OrderLineStatus[];
  erpOrder: { erpId: string; tranId: string } | null;
  rulesVersion: number | null;
  /**
   * The totals of the order's ERP invoices so far; absent when the workflow did not pass them (a
   * process recorded before it did), then the read model holds no invoiced sum.
   */
  invoiceTotals?: string[];
}

export interface OrderRow {
  store: string;
  orderId: string;
  workflowId: string;
  orderNumber: string | null;
  customerId: string | null;
  poNumber: string | null;
  status: string;
  step: string | null;
  attentionKind: string | null;
  attentionReason: string | null;
  total: string | null;
  currency: string | null;
  erpTranId: string | null;
  updatedAt: string;
}

/**
 * The read model's upsert, prepared (it runs at least twice per order): parsing and planning its 23
 * columns, the conflict clause and the generated `total` took about a third of its Postgres CPU.
 * `open_minor_at` is set with `updated_at` (one now()), so the open exposure it stores counts only
 * while the last write of the row wrote it (migration 0035).
 */
const upsertOrder = prepared(
  'orders.upsert',
  `INSERT INTO orders (store, order_id, workflow_id, order_number, customer_id, po_number, status, step, attention_kind,
                       attention_reason, total_minor, currency, lines, erp_order_id, erp_tran_id, rules_version,
                       shipped_units, invoiced_units, last_shipped_at, erp_recorded_at, financial_status,
                       invoiced_minor, shipping_minor, open_minor, open_minor_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
           CASE WHEN $17::int > 0 THEN now() END, CASE WHEN $14::text IS NULL THEN NULL ELSE now() END, $19,
           $20, $21, $22, now())
   ON CONFLICT (store, order_id) DO UPDATE SET
     order_number = EXCLUDED.order_number, customer_id = EXCLUDED.customer_id, po_number = EXCLUDED.po_number,
     status = EXCLUDED.status, step = EXCLUDED.step, attention_kind = EXCLUDED.attention_kind,
     attention_reason = EXCLUDED.attention_reason, total_minor = EXCLUDED.total_minor, currency = EXCLUDED.currency,
     lines = EXCLUDED.lines, erp_order_id = EXCLUDED.erp_order_id, erp_tran_id = EXCLUDED.erp_tran_id,
     rules_version = EXCLUDED.rules_version, updated_at = now(),
     step_since = CASE WHEN orders.step IS DISTINCT FROM EXCLUDED.step THEN now() ELSE orders.step_since END,
     shipped_units = EXCLUDED.shipped_units, invoiced_units = EXCLUDED.invoiced_units,
     last_shipped_at = CASE WHEN EXCLUDED.shipped_units > orders.shipped_units THEN now()
                            ELSE orders.last_shipped_at END,
     erp_recorded_at = COALESCE(orders.erp_recorded_at, EXCLUDED.erp_recorded_at),
     financial_status = EXCLUDED.financial_status, invoiced_minor = EXCLUDED.invoiced_minor,
     shipping_minor = EXCLUDED.shipping_minor, open_minor = EXCLUDED.open_minor, open_minor_at = now()`,
);

const reserveLines = prepared(
  'orders.reserve',
  `INSERT INTO stock_reservations (workflow_id, line_key, sku, location, quantity)
   SELECT $1, k, s, l, q FROM unnest($2::text[], $3::text[], $4::text[], $5::int[]) AS t(k, s, l, q)
   ON CONFLICT (workflow_id, line_key) DO UPDATE
     SET sku = EXCLUDED.sku, location = EXCLUDED.location, quantity = EXCLUDED.quantity, released_at = NULL`,
);

/** An open order whose row's last write stored its exposure (migration 0035); the others are legacy. */
const STORED_EXPOSURE = '(o.open_minor IS NOT NULL AND o.open_minor_at = o.updated_at)';

/**
 * SQL aggregates over open orders `o` (in one currency): the sum of their stored exposures
 * (`open_minor`, text) and, for rows without one, what `openOrderExposure` needs (`legacy`).
 */
export const OPEN_EXPOSURE_AGGREGATES = `sum(o.open_minor) FILTER (WHERE ${STORED_EXPOSURE})::text AS open_minor,
  json_agg(json_build_object('lines', o.lines, 'charged', o.total::text, 'financialStatus', o.financial_status,
                             'invoicedMinor', o.invoiced_minor::text, 'shippingMinor', o.shipping_minor::text))
    FILTER (WHERE ${STORED_EXPOSURE} IS NOT TRUE) AS legacy`;

/** A row of OPEN_EXPOSURE_AGGREGATES. */
export interface OpenExposureAggregates {
  open_minor: string | null;
  legacy: Parameters<typeof openOrderExposure>[0][] | null;
}

/**
 * The open orders' exposure in `currency`: their stored exposures, plus those of rows written before
 * (or by a build without the column) computed from their lines as the row was read.
 */
export function openExposureOf(a: OpenExposureAggregates | undefined, currency: string): Money {
  let sum = Money.ofMinor(BigInt(a?.open_minor ?? '0'), currency);
  for (const o of a?.legacy ?? [])
    sum = sum.plus(openOrderExposure({ ...o, lines: o.lines ?? [] }, currency));
  return sum;
}

const creditFactsOf = prepared<{ currency: string | null; earlier: boolean } & OpenExposureAggregates>(
  'orders.credit-facts',
  `SELECT own.currency,
          $2::text IS NOT NULL AND EXISTS (
            SELECT 1 FROM orders e
             WHERE e.store = $1 AND e.customer_id = $2 AND e.order_id <> $4 AND e.status <> 'cancelled') AS earlier,
          x.open_minor, x.legacy
     FROM (SELECT 1) AS one
     LEFT JOIN orders own ON own.store = $1 AND own.order_id = $4
     LEFT JOIN LATERAL (
       SELECT ${OPEN_EXPOSURE_AGGREGATES}
         FROM customer_map m JOIN orders o ON o.store = m.store AND o.customer_id = m.store_customer_id
        WHERE m.store = $1 AND m.erp_customer_id = $3 AND o.order_id <> $4
          AND o.status NOT IN ('completed', 'cancelled')
          AND upper(COALESCE(o.currency, own.currency)) = upper(own.currency)) AS x ON true`,
);

/**
 * Whether store customer `customerId` (when given) has another order that was not cancelled, and
 * the open orders of ERP customer `erpCustomerId` other than `orderId`, in that order's currency
 * ('0' when the order is not in the read model).
 */
async function creditFacts(
  db: Db,
  store: string,
  customerId: string | null,
  erpCustomerId: string,
  orderId: string,
): Promise<{ earlier: boolean; openOrders: string }> {
  const row = (await creditFactsOf(db, [store, customerId, erpCustomerId, orderId])).rows[0];
  const earlier = row?.earlier === true;
  if (!row?.currency) return { earlier, openOrders: '0' };
  return { earlier, openOrders: openExposureOf(row, row.currency).toString() };
}

/** The order read model (lists and dashboards), stock reservations and ERP cursors. */
export function orderRepository(db: Db) {
  return {
    async upsert(r: OrderRecord): Promise<void> {
      const { order } = r;
      // Integer minor units of the order's currency; `total` is generated from them (migration 0029).
      const charged = Money.of(chargedTotal(order), order.currency);
      // Minor units, for the exact open exposure (migration 0030, domain/credit-exposure.ts).
      const invoicedMinor =
        r.invoiceTotals === undefined
          ? null
          : Money.sum(
              r.invoiceTotals.map((t) => Money.of(t, order.currency, 'halfUp')),
              order.currency,
            ).minor.toString();
      const shippingMinor = orderMoney(order).shipping.minor.toString();
      await upsertOrder(db, [
        order.store,
        order.orderId,
        r.workflowId,
        order.orderNumber,
        order.customerId,
        order.poNumber ?? null,
        r.status,
        r.step,
        r.attention?.kind ?? null,
        r.attention?.reason ?? null,
        charged.minor.toString(),
        order.currency,
        JSON.stringify(r.lines),
        r.erpOrder?.erpId ?? null,
        r.erpOrder?.tranId ?? null,
        r.rulesVersion,
        r.lines.reduce((n, l) => n + l.shipped, 0),
        r.lines.reduce((n, l) => n + l.invoiced, 0),
        order.financialStatus ?? null,
        invoicedMinor,
        shippingMinor,
        // The order's part of its customer's exposure, from exactly what this row holds (migration 0035).
        openOrderExposure(
          {
            financialStatus: order.financialStatus ?? null,
            lines: r.lines,
            charged: charged.toString(),
            invoicedMinor,
            shippingMinor,
          },
          order.currency,
        ).minor.toString(),
      ]);
    },

    async list(filter: {
      status?: string;
      attention?: boolean;
      customerId?: string;
      /** Only these stores' orders; null or absent = every store. */
      stores?: string[] | null;
      limit: number;
    }): Promise<OrderRow[]> {
      const res = await db.query(
        `SELECT store, order_id, workflow_id, order_number, customer_id, po_number, status, step, attention_kind,
                attention_reason, total, currency, erp_tran_id, updated_at
           FROM orders
          WHERE ($1::text IS NULL OR status = $1)
            AND ($2::boolean IS NULL OR (attention_reason IS NOT NULL) = $2)
            AND ($3::text IS NULL OR customer_id = $3)
            AND ($5::text[] IS NULL OR store = ANY ($5))
          ORDER BY updated_at DESC LIMIT $4`,
        [
          filter.status ?? null,
          filter.attention ?? null,
          filter.customerId ?? null,
          filter.limit,
          filter.stores ?? null,
        ],
      );
      return res.rows.map((r) => ({
        store: r.store,
        orderId: r.order_id,
        workflowId: r.workflow_id,
        orderNumber: r.order_number,
        customerId: r.customer_id,
        poNumber: r.po_number,
        status: r.status,
        step: r.step,
        attentionKind: r.attention_kind,
        attentionReason: r.attention_reason,
        total: r.total,
        currency: r.currency,
        erpTranId: r.erp_tran_id,
        updatedAt: (r.updated_at as Date).toISOString(),
      }));
    },

    /**
     * Quayside's open orders for an ERP customer (every store customer mapped to it in this store)
     * other than the order `orderId` being checked: what is not yet invoiced or cancelled of those
     * on account (an order paid at checkout counts nothing), in that order's currency (orders in
     * another currency are not added to it). The same figure the store's credit headroom counts.
     * Zero when the checked order is not in the read model.
     */
    async openUninvoicedValue(store: string, erpCustomerId: string, orderId: string): Promise<string> {
      return (await creditFacts(db, store, null, erpCustomerId, orderId)).openOrders;
    },

    /**
     * What the credit check of order `orderId` reads of Quayside's own records, in one statement:
     * whether its store customer has another order through Quayside that was not cancelled
     * (`hasEarlierOrder`), and the open orders of its ERP customer (`openUninvoicedValue`).
     */
    creditFacts: (store: string, customerId: string, erpCustomerId: string, orderId: string) =>
      creditFacts(db, store, customerId, erpCustomerId, orderId),

    /** Whether the ERP is known (cached) to hold a sales order for this customer. */
    async erpCustomerHasOrdered(erpCustomerId: string): Promise<boolean> {
      const res = await db.query('SELECT 1 FROM erp_customer_order_history WHERE erp_customer_id = $1', [
        erpCustomerId,
      ]);
      return (res.rowCount ?? 0) > 0;
    },

    async recordErpCustomerOrdered(erpCustomerId: string): Promise<void> {
      await db.query(
        'INSERT INTO erp_customer_order_history (erp_customer_id) VALUES ($1) ON CONFLICT DO NOTHING',
        [erpCustomerId],
      );
    },

    /** On-hand stock (the inventory sync's cache) minus other orders' open reservations, by location, for the given ERP SKUs. */
    async freeStock(skus: string[], exceptWorkflowId: string): Promise<StockByLocation> {
      const res = await db.query<{ sku: string; location: string; free: number }>(
        `SELECT s.erp_sku AS sku, s.location,
                s.on_hand - COALESCE((SELECT SUM(r.quantity) FROM stock_reservations r
                                       WHERE r.sku = s.erp_sku AND r.location = s.location
                                         AND r.released_at IS NULL AND r.workflow_id <> $2), 0)::int AS free
           FROM inventory_cache s WHERE s.erp_sku = ANY($1::text[])`,
        [skus, exceptWorkflowId],
      );
      const out: StockByLocation = {};
      for (const r of res.rows) (out[r.location] ??= {})[r.sku] = Math.max(0, Number(r.free));
      return out;
    },

    async setStock(levels: { sku: string; location: string; onHand: number }[]): Promise<void> {
      if (levels.length === 0) return;
      await db.query(
        `INSERT INTO inventory_cache (erp_sku, location, on_hand, available, erp_modified)
         SELECT s, l, o, o, now() FROM unnest($1::text[], $2::text[], $3::int[]) AS t(s, l, o)
         ON CONFLICT (erp_sku, location) DO UPDATE SET on_hand = EXCLUDED.on_hand, erp_modified = now()`,
        [levels.map((l) => l.sku), levels.map((l) => l.location), levels.map((l) => l.onHand)],
      );
    },

    /**
     * Reserves (or re-reserves, on retry) each line's quantity; one row per order line key (a key
     * named twice keeps its last line). One statement, so all of them or none.
     */
    async reserve(
      workflowId: string,
      lines: { lineKey: string; sku: string; location: string; quantity: number }[],
    ): Promise<void> {
      const byKey = [...new Map(lines.map((l) => [l.lineKey, l])).values()];
      if (byKey.length === 0) return;
      await reserveLines(db, [
        workflowId,
        byKey.map((l) => l.lineKey),
        byKey.map((l) => l.sku),
        byKey.map((l) => l.location),
        byKey.map((l) => l.quantity),
      ]);
    },

    /** Releases open reservations (all of the order's, or the named line keys); returns how many. */
    async release(workflowId: string, lineKeys?: string[]): Promise<number> {
      const res = await db.query(
        `UPDATE stock_reservations SET released_at = now()
          WHERE workflow_id = $1 AND released_at IS NULL AND ($2::text[] IS NULL OR line_key = ANY($2::text[]))`,
        [workflowId, lineKeys ?? null],
      );
      return res.rowCount ?? 0;
    },

    async openReservations(
      workflowId: string,
    ): Promise<{ lineKey: string; sku: string; location: string; quantity: number }[]> {
      const res = await db.query(
        'SELECT line_key, sku, location, quantity FROM stock_reservations WHERE workflow_id = $1 AND released_at IS NULL ORDER BY line_key',
        [workflowId],
      );
      return res.rows.map((r) => ({
        lineKey: r.line_key,
        sku: r.sku,
        location: r.location,
        quantity: r.quantity,
      }));
    },
  };
}

export type OrderRepository = ReturnType<typeof orderRepository>;
