import { activityInfo, heartbeat } from '@temporalio/activity';
import type { AlertRepository } from '../db/alerts';
import type { MappingRepository } from '../db/mappings';
import { withTransaction, type Db, type DbClient } from '../db/pool';
import { rulesRepository } from '../db/rules';
import { stockVisibilityRepository } from '../db/stock-visibility';
import { stockKey, syncRepository, type SyncRepository } from '../db/sync';
import type { ErpCatalogFeed, ErpPort, ErpPurchasingFeed, InventoryLevel, Page } from '../domain/erp';
import {
  kitAvailable,
  ruleFor,
  sellableQuantity,
  visibilityChange,
  type InventoryRules,
} from '../domain/inventory';
import type { InventoryQuantity, StorefrontPort } from '../domain/storefront';
import { flowSnapshot } from '../db/flow-switches';
import type { FlowSnapshot } from '../domain/flow-switches';
import { flowGate, type FlowGate } from './flows';
import { DEFAULT_RULES } from '../domain/schemas/rules';
import { createBackorderPublisher, type BackorderPublisher } from './backorders';

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
  /** Products unpublished (below their threshold) and published again (replenished). */
  hidden?: number;
  shown?: number;
  /**
   * Of `pushed`, quantities set again because an order's reservation left the sellable quantity
   * without an ERP stock change (its ERP sales order recorded, or the reservation released or moved).
   */
  repushed?: number;
  /** Set when the page did nothing because of the run's flow switches (see activities/flows.ts). */
  flowGate?: Exclude<FlowGate, 'run'>;
}

/** The inventory rules (and the store's flow switches) a sync run started with. */
export interface InventoryRulesSnapshot {
  /** The version of the store's own rules when `store` is set, else of the shared rules. */
  version: number;
  rules: InventoryRules;
  /** The store whose own rules these are; absent: the shared rules. */
  store?: string;
  flows?: FlowSnapshot;
}

export interface LevelsPushResult {
  /** With `observed`: the quantities that differed from the sellable quantity, and were written. */
  drifted: {
    erpSku: string;
    erpLocation: string;
    storeSku: string;
    /** The store location, as mapped. */
    location: string;
    was: number | null;
    now: number;
  }[];
  /** The levels pushed: the ERP's, and each kit's from its members (for the inventory cache). */
  levels: InventoryLevel[];
  /** The quantity set in the store per (ERP SKU, location) key (stockKey). */
  pushedQuantity: Map<string, number>;
  /** With `observed`: the quantities the store already held right, per (ERP SKU, location) key; not written. */
  inStep: Map<string, number>;
  pushed: number;
  unmapped: number;
  stale: number;
  unknown: number;
  hidden: number;
  shown: number;
  /** Backorder metafields written (a new or moved expected date) and removed (back in stock). */
  backordered: { set: number; cleared: number };
}

/**
 * Sets the store quantities of ERP stock levels: the sellable quantity of domain/inventory.ts, mapped
 * to store SKUs and locations, compare-and-set against what was pushed last; then unpublishes or
 * publishes products whose sellable stock over all locations crossed their threshold. Used by the
 * inventory sync's pages and, for variants the catalog sync just created, with the ERP's current stock.
 */
