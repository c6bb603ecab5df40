import type { PriceRow } from '../domain/pricing';
import { withTransaction, type Db, type DbClient } from './pool';
import { activeKeys, type ActiveKey } from './principals';

/** Everything a checkout quote needs, from Quayside's caches. */
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

type Item = NonNullable<QuoteFacts['item']>;
type Customer = NonNullable<QuoteFacts['customer']>;
type Stock = QuoteFacts['stock'];
interface Change {
  kind: 'sku_map' | 'customer_map' | 'sku' | 'customer' | 'api_key' | 'principal' | 'auth_failure';
  store: string;
  key: string;
}

export interface QuoteCacheOptions {
  /** Changed keys past which one check reloads everything instead of key by key. */
  fullReloadAbove?: number;
  /** A check this long after the previous one reloads everything (changes older than twice this are pruned). */
  maxGapMs?: number;
}

/** A failed-authentication counter as its rate limiter reads it (rate-limiter-flexible's `get`). */
export interface FailureCount {
  consumedPoints: number;
  /** Until the counter expires; -1 when it never does. */
  msBeforeNext: number;
}

/**
 * The checkout quote's facts for the stores an API serves, in memory: their SKU and customer
 * mappings, and the ERP's items, prices (levels, quantity breaks, contracts), stock by location and
 * customer credit, held once for all of them; and who may ask: the active API keys with their
 * principals, and the failed-authentication counters (migration 0034 logs their changes).
 *
 * Fresh, not eventually fresh: before it answers, `facts` waits for a check that began after it was
 * called. A check reads the keys the syncs (and mapping edits) changed in transactions that were
 * not yet visible in the snapshot the memory reflects (`quote_cache_changes`, written by triggers in
 * the writing transaction: migration 0032), reloads those keys, and moves the snapshot on. So a change
 * committed before a quote was asked is in that quote. Concurrent quotes share one check: at 500
 * quotes a second that is one small query per round trip, not one per quote.
 */
