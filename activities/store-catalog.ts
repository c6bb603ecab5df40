import { createHash } from 'node:crypto';
import { heartbeat } from '@temporalio/activity';
import { refusalsOf } from '../connectors/shopify/errors';
import { inParallel } from '../connectors/shopify/storefront';
import type { AlertRepository } from '../db/alerts';
import type { MappingRepository } from '../db/mappings';
import { withTransaction, type Db } from '../db/pool';
import { rulesRepository } from '../db/rules';
import { storeCatalogRepository, type StoreProductRecord } from '../db/store-catalog';
import { syncRepository } from '../db/sync';
import { flowSnapshot } from '../db/flow-switches';
import { storeRefusalWords } from '../domain/failures';
import type { FlowSnapshot } from '../domain/flow-switches';
import { flowGate, type FlowGate } from './flows';
import {
  familyOf,
  noCatalogChanges,
  planProduct,
  type CatalogPushResult,
  type CatalogRules,
  type StoreCatalogPort,
  type StoreProductInput,
  type StoreProductRef,
} from '../domain/catalog';
import type { ErpCatalogFeed, ErpItem, ErpPort } from '../domain/erp';
import { DEFAULT_RULES } from '../domain/schemas/rules';

export type { CatalogPushResult } from '../domain/catalog';

export interface StoreCatalogDeps {
  db: Db;
  erp: ErpPort & ErpCatalogFeed;
  catalog: StoreCatalogPort;
  mappings: MappingRepository;
  alerts: AlertRepository;
  /**
   * Sets the store quantities of these ERP SKUs from the ERP's current stock (the inventory sync's
   * rules), for variants that were just created: their earlier stock changes found nothing to set.
   */
  pushStock?: (input: { store: string; erpSkus: string[]; workflowId: string }) => Promise<void>;
  /** productSet calls in flight at once (the Shopify client paces them to the cost bucket). */
  concurrency?: number;
}

export interface CatalogPageResult extends CatalogPushResult {
  items: number;
  hasMore: boolean;
  /** Milliseconds from the newest ERP change in the page to its product being in the store. */
  lagMs: number | null;
  /** Set when the page did nothing because of the run's flow switches (see activities/flows.ts). */
  flowGate?: Exclude<FlowGate, 'run'>;
}

export interface CatalogResyncPage extends CatalogPushResult {
  items: number;
  /** Where the next page starts; null when the pass is done. */
  next: string | null;
  /** Items from this page's start on (the pass's size, on its first page). */
  remaining: number;
}

/** The catalog rules a sync run started with. */
export interface CatalogRulesSnapshot {
  /** The version of the store's own rules when `store` is set, else of the shared rules. */
  version: number;
  rules: CatalogRules;
  /** The store whose own rules these are; absent: the shared rules. */
  store?: string;
  /** The store's flow switches the run started with (catalog: ERP → store). */
  flows?: FlowSnapshot;
}

const catalogCursor = (store: string) => `store-catalog:${store}`;
const digest = (p: StoreProductInput) => createHash('sha256').update(JSON.stringify(p)).digest('hex');
/**
 * ERP items into the store's products (domain/catalog.ts plans each product), by the ERP's change
 * cursor and as a full pass. Every write is a whole-product productSet, an upsert by the product's id
 * or handle: a retried page writes the same products again and creates none twice. What was written is
 * recorded with a digest, so an item whose ERP data did not change is not written again.
 */
