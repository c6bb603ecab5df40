import type { CreditPosition } from '../domain/credit-exposure';
import type { PriceRow } from '../domain/pricing';
import type { ItemBase, PlannedPrice, StoreCatalogRef } from '../domain/store-pricing';
import { OPEN_EXPOSURE_AGGREGATES, openExposureOf, type OpenExposureAggregates } from './orders';
import { prepared, type Db } from './pool';

type SkuRow = PriceRow & { sku: string };

/** A customer's credit position, and the headroom last published to the store for it (if any). */
export interface CreditStanding extends CreditPosition {
  published: { headroom: string | null; location: string } | null;
}

/**
 * The cached ERP account of each customer, the exposure of its open orders in the store's currency
 * (an order in another currency is not added), and its published headroom: one statement, where
 * there were three (the account, the orders, then the published figure).
 */
const creditPositionsOf = prepared<
  {
    erp_customer_id: string;
    credit_limit: string | null;
    balance: string;
    headroom: string | null;
    company_location_id: string | null;
  } & OpenExposureAggregates
>(
  'store-pricing.credit-positions',
  `SELECT c.erp_customer_id, c.credit_limit::text, c.balance::text, x.open_minor, x.legacy,
          h.headroom, h.company_location_id
     FROM customer_cache c
     LEFT JOIN LATERAL (
       SELECT ${OPEN_EXPOSURE_AGGREGATES}
         FROM customer_map m JOIN orders o ON o.store = m.store AND o.customer_id = m.store_customer_id
        WHERE m.store = $1 AND m.erp_customer_id = c.erp_customer_id
          AND o.status NOT IN ('completed', 'cancelled') AND upper(COALESCE(o.currency, $3)) = upper($3)) AS x ON true
     LEFT JOIN store_credit_headroom h ON h.store = $1 AND h.erp_customer_id = c.erp_customer_id
    WHERE c.erp_customer_id = ANY($2)`,
);
interface PriceCacheRow {
  erp_sku: string;
  price_level: string;
  customer_erp_id: string;
  min_quantity: number;
  unit_price: string;
}
const toRow = (r: PriceCacheRow): SkuRow => ({
  sku: r.erp_sku,
  priceLevel: r.price_level || null,
  customerErpId: r.customer_erp_id || null,
  minQuantity: r.min_quantity,
  unitPrice: r.unit_price,
});

