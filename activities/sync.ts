import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import type { AlertRepository } from '../db/alerts';
import type { MappingRepository } from '../db/mappings';
import { withTransaction, type Db, type DbClient } from '../db/pool';
import type { ErpPort, InventoryLevel, Page } from '../domain/erp';
import { orderWorkflowId } from '../domain/ids';
import type { InventoryQuantity, StorefrontPort } from '../domain/storefront';

export interface SyncActivityDeps {
  db: Db;
  erp: ErpPort;
  storefront: StorefrontPort;
  mappings: MappingRepository;
  alerts: AlertRepository;
}

export interface InventoryPageResult {
  changed: number;
  pushed: number;
  unmapped: number;
  stale: number;
  /** Mapped quantities the storefront has no SKU or location for (not pushed, alerted). */
  unknown?: number;
  hasMore: boolean;
  /** Milliseconds between the newest ERP change in the page and its arrival in the store. */
  lagMs: number | null;
}

/** Inventory sync activities: ERP change cursor → Quayside's cache → storefront quantities. */
export function createSyncActivities({ db, erp, storefront, mappings, alerts }: SyncActivityDeps) {
  return {
    async resetSyncCursor(input: { sync: string }): Promise<void> {
      await db.query(
        `INSERT INTO sync_cursors (name, cursor) VALUES ($1, NULL)
         ON CONFLICT (name) DO UPDATE SET cursor = NULL, updated_at = now()`,
        [input.sync],
      );
    },

    /**
     * Pulls one page of stock changes after the stored cursor, pushes the mapped ones to the
     * storefront (compare-and-set against what was pushed last), then advances the cursor. A retry
     * re-reads the same page and sets the same absolute quantities, so it is safe.
     */
    async syncInventoryPage(input: { store: string; sync: string; pageSize: number; workflowId: string }): Promise<InventoryPageResult> {
      const cursorRow = await db.query<{ cursor: string | null }>('SELECT cursor FROM sync_cursors WHERE name = $1', [input.sync]);
      const cursor = cursorRow.rows[0]?.cursor ?? null;
      const page = await erp.inventoryChangedSince(cursor, input.pageSize);
      heartbeat({ fetched: page.items.length });
      if (page.items.length === 0) {
        return { changed: 0, pushed: 0, unmapped: 0, stale: 0, hasMore: false, lagMs: null };
      }

      const skus = [...new Set(page.items.map((l) => l.sku))];
      const [skuMap, locationMap, previous] = await Promise.all([
        mappings.storeSkus(input.store, skus),
        mappings.storeLocations(input.store),
        db.query<{ erp_sku: string; location: string; pushed_quantity: number | null }>(
          'SELECT erp_sku, location, pushed_quantity FROM inventory_cache WHERE erp_sku = ANY($1::text[])',
          [skus],
        ),
      ]);
      const pushedBefore = new Map(previous.rows.map((r) => [`${r.erp_sku}\u0000${r.location}`, r.pushed_quantity]));

      const toPush: { level: InventoryLevel; quantity: InventoryQuantity }[] = [];
      const unmapped: InventoryLevel[] = [];
      for (const level of page.items) {
        const sku = skuMap.get(level.sku);
        const location = locationMap.get(level.location);
        if (!sku || !location) {
          unmapped.push(level);
          continue;
        }
        toPush.push({
          level,
          quantity: { sku, location, quantity: Math.max(0, level.available), compareQuantity: pushedBefore.get(`${level.sku}\u0000${level.location}`) ?? null },
        });
      }

      let stale = 0;
      const notInStore = new Set<string>();
      const key = (q: InventoryQuantity) => `${q.sku}\u0000${q.location}`;
      if (toPush.length > 0) {
        const result = await storefront.setInventory(toPush.map((p) => p.quantity));
        for (const q of result.unknown ?? []) notInStore.add(key(q));
        if (result.stale.length > 0) {
          // The store's quantity moved since our last push (a sale, a manual edit); the ERP is the
          // system of record, so set it again without the compare value.
          stale = result.stale.length;
          const again = await storefront.setInventory(result.stale.map((q) => ({ ...q, compareQuantity: null })));
          for (const q of again.unknown ?? []) notInStore.add(key(q));
        }
      }
      const unknownInStore = toPush.filter((p) => notInStore.has(key(p.quantity)));
      const pushed = unknownInStore.length ? toPush.filter((p) => !notInStore.has(key(p.quantity))) : toPush;
      heartbeat({ pushed: pushed.length });

      const client = await db.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO inventory_cache (erp_sku, location, on_hand, available, erp_modified, pushed_quantity, pushed_at)
           SELECT s, l, o, a, m, p, CASE WHEN p IS NULL THEN NULL ELSE now() END
             FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::timestamptz[], $6::int[]) AS t(s, l, o, a, m, p)
           ON CONFLICT (erp_sku, location) DO UPDATE SET
             on_hand = EXCLUDED.on_hand, available = EXCLUDED.available, erp_modified = EXCLUDED.erp_modified,
             pushed_quantity = COALESCE(EXCLUDED.pushed_quantity, inventory_cache.pushed_quantity),
             pushed_at = COALESCE(EXCLUDED.pushed_at, inventory_cache.pushed_at)`,
          dedupeLatest(page.items, pushed),
        );
        await saveCursor(client, input.sync, page.nextCursor);
        const newest = Math.max(...page.items.map((l) => Date.parse(l.lastModified)));
        const lagMs = Number.isFinite(newest) ? Math.max(0, Date.now() - newest) : null;
        await client.query(
          `INSERT INTO sync_runs (sync, workflow_id, changed, pushed, unmapped, stale, lag_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [input.sync, input.workflowId, page.items.length, pushed.length, unmapped.length, stale, lagMs],
        );
        await client.query('COMMIT');
        if (unmapped.length > 0) {
          await alerts.raise({
            severity: 'warning',
            kind: 'sync.unmapped',
            subject: `Stock for ${unmapped.length} ERP item(s) has no storefront SKU or location`,
            message: `Add them to the SKU or location mapping, e.g. ERP item ${unmapped[0]!.sku} at ${unmapped[0]!.location}.`,
            workflowId: input.workflowId,
            dedupeKey: `sync.unmapped:${input.sync}`,
            details: { examples: unmapped.slice(0, 20).map((l) => ({ sku: l.sku, location: l.location })) },
          });
        }
        if (unknownInStore.length > 0) {
          await alerts.raise({
            severity: 'warning',
            kind: 'sync.unknownInStore',
            subject: `Stock for ${unknownInStore.length} mapped SKU(s) has no product or location in the storefront`,
            message: `The SKU mapping points at storefront SKUs or locations the store does not have, e.g. ${unknownInStore[0]!.quantity.sku} at ${unknownInStore[0]!.quantity.location}; create them in the store or fix the mapping.`,
            workflowId: input.workflowId,
            dedupeKey: `sync.unknownInStore:${input.sync}`,
            details: { examples: unknownInStore.slice(0, 20).map((p) => ({ erpSku: p.level.sku, sku: p.quantity.sku, location: p.quantity.location })) },
          });
        }
        return { changed: page.items.length, pushed: pushed.length, unmapped: unmapped.length, stale, unknown: unknownInStore.length, hasMore: page.hasMore, lagMs };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },

    /** One page of the item master into the catalog cache; the cursor advances in the same transaction. */
    async syncCatalogPage(input: { sync: string; pageSize: number }): Promise<SyncPageResult> {
      return cursorPage(db, input.sync, (cursor) => erp.listItems(cursor, input.pageSize), async (client, items) => {
        await client.query(
          `INSERT INTO item_cache (erp_sku, erp_id, name, kind, parent_sku, hazmat, serialized, base_price, inactive, erp_modified)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::bool[], $8::numeric[], $9::bool[], $10::timestamptz[])
           ON CONFLICT (erp_sku) DO UPDATE SET erp_id = EXCLUDED.erp_id, name = EXCLUDED.name, kind = EXCLUDED.kind,
             parent_sku = EXCLUDED.parent_sku, hazmat = EXCLUDED.hazmat, serialized = EXCLUDED.serialized,
             base_price = EXCLUDED.base_price, inactive = EXCLUDED.inactive, erp_modified = EXCLUDED.erp_modified`,
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
          ],
        );
      });
    },

    /** One page of price levels, quantity breaks and contract prices into the price cache. */
    async syncPricesPage(input: { sync: string; pageSize: number }): Promise<SyncPageResult> {
      return cursorPage(db, input.sync, (cursor) => erp.listPrices(cursor, input.pageSize), async (client, prices) => {
        const rows = prices.filter((p) => p.sku);
        await client.query(
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
      });
    },

    /** Refreshes credit limit, balance, terms and price level of mapped customers, a batch at a time. */
    async refreshCustomerCache(input: { store: string; afterStoreCustomerId: string | null; batchSize: number }): Promise<{ refreshed: number; missing: number; last: string | null }> {
      const batch = await db.query<{ store_customer_id: string; erp_customer_id: string }>(
        `SELECT store_customer_id, erp_customer_id FROM customer_map
          WHERE store = $1 AND ($2::text IS NULL OR store_customer_id > $2) ORDER BY store_customer_id LIMIT $3`,
        [input.store, input.afterStoreCustomerId, input.batchSize],
      );
      let refreshed = 0;
      let missing = 0;
      for (const row of batch.rows) {
        const customer = await erp.getCustomer(row.erp_customer_id);
        heartbeat({ at: row.store_customer_id });
        if (!customer) {
          missing += 1;
          continue;
        }
        await db.query(
          `INSERT INTO customer_cache (erp_customer_id, company_name, credit_limit, balance, terms, price_level, tax_exempt, parent_erp_id, refreshed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
           ON CONFLICT (erp_customer_id) DO UPDATE SET company_name = EXCLUDED.company_name, credit_limit = EXCLUDED.credit_limit,
             balance = EXCLUDED.balance, terms = EXCLUDED.terms, price_level = EXCLUDED.price_level,
             tax_exempt = EXCLUDED.tax_exempt, parent_erp_id = EXCLUDED.parent_erp_id, refreshed_at = now()`,
          [customer.erpId, customer.companyName, customer.creditLimit, customer.balance, customer.terms, customer.priceLevel, customer.taxExempt, customer.parentErpId],
        );
        refreshed += 1;
      }
      return { refreshed, missing, last: batch.rows.at(-1)?.store_customer_id ?? null };
    },

    /**
     * Reconciliation: the storefront's orders changed since `since` (and older than the grace period,
     * so webhooks still in flight are not suspected) that Quayside has no trace of — no order process
     * and no delivery handed to one. Each raises a critical alert once; nothing is started blindly.
     */
    async findMissedOrders(input: { store: string; since: string; graceSeconds: number; first: number; workflowId: string }): Promise<MissedOrdersResult> {
      const recent = await storefront.ordersUpdatedSince(input.since, input.first);
      const cutoff = Date.now() - input.graceSeconds * 1000;
      const settled = recent.filter((o) => Date.parse(o.updatedAt) <= cutoff);
      if (settled.length === 0) return { checked: 0, missed: [], cursor: input.since, more: false };
      const ids = settled.map((o) => o.orderId);
      const known = await db.query<{ order_id: string }>(
        `SELECT order_id FROM orders WHERE store = $1 AND order_id = ANY($2::text[])
         UNION
         SELECT substring(workflow_id FROM length($3) + 1) FROM webhook_deliveries WHERE workflow_id = ANY($4::text[])`,
        [input.store, ids, orderWorkflowId(input.store, ''), ids.map((id) => orderWorkflowId(input.store, id))],
      );
      const seen = new Set(known.rows.map((r) => r.order_id));
      const missed = settled.filter((o) => !seen.has(o.orderId));
      for (const o of missed) {
        await alerts.raise({
          severity: 'critical',
          kind: 'reconcile.missedOrder',
          subject: `Order ${o.name} is in the store but Quayside has no process for it`,
          message: `Storefront order ${o.orderId} (changed ${o.updatedAt}) never reached Quayside: its webhook was missed, or it is parked as a dead letter. Replay the dead letter, or have the store resend it.`,
          workflowId: input.workflowId,
          dedupeKey: `reconcile:missed-order:${input.store}:${o.orderId}`,
          details: { orderId: o.orderId, name: o.name, updatedAt: o.updatedAt },
        });
      }
      return {
        checked: settled.length,
        missed: missed.map((o) => o.orderId),
        cursor: settled[settled.length - 1]!.updatedAt,
        more: settled.length === recent.length && recent.length >= input.first,
      };
    },

    async inventoryFromCache(input: { erpSkus: string[] }): Promise<{ erpSku: string; location: string; available: number }[]> {
      if (input.erpSkus.length > 1000) throw ApplicationFailure.create({ type: 'TooManySkus', message: 'at most 1000 SKUs per call', nonRetryable: true });
      const res = await db.query<{ erp_sku: string; location: string; available: number }>(
        'SELECT erp_sku, location, available FROM inventory_cache WHERE erp_sku = ANY($1::text[])',
        [input.erpSkus],
      );
      return res.rows.map((r) => ({ erpSku: r.erp_sku, location: r.location, available: r.available }));
    },
  };
}

