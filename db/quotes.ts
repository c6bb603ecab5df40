import type { Db } from './pool';
import type { PriceRow } from '../domain/pricing';

export interface QuoteFacts {
  erpSku: string | null;
  item: { name: string; basePrice: string; inactive: boolean; hazmat: boolean } | null;
  prices: PriceRow[];
  stock: { location: string; available: number }[];
  customer: {
    erpId: string;
    creditLimit: string | null;
    balance: string;
    priceLevel: string | null;
    terms: string | null;
    refreshedAt: string;
  } | null;
}

/** Everything a checkout quote needs, from Quayside's caches, in one round trip. */
export async function quoteFacts(
  db: Db,
  store: string,
  storeSku: string,
  storeCustomerId: string | null,
): Promise<QuoteFacts> {
  const res = await db.query<{ facts: QuoteFacts }>(
    `WITH sku AS (SELECT erp_sku FROM sku_map WHERE store = $1 AND store_sku = $2),
          cust AS (SELECT erp_customer_id FROM customer_map WHERE store = $1 AND store_customer_id = $3)
     SELECT json_build_object(
       'erpSku', (SELECT erp_sku FROM sku),
       'item', (SELECT json_build_object('name', name, 'basePrice', base_price::text, 'inactive', inactive, 'hazmat', hazmat)
                  FROM item_cache WHERE erp_sku = (SELECT erp_sku FROM sku)),
       'prices', COALESCE((SELECT json_agg(json_build_object(
                    'priceLevel', NULLIF(price_level, ''), 'customerErpId', NULLIF(customer_erp_id, ''),
                    'minQuantity', min_quantity, 'unitPrice', unit_price::text))
                  FROM price_cache WHERE erp_sku = (SELECT erp_sku FROM sku)
                    AND (customer_erp_id = '' OR customer_erp_id = (SELECT erp_customer_id FROM cust))), '[]'::json),
       'stock', COALESCE((SELECT json_agg(json_build_object('location', location, 'available', available) ORDER BY location)
                  FROM inventory_cache WHERE erp_sku = (SELECT erp_sku FROM sku)), '[]'::json),
       'customer', (SELECT json_build_object('erpId', c.erp_customer_id, 'creditLimit', c.credit_limit::text, 'balance', c.balance::text,
                      'priceLevel', c.price_level, 'terms', c.terms, 'refreshedAt', c.refreshed_at)
                    FROM customer_cache c WHERE c.erp_customer_id = (SELECT erp_customer_id FROM cust))
     ) AS facts`,
    [store, storeSku, storeCustomerId],
  );
  return res.rows[0]!.facts;
}
