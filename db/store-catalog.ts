import type { StoreProductRef, WrittenMetafields } from '../domain/catalog';
import type { Db, DbClient } from './pool';

type Queryable = Db | DbClient;

export interface StoreProductRecord extends StoreProductRef {
  erpSku: string;
  status: string;
  /** Digest of the product input last written (null: write it again). */
  inputHash: string | null;
}

/** The products the catalog sync made or adopted in each store, by the ERP SKU they stand for. */
export function storeCatalogRepository(db: Db) {
  return {
    async products(store: string, erpSkus: string[]): Promise<Map<string, StoreProductRecord>> {
      const res = await db.query<{
        erp_sku: string;
        product_id: string;
        handle: string;
        variants: { sku: string; variantId: string }[];
        status: string;
        input_hash: string | null;
        metafields: WrittenMetafields | null;
      }>(
        'SELECT erp_sku, product_id, handle, variants, status, input_hash, metafields FROM store_products WHERE store = $1 AND erp_sku = ANY($2::text[])',
        [store, erpSkus],
      );
      return new Map(
        res.rows.map((r) => [
          r.erp_sku,
          {
            erpSku: r.erp_sku,
            productId: r.product_id,
            handle: r.handle,
            variants: r.variants,
            status: r.status,
            inputHash: r.input_hash,
            ...(r.metafields ? { metafields: r.metafields } : {}),
          },
        ]),
      );
    },

    async save(store: string, record: StoreProductRecord, q: Queryable = db): Promise<void> {
      // A product that stood for another ERP item before (its SKU moved under a matrix parent) is re-keyed.
      await q.query('DELETE FROM store_products WHERE store = $1 AND product_id = $2 AND erp_sku <> $3', [
        store,
        record.productId,
        record.erpSku,
      ]);
      await q.query(
        `INSERT INTO store_products (store, erp_sku, product_id, handle, variants, status, input_hash, metafields, pushed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
         ON CONFLICT (store, erp_sku) DO UPDATE SET product_id = EXCLUDED.product_id, handle = EXCLUDED.handle,
           variants = EXCLUDED.variants, status = EXCLUDED.status, input_hash = EXCLUDED.input_hash,
           metafields = EXCLUDED.metafields, pushed_at = now()`,
        [
          store,
          record.erpSku,
          record.productId,
          record.handle,
          JSON.stringify(record.variants),
          record.status,
          record.inputHash,
          record.metafields ? JSON.stringify(record.metafields) : null,
        ],
      );
    },

    /** How many products the store has from the ERP, by status. */
    async counts(store: string): Promise<Record<string, number>> {
      const res = await db.query<{ status: string; n: string }>(
        'SELECT status, count(*) AS n FROM store_products WHERE store = $1 GROUP BY status',
        [store],
      );
      return Object.fromEntries(res.rows.map((r) => [r.status, Number(r.n)]));
    },
  };
}

export type StoreCatalogRepository = ReturnType<typeof storeCatalogRepository>;
