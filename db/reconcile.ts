import type { Db } from './pool';

/** What one reconciliation pass found about one order or one stock level, and what came of it. */
export interface ReconcileEntry {
  kind: 'missedOrder' | 'orderWithoutErpOrder' | 'driftedStock';
  /** The store order id, or `<store SKU>@<location>`. */
  subject: string;
  /** In words, for the dashboard: `Order #1042`, `PROD-7 at Chicago DC`. */
  title: string;
  outcome: 'repaired' | 'notRepaired';
  /** What was done, or why it could not be. */
  detail: string;
  /** The process the repair started or signalled. */
  workflowId?: string;
}

export interface ReconcileReport {
  id: number;
  store: string;
  workflowId: string;
  windowFrom: string;
  windowTo: string;
  ordersChecked: number;
  stockChecked: number;
  found: number;
  repaired: number;
  failed: number;
  entries: ReconcileEntry[];
  /** What the pass did not compare, and why (a flow switched off). */
  notes: string[];
  finishedAt: string;
}

export type ReconcileReportSummary = Omit<ReconcileReport, 'entries' | 'notes'>;
/** What a pass reports; the counts are the repository's. */
export type NewReconcileReport = Omit<ReconcileReport, 'id' | 'finishedAt' | 'found' | 'repaired' | 'failed'>;

interface Row {
  id: string;
  store: string;
  workflow_id: string;
  window_from: Date;
  window_to: Date;
  orders_checked: number;
  stock_checked: number;
  found: number;
  repaired: number;
  failed: number;
  entries?: ReconcileEntry[];
  notes?: string[];
  finished_at: Date;
}

const summary = (r: Row): ReconcileReportSummary => ({
  id: Number(r.id),
  store: r.store,
  workflowId: r.workflow_id,
  windowFrom: r.window_from.toISOString(),
  windowTo: r.window_to.toISOString(),
  ordersChecked: r.orders_checked,
  stockChecked: r.stock_checked,
  found: r.found,
  repaired: r.repaired,
  failed: r.failed,
  finishedAt: r.finished_at.toISOString(),
});

/** The reconciliation's reports: written once per pass, read by the API and the dashboard. */
export function reconcileRepository(db: Db) {
  return {
    /** Records a pass's report (a retried save of the same pass keeps the first). */
    async save(
      report: Omit<ReconcileReport, 'id' | 'finishedAt' | 'found' | 'repaired' | 'failed'>,
    ): Promise<number> {
      const repaired = report.entries.filter((e) => e.outcome === 'repaired').length;
      const res = await db.query<{ id: string }>(
        `INSERT INTO reconcile_reports (store, workflow_id, window_from, window_to, orders_checked, stock_checked, found, repaired, failed, entries, notes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (workflow_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id
         RETURNING id`,
        [
          report.store,
          report.workflowId,
          report.windowFrom,
          report.windowTo,
          report.ordersChecked,
          report.stockChecked,
          report.entries.length,
          repaired,
          report.entries.length - repaired,
          JSON.stringify(report.entries),
          report.notes,
        ],
      );
      return Number(res.rows[0]!.id);
    },

    /** The newest reports of these stores (null: every store), newest first, without their entries. */
    async latest(stores: string[] | null, limit = 20): Promise<ReconcileReportSummary[]> {
      const res = await db.query<Row>(
        `SELECT id, store, workflow_id, window_from, window_to, orders_checked, stock_checked, found, repaired, failed, finished_at
           FROM reconcile_reports WHERE ($1::text[] IS NULL OR store = ANY($1::text[]))
          ORDER BY finished_at DESC, id DESC LIMIT $2`,
        [stores, limit],
      );
      return res.rows.map(summary);
    },

    /** One report with its entries, if it belongs to one of these stores (null: any store). */
    async get(id: number, stores: string[] | null): Promise<ReconcileReport | null> {
      const res = await db.query<Row>(
        `SELECT * FROM reconcile_reports WHERE id = $1 AND ($2::text[] IS NULL OR store = ANY($2::text[]))`,
        [id, stores],
      );
      const r = res.rows[0];
      return r ? { ...summary(r), entries: r.entries ?? [], notes: r.notes ?? [] } : null;
    },
  };
}

export type ReconcileRepository = ReturnType<typeof reconcileRepository>;
