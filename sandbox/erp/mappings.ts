import type { Db } from '../../db/pool';
import { LOCATIONS } from './scenario';

export interface SandboxMappingOptions {
  /** Scenario SKUs to map (`PROD-n` ↔ `Pn` for n = 1..skus). */
  skus: number;
  /** Schema of the sandbox ERP (sandbox_erp unless SANDBOX_ERP_SCHEMA says otherwise). */
  erpSchema: string;
  /** Schema of the sandbox store (sandbox_store). */
  storeSchema: string;
}

export interface SandboxMappingResult {
  skus: number;
  customers: number;
  locations: number;
  /** Rows of earlier seeds that pointed at store ids the store does not have, removed. */
  removed: number;
  ms: number;
}

const SEEDED_BY = 'sandbox-seed';

/** The sandbox's shipping methods (ERP ship item ids) by the store's shipping rate code or title. */
export const SANDBOX_SHIP_METHODS: Record<string, string> = {
  Standard: '1',
  'Generic Shipping': '1',
  'Free Shipping': '1',
  Express: '2',
  Freight: '3',
};

const schemaName = (schema: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  return schema;
};

/** The store location id in the form the Shopify connector's setInventory takes as is. */
export const storeLocationGid = (id: string) => `gid://shopify/Location/${id}`;

/**
 * Fills Quayside's mapping tables (public schema) for the sandbox scenario from the two sandboxes'
 * own data, which share the development database in schemas of their own:
 * - sku_map: storefront SKU `PROD-n` ↔ ERP item `Pn`;
 * - customer_map: the store customer's id (the decimal string an orders/create webhook carries) ↔ the
 *   ERP customer's internal id, matched by email address;
 * - shipping_method_map: the store's shipping rate codes ↔ the sandbox ERP's ship items;
 * - location_map: the store location (`gid://shopify/Location/<id>`) ↔ the ERP location's internal
 *   id, matched by name.
 * Both sandboxes must be seeded first. Idempotent: a second run changes nothing and returns quickly;
 * mappings an earlier seed made to store ids that no longer exist (a reset store) are replaced.
 */
export async function seedSandboxMappings(
  db: Db,
  store: string,
  opts: SandboxMappingOptions,
): Promise<SandboxMappingResult> {
  const started = Date.now();
  const erp = schemaName(opts.erpSchema);
  const shop = schemaName(opts.storeSchema);
  let removed = 0;
  const present = await db.query<{ erp: boolean; store: boolean }>(
    `SELECT to_regclass('${erp}.customer') IS NOT NULL AS erp, to_regclass('${shop}.customers') IS NOT NULL AS store`,
  );
  if (!present.rows[0]!.erp)
    throw new Error(
      `the sandbox ERP schema ${erp} does not exist yet: start the sandbox ERP (or run scripts/seed-erp.ts) first`,
    );
  if (!present.rows[0]!.store)
    throw new Error(
      `the sandbox store schema ${shop} does not exist yet: start the sandbox store (or run scripts/seed-store.ts) first`,
    );

  const have = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM sku_map WHERE store = $1 AND store_sku LIKE 'PROD-%'`,
    [store],
  );
  if (have.rows[0]!.n < opts.skus) {
    await db.query(
      `INSERT INTO sku_map (store, store_sku, erp_sku, updated_by)
       SELECT $1, 'PROD-' || i, 'P' || i, $3 FROM generate_series(1, $2::int) AS i
       ON CONFLICT (store, store_sku) DO NOTHING`,
      [store, opts.skus, SEEDED_BY],
    );
  }

  await db.query(
    `INSERT INTO customer_map (store, store_customer_id, erp_customer_id, updated_by)
     SELECT $1, s.id::text, e.id::text, $2 FROM ${shop}.customers s JOIN ${erp}.customer e ON lower(e.email) = lower(s.email)
     ON CONFLICT (store, store_customer_id) DO UPDATE SET erp_customer_id = EXCLUDED.erp_customer_id, updated_at = now(), updated_by = EXCLUDED.updated_by
       WHERE customer_map.erp_customer_id IS DISTINCT FROM EXCLUDED.erp_customer_id`,
    [store, SEEDED_BY],
  );
  removed +=
    (
      await db.query(
        `DELETE FROM customer_map m WHERE m.store = $1 AND m.updated_by = $2
         AND NOT EXISTS (SELECT 1 FROM ${shop}.customers s WHERE s.id::text = m.store_customer_id)`,
        [store, SEEDED_BY],
      )
    ).rowCount ?? 0;

  const names = LOCATIONS.map((l) => l.name);
  const locations = await db.query<{ store_location: string; erp_location: string }>(
    `SELECT s.id::text AS store_location, e.id::text AS erp_location
       FROM ${shop}.locations s JOIN ${erp}.location e ON e.name = s.name WHERE e.name = ANY($1::text[])`,
    [names],
  );
  for (const row of locations.rows) {
    const l = { ...row, store_location: storeLocationGid(row.store_location) };
    // One store location per ERP warehouse: an older mapping of the same warehouse is replaced.
    removed +=
      (
        await db.query(
          'DELETE FROM location_map WHERE store = $1 AND erp_location = $2 AND store_location <> $3',
          [store, l.erp_location, l.store_location],
        )
      ).rowCount ?? 0;
    await db.query(
      `INSERT INTO location_map (store, store_location, erp_location) VALUES ($1, $2, $3)
       ON CONFLICT (store, store_location) DO UPDATE SET erp_location = EXCLUDED.erp_location, updated_at = now()
         WHERE location_map.erp_location IS DISTINCT FROM EXCLUDED.erp_location`,
      [store, l.store_location, l.erp_location],
    );
  }

  // Shipping methods: the store's rate codes (and Shopify's sample titles) → the sandbox ERP's ship items.
  for (const [code, erpShipMethod] of Object.entries(SANDBOX_SHIP_METHODS)) {
    await db.query(
      `INSERT INTO shipping_method_map (store, store_code, erp_ship_method, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (store, store_code) DO NOTHING`,
      [store, code, erpShipMethod, SEEDED_BY],
    );
  }

  const mapped = await db.query<{ skus: number; customers: number }>(
    `SELECT (SELECT count(*) FROM sku_map WHERE store = $1 AND store_sku LIKE 'PROD-%')::int AS skus,
            (SELECT count(*) FROM customer_map WHERE store = $1 AND updated_by = $2)::int AS customers`,
    [store, SEEDED_BY],
  );
  return {
    skus: mapped.rows[0]!.skus,
    customers: mapped.rows[0]!.customers,
    locations: locations.rows.length,
    removed,
    ms: Date.now() - started,
  };
}
