import { heartbeat } from '@temporalio/activity';
import { refusalsOf } from '../connectors/shopify/errors';
import type { AlertRepository } from '../db/alerts';
import type { MappingRepository } from '../db/mappings';
import type { Db } from '../db/pool';
import { storePricingRepository, type StorePricingRepository } from '../db/store-pricing';
import { syncRepository } from '../db/sync';
import { storeRefusalWords } from '../domain/failures';
import type { FlowSnapshot } from '../domain/flow-switches';
import { flowGate, type FlowGate } from './flows';
import { availableCredit } from '../domain/credit-exposure';
import type { ErpChangeFeed, ErpPort } from '../domain/erp';
import { PRICE_BOOK_CURRENCY } from '../domain/pricing';
import {
  chooseLevelAdjustment,
  customerListKey,
  levelListKey,
  planCustomerList,
  planLevelList,
  samePlannedPrice,
  type PlannedList,
  type PlannedPrice,
  undercutLevelEntries,
  type StorePricingPort,
} from '../domain/store-pricing';

export interface StorePricingDeps {
  db: Db;
  erp: ErpPort & ErpChangeFeed;
  /** The ERP at order priority, for the balance read behind an order's headroom (default: `erp`). */
  erpOrders?: ErpPort;
  pricing: StorePricingPort;
  mappings: MappingRepository;
  alerts: AlertRepository;
  currency?: string;
}

export interface PricingPushResult {
  written: number;
  removed: number;
  unknownSkus: number;
}

export interface PricingPageResult extends PricingPushResult {
  prices: number;
  customers: number;
  headrooms: number;
  hasMore: boolean;
  /** Milliseconds from the newest ERP change in the page to its prices being in the store. */
  lagMs: number | null;
  /** Set when the page did nothing because of the run's flow switches (see activities/flows.ts). */
  flowGate?: Exclude<FlowGate, 'run'>;
}

/** Customers of one batch synced at once (each its own catalog; the store client paces them together). */
const CUSTOMER_CONCURRENCY = 4;

const pricesCursor = (store: string) => `store-prices:${store}`;
const customersCursor = (store: string) => `store-customers:${store}`;
const cleanPct = (pct: string) => (pct.includes('.') ? pct.replace(/\.?0+$/, '') : pct) || '0';

/**
 * ERP pricing into the store's B2B catalogs (domain/store-pricing.ts plans them), from Quayside's
 * caches: a full push per level and per contract customer, and incremental pushes by the ERP's change
 * cursor. Every write is an upsert of absolute prices, so a retried activity writes the same again.
 */
