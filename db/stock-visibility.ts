import { stockKey } from './sync';
import { withTransaction, type Db, type DbClient } from './pool';

export interface VisibilityAudit {
  store: string;
  erpSku: string;
  storeSku: string;
  action: 'hide' | 'show';
  sellable: number;
  threshold: number;
  rulesVersion: number | null;
  reason: string;
  workflowId: string;
}

/** What the store sells from: cached ERP stock, Quayside's reservations, and which products are hidden. */
export function stockVisibilityRepository(db: Db) {
  return {
    /**
     * Open reservations of Quayside's orders that have no ERP sales order yet, per (ERP SKU,
     * location). Once the ERP holds the order its available already excludes the committed units.
     */
    async reservedNotInErp(skus: string[]): Promise<Map<string, number>> {
      const res = await db.query<{ sku: string; location: string; reserved: number }>(
        `SELECT r.sku, r.location, SUM(r.quantity)::int AS reserved
           FROM stock_reservations r LEFT JOIN orders o ON o.workflow_id = r.workflow_id
          WHERE r.released_at IS NULL AND r.sku = ANY($1::text[]) AND o.erp_order_id IS NULL
          GROUP BY r.sku, r.location`,
        [skus],
      );
      return new Map(res.rows.map((r) => [stockKey(r.sku, r.location), Number(r.reserved)]));
    },

    /**
     * Items of the store whose quantity must be set again although the ERP's stock of them did not
     * change: an open reservation left the set above (its order's ERP sales order was recorded, or it
     * was released or moved), marked by triggers in that transaction (migration 0033). Oldest first.
     */
    async repushMarks(store: string, limit: number): Promise<{ sku: string; mark: string }[]> {
      const res = await db.query<{ erp_sku: string; mark: string }>(
        'SELECT erp_sku, mark::text FROM stock_repush WHERE store = $1 ORDER BY mark LIMIT $2',
        [store, limit],
      );
      return res.rows.map((r) => ({ sku: r.erp_sku, mark: r.mark }));
    },

    /** Removes the marks that were set again; an item marked again since keeps its (newer) mark. */
    async clearRepush(
      store: string,
      marks: { sku: string; mark: string }[],
      q: Db | DbClient = db,
    ): Promise<void> {
      if (marks.length === 0) return;
      await q.query(
        `DELETE FROM stock_repush r USING unnest($2::text[], $3::bigint[]) AS t(s, m)
          WHERE r.store = $1 AND r.erp_sku = t.s AND r.mark = t.m`,
        [store, marks.map((m) => m.sku), marks.map((m) => m.mark)],
      );
    },

    /** The ERP's available quantity of each SKU at every cached location. */
    async erpAvailable(skus: string[]): Promise<{ sku: string; location: string; available: number }[]> {
      const res = await db.query<{ erp_sku: string; location: string; available: number }>(
        'SELECT erp_sku, location, available FROM inventory_cache WHERE erp_sku = ANY($1::text[])',
        [skus],
      );
      return res.rows.map((r) => ({ sku: r.erp_sku, location: r.location, available: r.available }));
    },

    /** The ERP SKUs of the store currently hidden for lack of stock. */
    async hidden(store: string, skus: string[]): Promise<Set<string>> {
      const res = await db.query<{ erp_sku: string }>(
        'SELECT erp_sku FROM stock_visibility WHERE store = $1 AND erp_sku = ANY($2::text[]) AND hidden',
        [store, skus],
      );
      return new Set(res.rows.map((r) => r.erp_sku));
    },

    /** Records a hide or show that the store has applied, with its audit row, in one transaction. */
    async record(change: VisibilityAudit): Promise<void> {
      await withTransaction(db, async (client) => {
        await client.query(
          `INSERT INTO stock_visibility (store, erp_sku, store_sku, hidden, changed_at) VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (store, erp_sku) DO UPDATE SET store_sku = EXCLUDED.store_sku, hidden = EXCLUDED.hidden, changed_at = now()`,
          [change.store, change.erpSku, change.storeSku, change.action === 'hide'],
        );
        await client.query(
          `INSERT INTO stock_visibility_audit (store, erp_sku, store_sku, action, sellable, threshold, rules_version, reason, workflow_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            change.store,
            change.erpSku,
            change.storeSku,
            change.action,
            change.sellable,
            change.threshold,
            change.rulesVersion,
            change.reason,
            change.workflowId,
          ],
        );
      });
    },

    async audit(store: string, erpSku: string): Promise<(VisibilityAudit & { at: string })[]> {
      const res = await db.query<{
        store_sku: string;
        action: 'hide' | 'show';
        sellable: number;
        threshold: number;
        rules_version: number | null;
        reason: string;
        workflow_id: string;
        at: Date;
      }>(
        `SELECT store_sku, action, sellable, threshold, rules_version, reason, workflow_id, at
           FROM stock_visibility_audit WHERE store = $1 AND erp_sku = $2 ORDER BY id`,
        [store, erpSku],
      );
      return res.rows.map((r) => ({
        store,
        erpSku,
        storeSku: r.store_sku,
        action: r.action,
        sellable: r.sellable,
        threshold: r.threshold,
        rulesVersion: r.rules_version,
        reason: r.reason,
        workflowId: r.workflow_id,
        at: r.at.toISOString(),
      }));
    },
  };
}
