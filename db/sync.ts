import type { ErpCustomer, ErpItem, ErpPrice, InventoryLevel } from '../domain/erp';
import { orderWorkflowId } from '../domain/contracts';
import type { ItemGroup } from '../domain/item-groups';
import type { Db, DbClient } from './pool';

type Queryable = Db | DbClient;

export interface InventoryCacheRow {
  level: InventoryLevel;
  /** What was just set in the storefront; null when nothing was pushed for it. */
  pushedQuantity: number | null;
}

export interface SyncRun {
  sync: string;
  workflowId: string;
  changed: number;
  pushed: number;
  unmapped: number;
  stale: number;
  lagMs: number | null;
}

/** The syncs' state: change cursors, the caches of ERP stock, items, prices and credit, and run records. */
export function syncRepository(db: Db) {
  return {
    async cursor(sync: string): Promise<string | null> {
      const res = await db.query<{ cursor: string | null }>(
        'SELECT cursor FROM sync_cursors WHERE name = $1',
        [sync],
      );
      return res.rows[0]?.cursor ?? null;
    },

    async saveCursor(sync: string, cursor: string | null, q: Queryable = db): Promise<void> {
      await q.query(
        `INSERT INTO sync_cursors (name, cursor, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()`,
        [sync, cursor],
      );
    },

    /** What was last pushed to this store per (ERP SKU, location): the next push's compare values. */
    async pushedQuantities(store: string, skus: string[]): Promise<Map<string, number | null>> {
      const res = await db.query<{ erp_sku: string; location: string; pushed_quantity: number | null }>(
        `SELECT erp_sku, location, pushed_quantity FROM store_inventory_pushed
          WHERE store = $1 AND erp_sku = ANY($2::text[])`,
        [store, skus],
      );
      return new Map(res.rows.map((r) => [stockKey(r.erp_sku, r.location), r.pushed_quantity]));
    },

    /**
     * Stock as the ERP reported it (the latest change per SKU and location wins; one row for every
     * store) and what was pushed to this store (the store's own row).
     */
    async saveInventory(store: string, rows: InventoryCacheRow[], q: Queryable = db): Promise<void> {
      const latest = new Map<string, InventoryCacheRow>();
      for (const row of rows) {
        const key = stockKey(row.level.sku, row.level.location);
        const seen = latest.get(key);
        if (!seen || Date.parse(seen.level.lastModified) <= Date.parse(row.level.lastModified))
          latest.set(key, row);
      }
      const list = [...latest.values()];
      await q.query(
        `INSERT INTO inventory_cache (erp_sku, location, on_hand, available, erp_modified)
         SELECT s, l, o, a, m
           FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::timestamptz[]) AS t(s, l, o, a, m)
         ON CONFLICT (erp_sku, location) DO UPDATE SET
           on_hand = EXCLUDED.on_hand, available = EXCLUDED.available, erp_modified = EXCLUDED.erp_modified`,
        [
          list.map((r) => r.level.sku),
          list.map((r) => r.level.location),
          list.map((r) => r.level.onHand),
          list.map((r) => r.level.available),
          list.map((r) => r.level.lastModified),
        ],
      );
      const pushed = list.filter((r) => r.pushedQuantity !== null);
      if (pushed.length === 0) return;
      await q.query(
        `INSERT INTO store_inventory_pushed (store, erp_sku, location, pushed_quantity, pushed_at)
         SELECT $1, s, l, p, now() FROM unnest($2::text[], $3::text[], $4::int[]) AS t(s, l, p)
         ON CONFLICT (store, erp_sku, location) DO UPDATE SET
           pushed_quantity = EXCLUDED.pushed_quantity, pushed_at = EXCLUDED.pushed_at`,
        [
          store,
          pushed.map((r) => r.level.sku),
          pushed.map((r) => r.level.location),
          pushed.map((r) => r.pushedQuantity),
        ],
      );
    },

    async recordRun(run: SyncRun, q: Queryable = db): Promise<void> {
      await q.query(
        `INSERT INTO sync_runs (sync, workflow_id, changed, pushed, unmapped, stale, lag_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [run.sync, run.workflowId, run.changed, run.pushed, run.unmapped, run.stale, run.lagMs],
      );
    },

    /**
     * Items into the item cache, with their item master facts (category, matrix role, discontinuation,
     * drop-ship / special-order flags, lead time) and, for kits and item groups read with their members,
     * the members.
     */
    async saveItems(items: ErpItem[], q: Queryable = db): Promise<void> {
      await q.query(
        `INSERT INTO item_cache (erp_sku, erp_id, name, kind, parent_sku, hazmat, serialized, base_price, inactive, erp_modified,
           category, matrix_role, discontinued, drop_ship, special_order, lead_time_days)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::bool[], $8::numeric[],
           $9::bool[], $10::timestamptz[], $11::text[], $12::text[], $13::bool[], $14::bool[], $15::bool[], $16::int[])
         ON CONFLICT (erp_sku) DO UPDATE SET erp_id = EXCLUDED.erp_id, name = EXCLUDED.name, kind = EXCLUDED.kind,
           parent_sku = EXCLUDED.parent_sku, hazmat = EXCLUDED.hazmat, serialized = EXCLUDED.serialized,
           base_price = EXCLUDED.base_price, inactive = EXCLUDED.inactive, erp_modified = EXCLUDED.erp_modified,
           category = EXCLUDED.category, matrix_role = EXCLUDED.matrix_role, discontinued = EXCLUDED.discontinued,
           drop_ship = EXCLUDED.drop_ship, special_order = EXCLUDED.special_order, lead_time_days = EXCLUDED.lead_time_days`,
        [
          items.map((i) => i.sku),
          items.map((i) => i.erpId),
          items.map((i) => i.name),
          items.map((i) => i.kind),
          items.map((i) => i.parentSku),
          items.map((i) => i.hazmat),
          items.map((i) => i.serialized),
          items.map((i) => i.basePrice),
          items.map((i) => i.inactive),
          items.map((i) => i.lastModified),
          items.map((i) => i.master?.category ?? null),
          items.map((i) => i.master?.matrix?.role ?? null),
          items.map((i) => i.master?.discontinued ?? false),
          items.map((i) => i.master?.dropShip ?? false),
          items.map((i) => i.master?.specialOrder ?? false),
          items.map((i) => i.master?.leadTimeDays ?? null),
        ],
      );
      const kits = items.filter((i) => i.master?.members !== undefined);
      if (kits.length === 0) return;
      const members = kits.flatMap((k) =>
        k.master!.members!.filter((m) => m.sku).map((m) => ({ kit: k.sku, ...m })),
      );
      await q.query('DELETE FROM kit_member_cache WHERE kit_sku = ANY($1::text[])', [kits.map((k) => k.sku)]);
      await q.query(
        `INSERT INTO kit_member_cache (kit_sku, member_sku, quantity)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) ON CONFLICT (kit_sku, member_sku) DO UPDATE SET quantity = EXCLUDED.quantity`,
        [members.map((m) => m.kit), members.map((m) => m.sku), members.map((m) => m.quantity)],
      );
    },

    /**
     * Kits and item groups with all their members: those with any of `skus` as a member, and those
     * among `skus` themselves.
     */
    async kits(skus: string[]): Promise<Map<string, { sku: string; quantity: number }[]>> {
      const res = await db.query<{ kit_sku: string; member_sku: string; quantity: number }>(
        `SELECT kit_sku, member_sku, quantity FROM kit_member_cache
          WHERE kit_sku IN (SELECT kit_sku FROM kit_member_cache WHERE member_sku = ANY($1::text[]) OR kit_sku = ANY($1::text[]))
          ORDER BY kit_sku, member_sku`,
        [skus],
      );
      const out = new Map<string, { sku: string; quantity: number }[]>();
      for (const r of res.rows) {
        const list = out.get(r.kit_sku) ?? [];
        list.push({ sku: r.member_sku, quantity: r.quantity });
        out.set(r.kit_sku, list);
      }
      return out;
    },

    /**
     * The item groups (ERP item type Group) among these SKUs, with their members' quantity per kit and
     * base price, from the item cache the catalog sync keeps.
     */
    async itemGroups(skus: string[]): Promise<Map<string, ItemGroup>> {
      const res = await db.query<{
        kit_sku: string;
        member_sku: string;
        quantity: number;
        base_price: string | null;
      }>(
        `SELECT k.kit_sku, k.member_sku, k.quantity, m.base_price::text AS base_price
           FROM item_cache g
           JOIN kit_member_cache k ON k.kit_sku = g.erp_sku
           LEFT JOIN item_cache m ON m.erp_sku = k.member_sku
          WHERE g.kind = 'group' AND g.erp_sku = ANY($1::text[])
          ORDER BY k.kit_sku, k.member_sku`,
        [skus],
      );
      const out = new Map<string, ItemGroup>();
      for (const r of res.rows) {
        const g = out.get(r.kit_sku) ?? { sku: r.kit_sku, members: [] };
        g.members.push({ sku: r.member_sku, quantity: r.quantity, basePrice: r.base_price });
        out.set(r.kit_sku, g);
      }
      return out;
    },

    /** The item master facts the inventory rules read, for the cached items among these SKUs. */
    async itemFacts(
      skus: string[],
    ): Promise<
      Map<string, { category: string | null; orderedOnDemand: boolean; leadTimeDays: number | null }>
    > {
      const res = await db.query<{
        erp_sku: string;
        category: string | null;
        drop_ship: boolean;
        special_order: boolean;
        lead_time_days: number | null;
      }>(
        'SELECT erp_sku, category, drop_ship, special_order, lead_time_days FROM item_cache WHERE erp_sku = ANY($1::text[])',
        [skus],
      );
      return new Map(
        res.rows.map((r) => [
          r.erp_sku,
          {
            category: r.category,
            orderedOnDemand: r.drop_ship || r.special_order,
            leadTimeDays: r.lead_time_days,
          },
        ]),
      );
    },

    /** Price levels, quantity breaks and contract prices; rows without an ERP SKU are skipped. */
    async savePrices(prices: ErpPrice[], q: Queryable = db): Promise<void> {
      const rows = prices.filter((p) => p.sku);
      await q.query(
        `INSERT INTO price_cache (erp_sku, price_level, customer_erp_id, min_quantity, unit_price, erp_modified)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::numeric[], $6::timestamptz[])
         ON CONFLICT (erp_sku, price_level, customer_erp_id, min_quantity) DO UPDATE SET
           unit_price = EXCLUDED.unit_price, erp_modified = EXCLUDED.erp_modified`,
        [
          rows.map((p) => p.sku),
          rows.map((p) => p.priceLevel ?? ''),
          rows.map((p) => p.customerErpId ?? ''),
          rows.map((p) => p.minQuantity),
          rows.map((p) => p.unitPrice),
          rows.map((p) => p.lastModified),
        ],
      );
    },

    /** Mapped customers of a store in id order, a batch after `after`. */
    async mappedCustomers(
      store: string,
      after: string | null,
      limit: number,
    ): Promise<{ storeCustomerId: string; erpCustomerId: string }[]> {
      const res = await db.query<{ store_customer_id: string; erp_customer_id: string }>(
        `SELECT store_customer_id, erp_customer_id FROM customer_map
          WHERE store = $1 AND ($2::text IS NULL OR store_customer_id > $2) ORDER BY store_customer_id LIMIT $3`,
        [store, after, limit],
      );
      return res.rows.map((r) => ({
        storeCustomerId: r.store_customer_id,
        erpCustomerId: r.erp_customer_id,
      }));
    },

    async saveCustomer(customer: ErpCustomer): Promise<void> {
      await db.query(
        `INSERT INTO customer_cache (erp_customer_id, company_name, credit_limit, balance, terms, price_level, tax_exempt, parent_erp_id, refreshed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
         ON CONFLICT (erp_customer_id) DO UPDATE SET company_name = EXCLUDED.company_name, credit_limit = EXCLUDED.credit_limit,
           balance = EXCLUDED.balance, terms = EXCLUDED.terms, price_level = EXCLUDED.price_level,
           tax_exempt = EXCLUDED.tax_exempt, parent_erp_id = EXCLUDED.parent_erp_id, refreshed_at = now()`,
        [
          customer.erpId,
          customer.companyName,
          customer.creditLimit,
          customer.balance,
          customer.terms,
          customer.priceLevel,
          customer.taxExempt,
          customer.parentErpId,
        ],
      );
    },

    /** Which of these ERP SKUs the item master marks as hazardous materials. */
    async hazmatSkus(skus: string[]): Promise<Set<string>> {
      const res = await db.query<{ erp_sku: string }>(
        'SELECT erp_sku FROM item_cache WHERE hazmat AND erp_sku = ANY($1::text[])',
        [skus],
      );
      return new Set(res.rows.map((r) => r.erp_sku));
    },

    /** Of the given storefront orders, those Quayside knows: an order process, or a delivery handed to one. */
    /** Where these orders' processes stand, from the order read model (orders without one left out). */
    async orderProcesses(
      store: string,
      orderIds: string[],
    ): Promise<Map<string, { step: string | null; erpOrderId: string | null; erpTranId: string | null }>> {
      const res = await db.query<{
        order_id: string;
        step: string | null;
        erp_order_id: string | null;
        erp_tran_id: string | null;
      }>(
        'SELECT order_id, step, erp_order_id, erp_tran_id FROM orders WHERE store = $1 AND order_id = ANY($2::text[])',
        [store, orderIds],
      );
      return new Map(
        res.rows.map((r) => [
          r.order_id,
          { step: r.step, erpOrderId: r.erp_order_id, erpTranId: r.erp_tran_id },
        ]),
      );
    },

    /** ERP SKUs whose stock the inventory sync saw change since `since`, newest first. */
    async skusChangedSince(since: string, limit: number): Promise<string[]> {
      if (limit <= 0) return [];
      const res = await db.query<{ erp_sku: string }>(
        `SELECT erp_sku FROM inventory_cache WHERE erp_modified >= $1 GROUP BY erp_sku ORDER BY max(erp_modified) DESC LIMIT $2`,
        [since, limit],
      );
      return res.rows.map((r) => r.erp_sku);
    },

    /** Cached ERP SKUs after `after` in order (from the start when null): a rotating slice of the catalog. */
    async skusAfter(after: string | null, limit: number): Promise<string[]> {
      if (limit <= 0) return [];
      const res = await db.query<{ erp_sku: string }>(
        `SELECT DISTINCT erp_sku FROM inventory_cache WHERE ($1::text IS NULL OR erp_sku > $1) ORDER BY erp_sku LIMIT $2`,
        [after, limit],
      );
      return res.rows.map((r) => r.erp_sku);
    },

    /** The ERP's stock of these items as last cached (the ERP's and, for kits, from their members). */
    async cachedLevels(skus: string[]): Promise<InventoryLevel[]> {
      const res = await db.query<{
        erp_sku: string;
        location: string;
        on_hand: number;
        available: number;
        erp_modified: Date;
      }>(
        'SELECT erp_sku, location, on_hand, available, erp_modified FROM inventory_cache WHERE erp_sku = ANY($1::text[])',
        [skus],
      );
      return res.rows.map((r) => ({
        sku: r.erp_sku,
        location: r.location,
        onHand: r.on_hand,
        available: r.available,
        lastModified: r.erp_modified.toISOString(),
      }));
    },

    /** Orders with a delivery the ingress handed to their process (not ignored, switched off or dead-lettered). */
    async handedToProcess(store: string, orderIds: string[]): Promise<Set<string>> {
      const res = await db.query<{ order_id: string }>(
        `SELECT DISTINCT substring(workflow_id FROM length($1) + 1) AS order_id FROM webhook_deliveries
          WHERE workflow_id = ANY($2::text[]) AND status = 'processed'`,
        [orderWorkflowId(store, ''), orderIds.map((id) => orderWorkflowId(store, id))],
      );
      return new Set(res.rows.map((r) => r.order_id));
    },

    async knownOrderIds(store: string, orderIds: string[]): Promise<Set<string>> {
      const res = await db.query<{ order_id: string }>(
        `SELECT order_id FROM orders WHERE store = $1 AND order_id = ANY($2::text[])
         UNION
         SELECT substring(workflow_id FROM length($3) + 1) FROM webhook_deliveries WHERE workflow_id = ANY($4::text[])`,
        [store, orderIds, orderWorkflowId(store, ''), orderIds.map((id) => orderWorkflowId(store, id))],
      );
      return new Set(res.rows.map((r) => r.order_id));
    },
  };
}

export const stockKey = (erpSku: string, location: string) => `${erpSku}\u0000${location}`;

export type SyncRepository = ReturnType<typeof syncRepository>;