export function createStockPusher({
  db,
  storefront,
  mappings,
  alerts,
  backorders,
}: Omit<SyncActivityDeps, 'erp'> & { backorders?: BackorderPublisher }) {
  const syncs = syncRepository(db);
  const stock = stockVisibilityRepository(db);

  /** Each item's sellable stock summed over the store's mapped locations, from the inventory cache. */
  async function sellableTotals(
    store: string,
    skus: string[],
    rulesSnapshot?: InventoryRulesSnapshot,
  ): Promise<Map<string, number>> {
    const rules = rulesSnapshot?.rules ?? DEFAULT_RULES.inventory;
    const [locationMap, reserved, facts, cached] = await Promise.all([
      mappings.storeLocations(store),
      stock.reservedNotInErp(skus),
      syncs.itemFacts(skus),
      stock.erpAvailable(skus),
    ]);
    const totals = new Map(skus.map((s) => [s, 0]));
    for (const c of cached) {
      if (!locationMap.has(c.location)) continue;
      const ref = { sku: c.sku, category: facts.get(c.sku)?.category ?? null };
      totals.set(
        c.sku,
        (totals.get(c.sku) ?? 0) +
          sellableQuantity({
            erpAvailable: c.available,
            safetyStock: ruleFor(rules.safetyStock, ref),
            reservedNotInErp: reserved.get(stockKey(c.sku, c.location)) ?? 0,
          }),
      );
    }
    return totals;
  }

  async function pushLevels(input: {
    store: string;
    /** The sync's name, for its alerts. */
    sync: string;
    levels: InventoryLevel[];
    workflowId: string;
    rules?: InventoryRulesSnapshot;
    /**
     * The store's quantities as just read, by stockKey(store SKU, store location): only the ones
     * that differ from the sellable quantity are written (the reconciliation's repair).
     */
    observed?: Map<string, number>;
  }): Promise<LevelsPushResult> {
    const rules = input.rules?.rules ?? DEFAULT_RULES.inventory;
    // Kits and item groups with a member among these levels follow their members' stock; the ERP's
    // own rows for a kit (if any) are replaced by that figure.
    const kits = await syncs.kits([...new Set(input.levels.map((l) => l.sku))]);
    const erpLevels = input.levels.filter((l) => !kits.has(l.sku));
    const members = [...new Set([...kits.values()].flatMap((m) => m.map((x) => x.sku)))];
    const skus = [...new Set([...erpLevels.map((l) => l.sku), ...kits.keys()])];
    const known = [...new Set([...skus, ...members])];
    const [skuMap, locationMap, pushedBefore, reserved, facts, cached] = await Promise.all([
      mappings.storeSkus(input.store, skus),
      mappings.storeLocations(input.store),
      syncs.pushedQuantities(input.store, skus),
      stock.reservedNotInErp(known),
      syncs.itemFacts(known),
      kits.size ? stock.erpAvailable(members) : Promise.resolve([]),
    ]);
    // Rules per item, else per its ERP category (from the item cache), else the default.
    const itemRef = (sku: string) => ({ sku, category: facts.get(sku)?.category ?? null });
    const sellable = (sku: string, location: string, erpAvailable: number) =>
      sellableQuantity({
        erpAvailable,
        safetyStock: ruleFor(rules.safetyStock, itemRef(sku)),
        reservedNotInErp: reserved.get(stockKey(sku, location)) ?? 0,
      });

    // Each kit at each mapped location: kitAvailable over its members' sellable quantities there.
    const memberStock = new Map<string, InventoryLevel>();
    for (const c of cached)
      memberStock.set(stockKey(c.sku, c.location), { ...c, onHand: c.available, lastModified: '' });
    for (const l of input.levels) memberStock.set(stockKey(l.sku, l.location), l);
    const kitLevels: InventoryLevel[] = [];
    const now = new Date().toISOString();
    for (const [kit, list] of kits)
      for (const location of locationMap.keys()) {
        const made = kitAvailable(
          list.map((m) => ({
            available: sellable(m.sku, location, memberStock.get(stockKey(m.sku, location))?.available ?? 0),
            perKit: m.quantity,
          })),
        );
        const newest = list
          .map((m) => memberStock.get(stockKey(m.sku, location))?.lastModified ?? '')
          .filter(Boolean)
          .sort()
          .at(-1);
        kitLevels.push({ sku: kit, location, onHand: made, available: made, lastModified: newest ?? now });
      }
    const levels = [...erpLevels, ...kitLevels];

    const toPush: { level: InventoryLevel; quantity: InventoryQuantity }[] = [];
    const unmapped: InventoryLevel[] = [];
    const drifted: LevelsPushResult['drifted'] = [];
    const inStep = new Map<string, number>();
    for (const level of levels) {
      const sku = skuMap.get(level.sku);
      const location = locationMap.get(level.location);
      if (!sku || !location) {
        unmapped.push(level);
        continue;
      }
      const quantity = sellable(level.sku, level.location, level.available);
      let compareQuantity = pushedBefore.get(stockKey(level.sku, level.location)) ?? null;
      if (input.observed) {
        // A check against what the store holds now: only what differs is written, compare-and-set
        // against the quantity just seen (a sale in between makes it stale, and it is written again).
        const seen = input.observed.get(stockKey(sku, location));
        if (seen === quantity) {
          inStep.set(stockKey(level.sku, level.location), quantity);
          continue;
        }
        compareQuantity = seen ?? null;
        drifted.push({
          erpSku: level.sku,
          erpLocation: level.location,
          storeSku: sku,
          location,
          was: seen ?? null,
          now: quantity,
        });
      }
      toPush.push({ level, quantity: { sku, location, quantity, compareQuantity } });
    }

    let stale = 0;
    const notInStore = new Set<string>();
    // Quantities the store refused (e.g. above its ceiling): not set, alerted, the rest goes on.
    const refusedBy = new Map<string, string>();
    const key = (q: InventoryQuantity) => stockKey(q.sku, q.location);
    if (toPush.length > 0) {
      const result = await storefront.setInventory(toPush.map((p) => p.quantity));
      for (const q of result.unknown ?? []) notInStore.add(key(q));
      for (const r of result.refused ?? []) refusedBy.set(key(r.quantity), r.reason);
      if (result.stale.length > 0) {
        // The store's quantity moved since our last push (a sale, a manual edit); the ERP is the
        // system of record, so set it again without the compare value.
        stale = result.stale.length;
        const again = await storefront.setInventory(
          result.stale.map((q) => ({ ...q, compareQuantity: null })),
        );
        for (const q of again.unknown ?? []) notInStore.add(key(q));
        for (const r of again.refused ?? []) refusedBy.set(key(r.quantity), r.reason);
      }
    }
    const unknownInStore = toPush.filter((p) => notInStore.has(key(p.quantity)));
    const refusedInStore = toPush.filter((p) => refusedBy.has(key(p.quantity)));
    const pushed =
      unknownInStore.length || refusedInStore.length
        ? toPush.filter((p) => !notInStore.has(key(p.quantity)) && !refusedBy.has(key(p.quantity)))
        : toPush;
    heartbeat({ pushed: pushed.length });

    // Threshold hide/show, before the cursor moves so a retry finishes it; the recorded state
    // keeps it from unpublishing twice. Stock over all locations: the cache, overlaid with the page.
    let hidden = 0;
    let shown = 0;
    let backordered = { set: 0, cleared: 0 };
    const pushedSkus = [...new Set(pushed.map((p) => p.level.sku))];
    if (pushedSkus.length > 0) {
      const latest = new Map<string, InventoryLevel>();
      for (const c of await stock.erpAvailable(pushedSkus))
        latest.set(stockKey(c.sku, c.location), { ...c, onHand: c.available, lastModified: '' });
      for (const l of levels) latest.set(stockKey(l.sku, l.location), l);
      const total = new Map<string, number>();
      for (const l of latest.values()) {
        if (!locationMap.has(l.location) || !pushedSkus.includes(l.sku)) continue;
        total.set(l.sku, (total.get(l.sku) ?? 0) + sellable(l.sku, l.location, l.available));
      }
      const hiddenNow = await stock.hidden(input.store, pushedSkus);
      for (const sku of pushedSkus) {
        const threshold = ruleFor(rules.hideBelow, itemRef(sku));
        const sellableTotal = total.get(sku) ?? 0;
        // Drop-ship and special-order items are ordered in when sold: never hidden for lack of stock.
        const change = visibilityChange({
          sellable: sellableTotal,
          threshold,
          hidden: hiddenNow.has(sku),
          neverHide: facts.get(sku)?.orderedOnDemand ?? false,
        });
        if (!change) continue;
        const storeSku = skuMap.get(sku)!;
        try {
          await storefront.setPublished(storeSku, change === 'show');
        } catch (err) {
          // A refusal (no such product, no permission) fails again on retry: alert and go on.
          if (!(err instanceof Error) || (err as { nonRetryable?: boolean }).nonRetryable !== true) throw err;
          await alerts.raise({
            severity: 'warning',
            kind: 'sync.visibility',
            subject: `Could not ${change === 'hide' ? 'unpublish' : 'publish'} ${storeSku} in the store`,
            message: `${sellableTotal} sellable against a threshold of ${threshold}, but the store refused: ${err.message}. Check that the product exists and the app may publish it.`,
            workflowId: input.workflowId,
            dedupeKey: `sync.visibility:${input.store}:${sku}`,
            details: { erpSku: sku, storeSku },
          });
          continue;
        }
        await stock.record({
          store: input.store,
          erpSku: sku,
          storeSku,
          action: change,
          sellable: sellableTotal,
          threshold,
          rulesVersion: input.rules?.version ?? null,
          reason:
            change === 'hide'
              ? `Sellable stock ${sellableTotal} fell below the threshold of ${threshold}`
              : threshold > 0
                ? `Sellable stock ${sellableTotal} is back at or above the threshold of ${threshold}`
                : 'No stock threshold applies any more',
          workflowId: input.workflowId,
        });
        if (change === 'hide') hidden += 1;
        else shown += 1;
      }
      // Backorder dates follow the same totals: an item with nothing to sell gets its expected date.
      if (backorders)
        backordered = await backorders.refresh({
          store: input.store,
          totals: new Map(pushedSkus.map((s) => [s, total.get(s) ?? 0])),
        });
    }

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
        details: {
          examples: unknownInStore
            .slice(0, 20)
            .map((p) => ({ erpSku: p.level.sku, sku: p.quantity.sku, location: p.quantity.location })),
        },
      });
    }
    if (refusedInStore.length > 0) {
      const first = refusedInStore[0]!;
      await alerts.raise({
        severity: 'warning',
        kind: 'sync.stockRefused',
        subject: `The store refused the stock of ${refusedInStore.length} item(s)`,
        message: `ERP item ${first.level.sku} at ${first.level.location}: ${first.quantity.quantity} to sell, but the store refused it: ${refusedBy.get(key(first.quantity))} Check the item's stock in the ERP; the rest of the stock was sent, and this item's next change is sent again.`,
        workflowId: input.workflowId,
        dedupeKey: `sync.stockRefused:${input.sync}`,
        details: {
          examples: refusedInStore.slice(0, 20).map((p) => ({
            erpSku: p.level.sku,
            location: p.level.location,
            quantity: p.quantity.quantity,
            reason: refusedBy.get(key(p.quantity)),
          })),
        },
      });
    }
    return {
      drifted: drifted.filter((d) => !notInStore.has(stockKey(d.storeSku, d.location))),
      levels,
      pushedQuantity: new Map(
        pushed.map((p) => [stockKey(p.level.sku, p.level.location), p.quantity.quantity]),
      ),
      inStep,
      pushed: pushed.length,
      unmapped: unmapped.length,
      stale,
      unknown: unknownInStore.length,
      hidden,
      shown,
      backordered,
    };
  }

  return {
    pushLevels,
    sellableTotals,

    /**
     * The ERP's current stock of these items into the store, with the inventory rules in force: for
     * variants the catalog sync just created, whose earlier stock changes had nothing to set.
     */
    async pushCurrentStock(input: {
      store: string;
      erpSkus: string[];
      workflowId: string;
      erp: Pick<ErpCatalogFeed, 'inventoryOf'>;
    }): Promise<LevelsPushResult> {
      // A kit has no stock of its own: its members' is read.
      const kits = await syncs.kits(input.erpSkus);
      const members = input.erpSkus.flatMap((s) => kits.get(s)?.map((m) => m.sku) ?? []);
      const levels = await input.erp.inventoryOf([...new Set([...input.erpSkus, ...members])]);
      const current = await rulesRepository(db).current(input.store);
      const r = await pushLevels({
        store: input.store,
        sync: `inventory:${input.store}`,
        levels,
        workflowId: input.workflowId,
        rules: { version: current.version, rules: current.rules.inventory, store: current.store },
      });
      await syncs.saveInventory(
        input.store,
        r.levels.map((level) => ({
          level,
          pushedQuantity: r.pushedQuantity.get(stockKey(level.sku, level.location)) ?? null,
        })),
      );
      return r;
    },
  };
}