export function quoteCache(db: Db, stores: string[], opts: QuoteCacheOptions = {}) {
  const fullReloadAbove = opts.fullReloadAbove ?? 5_000;
  const maxGapMs = opts.maxGapMs ?? 15 * 60_000;
  /** store → store SKU → ERP SKU, and store → store customer id → ERP customer id. */
  let skuMap = new Map<string, Map<string, string>>();
  let customerMap = new Map<string, Map<string, string>>();
  let items = new Map<string, Item>();
  let prices = new Map<string, PriceRow[]>();
  let stock = new Map<string, Stock>();
  let customers = new Map<string, Customer>();
  /** Active API keys by key id; failed-authentication counters by their rate limiter's key. */
  let apiKeys = new Map<string, ActiveKey>();
  let failures = new Map<string, { points: number; expire: number | null }>();
  /** The snapshot (pg_snapshot text) the memory reflects; null before the first load. */
  let snapshot: string | null = null;
  let checkedAt = 0;
  /** xmin of the snapshots of earlier checks, with when they were taken: what may be pruned later. */
  const pruneMarks: { at: number; xmin: string }[] = [];

  const priceRows = (rows: PriceDbRow[]) => {
    const out = new Map<string, PriceRow[]>();
    for (const r of rows) {
      const list = out.get(r.erp_sku) ?? [];
      list.push({
        priceLevel: intern(r.price_level) || null,
        customerErpId: intern(r.customer_erp_id) || null,
        minQuantity: r.min_quantity,
        unitPrice: r.unit_price,
      });
      out.set(r.erp_sku, list);
    }
    return out;
  };
  const stockRows = (rows: StockDbRow[]) => {
    const out = new Map<string, Stock>();
    for (const r of rows) {
      const list = out.get(r.erp_sku) ?? [];
      list.push({ location: intern(r.location), available: r.available });
      out.set(r.erp_sku, list);
    }
    for (const list of out.values()) list.sort((a, b) => (a.location < b.location ? -1 : 1));
    return out;
  };
  const customerOf = (r: CustomerDbRow): Customer => ({
    erpId: r.erp_customer_id,
    creditLimit: r.credit_limit,
    balance: r.balance,
    priceLevel: r.price_level,
    terms: r.terms,
    refreshedAt: r.refreshed_at,
  });

  /** Everything, from one repeatable-read snapshot. */
  async function loadAll(): Promise<void> {
    await withTransaction(db, async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const snap = await currentSnapshot(c);
      const sm = await c.query<{ store: string; store_sku: string; erp_sku: string }>(
        'SELECT store, store_sku, erp_sku FROM sku_map WHERE store = ANY ($1::text[])',
        [stores],
      );
      const cm = await c.query<{ store: string; store_customer_id: string; erp_customer_id: string }>(
        'SELECT store, store_customer_id, erp_customer_id FROM customer_map WHERE store = ANY ($1::text[])',
        [stores],
      );
      const it = await c.query<ItemDbRow>(`SELECT ${ITEM_COLUMNS} FROM item_cache`);
      const pr = await c.query<PriceDbRow>(`SELECT ${PRICE_COLUMNS} FROM price_cache`);
      const st = await c.query<StockDbRow>(`SELECT ${STOCK_COLUMNS} FROM inventory_cache`);
      const cu = await c.query<CustomerDbRow>(`SELECT ${CUSTOMER_COLUMNS} FROM customer_cache`);
      const keys = await activeKeys(c);
      const af = await c.query<FailureDbRow>(
        `SELECT ${FAILURE_COLUMNS} FROM auth_failures WHERE expire IS NULL OR expire > $1`,
        [Date.now()],
      );
      skuMap = byStore(sm.rows.map((r) => [r.store, r.store_sku, r.erp_sku]));
      customerMap = byStore(cm.rows.map((r) => [r.store, r.store_customer_id, r.erp_customer_id]));
      items = new Map(it.rows.map((r) => [r.erp_sku, itemOf(r)]));
      prices = priceRows(pr.rows);
      stock = stockRows(st.rows);
      customers = new Map(cu.rows.map((r) => [r.erp_customer_id, customerOf(r)]));
      apiKeys = new Map(keys.map((k) => [k.keyId, k]));
      failures = new Map(af.rows.map((r) => [r.key, failureOf(r)]));
      snapshot = snap;
    });
  }

  /** The changed keys, read again, from one repeatable-read snapshot. */
  async function reload(changes: Change[]): Promise<void> {
    const served = new Set(stores);
    const keys = (kind: 'sku' | 'customer' | 'api_key' | 'principal' | 'auth_failure') => [
      ...new Set(changes.filter((c) => c.kind === kind).map((c) => c.key)),
    ];
    /** Changed mappings of the stores served: [store, key] pairs, once each. */
    const mappingKeys = (kind: 'sku_map' | 'customer_map') => {
      const seen = new Map<string, [string, string]>();
      for (const c of changes)
        if (c.kind === kind && served.has(c.store))
          seen.set(JSON.stringify([c.store, c.key]), [c.store, c.key]);
      return [...seen.values()];
    };
    const skuMapKeys = mappingKeys('sku_map');
    const customerMapKeys = mappingKeys('customer_map');
    const skus = keys('sku');
    const customerIds = keys('customer');
    const keyIds = keys('api_key');
    const principalIds = keys('principal');
    const failureKeys = keys('auth_failure');
    await withTransaction(db, async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const sm = await c.query<{ store: string; store_sku: string; erp_sku: string }>(
        `SELECT m.store, m.store_sku, m.erp_sku FROM sku_map m
           JOIN unnest($1::text[], $2::text[]) AS k(store, key) ON m.store = k.store AND m.store_sku = k.key`,
        [skuMapKeys.map((k) => k[0]), skuMapKeys.map((k) => k[1])],
      );
      const cm = await c.query<{ store: string; store_customer_id: string; erp_customer_id: string }>(
        `SELECT m.store, m.store_customer_id, m.erp_customer_id FROM customer_map m
           JOIN unnest($1::text[], $2::text[]) AS k(store, key) ON m.store = k.store AND m.store_customer_id = k.key`,
        [customerMapKeys.map((k) => k[0]), customerMapKeys.map((k) => k[1])],
      );
      const it = await c.query<ItemDbRow>(
        `SELECT ${ITEM_COLUMNS} FROM item_cache WHERE erp_sku = ANY ($1::text[])`,
        [skus],
      );
      const pr = await c.query<PriceDbRow>(
        `SELECT ${PRICE_COLUMNS} FROM price_cache WHERE erp_sku = ANY ($1::text[])`,
        [skus],
      );
      const st = await c.query<StockDbRow>(
        `SELECT ${STOCK_COLUMNS} FROM inventory_cache WHERE erp_sku = ANY ($1::text[])`,
        [skus],
      );
      const cu = await c.query<CustomerDbRow>(
        `SELECT ${CUSTOMER_COLUMNS} FROM customer_cache WHERE erp_customer_id = ANY ($1::text[])`,
        [customerIds],
      );
      const mapped = byStore(sm.rows.map((r) => [r.store, r.store_sku, r.erp_sku]));
      for (const [st, k] of skuMapKeys) setOrDeleteIn(skuMap, st, k, mapped.get(st)?.get(k));
      const mappedCustomers = byStore(cm.rows.map((r) => [r.store, r.store_customer_id, r.erp_customer_id]));
      for (const [st, k] of customerMapKeys)
        setOrDeleteIn(customerMap, st, k, mappedCustomers.get(st)?.get(k));
      const freshItems = new Map(it.rows.map((r) => [r.erp_sku, itemOf(r)]));
      const freshPrices = priceRows(pr.rows);
      const freshStock = stockRows(st.rows);
      for (const k of skus) {
        setOrDelete(items, k, freshItems.get(k));
        setOrDelete(prices, k, freshPrices.get(k));
        setOrDelete(stock, k, freshStock.get(k));
      }
      const freshCustomers = new Map(cu.rows.map((r) => [r.erp_customer_id, customerOf(r)]));
      for (const k of customerIds) setOrDelete(customers, k, freshCustomers.get(k));
      if (keyIds.length > 0 || principalIds.length > 0) {
        const active = await activeKeys(c, { keyIds, principalIds });
        // A changed key, and every key of a changed principal, is held again only if still active.
        const changedPrincipals = new Set(principalIds);
        for (const k of keyIds) apiKeys.delete(k);
        for (const [k, held] of apiKeys) if (changedPrincipals.has(held.principal.id)) apiKeys.delete(k);
        for (const k of active) apiKeys.set(k.keyId, k);
      }
      if (failureKeys.length > 0) {
        const af = await c.query<FailureDbRow>(
          `SELECT ${FAILURE_COLUMNS} FROM auth_failures WHERE key = ANY ($1::text[])`,
          [failureKeys],
        );
        const counted = new Map(af.rows.map((r) => [r.key, failureOf(r)]));
        for (const k of failureKeys) setOrDelete(failures, k, counted.get(k));
      }
    });
  }

  /** One check: what changed since `snapshot`, reloaded; the snapshot moved on. */
  async function check(): Promise<void> {
    const started = Date.now();
    if (snapshot === null || started - checkedAt > maxGapMs) {
      await loadAll();
    } else {
      // Not visible in the snapshot: begun after it, or running when it was taken. Passed as values
      // (not derived in SQL) so the plan is an index range and a few lookups.
      const [, xmax, xip] = snapshot.split(':');
      const res = await db.query<{ snapshot: string; changes: Change[] | null }>(
        `SELECT pg_current_snapshot()::text AS snapshot,
                (SELECT json_agg(DISTINCT jsonb_build_object('kind', kind, 'store', store, 'key', key))
                   FROM quote_cache_changes WHERE xid >= $1::xid8 OR xid = ANY ($2::xid8[])
                ) AS changes`,
        [xmax, xip ? xip.split(',') : []],
      );
      const row = res.rows[0]!;
      const changes = row.changes ?? [];
      if (changes.length > fullReloadAbove) await loadAll();
      else {
        // Reloaded from a snapshot at least as new as the one read here: a change committed between
        // the two is reloaded now and again by the next check, never missed.
        if (changes.length > 0) await reload(changes);
        snapshot = row.snapshot;
      }
    }
    checkedAt = started;
    await prune(started);
  }

  /**
   * Changes every API process has checked past can go. A check at most `maxGapMs` after the one
   * before it sees every change committed in between (a longer gap reloads everything), so changes
   * of transactions finished before a snapshot taken more than 2 × `maxGapMs` ago are needed no more.
   */
  async function prune(now: number): Promise<void> {
    const last = pruneMarks.at(-1);
    if (!last || now - last.at > maxGapMs / 4) pruneMarks.push({ at: now, xmin: xminOf(snapshot!) });
    let due: { at: number; xmin: string } | undefined;
    while (pruneMarks.length > 1 && now - pruneMarks[0]!.at > 2 * maxGapMs) due = pruneMarks.shift();
    if (due) await db.query('DELETE FROM quote_cache_changes WHERE xid < $1::xid8', [due.xmin]);
  }

  // One check in flight; callers arriving meanwhile share the next one, which starts after it.
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  function fresh(): Promise<void> {
    if (!running) {
      running = check().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return fresh();
      });
    return queued;
  }

  /** The facts for a quote from the memory as it is (as of the last check). */
  function factsNow(store: string, storeSku: string, storeCustomerId: string | null): QuoteFacts {
    const erpSku = skuMap.get(store)?.get(storeSku) ?? null;
    const customerErpId =
      storeCustomerId === null ? null : (customerMap.get(store)?.get(storeCustomerId) ?? null);
    const customer = customerErpId === null ? null : (customers.get(customerErpId) ?? null);
    return {
      erpSku,
      item: erpSku === null ? null : (items.get(erpSku) ?? null),
      prices:
        erpSku === null
          ? []
          : (prices.get(erpSku) ?? []).filter(
              (p) => p.customerErpId === null || p.customerErpId === customerErpId,
            ),
      stock: erpSku === null ? [] : (stock.get(erpSku) ?? []),
      customer,
    };
  }

  return {
    /** The facts for a quote, as of a moment after this call. */
    async facts(store: string, storeSku: string, storeCustomerId: string | null): Promise<QuoteFacts> {
      await fresh();
      return factsNow(store, storeSku, storeCustomerId);
    },
    /**
     * The facts for a quote as of the last check, without waiting for another: for a request that
     * has already waited for a check that began after it arrived (`authenticate` with this cache).
     */
    factsAsChecked: factsNow,
    /** Brings the memory up to date with what was committed before this call. */
    fresh,
    /** The active key with this id, as of the last check. */
    activeKey(keyId: string): ActiveKey | undefined {
      return apiKeys.get(keyId);
    },
    /** A failed-authentication counter as of the last check; null when there is none or it expired. */
    failureCount(key: string): FailureCount | null {
      const f = failures.get(key);
      const now = Date.now();
      if (!f || (f.expire !== null && f.expire <= now)) return null;
      return { consumedPoints: f.points, msBeforeNext: f.expire === null ? -1 : f.expire - now };
    },
    /** Brings the memory up to date now (the first load of a large catalog takes seconds). */
    warm: fresh,
  };
}

