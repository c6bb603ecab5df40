import type { Db } from './pool';

export interface BackorderRow {
  erpSku: string;
  storeSku: string;
  expectedDate: string | null;
  source: 'purchase_order' | 'lead_time' | null;
}

/** The backordered items of each store, as their variants' metafields last said. */
export function backorderRepository(db: Db) {
  return {
    async current(store: string, erpSkus: string[]): Promise<Map<string, BackorderRow>> {
      const res = await db.query<{
        erp_sku: string;
        store_sku: string;
        expected: string | null;
        source: BackorderRow['source'];
      }>(
        `SELECT erp_sku, store_sku, to_char(expected_date, 'YYYY-MM-DD') AS expected, source
           FROM store_backorders WHERE store = $1 AND erp_sku = ANY($2::text[])`,
        [store, erpSkus],
      );
      return new Map(
        res.rows.map((r) => [
          r.erp_sku,
          { erpSku: r.erp_sku, storeSku: r.store_sku, expectedDate: r.expected, source: r.source },
        ]),
      );
    },

    async save(store: string, rows: BackorderRow[], cleared: string[]): Promise<void> {
      if (cleared.length)
        await db.query('DELETE FROM store_backorders WHERE store = $1 AND erp_sku = ANY($2::text[])', [
          store,
          cleared,
        ]);
      if (rows.length)
        await db.query(
          `INSERT INTO store_backorders (store, erp_sku, store_sku, expected_date, source)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::date[], $5::text[])
           ON CONFLICT (store, erp_sku) DO UPDATE SET store_sku = EXCLUDED.store_sku,
             expected_date = EXCLUDED.expected_date, source = EXCLUDED.source, updated_at = now()`,
          [
            store,
            rows.map((r) => r.erpSku),
            rows.map((r) => r.storeSku),
            rows.map((r) => r.expectedDate),
            rows.map((r) => r.source),
          ],
        );
    },
  };
}