/**
 * The backorder metafield publisher, where the ERP has purchasing (open purchase orders' expected
 * dates) and the store takes variant metafields; otherwise none. Every writer of store quantities
 * (the inventory sync, reconciliation's repair) hands it the totals it pushed.
 */
export function backorderPublisherOf({
  db,
  erp,
  storefront,
  mappings,
}: Pick<SyncActivityDeps, 'db' | 'erp' | 'storefront' | 'mappings'>): BackorderPublisher | undefined {
  const purchasing = 'purchaseOrdersChangedSince' in erp ? (erp as ErpPort & ErpPurchasingFeed) : null;
  return purchasing && storefront.setVariantMetafields
    ? createBackorderPublisher({
        db,
        erp: purchasing,
        storefront: { setVariantMetafields: storefront.setVariantMetafields.bind(storefront) },
        mappings,
      })
    : undefined;
}

/** Inventory sync activities: ERP change cursor → Quayside's cache → storefront quantities. */
export function createSyncActivities({ db, erp, storefront, mappings, alerts }: SyncActivityDeps) {
  const syncs = syncRepository(db);
  // Backorder dates need the ERP's purchasing and a store that takes variant metafields.
  const purchasing = 'purchaseOrdersChangedSince' in erp ? (erp as ErpPort & ErpPurchasingFeed) : null;
  const backorders = backorderPublisherOf({ db, erp, storefront, mappings });
  const pusher = createStockPusher({
    db,
    storefront,
    mappings,
    alerts,
    ...(backorders ? { backorders } : {}),
  });

  /**
   * One page of purchase orders changed since the store's purchasing cursor: the items on them have
   * their backorder dates brought in step (a new order, a moved date, a receipt, a closed line).
   */
  async function followPurchasing(
    store: string,
    pageSize: number,
    rules?: InventoryRulesSnapshot,
  ): Promise<{ hasMore: boolean; refreshed: number }> {
    if (!purchasing || !backorders) return { hasMore: false, refreshed: 0 };
    const name = `purchasing:${store}`;
    const page = await purchasing.purchaseOrdersChangedSince(await syncs.cursor(name), pageSize);
    if (page.items.length === 0) return { hasMore: false, refreshed: 0 };
    const skus = [...new Set(page.items.flatMap((p) => p.skus))];
    const r = await backorders.refresh({ store, totals: await pusher.sellableTotals(store, skus, rules) });
    await syncs.saveCursor(name, page.nextCursor);
    return { hasMore: page.hasMore, refreshed: r.set + r.cleared };
  }

  const stock = stockVisibilityRepository(db);

  /**
   * The items marked for their quantity to be set again although the ERP's stock did not change: an
   * open reservation left what the sellable quantity subtracts (its order's ERP sales order was
   * recorded, or it was released or moved; see migration 0033). A page read between the ERP's sales
   * order and the order recording its ERP id subtracted the order twice; this sets it once, from the
   * ERP's current stock (the cache may not have the sales order yet), and caches that stock with what
   * the store now holds. Up to a page of items a round; `more` when others wait.
   */
  async function repushMarked(input: {
    store: string;
    sync: string;
    pageSize: number;
    workflowId: string;
    rules?: InventoryRulesSnapshot;
  }): Promise<{ r: LevelsPushResult | null; more: boolean }> {
    const marks = await stock.repushMarks(input.store, input.pageSize);
    if (marks.length === 0) return { r: null, more: false };
    const skus = marks.map((m) => m.sku);
    // A kit has no stock of its own: its members' is read, and a member's kits follow it.
    const kits = await syncs.kits(skus);
    const members = [...kits.entries()].flatMap(([kit, list]) =>
      skus.includes(kit) ? list.map((m) => m.sku) : [],
    );
    const wanted = [...new Set([...skus, ...members])];
    // The ERP's current stock where it can be read by item; else the cached stock (which a page then
    // brings up to date, the ERP's sales order being a change of its stock).
    const live = 'inventoryOf' in erp ? (erp as ErpPort & Pick<ErpCatalogFeed, 'inventoryOf'>) : null;
    const levels: InventoryLevel[] = live
      ? await live.inventoryOf(wanted)
      : (await stock.erpAvailable(wanted)).map((c) => ({ ...c, onHand: c.available, lastModified: '' }));
    const r = await pusher.pushLevels({
      store: input.store,
      sync: input.sync,
      levels,
      workflowId: input.workflowId,
      ...(input.rules ? { rules: input.rules } : {}),
    });
    await withTransaction(db, async (client) => {
      if (live)
        await syncs.saveInventory(
          input.store,
          r.levels.map((level) => ({
            level,
            pushedQuantity: r.pushedQuantity.get(stockKey(level.sku, level.location)) ?? null,
          })),
          client,
        );
      await stock.clearRepush(input.store, marks, client);
    });
    return { r, more: marks.length >= input.pageSize };
  }

  /**
   * Pushes one page of ERP stock changes (only what differs from `observed`, when given), then caches
   * the levels with the quantity the store now holds, advances the cursor and records the run, in one
   * transaction.
   */
  async function applyPage(
    input: { store: string; sync: string; workflowId: string; rules?: InventoryRulesSnapshot },
    page: Page<InventoryLevel>,
    observed?: Map<string, number>,
  ): Promise<{ r: LevelsPushResult; lagMs: number | null }> {
    const r = await pusher.pushLevels({
      store: input.store,
      sync: input.sync,
      levels: page.items,
      workflowId: input.workflowId,
      ...(input.rules ? { rules: input.rules } : {}),
      ...(observed ? { observed } : {}),
    });
    const newest = Math.max(...page.items.map((l) => Date.parse(l.lastModified)));
    const lagMs = Number.isFinite(newest) ? Math.max(0, Date.now() - newest) : null;
    await withTransaction(db, async (client) => {
      await syncs.saveInventory(
        input.store,
        r.levels.map((level) => {
          const key = stockKey(level.sku, level.location);
          return { level, pushedQuantity: r.pushedQuantity.get(key) ?? r.inStep.get(key) ?? null };
        }),
        client,
      );
      await syncs.saveCursor(input.sync, page.nextCursor, client);
      await syncs.recordRun(
        {
          sync: input.sync,
          workflowId: input.workflowId,
          changed: page.items.length,
          pushed: r.pushed,
          unmapped: r.unmapped,
          stale: r.stale,
          lagMs,
        },
        client,
      );
    });
    return { r, lagMs };
  }

  return {
    /** The inventory rules and the store's flow switches in force now; a sync run snapshots them when it starts. */
    async loadInventoryRules(input?: { store: string }): Promise<InventoryRulesSnapshot> {
      const current = await rulesRepository(db).current(input?.store);
      return {
        version: current.version,
        rules: current.rules.inventory,
        ...(current.store ? { store: current.store } : {}),
        ...(input ? { flows: await flowSnapshot(db, input.store) } : {}),
      };
    },

    async resetSyncCursor(input: { sync: string }): Promise<void> {
      await syncs.saveCursor(input.sync, null);
    },

    /**
     * Pulls one page of stock changes after the stored cursor, pushes the mapped ones to the
     * storefront (compare-and-set against what was pushed last), then advances the cursor. A retry
     * re-reads the same page and sets the same absolute quantities, so it is safe. The quantity set
     * is the store's *available* one: the sellable quantity of domain/inventory.ts. Products whose
     * sellable stock over all locations crosses their threshold are then unpublished or published.
     */
    async syncInventoryPage(input: {
      store: string;
      sync: string;
      pageSize: number;
      workflowId: string;
      /** The run's snapshot; absent in runs started before inventory rules existed (defaults apply). */
      rules?: InventoryRulesSnapshot;
    }): Promise<InventoryPageResult> {
      const gate = await flowGate(db, input.store, input.rules?.flows, 'inventory', 'erpToStore');
      if (gate !== 'run')
        return { changed: 0, pushed: 0, unmapped: 0, stale: 0, hasMore: false, lagMs: null, flowGate: gate };
      const page = await erp.inventoryChangedSince(await syncs.cursor(input.sync), input.pageSize);
      heartbeat({ fetched: page.items.length });
      const applied = page.items.length > 0 ? await applyPage(input, page) : null;
      // Items whose reservations left the sellable quantity since (or while) their stock was pushed.
      const again = await repushMarked(input);
      // Purchase orders changed meanwhile, against the stock just cached.
      const po = await followPurchasing(input.store, input.pageSize, input.rules);
      const results = [applied?.r, again.r].filter((x): x is LevelsPushResult => !!x);
      const sum = (f: (x: LevelsPushResult) => number) => results.reduce((n, x) => n + f(x), 0);
      return {
        changed: page.items.length,
        pushed: sum((x) => x.pushed),
        unmapped: sum((x) => x.unmapped),
        stale: sum((x) => x.stale),
        ...(results.length ? { unknown: sum((x) => x.unknown) } : {}),
        hasMore: page.hasMore || again.more || po.hasMore,
        lagMs: applied?.lagMs ?? null,
        ...(results.length ? { hidden: sum((x) => x.hidden), shown: sum((x) => x.shown) } : {}),
        ...(again.r ? { repushed: again.r.pushed } : {}),
      };
    },

    /**
     * The full resync near the rate limit and beyond it: the store's current quantities are read in one
     * go outside its rate limit (a Shopify bulk operation query), then every ERP stock level is
     * compared with them page by page from the sync's cursor (reset by the workflow first), and only
     * the quantities that differ are written, compare-and-set against what was read. The levels are
     * cached and the cursor advances per page, as the incremental sync's pages do, so a retry goes on
     * from the page it reached (its totals carried in the heartbeat). `bulkRead: false` when the
     * storefront has no such read, or the store's flow switches stop the sync: the workflow then pages
     * through every quantity as before.
     */
    async fullInventoryResync(input: {
      store: string;
      sync: string;
      pageSize: number;
      workflowId: string;
      rules?: InventoryRulesSnapshot;
    }): Promise<FullResyncResult> {
      const none: FullResyncResult = {
        bulkRead: false,
        storeLevels: 0,
        pages: 0,
        compared: 0,
        written: 0,
        inStep: 0,
        unmapped: 0,
        stale: 0,
        unknown: 0,
        hidden: 0,
        shown: 0,
        lagMs: null,
      };
      if (!storefront.allLevels) return none;
      const gate = await flowGate(db, input.store, input.rules?.flows, 'inventory', 'erpToStore');
      if (gate !== 'run') return none;
      const totals: FullResyncResult = {
        ...none,
        ...((activityInfo().heartbeatDetails as { totals?: FullResyncResult } | undefined)?.totals ?? {}),
        bulkRead: true,
      };
      const read = await storefront.allLevels({
        onProgress: (objects) => heartbeat({ reading: objects, totals }),
      });
      totals.storeLevels = read.length;
      // The store's quantities by (store SKU, mapped store location): locations are mapped by id or name.
      const mapped = new Set((await mappings.storeLocations(input.store)).values());
      const observed = new Map<string, number>();
      for (const l of read) {
        const location = mapped.has(l.locationId)
          ? l.locationId
          : mapped.has(l.locationName)
            ? l.locationName
            : null;
        if (location) observed.set(stockKey(l.sku, location), l.available);
      }
      heartbeat({ totals });
      for (;;) {
        const page = await erp.inventoryChangedSince(await syncs.cursor(input.sync), input.pageSize);
        if (page.items.length === 0) break;
        const { r, lagMs } = await applyPage(input, page, observed);
        totals.pages += 1;
        totals.compared += page.items.length;
        totals.written += r.pushed;
        totals.inStep += r.inStep.size;
        totals.unmapped += r.unmapped;
        totals.stale += r.stale;
        totals.unknown += r.unknown;
        totals.hidden += r.hidden;
        totals.shown += r.shown;
        if (lagMs !== null) totals.lagMs = lagMs;
        heartbeat({ totals });
        if (!page.hasMore) break;
      }
      return totals;
    },

    /** One page of the item master into the catalog cache; the cursor advances in the same transaction. */
    async syncCatalogPage(input: { sync: string; pageSize: number }): Promise<SyncPageResult> {
      return cursorPage(
        db,
        syncs,
        input.sync,
        (cursor) => erp.listItems(cursor, input.pageSize),
        (client, items) => syncs.saveItems(items, client),
      );
    },

    /** One page of price levels, quantity breaks and contract prices into the price cache. */
    async syncPricesPage(input: { sync: string; pageSize: number }): Promise<SyncPageResult> {
      return cursorPage(
        db,
        syncs,
        input.sync,
        (cursor) => erp.listPrices(cursor, input.pageSize),
        (client, prices) => syncs.savePrices(prices, client),
      );
    },

    /** Refreshes credit limit, balance, terms and price level of mapped customers, a batch at a time. */
    async refreshCustomerCache(input: {
      store: string;
      afterStoreCustomerId: string | null;
      batchSize: number;
    }): Promise<{ refreshed: number; missing: number; last: string | null }> {
      const batch = await syncs.mappedCustomers(input.store, input.afterStoreCustomerId, input.batchSize);
      let refreshed = 0;
      let missing = 0;
      for (const row of batch) {
        const customer = await erp.getCustomer(row.erpCustomerId);
        heartbeat({ at: row.storeCustomerId });
        if (!customer) {
          missing += 1;
          continue;
        }
        await syncs.saveCustomer(customer);
        refreshed += 1;
      }
      return { refreshed, missing, last: batch.at(-1)?.storeCustomerId ?? null };
    },

    /**
     * Reconciliation: the storefront's orders changed since `since` (and older than the grace period,
     * so webhooks still in flight are not suspected) that Quayside has no trace of — no order process
     * and no delivery handed to one. Each raises a critical alert once; nothing is started blindly.
     */
    async findMissedOrders(input: {
      store: string;
      since: string;
      graceSeconds: number;
      first: number;
      workflowId: string;
    }): Promise<MissedOrdersResult> {
      const recent = await storefront.ordersUpdatedSince(input.since, input.first);
      const cutoff = Date.now() - input.graceSeconds * 1000;
      const settled = recent.filter((o) => Date.parse(o.updatedAt) <= cutoff);
      if (settled.length === 0) return { checked: 0, missed: [], cursor: input.since, more: false };
      const seen = await syncs.knownOrderIds(
        input.store,
        settled.map((o) => o.orderId),
      );
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
  };
}

export interface MissedOrdersResult {
  checked: number;
  missed: string[];
  /** The newest change checked: the next round asks for what changed after it. */
  cursor: string;
  more: boolean;
}

/** What a full resync found and did (see fullInventoryResync). */
export interface FullResyncResult {
  /** False when the store's quantities could not be read in one go: the resync pages through all of them instead. */
  bulkRead: boolean;
  /** Quantities the store holds (SKU × location), as read. */
  storeLevels: number;
  pages: number;
  /** ERP stock levels compared. */
  compared: number;
  /** Quantities written because the store's differed from the sellable quantity. */
  written: number;
  /** Quantities the store already held right: not written. */
  inStep: number;
  unmapped: number;
  stale: number;
  unknown: number;
  hidden: number;
  shown: number;
  lagMs: number | null;
}

export interface SyncPageResult {
  changed: number;
  hasMore: boolean;
}

/** Reads the stored cursor, fetches one page, writes it and advances the cursor in one transaction. */
async function cursorPage<T>(
  db: Db,
  syncs: SyncRepository,
  sync: string,
  fetch: (cursor: string | null) => Promise<Page<T>>,
  write: (client: DbClient, items: T[]) => Promise<void>,
): Promise<SyncPageResult> {
  const page = await fetch(await syncs.cursor(sync));
  heartbeat({ fetched: page.items.length });
  if (page.items.length === 0) return { changed: 0, hasMore: false };
  await withTransaction(db, async (client) => {
    await write(client, page.items);
    await syncs.saveCursor(sync, page.nextCursor, client);
  });
  return { changed: page.items.length, hasMore: page.hasMore };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
