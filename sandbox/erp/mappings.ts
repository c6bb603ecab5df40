import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import { erpSku, LOCATIONS, storeCustomerId, storeSku } from './scenario';

/**
 * Fills Quayside's own mapping tables (public schema) for the sandbox scenario: storefront SKU
 * `PROD-n` ↔ ERP item `Pn`, storefront customer n ↔ ERP customer n, storefront location ↔ ERP
 * warehouse. Idempotent; existing rows are updated.
 */
export async function seedSandboxMappings(db: Db, store: string, opts: { skus: number; customers: number }): Promise<{ skus: number; customers: number; locations: number }> {
  const repo = mappingRepository(db);
  const chunk = 20_000;
  for (let start = 1; start <= opts.skus; start += chunk) {
    const end = Math.min(start + chunk - 1, opts.skus);
    await repo.upsertSkus(
      store,
      Array.from({ length: end - start + 1 }, (_, k) => ({ storeSku: storeSku(start + k), erpSku: erpSku(start + k) })),
      'sandbox-seed',
    );
  }
  await db.query(
    `INSERT INTO customer_map (store, store_customer_id, erp_customer_id, updated_by)
     SELECT $1, s, e, 'sandbox-seed' FROM unnest($2::text[], $3::text[]) AS t(s, e)
     ON CONFLICT (store, store_customer_id) DO UPDATE SET erp_customer_id = EXCLUDED.erp_customer_id, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [
      store,
      Array.from({ length: opts.customers }, (_, k) => storeCustomerId(k + 1)),
      Array.from({ length: opts.customers }, (_, k) => String(k + 1)),
    ],
  );
  for (const l of LOCATIONS) await repo.upsertLocation(store, l.storeLocationId, String(l.id));
  return { skus: opts.skus, customers: opts.customers, locations: LOCATIONS.length };
}