export function createStorePricingActivities(deps: StorePricingDeps) {
  const { db, erp, pricing, mappings, alerts } = deps;
  const currency = deps.currency ?? PRICE_BOOK_CURRENCY;
  const repo: StorePricingRepository = storePricingRepository(db);
  const syncs = syncRepository(db);

  /** ERP SKU entries → storefront SKU entries (unmapped ones left out and counted). */
  async function toStore(store: string, entries: PlannedPrice[], remove: string[]) {
    const map = await mappings.storeSkus(store, [...entries.map((e) => e.sku), ...remove]);
    return {
      set: entries.flatMap((e) => (map.has(e.sku) ? [{ ...e, sku: map.get(e.sku)! }] : [])),
      remove: remove.flatMap((s) => (map.has(s) ? [map.get(s)!] : [])),
      unmapped: [...entries.map((e) => e.sku), ...remove].filter((s) => !map.has(s)),
    };
  }

  /**
   * Runs the writes of one list (a level's, or a customer's catalogs). The store refusing them
   * (Shopify userErrors) is that list's `sync.pricesRefused` alert, in the store's words, and the
   * sync goes on with the other lists; the list's next change (or a full resync) writes it again, and
   * its alert resolves once the store takes it.
   */
  async function unlessRefused<T>(store: string, list: string, zero: T, write: () => Promise<T>): Promise<T> {
    const dedupeKey = `sync.pricesRefused:${store}:${list}`;
    try {
      const out = await write();
      await alerts.resolve(dedupeKey);
      return out;
    } catch (err) {
      const refused = refusalsOf(err);
      if (!refused) throw err;
      await alerts.raise({
        severity: 'warning',
        kind: 'sync.pricesRefused',
        subject: `The store refused the prices of ${list}`,
        message: `The prices of ${list} were not written to the store, which refused: ${storeRefusalWords(refused, (err as Error).message)}. Check its catalog and price list in the store; the next price change or a full pricing resync writes them again.`,
        dedupeKey,
        details: { list, fields: refused.map((r) => r.field) },
      });
      return zero;
    }
  }
  const noPush = (): PricingPushResult => ({ written: 0, removed: 0, unknownSkus: 0 });

  /** Writes what differs from what was pushed before (all of it when `full`), then records it. */
  async function pushEntries(input: {
    store: string;
    listKey: string;
    priceListId: string;
    planned: PlannedPrice[];
    /** SKUs this push decides; entries pushed before for other SKUs are left alone. */
    scope: string[] | 'all';
    full?: boolean;
  }): Promise<PricingPushResult> {
    const before = await repo.entries(input.store, input.listKey, input.scope);
    const planned = new Map(input.planned.map((p) => [p.sku, p]));
    const set = input.planned.filter((p) => input.full || !samePlannedPrice(before.get(p.sku), p));
    const remove = [...before.keys()].filter((sku) => !planned.has(sku));
    if (set.length === 0 && remove.length === 0) return { written: 0, removed: 0, unknownSkus: 0 };
    const mapped = await toStore(input.store, set, remove);
    const result = await pricing.writePrices({
      priceListId: input.priceListId,
      currency,
      set: mapped.set,
      remove: mapped.remove,
    });
    heartbeat({ list: input.listKey, written: result.written });
    await repo.saveEntries(input.store, input.listKey, set, remove);
    const unknown = mapped.unmapped.length + result.unknownSkus.length;
    if (unknown > 0)
      await alerts.raise({
        severity: 'warning',
        kind: 'sync.pricesUnmapped',
        subject: `Prices for ${unknown} ERP item(s) have no product in the store`,
        message: `Map them to storefront SKUs or create the products, e.g. ERP item ${mapped.unmapped[0] ?? result.unknownSkus[0]}.`,
        dedupeKey: `sync.pricesUnmapped:${input.store}`,
        details: { examples: [...mapped.unmapped, ...result.unknownSkus].slice(0, 20) },
      });
    return { written: result.written, removed: result.removed, unknownSkus: unknown };
  }

  async function levelList(
    store: string,
    level: string,
  ): Promise<{ list: PlannedList; base: Map<string, string> }> {
    const [items, rows] = await Promise.all([repo.items(), repo.levelRows(level)]);
    const discountPct = (await repo.levelDiscount(level)) ?? '0';
    const list = chooseLevelAdjustment({ level, items, rows, currency, discountPct });
    void store;
    return { list, base: new Map(items.map((i) => [i.sku, i.basePrice])) };
  }

  /** The level's list as pushed (its adjustment and entries), for contract customers planned beside it. */
  async function pushedLevel(store: string, level: string | null): Promise<PlannedList | null> {
    if (!level) return null;
    const ref = await repo.list(store, levelListKey(level));
    if (!ref) return null;
    return {
      adjustmentPercent: ref.adjustmentPercent,
      prices: [...(await repo.entries(store, levelListKey(level), 'all')).values()],
    };
  }

  /** One customer's own catalog (when it has contract prices) and its catalog assignments. */
  async function syncCustomer(
    store: string,
    customer: { erpCustomerId: string; priceLevel: string | null },
    location: string,
    full: boolean,
  ): Promise<PricingPushResult> {
    const key = customerListKey(customer.erpCustomerId);
    const level = await pushedLevel(store, customer.priceLevel);
    const { items, rows } = await repo.customerRows(customer.erpCustomerId, customer.priceLevel);
    const base = level?.prices.length ? await repo.basePrices(level.prices.map((p) => p.sku)) : new Map();
    const hasContracts = rows.some((r) => r.customerErpId === customer.erpCustomerId);
    const out: PricingPushResult = { written: 0, removed: 0, unknownSkus: 0 };
    let standalone = false;
    const existing = await repo.list(store, key);
    if (hasContracts || existing) {
      const plan = planCustomerList({
        customerErpId: customer.erpCustomerId,
        priceLevel: customer.priceLevel,
        items,
        rows,
        level,
        basePrices: base,
        currency,
      });
      standalone = plan.standalone;
      const ref = await pricing.ensureCatalog({
        title: `Quayside customer ${customer.erpCustomerId}`,
        currency,
        adjustmentPercent: plan.adjustmentPercent,
        companyLocationIds: [location],
      });
      await repo.saveList(store, key, ref, plan.adjustmentPercent, plan.standalone, customer.priceLevel);
      Object.assign(
        out,
        await pushEntries({
          store,
          listKey: key,
          priceListId: ref.priceListId,
          planned: plan.prices,
          scope: 'all',
          full,
        }),
      );
      await assign(store, key, ref.catalogId, customer.erpCustomerId, location);
    }
    // The location's level catalog: its ERP price level's, unless its own list is standalone.
    const levelKey = customer.priceLevel && !standalone ? levelListKey(customer.priceLevel) : null;
    for (const held of await repo.levelAssignments(store, customer.erpCustomerId))
      if (held.listKey !== levelKey) {
        await pricing.assignCatalog({ catalogId: held.catalogId, add: [], remove: [held.companyLocationId] });
        await repo.unassign(store, held.listKey, customer.erpCustomerId);
      }
    if (levelKey) {
      const ref = await repo.list(store, levelKey);
      if (ref) await assign(store, levelKey, ref.catalogId, customer.erpCustomerId, location);
    }
    return out;
  }

  async function assign(
    store: string,
    key: string,
    catalogId: string,
    erpCustomerId: string,
    location: string,
  ) {
    if (await repo.isAssigned(store, key, erpCustomerId, location)) return;
    await pricing.assignCatalog({ catalogId, add: [location], remove: [] });
    await repo.assign(store, key, erpCustomerId, location);
  }

  /** Company locations for ERP customers, with an alert for those the store has no company for. */
  async function locationsFor(store: string, erpIds: string[]): Promise<Map<string, string>> {
    const found = await pricing.companyLocations(erpIds);
    const missing = erpIds.filter((id) => !found.has(id));
    if (missing.length)
      await alerts.raise({
        severity: 'warning',
        kind: 'sync.customerNotInStore',
        subject: `${missing.length} ERP customer(s) have no company in the store`,
        message: `Their prices and credit cannot reach the store until the company exists with the ERP id as its external id, e.g. customer ${missing[0]}.`,
        dedupeKey: `sync.customerNotInStore:${store}`,
        details: { examples: missing.slice(0, 20) },
      });
    return found;
  }

  /**
   * Publishes what changed since the last publication. Two orders of one customer may publish at
   * once, and the one that read the older figures may write last; so each publisher reads the
   * figures again after its write and writes again until they agree with what it wrote.
   */
  async function publishHeadrooms(store: string, erpIds: string[]): Promise<number> {
    if (erpIds.length === 0) return 0;
    const wrote = new Map<string, string | null>();
    let pending = [...new Set(erpIds)];
    let locations: Map<string, string> | undefined;
    for (let round = 0; round < 3 && pending.length > 0; round++) {
      const positions = await repo.creditPositions(store, pending, currency);
      locations ??= await locationsFor(store, [...positions.keys()]);
      const next: string[] = [];
      for (const [erpId, position] of positions) {
        const location = locations.get(erpId);
        if (!location) continue;
        const credit = availableCredit(position);
        const value = credit ? credit.toString() : null;
        // Unchanged: what this publisher wrote (a later round), else what was last published (read
        // with the position).
        const { published } = position;
        if (
          wrote.has(erpId)
            ? wrote.get(erpId) === value
            : published !== null && published.location === location && published.headroom === value
        )
          continue;
        // The store refusing one customer's figure (Shopify userErrors) is that customer's alert; the
        // others are published, and this one is tried again with its next change.
        const refusedKey = `sync.headroomRefused:${store}:${erpId}`;
        try {
          await pricing.setCreditHeadroom(location, credit ? { amount: value!, currency } : null);
        } catch (err) {
          const refused = refusalsOf(err);
          if (!refused) throw err;
          await alerts.raise({
            severity: 'warning',
            kind: 'sync.headroomRefused',
            subject: `The store refused the credit headroom of ERP customer ${erpId}`,
            message: `The credit headroom of ERP customer ${erpId} (${value === null ? 'none' : `${value} ${currency}`}) was not published to the store, which refused: ${storeRefusalWords(refused, (err as Error).message)}. Until it is, checkout holds the customer to the figure published before. Correct it in the store (or the ERP); the customer's next order, payment or credit change publishes it again.`,
            dedupeKey: refusedKey,
            details: { customer: erpId, companyLocation: location, fields: refused.map((r) => r.field) },
          });
          continue;
        }
        await alerts.resolve(refusedKey);
        await repo.saveHeadroom(store, erpId, location, value, currency);
        wrote.set(erpId, value);
        next.push(erpId);
      }
      pending = next;
    }
    return wrote.size;
  }

  return {
    /** The ERP's price levels (cached), for the full resync to push one by one. */
    async listPriceLevels(): Promise<string[]> {
      const levels = await erp.priceLevels();
      await repo.saveLevels(levels.map((l) => ({ name: l.name, discountPct: cleanPct(l.discountPct) })));
      return levels.map((l) => l.name);
    },

    /** Starts the change cursors at this instant (before a full resync reads, so nothing is missed). */
    async startPricingCursors(input: { store: string; onlyIfUnset: boolean }): Promise<void> {
      const at = erp.cursorAt(new Date());
      for (const name of [pricesCursor(input.store), customersCursor(input.store)])
        if (!input.onlyIfUnset || (await syncs.cursor(name)) === null) await syncs.saveCursor(name, at);
    },

    /** A level's whole catalog: adjustment, fixed prices and breaks, and its customers' locations. */
    async pushLevelList(input: {
      store: string;
      level: string;
    }): Promise<PricingPushResult & { customers: number }> {
      const key = levelListKey(input.level);
      const { list } = await levelList(input.store, input.level);
      const customers = await repo.customersOnLevel(input.store, input.level);
      const locations = await locationsFor(
        input.store,
        customers.filter((c) => !c.standalone).map((c) => c.erpCustomerId),
      );
      if (locations.size === 0 && !(await repo.list(input.store, key)))
        return { written: 0, removed: 0, unknownSkus: 0, customers: 0 };
      return unlessRefused(
        input.store,
        `price level ${input.level}`,
        { ...noPush(), customers: 0 },
        async () => {
          const ref = await pricing.ensureCatalog({
            title: `Quayside level ${input.level}`,
            currency,
            adjustmentPercent: list.adjustmentPercent,
            companyLocationIds: [...locations.values()],
          });
          await repo.saveList(input.store, key, ref, list.adjustmentPercent, false, input.level);
          const result = await pushEntries({
            store: input.store,
            listKey: key,
            priceListId: ref.priceListId,
            planned: list.prices,
            scope: 'all',
            full: true,
          });
          const toAdd: string[] = [];
          for (const [erpId, location] of locations)
            if (!(await repo.isAssigned(input.store, key, erpId, location))) toAdd.push(location);
          if (toAdd.length) await pricing.assignCatalog({ catalogId: ref.catalogId, add: toAdd, remove: [] });
          await repo.assignMany(
            input.store,
            key,
            [...locations].map(([erpId, location]) => ({ erpId, location })),
          );
          return { ...result, customers: locations.size };
        },
      );
    },

    /** A batch of customers (in ERP id order after `after`): own catalogs, assignments, credit headroom. */
    async pushCustomerBatch(input: {
      store: string;
      after: string | null;
      batchSize: number;
    }): Promise<PricingPushResult & { customers: number; last: string | null; total: number }> {
      const batch = await repo.customersAfter(input.after, input.batchSize);
      const out = { written: 0, removed: 0, unknownSkus: 0 };
      const locations = await locationsFor(
        input.store,
        batch.map((c) => c.erpCustomerId),
      );
      // Customers' catalogs are independent of each other: a few at once, the store client pacing
      // them all within the one cost bucket.
      const queue = batch.filter((c) => locations.has(c.erpCustomerId));
      const lane = async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const r = await unlessRefused(input.store, `customer ${c.erpCustomerId}`, noPush(), () =>
            syncCustomer(input.store, c, locations.get(c.erpCustomerId)!, true),
          );
          out.written += r.written;
          out.removed += r.removed;
          out.unknownSkus += r.unknownSkus;
          heartbeat({ customer: c.erpCustomerId });
        }
      };
      await Promise.all(Array.from({ length: CUSTOMER_CONCURRENCY }, lane));
      await publishHeadrooms(
        input.store,
        batch.map((c) => c.erpCustomerId),
      );
      return {
        ...out,
        customers: batch.length,
        last: batch.at(-1)?.erpCustomerId ?? null,
        total: await repo.customerCount(),
      };
    },

    /**
     * One round of the incremental sync: ERP price and customer changes after the cursors go into
     * Quayside's caches, and what they change in the store is pushed; then the cursors advance.
     */
    async syncPricingChanges(input: {
      store: string;
      pageSize: number;
      /** The run's flow switches: with prices off (ERP → store), nothing is read and no cursor moves. */
      flows?: FlowSnapshot;
    }): Promise<PricingPageResult> {
      const gate = await flowGate(db, input.store, input.flows, 'prices', 'erpToStore');
      if (gate !== 'run')
        return {
          written: 0,
          removed: 0,
          unknownSkus: 0,
          prices: 0,
          customers: 0,
          headrooms: 0,
          hasMore: false,
          lagMs: null,
          flowGate: gate,
        };
      const [prices, customers] = await Promise.all([
        erp.pricesChangedSince(await syncs.cursor(pricesCursor(input.store)), input.pageSize),
        erp.customersChangedSince(await syncs.cursor(customersCursor(input.store)), input.pageSize),
      ]);
      heartbeat({ prices: prices.items.length, customers: customers.items.length });
      const out: PricingPageResult = {
        written: 0,
        removed: 0,
        unknownSkus: 0,
        prices: prices.items.length,
        customers: customers.items.length,
        headrooms: 0,
        hasMore: prices.hasMore || customers.hasMore,
        lagMs: null,
      };
      if (prices.items.length === 0 && customers.items.length === 0) return out;
      await syncs.savePrices(prices.items);
      for (const c of customers.items) await syncs.saveCustomer(c);

      // Level rows: re-plan the changed SKUs on each pushed level list.
      const byLevel = new Map<string, Set<string>>();
      const touched = new Set<string>();
      for (const p of prices.items) {
        if (!p.sku) continue;
        if (p.customerErpId) touched.add(p.customerErpId);
        else if (p.priceLevel) byLevel.set(p.priceLevel, (byLevel.get(p.priceLevel) ?? new Set()).add(p.sku));
      }
      for (const [level, skus] of byLevel) {
        const ref = await repo.list(input.store, levelListKey(level));
        if (!ref) continue;
        const scope = [...skus];
        const [items, rows] = await Promise.all([repo.itemsFor(scope), repo.levelRows(level, scope)]);
        const plan = planLevelList({
          level,
          items,
          rows,
          adjustmentPercent: ref.adjustmentPercent,
          currency,
        });
        const r = await unlessRefused(input.store, `price level ${level}`, noPush(), () =>
          pushEntries({
            store: input.store,
            listKey: levelListKey(level),
            priceListId: ref.priceListId,
            planned: plan.prices,
            scope,
          }),
        );
        out.written += r.written;
        out.removed += r.removed;
        // Contract customers on this level whose lists sit beside it, or copy it, are re-planned: those
        // with contracts on these SKUs, standalone lists, or level entries of them carried (or now to
        // be carried, being above the adjusted base their own list's adjustment would show).
        const undercut = undercutLevelEntries(plan, await repo.basePrices(scope), currency).map((p) => p.sku);
        for (const c of await repo.contractCustomersOnLevel(input.store, level, scope, undercut.length > 0))
          touched.add(c);
      }
      // Customers whose price level, contract prices or credit changed.
      for (const c of customers.items) touched.add(c.erpId);
      const targets = await repo.customersByIds([...touched]);
      const locations = await locationsFor(
        input.store,
        targets.map((t) => t.erpCustomerId),
      );
      for (const t of targets) {
        const location = locations.get(t.erpCustomerId);
        if (!location) continue;
        const r = await unlessRefused(input.store, `customer ${t.erpCustomerId}`, noPush(), () =>
          syncCustomer(input.store, t, location, false),
        );
        out.written += r.written;
        out.removed += r.removed;
      }
      out.headrooms = await publishHeadrooms(
        input.store,
        customers.items.map((c) => c.erpId),
      );

      await syncs.saveCursor(pricesCursor(input.store), prices.nextCursor);
      await syncs.saveCursor(customersCursor(input.store), customers.nextCursor);
      const newest = Math.max(
        ...[...prices.items, ...customers.items]
          .map((x) => Date.parse(x.lastModified))
          .filter(Number.isFinite),
      );
      out.lagMs = Number.isFinite(newest) ? Math.max(0, Date.now() - newest) : null;
      return out;
    },

    /**
     * Publishes the credit headroom of these ERP customers (an order placed, invoiced or cancelled).
     * With `refreshBalance` their ERP records are read first, so an invoice that just moved an
     * order's amount into the ERP balance is counted there and not also as an open order. An order's
     * placement passes false when its credit check has just saved the balance it read (a sales order
     * does not move it).
     */
    async publishCreditHeadroom(input: {
      store: string;
      customerErpIds: string[];
      refreshBalance?: boolean;
    }): Promise<number> {
      if (input.refreshBalance)
        for (const id of input.customerErpIds) {
          const customer = await (deps.erpOrders ?? erp).getCustomer(id);
          if (customer) await syncs.saveCustomer(customer);
        }
      return publishHeadrooms(input.store, input.customerErpIds);
    },
  };
}

export type StorePricingActivities = ReturnType<typeof createStorePricingActivities>;