export type QuoteCache = ReturnType<typeof quoteCache>;

/**
 * One copy of each of the few values that repeat on hundreds of thousands of rows (price levels,
 * locations, contract customers): each row read from Postgres brings its own copy otherwise.
 */
const interned = new Map<string, string>();
function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size < 100_000) interned.set(value, value);
  return value;
}

/** [store, key, value] rows → store → key → value. */
function byStore(rows: [string, string, string][]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [store, key, value] of rows) {
    const m = out.get(store) ?? new Map<string, string>();
    m.set(key, value);
    out.set(store, m);
  }
  return out;
}

function setOrDeleteIn(
  maps: Map<string, Map<string, string>>,
  store: string,
  key: string,
  value: string | undefined,
) {
  const m = maps.get(store) ?? new Map<string, string>();
  maps.set(store, m);
  setOrDelete(m, key, value);
}

function setOrDelete<V>(map: Map<string, V>, key: string, value: V | undefined) {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}

async function currentSnapshot(c: DbClient): Promise<string> {
  const res = await c.query<{ snapshot: string }>('SELECT pg_current_snapshot()::text AS snapshot');
  return res.rows[0]!.snapshot;
}

/** `xmin:xmax:xip…` → xmin. */
const xminOf = (snapshot: string) => snapshot.split(':')[0]!;