/** Quayside's record of the store's B2B pricing it wrote, and the cached ERP data it plans from. */
export function storePricingRepository(db: Db) {
  const priceRows = async (where: string, params: unknown[]) =>
    (
      await db.query<PriceCacheRow>(
        `SELECT erp_sku, price_level, customer_erp_id, min_quantity, unit_price::text FROM price_cache WHERE ${where}`,
        params,
      )
    ).rows.map(toRow);
  const itemRows = async (skus: string[] | null) =>
    (
      await db.query<{ erp_sku: string; base_price: string }>(
        `SELECT erp_sku, base_price::text FROM item_cache WHERE ($1::text[] IS NULL OR erp_sku = ANY($1)) ORDER BY erp_sku`,
        [skus],
      )
    ).rows.map((r): ItemBase => ({ sku: r.erp_sku, basePrice: r.base_price }));

  return {
    items: () => itemRows(null),
    itemsFor: (skus: string[]) => itemRows(skus),
    async basePrices(skus: string[]): Promise<Map<string, string>> {
      return new Map((await itemRows(skus)).map((i) => [i.sku, i.basePrice]));
    },
    levelRows: (level: string, skus?: string[]) =>
      priceRows(`customer_erp_id = '' AND price_level = $1 AND ($2::text[] IS NULL OR erp_sku = ANY($2))`, [
        level,
        skus ?? null,
      ]),

    /** A customer's contract rows, the level rows of the same items, and those items. */
    async customerRows(erpCustomerId: string, level: string | null) {
      const rows = await priceRows(
        `erp_sku IN (SELECT erp_sku FROM price_cache WHERE customer_erp_id = $1)
           AND (customer_erp_id = $1 OR (customer_erp_id = '' AND price_level = $2))`,
        [erpCustomerId, level ?? ''],
      );
      const items = await itemRows([...new Set(rows.map((r) => r.sku))]);
      return { items, rows };
    },

    async saveLevels(levels: { name: string; discountPct: string }[]): Promise<void> {
      await db.query(
        `INSERT INTO price_level_cache (name, discount_pct) SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (name) DO UPDATE SET discount_pct = EXCLUDED.discount_pct`,
        [levels.map((l) => l.name), levels.map((l) => l.discountPct)],
      );
    },
    async levelDiscount(level: string): Promise<string | null> {
      const r = await db.query<{ discount_pct: string }>(
        'SELECT discount_pct FROM price_level_cache WHERE name = $1',
        [level],
      );
      return r.rows[0]?.discount_pct ?? null;
    },

    async list(
      store: string,
      key: string,
    ): Promise<(StoreCatalogRef & { adjustmentPercent: string | null; standalone: boolean }) | null> {
      const r = await db.query<{
        catalog_id: string;
        price_list_id: string;
        adjustment_percent: string | null;
        standalone: boolean;
      }>(
        'SELECT catalog_id, price_list_id, adjustment_percent, standalone FROM store_price_lists WHERE store = $1 AND list_key = $2',
        [store, key],
      );
      const row = r.rows[0];
      return row
        ? {
            catalogId: row.catalog_id,
            priceListId: row.price_list_id,
            adjustmentPercent: row.adjustment_percent,
            standalone: row.standalone,
          }
        : null;
    },
    async saveList(
      store: string,
      key: string,
      ref: StoreCatalogRef,
      adjustmentPercent: string | null,
      standalone: boolean,
      priceLevel: string | null,
    ): Promise<void> {
      await db.query(
        `INSERT INTO store_price_lists (store, list_key, catalog_id, price_list_id, adjustment_percent, standalone, price_level)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (store, list_key) DO UPDATE SET catalog_id = EXCLUDED.catalog_id, price_list_id = EXCLUDED.price_list_id,
           adjustment_percent = EXCLUDED.adjustment_percent, standalone = EXCLUDED.standalone, price_level = EXCLUDED.price_level,
           updated_at = now()`,
        [store, key, ref.catalogId, ref.priceListId, adjustmentPercent, standalone, priceLevel],
      );
    },

    async entries(store: string, key: string, scope: string[] | 'all'): Promise<Map<string, PlannedPrice>> {
      const r = await db.query<{ erp_sku: string; price: string; breaks: PlannedPrice['breaks'] }>(
        `SELECT erp_sku, price, breaks FROM store_price_entries WHERE store = $1 AND list_key = $2
           AND ($3::text[] IS NULL OR erp_sku = ANY($3))`,
        [store, key, scope === 'all' ? null : scope],
      );
      return new Map(r.rows.map((e) => [e.erp_sku, { sku: e.erp_sku, price: e.price, breaks: e.breaks }]));
    },
    async saveEntries(store: string, key: string, set: PlannedPrice[], remove: string[]): Promise<void> {
      if (remove.length)
        await db.query(
          'DELETE FROM store_price_entries WHERE store = $1 AND list_key = $2 AND erp_sku = ANY($3)',
          [store, key, remove],
        );
      if (set.length)
        await db.query(
          `INSERT INTO store_price_entries (store, list_key, erp_sku, price, breaks)
           SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::jsonb[])
           ON CONFLICT (store, list_key, erp_sku) DO UPDATE SET price = EXCLUDED.price, breaks = EXCLUDED.breaks`,
          [
            store,
            key,
            set.map((s) => s.sku),
            set.map((s) => s.price),
            set.map((s) => JSON.stringify(s.breaks)),
          ],
        );
    },

    async levelAssignments(
      store: string,
      erpCustomerId: string,
    ): Promise<{ listKey: string; catalogId: string; companyLocationId: string }[]> {
      const r = await db.query<{ list_key: string; catalog_id: string; company_location_id: string }>(
        `SELECT a.list_key, l.catalog_id, a.company_location_id FROM store_catalog_locations a
           JOIN store_price_lists l ON l.store = a.store AND l.list_key = a.list_key
          WHERE a.store = $1 AND a.erp_customer_id = $2 AND a.list_key LIKE 'level:%'`,
        [store, erpCustomerId],
      );
      return r.rows.map((x) => ({
        listKey: x.list_key,
        catalogId: x.catalog_id,
        companyLocationId: x.company_location_id,
      }));
    },
    async isAssigned(store: string, key: string, erpCustomerId: string, location: string): Promise<boolean> {
      const r = await db.query(
        'SELECT 1 FROM store_catalog_locations WHERE store = $1 AND list_key = $2 AND erp_customer_id = $3 AND company_location_id = $4',
        [store, key, erpCustomerId, location],
      );
      return r.rows.length > 0;
    },
    async assign(store: string, key: string, erpCustomerId: string, location: string): Promise<void> {
      await db.query(
        `INSERT INTO store_catalog_locations (store, list_key, erp_customer_id, company_location_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (store, list_key, erp_customer_id) DO UPDATE SET company_location_id = EXCLUDED.company_location_id`,
        [store, key, erpCustomerId, location],
      );
    },
    async assignMany(store: string, key: string, rows: { erpId: string; location: string }[]): Promise<void> {
      await db.query(
        `INSERT INTO store_catalog_locations (store, list_key, erp_customer_id, company_location_id)
         SELECT $1, $2, * FROM unnest($3::text[], $4::text[])
         ON CONFLICT (store, list_key, erp_customer_id) DO UPDATE SET company_location_id = EXCLUDED.company_location_id`,
        [store, key, rows.map((r) => r.erpId), rows.map((r) => r.location)],
      );
    },
    async unassign(store: string, key: string, erpCustomerId: string): Promise<void> {
      await db.query(
        'DELETE FROM store_catalog_locations WHERE store = $1 AND list_key = $2 AND erp_customer_id = $3',
        [store, key, erpCustomerId],
      );
    },

    async customersOnLevel(
      store: string,
      level: string,
    ): Promise<{ erpCustomerId: string; standalone: boolean }[]> {
      const r = await db.query<{ erp_customer_id: string; standalone: boolean | null }>(
        `SELECT c.erp_customer_id, l.standalone FROM customer_cache c
           LEFT JOIN store_price_lists l ON l.store = $1 AND l.list_key = 'customer:' || c.erp_customer_id
          WHERE c.price_level = $2 ORDER BY c.erp_customer_id`,
        [store, level],
      );
      return r.rows.map((x) => ({ erpCustomerId: x.erp_customer_id, standalone: x.standalone === true }));
    },
    /**
     * Customers on `level` whose own lists a change of the level's `skus` concerns: a contract on one of
     * them, a standalone list, or a list carrying the level's entry for one; with `anyList`, every
     * customer on the level with a list of its own.
     */
    async contractCustomersOnLevel(
      store: string,
      level: string,
      skus: string[],
      anyList = false,
    ): Promise<string[]> {
      const r = await db.query<{ erp_customer_id: string }>(
        `SELECT c.erp_customer_id FROM customer_cache c
          WHERE c.price_level = $2 AND (
            EXISTS (SELECT 1 FROM price_cache p WHERE p.customer_erp_id = c.erp_customer_id AND p.erp_sku = ANY($3))
            OR EXISTS (SELECT 1 FROM store_price_lists l WHERE l.store = $1 AND l.list_key = 'customer:' || c.erp_customer_id
                         AND (l.standalone OR $4::boolean))
            OR EXISTS (SELECT 1 FROM store_price_entries e WHERE e.store = $1 AND e.list_key = 'customer:' || c.erp_customer_id
                         AND e.erp_sku = ANY($3)))`,
        [store, level, skus, anyList],
      );
      return r.rows.map((x) => x.erp_customer_id);
    },
    async customersAfter(
      after: string | null,
      limit: number,
    ): Promise<{ erpCustomerId: string; priceLevel: string | null }[]> {
      const r = await db.query<{ erp_customer_id: string; price_level: string | null }>(
        `SELECT erp_customer_id, price_level FROM customer_cache WHERE ($1::text IS NULL OR erp_customer_id > $1)
          ORDER BY erp_customer_id LIMIT $2`,
        [after, limit],
      );
      return r.rows.map((x) => ({ erpCustomerId: x.erp_customer_id, priceLevel: x.price_level }));
    },
    async customersByIds(ids: string[]): Promise<{ erpCustomerId: string; priceLevel: string | null }[]> {
      const r = await db.query<{ erp_customer_id: string; price_level: string | null }>(
        'SELECT erp_customer_id, price_level FROM customer_cache WHERE erp_customer_id = ANY($1) ORDER BY erp_customer_id',
        [ids],
      );
      return r.rows.map((x) => ({ erpCustomerId: x.erp_customer_id, priceLevel: x.price_level }));
    },
    async customerCount(): Promise<number> {
      const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_cache');
      return r.rows[0]!.n;
    },

    /**
     * ERP credit limit and balance (cached) with Quayside's open orders on account: the
     * store total of the customer's unfinished orders less their invoices and cancelled lines, except
     * those paid at checkout (`openOrderExposure`); with the headroom last published to the store
     * for the customer. One statement.
     */
    async creditPositions(
      store: string,
      erpIds: string[],
      currency: string,
    ): Promise<Map<string, CreditStanding>> {
      const res = await creditPositionsOf(db, [store, erpIds, currency]);
      return new Map(
        res.rows.map((c) => [
          c.erp_customer_id,
          {
            creditLimit: c.credit_limit,
            balance: c.balance,
            openOrders: openExposureOf(c, currency).toString(),
            currency,
            published:
              c.company_location_id === null
                ? null
                : { headroom: c.headroom, location: c.company_location_id },
          },
        ]),
      );
    },
    async saveHeadroom(
      store: string,
      erpId: string,
      location: string,
      value: string | null,
      currency: string,
    ): Promise<void> {
      await db.query(
        `INSERT INTO store_credit_headroom (store, erp_customer_id, company_location_id, headroom, currency) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (store, erp_customer_id) DO UPDATE SET company_location_id = EXCLUDED.company_location_id,
           headroom = EXCLUDED.headroom, currency = EXCLUDED.currency, published_at = now()`,
        [store, erpId, location, value, currency],
      );
    },
  };
}

export type StorePricingRepository = ReturnType<typeof storePricingRepository>;
