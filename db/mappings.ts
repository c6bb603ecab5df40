import { withTransaction, type Db } from './pool';

/** The four identity mappings, each a table of storefront key → ERP value. */
export const MAPPING_KINDS = ['sku', 'customer', 'location', 'shipping'] as const;
export type MappingKind = (typeof MAPPING_KINDS)[number];

const TABLES: Record<MappingKind, { table: string; key: string; value: string }> = {
  sku: { table: 'sku_map', key: 'store_sku', value: 'erp_sku' },
  customer: { table: 'customer_map', key: 'store_customer_id', value: 'erp_customer_id' },
  location: { table: 'location_map', key: 'store_location', value: 'erp_location' },
  shipping: { table: 'shipping_method_map', key: 'store_code', value: 'erp_ship_method' },
};

export interface MappingRow {
  storeKey: string;
  erpValue: string;
  updatedAt: string;
  updatedBy: string;
}

export interface MappingChange {
  storeKey: string;
  oldValue: string | null;
  newValue: string | null;
  changedBy: string;
  changedAt: string;
}

export interface SkuMapping {
  storeSku: string;
  erpSku: string;
}

/** Mapping tables: storefront ↔ ERP identities for SKUs, customers and locations. */
export function mappingRepository(db: Db) {
  return {
    async erpSkus(store: string, storeSkus: string[]): Promise<Map<string, string>> {
      const res = await db.query<{ store_sku: string; erp_sku: string }>(
        'SELECT store_sku, erp_sku FROM sku_map WHERE store = $1 AND store_sku = ANY($2::text[])',
        [store, storeSkus],
      );
      return new Map(res.rows.map((r) => [r.store_sku, r.erp_sku]));
    },
    async storeSkus(store: string, erpSkus: string[]): Promise<Map<string, string>> {
      const res = await db.query<{ store_sku: string; erp_sku: string }>(
        'SELECT store_sku, erp_sku FROM sku_map WHERE store = $1 AND erp_sku = ANY($2::text[])',
        [store, erpSkus],
      );
      return new Map(res.rows.map((r) => [r.erp_sku, r.store_sku]));
    },
    async upsertSkus(store: string, rows: SkuMapping[], by = 'system'): Promise<void> {
      if (rows.length === 0) return;
      await db.query(
        `INSERT INTO sku_map (store, store_sku, erp_sku, updated_by)
         SELECT $1, s, e, $4 FROM unnest($2::text[], $3::text[]) AS t(s, e)
         ON CONFLICT (store, store_sku) DO UPDATE SET erp_sku = EXCLUDED.erp_sku, updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [store, rows.map((r) => r.storeSku), rows.map((r) => r.erpSku), by],
      );
    },
    /** Store shipping codes → ERP shipping methods, for the codes that are mapped. */
    async erpShipMethods(store: string, codes: string[]): Promise<Map<string, string>> {
      const res = await db.query<{ store_code: string; erp_ship_method: string }>(
        'SELECT store_code, erp_ship_method FROM shipping_method_map WHERE store = $1 AND store_code = ANY($2::text[])',
        [store, codes],
      );
      return new Map(res.rows.map((r) => [r.store_code, r.erp_ship_method]));
    },

    async upsertShipMethod(
      store: string,
      storeCode: string,
      erpShipMethod: string,
      by = 'system',
    ): Promise<void> {
      await db.query(
        `INSERT INTO shipping_method_map (store, store_code, erp_ship_method, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (store, store_code) DO UPDATE SET erp_ship_method = EXCLUDED.erp_ship_method,
           updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [store, storeCode, erpShipMethod, by],
      );
    },

    async erpCustomer(store: string, storeCustomerId: string): Promise<string | null> {
      const res = await db.query<{ erp_customer_id: string }>(
        'SELECT erp_customer_id FROM customer_map WHERE store = $1 AND store_customer_id = $2',
        [store, storeCustomerId],
      );
      return res.rows[0]?.erp_customer_id ?? null;
    },
    async upsertCustomer(
      store: string,
      storeCustomerId: string,
      erpCustomerId: string,
      by = 'system',
    ): Promise<void> {
      await db.query(
        `INSERT INTO customer_map (store, store_customer_id, erp_customer_id, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (store, store_customer_id) DO UPDATE SET erp_customer_id = EXCLUDED.erp_customer_id, updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [store, storeCustomerId, erpCustomerId, by],
      );
    },
    async erpLocation(store: string, storeLocation: string): Promise<string | null> {
      const res = await db.query<{ erp_location: string }>(
        'SELECT erp_location FROM location_map WHERE store = $1 AND store_location = $2',
        [store, storeLocation],
      );
      return res.rows[0]?.erp_location ?? null;
    },
    async storeLocations(store: string): Promise<Map<string, string>> {
      const res = await db.query<{ store_location: string; erp_location: string }>(
        'SELECT store_location, erp_location FROM location_map WHERE store = $1',
        [store],
      );
      return new Map(res.rows.map((r) => [r.erp_location, r.store_location]));
    },
    async upsertLocation(
      store: string,
      storeLocation: string,
      erpLocation: string,
      by = 'system',
    ): Promise<void> {
      await db.query(
        `INSERT INTO location_map (store, store_location, erp_location, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (store, store_location) DO UPDATE SET erp_location = EXCLUDED.erp_location, updated_at = now(),
           updated_by = EXCLUDED.updated_by`,
        [store, storeLocation, erpLocation, by],
      );
    },

    /** One mapping's rows, searched by storefront key or ERP value (prefix, any case), keys in order. */
    async list(
      kind: MappingKind,
      store: string,
      opts: { q?: string; limit?: number; offset?: number } = {},
    ): Promise<{ rows: MappingRow[]; total: number }> {
      const t = TABLES[kind];
      const like = (opts.q ?? '').trim().replace(/[\\%_]/g, (c) => `\\${c}`);
      const res = await db.query<{
        k: string;
        v: string;
        updated_at: Date;
        updated_by: string;
        total: number;
      }>(
        `SELECT ${t.key} AS k, ${t.value} AS v, updated_at, updated_by, count(*) OVER ()::int AS total FROM ${t.table}
          WHERE store = $1 AND ($2 = '' OR ${t.key} ILIKE $2 || '%' OR ${t.value} ILIKE $2 || '%')
          ORDER BY ${t.key} LIMIT $3 OFFSET $4`,
        [store, like, opts.limit ?? 50, opts.offset ?? 0],
      );
      return {
        rows: res.rows.map((r) => ({
          storeKey: r.k,
          erpValue: r.v,
          updatedAt: r.updated_at.toISOString(),
          updatedBy: r.updated_by,
        })),
        total: res.rows[0]?.total ?? 0,
      };
    },

    /** Sets one mapping (added or changed), recorded in its history as made by `by`. */
    async set(
      kind: MappingKind,
      store: string,
      storeKey: string,
      erpValue: string,
      by: string,
    ): Promise<void> {
      const t = TABLES[kind];
      await db.query(
        `INSERT INTO ${t.table} (store, ${t.key}, ${t.value}, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (store, ${t.key}) DO UPDATE SET ${t.value} = EXCLUDED.${t.value}, updated_at = now(),
           updated_by = EXCLUDED.updated_by`,
        [store, storeKey, erpValue, by],
      );
    },

    /** Deletes one mapping, recorded in its history as deleted by `by`; false when there was none. */
    async remove(kind: MappingKind, store: string, storeKey: string, by: string): Promise<boolean> {
      const t = TABLES[kind];
      return withTransaction(db, async (client) => {
        await client.query(`SELECT set_config('quayside.actor', $1, true)`, [by]);
        const res = await client.query(`DELETE FROM ${t.table} WHERE store = $1 AND ${t.key} = $2`, [
          store,
          storeKey,
        ]);
        return (res.rowCount ?? 0) > 0;
      });
    },

    /** The changes to one mapping (or to all of a kind), newest first. */
    async history(kind: MappingKind, store: string, storeKey?: string, limit = 50): Promise<MappingChange[]> {
      const res = await db.query<{
        store_key: string;
        old_value: string | null;
        new_value: string | null;
        changed_by: string;
        changed_at: Date;
      }>(
        `SELECT store_key, old_value, new_value, changed_by, changed_at FROM mapping_history
          WHERE store = $1 AND mapping = $2 AND ($3::text IS NULL OR store_key = $3) ORDER BY id DESC LIMIT $4`,
        [store, kind, storeKey ?? null, limit],
      );
      return res.rows.map((r) => ({
        storeKey: r.store_key,
        oldValue: r.old_value,
        newValue: r.new_value,
        changedBy: r.changed_by,
        changedAt: r.changed_at.toISOString(),
      }));
    },
  };
}

export type MappingRepository = ReturnType<typeof mappingRepository>;