interface ItemDbRow {
  erp_sku: string;
  name: string;
  base_price: string;
  inactive: boolean;
  hazmat: boolean;
}
const ITEM_COLUMNS = 'erp_sku, name, base_price::text AS base_price, inactive, hazmat';
const itemOf = (r: ItemDbRow): Item => ({
  name: r.name,
  basePrice: r.base_price,
  inactive: r.inactive,
  hazmat: r.hazmat,
});

interface PriceDbRow {
  erp_sku: string;
  price_level: string;
  customer_erp_id: string;
  min_quantity: number;
  unit_price: string;
}
const PRICE_COLUMNS = 'erp_sku, price_level, customer_erp_id, min_quantity, unit_price::text AS unit_price';

interface StockDbRow {
  erp_sku: string;
  location: string;
  available: number;
}
const STOCK_COLUMNS = 'erp_sku, location, available';

interface CustomerDbRow {
  erp_customer_id: string;
  credit_limit: string | null;
  balance: string;
  price_level: string | null;
  terms: string | null;
  refreshed_at: string;
}
// refreshed_at as the JSON text Postgres gives it (as the one-query quote path returned it).
const CUSTOMER_COLUMNS = `erp_customer_id, credit_limit::text AS credit_limit, balance::text AS balance, price_level, terms,
  to_json(refreshed_at) #>> '{}' AS refreshed_at`;

interface FailureDbRow {
  key: string;
  points: number;
  expire: string | null;
}
const FAILURE_COLUMNS = 'key, points, expire';
const failureOf = (r: FailureDbRow) => ({
  points: r.points,
  expire: r.expire === null ? null : Number(r.expire),
});
