import type { BackorderRow } from '../db/backorders';
import { backorderRepository } from '../db/backorders';
import type { MappingRepository } from '../db/mappings';
import type { Db } from '../db/pool';
import { syncRepository } from '../db/sync';
import { CATALOG_NAMESPACE } from '../domain/catalog';
import type { ErpPurchasingFeed } from '../domain/erp';
import { BACKORDER_METAFIELD_KEYS, backorderInfo } from '../domain/inventory';
import type { StorefrontPort } from '../domain/storefront';

export interface BackorderDeps {
  db: Db;
  erp: Pick<ErpPurchasingFeed, 'openPurchaseLines'>;
  storefront: Required<Pick<StorefrontPort, 'setVariantMetafields'>>;
  mappings: MappingRepository;
  /** Today in the store's terms (YYYY-MM-DD); the clock's UTC date unless given. */
  today?: () => string;
}

/**
 * Backordered items in the store: each variant whose sellable stock over the store's locations is
 * nothing carries `erp.backordered`, `erp.expected_date` (when known) and `erp.expected_source`
 * (`purchase_order` or `lead_time`), from domain/inventory.ts `backorderInfo`; an item back in stock
 * has them removed. Only what changed since the last write is written (store_backorders), and only
 * these keys: the variant's other metafields stay as they are.
 */
export function createBackorderPublisher(deps: BackorderDeps) {
  const repo = backorderRepository(deps.db);
  const syncs = syncRepository(deps.db);
  const today = deps.today ?? (() => new Date().toISOString().slice(0, 10));
  const field = (key: string, type: string, value: string) => ({
    namespace: CATALOG_NAMESPACE,
    key,
    type,
    value,
  });

  return {
    /** Brings these items' backorder metafields in step with their sellable totals (ERP SKU → units). */
    async refresh(input: {
      store: string;
      totals: Map<string, number>;
    }): Promise<{ set: number; cleared: number }> {
      const skus = [...input.totals.keys()];
      if (skus.length === 0) return { set: 0, cleared: 0 };
      const [facts, before, skuMap] = await Promise.all([
        syncs.itemFacts(skus),
        repo.current(input.store, skus),
        deps.mappings.storeSkus(input.store, skus),
      ]);
      const short = skus.filter(
        (s) => (input.totals.get(s) ?? 0) <= 0 && !facts.get(s)?.orderedOnDemand && skuMap.has(s),
      );
      const lines = short.length ? await deps.erp.openPurchaseLines(short) : [];
      const day = today();
      const now: BackorderRow[] = [];
      const cleared: BackorderRow[] = [];
      for (const sku of skus) {
        const storeSku = skuMap.get(sku);
        const info = storeSku
          ? backorderInfo({
              sellable: input.totals.get(sku) ?? 0,
              orderedOnDemand: facts.get(sku)?.orderedOnDemand ?? false,
              openLines: lines.filter((l) => l.sku === sku),
              leadTimeDays: facts.get(sku)?.leadTimeDays ?? null,
              today: day,
            })
          : null;
        const was = before.get(sku);
        if (!info) {
          if (was) cleared.push(was);
          continue;
        }
        if (
          was &&
          was.storeSku === storeSku &&
          was.expectedDate === info.expectedDate &&
          was.source === info.source
        )
          continue;
        now.push({ erpSku: sku, storeSku: storeSku!, ...info });
      }
      const entries = [
        ...now.map((r) => ({
          sku: r.storeSku,
          set: [
            field('backordered', 'boolean', 'true'),
            ...(r.expectedDate ? [field('expected_date', 'date', r.expectedDate)] : []),
            ...(r.source ? [field('expected_source', 'single_line_text_field', r.source)] : []),
          ],
          remove: [
            ...(r.expectedDate ? [] : [{ namespace: CATALOG_NAMESPACE, key: 'expected_date' }]),
            ...(r.source ? [] : [{ namespace: CATALOG_NAMESPACE, key: 'expected_source' }]),
          ],
        })),
        ...cleared.map((r) => ({
          sku: r.storeSku,
          set: [],
          remove: BACKORDER_METAFIELD_KEYS.map((key) => ({ namespace: CATALOG_NAMESPACE, key })),
        })),
      ];
      if (entries.length === 0) return { set: 0, cleared: 0 };
      const { unknown } = await deps.storefront.setVariantMetafields(entries);
      const missing = new Set(unknown);
      await repo.save(
        input.store,
        now.filter((r) => !missing.has(r.storeSku)),
        cleared.map((r) => r.erpSku),
      );
      return { set: now.length - now.filter((r) => missing.has(r.storeSku)).length, cleared: cleared.length };
    },
  };
}

export type BackorderPublisher = ReturnType<typeof createBackorderPublisher>;
