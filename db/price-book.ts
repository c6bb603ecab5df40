import { resolvePrice, type PriceBook, type PriceRow } from '../domain/pricing';
import type { Db } from './pool';

/** The ERP's prices as cached by the catalog sync, for the order's price check. */
export function cachedPriceBook(db: Db): PriceBook {
  return {
    async unitPrices({ customerErpId, priceLevel, lines }) {
      const skus = [...new Set(lines.map((l) => l.sku))];
      const [items, prices] = await Promise.all([
        db.query<{ erp_sku: string; base_price: string }>(
          'SELECT erp_sku, base_price::text FROM item_cache WHERE erp_sku = ANY($1::text[])',
          [skus],
        ),
        db.query<{
          erp_sku: string;
          price_level: string;
          customer_erp_id: string;
          min_quantity: number;
          unit_price: string;
        }>(
          `SELECT erp_sku, price_level, customer_erp_id, min_quantity, unit_price::text FROM price_cache
            WHERE erp_sku = ANY($1::text[]) AND (customer_erp_id = '' OR customer_erp_id = $2)`,
          [skus, customerErpId],
        ),
      ]);
      const base = new Map(items.rows.map((r) => [r.erp_sku, r.base_price]));
      const bySku = new Map<string, PriceRow[]>();
      for (const r of prices.rows) {
        const list = bySku.get(r.erp_sku) ?? [];
        list.push({
          priceLevel: r.price_level || null,
          customerErpId: r.customer_erp_id || null,
          minQuantity: r.min_quantity,
          unitPrice: r.unit_price,
        });
        bySku.set(r.erp_sku, list);
      }
      const out: Record<string, string> = {};
      for (const line of lines) {
        const basePrice = base.get(line.sku);
        if (basePrice === undefined) continue;
        out[line.sku] = resolvePrice({
          quantity: line.quantity,
          basePrice,
          customerErpId,
          priceLevel,
          prices: bySku.get(line.sku) ?? [],
        }).unitPrice;
      }
      return out;
    },
  };
}