export function createStoreCatalogActivities(deps: StoreCatalogDeps) {
  const { db, erp, catalog, mappings, alerts } = deps;
  const syncs = syncRepository(db);
  const products = storeCatalogRepository(db);

  /** Writes the products of the families these items belong to. */
  async function pushFamilies(
    store: string,
    changed: ErpItem[],
    opts: { rules: CatalogRules; force: boolean; workflowId: string },
  ): Promise<CatalogPushResult> {
    const out = noCatalogChanges();
    const roots = [...new Set(changed.map(familyOf))];
    if (roots.length === 0) return out;
    const items = await erp.itemFamilies(roots);
    const bySku = new Map(items.map((i) => [i.sku, i]));
    const childrenOf = new Map<string, ErpItem[]>();
    for (const i of items)
      if (i.master?.matrix?.role === 'child' && i.parentSku) {
        const list = childrenOf.get(i.parentSku) ?? [];
        list.push(i);
        childrenOf.set(i.parentSku, list);
      }
    await syncs.saveItems(items);

    const skuMap = await mappings.storeSkus(
      store,
      items.map((i) => i.sku),
    );
    const storeSku = (erpSku: string) => skuMap.get(erpSku) ?? erpSku;
    const records = await products.products(store, roots);

    // Families Quayside never wrote may already be in the store (seeded, or made by hand): take them over.
    const plans = roots.flatMap((root) => {
      const item = bySku.get(root);
      if (!item) return [];
      const plan = planProduct(item, childrenOf.get(root) ?? [], storeSku, opts.rules);
      return [{ root, plan }];
    });
    const unknown = plans.flatMap((p) =>
      p.plan.ok && !records.has(p.root) ? p.plan.product.variants.map((v) => v.sku) : [],
    );
    const inStore = unknown.length ? await catalog.productsBySku(unknown) : new Map();

    const newVariants: string[] = [];
    await inParallel(plans, deps.concurrency ?? 4, async ({ root, plan }) => {
      heartbeat({ product: root });
      if (!plan.ok) {
        out.failed += 1;
        await alerts.raise({
          severity: 'warning',
          kind: 'sync.catalog',
          subject: `ERP item ${root} cannot become a store product`,
          message: `${plan.reason} Fix it in the ERP; the next change to the item brings it to the store.`,
          workflowId: opts.workflowId,
          dedupeKey: `sync.catalog:${store}:${root}`,
          details: { erpSku: root },
        });
        return;
      }
      const product = plan.product;
      const record = records.get(root);
      // A forced write sets every catalog metafield again, whatever was written last.
      let target: StoreProductRef | null = record
        ? { ...record, ...(opts.force ? { metafields: undefined } : {}) }
        : null;
      if (!target) {
        const found = product.variants.flatMap((v) =>
          inStore.has(v.sku) ? [{ sku: v.sku, ...inStore.get(v.sku)! }] : [],
        );
        const owners = [...new Set(found.map((f) => f.productId))];
        if (owners.length > 1) {
          out.failed += 1;
          await alerts.raise({
            severity: 'warning',
            kind: 'sync.catalog',
            subject: `The variants of ERP item ${root} are on ${owners.length} store products`,
            message: `SKUs ${found.map((f) => f.sku).join(', ')} belong to different products in the store; merge them into one (or delete the extra ones) and the catalog sync takes the product over.`,
            workflowId: opts.workflowId,
            dedupeKey: `sync.catalog:${store}:${root}`,
            details: { erpSku: root, products: owners },
          });
          return;
        }
        if (owners.length === 1)
          target = {
            productId: owners[0]!,
            handle: '',
            variants: found.map((f) => ({ sku: f.sku, variantId: f.variantId })),
          };
      }
      // An item that was never in the store and is no longer sold stays out of it.
      if (!target && product.status !== 'ACTIVE') {
        out.skipped += 1;
        return;
      }
      const hash = digest(product);
      if (record && record.inputHash === hash && !opts.force) {
        out.unchanged += 1;
        return;
      }
      // The store refusing the product (Shopify userErrors) is this item's alert, in the store's words;
      // the rest of the page and the cursor go on, and the item's next change writes it again.
      const refusedKey = `sync.catalogRefused:${store}:${root}`;
      let ref: StoreProductRef;
      try {
        ref = await catalog.setProduct(product, target);
      } catch (err) {
        // Any other answer the store says is not worth retrying is this item's alert too, as before.
        const refused = refusalsOf(err) ?? [];
        if (refused.length === 0 && (err as { nonRetryable?: boolean }).nonRetryable !== true) throw err;
        out.failed += 1;
        await alerts.raise({
          severity: 'warning',
          kind: 'sync.catalogRefused',
          subject: `The store refused the product of ERP item ${root}`,
          message: `ERP item ${root} was not written to the store, which refused: ${storeRefusalWords(refused, (err as Error).message)}. Fix the item in the ERP (or the product in the store); the item's next change brings it again.`,
          workflowId: opts.workflowId,
          dedupeKey: refusedKey,
          details: { erpSku: root, fields: refused.map((r) => r.field) },
        });
        return;
      }
      await alerts.resolve(refusedKey);
      if (!target && product.status === 'ACTIVE') {
        try {
          await catalog.publish(ref.productId);
        } catch (err) {
          // The product is in the store (and recorded below), only not on its sales channels: a person
          // publishes it there; a later write does not publish a product it already knows.
          const refused = refusalsOf(err);
          if (!refused) throw err;
          await alerts.raise({
            severity: 'warning',
            kind: 'sync.catalogRefused',
            subject: `The store refused to publish the product of ERP item ${root}`,
            message: `The product of ERP item ${root} is in the store but on none of its sales channels: the store refused to publish it: ${storeRefusalWords(refused, (err as Error).message)}. Publish it on its sales channels in the store admin, then dismiss this alert.`,
            workflowId: opts.workflowId,
            dedupeKey: `${refusedKey}:publish`,
            details: { erpSku: root, productId: ref.productId, fields: refused.map((r) => r.field) },
          });
        }
      }
      const before = new Set(target?.variants.map((v) => v.sku) ?? []);
      for (const v of product.variants) if (!before.has(v.sku)) newVariants.push(v.erpSku);
      const saved: StoreProductRecord = { ...ref, erpSku: root, status: product.status, inputHash: hash };
      await withTransaction(db, async (client) => {
        await products.save(store, saved, client);
      });
      if (!record) out.created += 1;
      else if (product.status !== 'ACTIVE' && record.status === 'ACTIVE') out.retired += 1;
      else out.updated += 1;
    });

    // SKUs the store knows only now: mapped (to themselves unless mapped already), and stocked.
    const unmapped = items.filter((i) => !skuMap.has(i.sku) && i.master?.matrix?.role !== 'parent');
    await mappings.upsertSkus(
      store,
      unmapped.map((i) => ({ storeSku: i.sku, erpSku: i.sku })),
      'catalog-sync',
    );
    if (newVariants.length && deps.pushStock)
      await deps.pushStock({ store, erpSkus: newVariants, workflowId: opts.workflowId });
    return out;
  }

  return {
    /** The catalog rules in force now; a sync run snapshots them when it starts. */
    async loadCatalogRules(input?: { store: string }): Promise<CatalogRulesSnapshot> {
      const current = await rulesRepository(db).current(input?.store);
      return {
        version: current.version,
        rules: current.rules.catalog ?? DEFAULT_RULES.catalog,
        ...(current.store ? { store: current.store } : {}),
        ...(input ? { flows: await flowSnapshot(db, input.store) } : {}),
      };
    },

    /** Starts following the ERP's item changes from now (an unset cursor only, unless asked). */
    async startCatalogCursor(input: { store: string; onlyIfUnset: boolean }): Promise<void> {
      const name = catalogCursor(input.store);
      if (!input.onlyIfUnset || (await syncs.cursor(name)) === null)
        await syncs.saveCursor(name, erp.cursorAt(new Date()));
    },

    /** One page of ERP item changes into the store's products. */
    async syncCatalogChanges(input: {
      store: string;
      pageSize: number;
      workflowId: string;
      rules: CatalogRulesSnapshot;
    }): Promise<CatalogPageResult> {
      const gate = await flowGate(db, input.store, input.rules.flows, 'catalog', 'erpToStore');
      if (gate !== 'run')
        return { ...noCatalogChanges(), items: 0, hasMore: false, lagMs: null, flowGate: gate };
      const name = catalogCursor(input.store);
      const page = await erp.itemsChangedSince(await syncs.cursor(name), input.pageSize);
      heartbeat({ fetched: page.items.length });
      if (page.items.length === 0) return { ...noCatalogChanges(), items: 0, hasMore: false, lagMs: null };
      const result = await pushFamilies(input.store, page.items, {
        rules: input.rules.rules,
        force: false,
        workflowId: input.workflowId,
      });
      await syncs.saveCursor(name, page.nextCursor);
      const newest = Math.max(...page.items.map((i) => Date.parse(i.lastModified)));
      return {
        ...result,
        items: page.items.length,
        hasMore: page.hasMore,
        lagMs: Number.isFinite(newest) ? Math.max(0, Date.now() - newest) : null,
      };
    },

    /**
     * One page of a full pass over the item master, in the ERP's id order: every product written
     * whose data differs from what was written last (all of them with `force`).
     */
    async resyncCatalogPage(input: {
      store: string;
      after: string | null;
      pageSize: number;
      force: boolean;
      workflowId: string;
      rules: CatalogRulesSnapshot;
    }): Promise<CatalogResyncPage> {
      const page = await erp.itemsAfter(input.after, input.pageSize);
      heartbeat({ fetched: page.items.length });
      // Matrix children come with their parent (and on its page).
      const roots = page.items.filter((i) => i.master?.matrix?.role !== 'child' || !i.parentSku);
      const result = await pushFamilies(input.store, roots, {
        rules: input.rules.rules,
        force: input.force,
        workflowId: input.workflowId,
      });
      return {
        ...result,
        items: page.items.length,
        next: page.hasMore ? page.nextCursor : null,
        remaining: page.total,
      };
    },
  };
}

export type StoreCatalogActivities = ReturnType<typeof createStoreCatalogActivities>;
