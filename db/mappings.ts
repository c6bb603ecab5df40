import type { Db } from './pool';

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
    async upsertLocation(store: string, storeLocation: string, erpLocation: string): Promise<void> {
      await db.query(
        `INSERT INTO location_map (store, store_location, erp_location) VALUES ($1, $2, $3)
         ON CONFLICT (store, store_location) DO UPDATE SET erp_location = EXCLUDED.erp_location, updated_at = now()`,
        [store, storeLocation, erpLocation],
      );
    },
  };
}

export type MappingRepository = ReturnType<typeof mappingRepository>;