export interface MissedOrdersResult {
  checked: number;
  missed: string[];
  /** The newest change checked: the next round asks for what changed after it. */
  cursor: string;
  more: boolean;
}

export interface SyncPageResult {
  changed: number;
  hasMore: boolean;
}

async function saveCursor(client: DbClient, sync: string, cursor: string | null): Promise<void> {
  await client.query(
    `INSERT INTO sync_cursors (name, cursor, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()`,
    [sync, cursor],
  );
}

/** Reads the stored cursor, fetches one page, writes it and advances the cursor in one transaction. */
async function cursorPage<T>(
  db: Db,
  sync: string,
  fetch: (cursor: string | null) => Promise<Page<T>>,
  write: (client: DbClient, items: T[]) => Promise<void>,
): Promise<SyncPageResult> {
  const cursorRow = await db.query<{ cursor: string | null }>('SELECT cursor FROM sync_cursors WHERE name = $1', [sync]);
  const page = await fetch(cursorRow.rows[0]?.cursor ?? null);
  heartbeat({ fetched: page.items.length });
  if (page.items.length === 0) return { changed: 0, hasMore: false };
  await withTransaction(db, async (client) => {
    await write(client, page.items);
    await saveCursor(client, sync, page.nextCursor);
  });
  return { changed: page.items.length, hasMore: page.hasMore };
}

/** One row per (sku, location), the latest change winning, as parallel arrays for unnest(). */
function dedupeLatest(levels: InventoryLevel[], pushed: { level: InventoryLevel; quantity: InventoryQuantity }[]) {
  const pushedQty = new Map(pushed.map((p) => [`${p.level.sku}\u0000${p.level.location}`, p.quantity.quantity]));
  const latest = new Map<string, InventoryLevel>();
  for (const level of levels) {
    const key = `${level.sku}\u0000${level.location}`;
    const seen = latest.get(key);
    if (!seen || Date.parse(seen.lastModified) <= Date.parse(level.lastModified)) latest.set(key, level);
  }
  const rows = [...latest.entries()];
  return [
    rows.map(([, l]) => l.sku),
    rows.map(([, l]) => l.location),
    rows.map(([, l]) => l.onHand),
    rows.map(([, l]) => l.available),
    rows.map(([, l]) => l.lastModified),
    rows.map(([k]) => pushedQty.get(k) ?? null),
  ];
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
