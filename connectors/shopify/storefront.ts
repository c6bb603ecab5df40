import { createHash, randomUUID } from 'node:crypto';
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import type {
  InventoryQuantity,
  StorefrontCustomerInput,
  StorefrontReturnLine,
  StorefrontFulfillmentInput,
  StorefrontPort,
  StorefrontRefundInput,
  StorefrontReconcilePort,
  StoreLevel,
} from '../../domain/storefront';
import { Money } from '../../domain/money';
import type { Logger } from '../../platform/logger';
import { runBulkQuery } from './bulk';
import type { ShopifyAdminClient } from './client';
import { ShopifyUnavailableError, ShopifyUserError, type ShopifyUserErrorDetail } from './errors';

/** `gid://shopify/<Type>/<id>` from a numeric id or an existing gid. */
export function toGid(type: string, id: string): string {
  return id.startsWith('gid://') ? id : `gid://shopify/${type}/${id}`;
}
/** The numeric id (decimal string) of a gid. */
export function fromGid(gid: string): string {
  return gid.slice(gid.lastIndexOf('/') + 1);
}

/** Metafield namespaces where the connector records idempotency keys on the storefront's own objects. */
export const FULFILLMENT_KEYS_NAMESPACE = 'quayside_fulfillments';
export const REFUND_KEYS_NAMESPACE = 'quayside_refunds';
export const QUAYSIDE_NAMESPACE = 'quayside';

/** A metafield key (2–64 characters of [A-Za-z0-9_-]) for an idempotency key of any shape. */
export function metafieldKey(key: string): string {
  const clean = key.replace(/[^A-Za-z0-9_-]/g, '_');
  if (clean.length >= 2 && clean.length <= 64 && clean === key) return clean;
  return `k_${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

type Payload =
  | { userErrors?: ShopifyUserErrorDetail[]; orderCancelUserErrors?: ShopifyUserErrorDetail[] }
  | null
  | undefined;
function check(operation: string, payload: Payload): void {
  const errors = [...(payload?.userErrors ?? []), ...(payload?.orderCancelUserErrors ?? [])];
  if (errors.length) throw new ShopifyUserError(operation, errors);
}

const INVENTORY_BATCH = 250;
/** SKUs whose store quantities one query reads (each with its levels at up to 10 locations: under 1000 points). */
const LEVELS_BATCH = 25;
/** SKUs resolved per productVariants query (250 nodes, Shopify's page maximum; well under the 1000-point query limit). */
const SKU_LOOKUP_BATCH = 250;
/** Inventory item ids kept in memory: a 100k-SKU catalog resolves once, then every sync page is only mutations. */
const DEFAULT_ITEM_CACHE_SIZE = 250_000;
const ITEM_GONE = new Set(['INVALID_INVENTORY_ITEM', 'INVALID_LOCATION']);

/** A size-bounded map that forgets the least recently used entry first. */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(readonly capacity: number) {}
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
  delete(key: K): void {
    this.map.delete(key);
  }
  get size(): number {
    return this.map.size;
  }
}

export interface ShopifyStorefrontOptions {
  /** How many SKU → inventory item ids to keep in memory (default 250,000). */
  inventoryItemCacheSize?: number;
  /** SKU lookups and inventorySetQuantities calls in flight at once (default 4); the client paces them to the cost bucket. */
  concurrency?: number;
  /** How long cancelOrder polls Shopify's cancellation job before giving up for a later retry (default 60 s). */
  jobTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The REFUND transactions for `amount`: spread over the order's successful sales and captures, oldest
 * first, each up to its maximum refundable. What the payments cannot cover stays on the last one, so
 * Shopify refuses it with its own message rather than Quayside refunding less than asked silently.
 */
export function refundTransactions(
  orderGid: string,
  input: Pick<StorefrontRefundInput, 'amount' | 'currency'>,
  transactions: {
    id: string;
    kind: string;
    status: string;
    gateway: string | null;
    maximumRefundableV2: { amount: string } | null;
  }[],
): { orderId: string; parentId: string; amount: string; gateway: string; kind: 'REFUND' }[] {
  const currency = input.currency;
  let left = Money.of(input.amount, currency);
  const parents = transactions.filter(
    (t) => (t.kind === 'SALE' || t.kind === 'CAPTURE') && t.status === 'SUCCESS' && t.gateway,
  );
  if (!left.isPositive() || parents.length === 0) return [];
  const out: { orderId: string; parentId: string; amount: Money; gateway: string; kind: 'REFUND' }[] = [];
  for (const p of parents) {
    if (!left.isPositive()) break;
    const max = Money.of(p.maximumRefundableV2?.amount ?? '0', currency);
    const take = left.min(max);
    if (!take.isPositive()) continue;
    out.push({ orderId: orderGid, parentId: p.id, amount: take, gateway: p.gateway!, kind: 'REFUND' });
    left = left.minus(take);
  }
  if (left.isPositive()) {
    const last = out[out.length - 1];
    if (last) last.amount = last.amount.plus(left);
    else {
      const p = parents[parents.length - 1]!;
      out.push({ orderId: orderGid, parentId: p.id, amount: left, gateway: p.gateway!, kind: 'REFUND' });
    }
  }
  return out.map((t) => ({ ...t, amount: t.amount.toString() }));
}

/** Runs `fn` over `items` with at most `limit` in flight; the first failure stops new work and is thrown. */
export async function inParallel<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
}

interface OrderForFulfillment {
  order: {
    id: string;
    cancelledAt: string | null;
    fulfillmentOrders: {
      nodes: {
        id: string;
        status: string;
        lineItems: { nodes: { id: string; remainingQuantity: number; lineItem: { id: string } }[] };
      }[];
    };
    fulfillments: { id: string; trackingInfo: { number: string | null }[] }[];
    metafield: { value: string } | null;
  } | null;
}

/** StorefrontPort over Shopify's Admin GraphQL API. */
export class ShopifyStorefront implements StorefrontPort, StorefrontReconcilePort {
  private locations?: Map<string, string>;
  private publications?: string[];
  private readonly itemIds: LruCache<string, string>;
  private readonly concurrency: number;
  private readonly jobTimeoutMs: number;

  constructor(
    private readonly client: ShopifyAdminClient,
    private readonly log?: Logger,
    opts: ShopifyStorefrontOptions = {},
  ) {
    this.itemIds = new LruCache(opts.inventoryItemCacheSize ?? DEFAULT_ITEM_CACHE_SIZE);
    this.concurrency = opts.concurrency ?? 4;
    this.jobTimeoutMs = opts.jobTimeoutMs ?? 60_000;
  }

  async createFulfillment(
    input: StorefrontFulfillmentInput,
  ): Promise<{ fulfillmentId: string; created: boolean }> {
    const orderGid = toGid('Order', input.orderId);
    const key = metafieldKey(input.fulfillmentKey);
    const { order } = await this.client.request<OrderForFulfillment>(
      `query FulfillmentContext($id: ID!, $key: String!) {
        order(id: $id) {
          id cancelledAt
          fulfillmentOrders(first: 5) { nodes { id status lineItems(first: 100) { nodes { id remainingQuantity lineItem { id } } } } }
          fulfillments(first: 50) { id trackingInfo { number } }
          metafield(namespace: "${FULFILLMENT_KEYS_NAMESPACE}", key: $key) { value }
        }
      }`,
      { id: orderGid, key },
    );
    if (!order)
      throw new ShopifyUserError('fulfillmentCreate', [
        { field: ['orderId'], message: `Order ${input.orderId} does not exist.` },
      ]);
    if (order.metafield?.value) return { fulfillmentId: fromGid(order.metafield.value), created: false };

    // A shipment already pushed under the same tracking numbers (its key was not recorded) is the same shipment.
    const wanted = [...input.trackingNumbers].sort().join(',');
    const same = wanted
      ? order.fulfillments.find(
          (f) =>
            f.trackingInfo
              .map((t) => t.number ?? '')
              .sort()
              .join(',') === wanted,
        )
      : undefined;
    if (same) {
      await this.recordKey(orderGid, FULFILLMENT_KEYS_NAMESPACE, key, same.id);
      return { fulfillmentId: fromGid(same.id), created: false };
    }

    const byFulfillmentOrder = new Map<string, { id: string; quantity: number }[]>();
    for (const [i, line] of input.lines.entries()) {
      const lineGid = toGid('LineItem', line.lineId);
      const match = order.fulfillmentOrders.nodes
        .filter((fo) => fo.status !== 'CLOSED')
        .flatMap((fo) => fo.lineItems.nodes.map((li) => ({ fo, li })))
        .find(({ li }) => li.lineItem.id === lineGid && li.remainingQuantity > 0);
      if (!match) {
        throw new ShopifyUserError('fulfillmentCreate', [
          {
            field: ['lines', String(i), 'lineId'],
            message: `Line ${line.lineId} has nothing left to fulfill.`,
          },
        ]);
      }
      const list = byFulfillmentOrder.get(match.fo.id) ?? [];
      list.push({ id: match.li.id, quantity: line.quantity });
      byFulfillmentOrder.set(match.fo.id, list);
    }
    const data = await this.client.request<{
      fulfillmentCreate: { fulfillment: { id: string } | null; userErrors: ShopifyUserErrorDetail[] };
    }>(
      `mutation CreateFulfillment($fulfillment: FulfillmentInput!) {
        fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status } userErrors { field message } }
      }`,
      {
        fulfillment: {
          lineItemsByFulfillmentOrder: [...byFulfillmentOrder].map(([fulfillmentOrderId, items]) => ({
            fulfillmentOrderId,
            fulfillmentOrderLineItems: items,
          })),
          notifyCustomer: input.notifyCustomer,
          trackingInfo: {
            company: input.carrier ?? undefined,
            numbers: input.trackingNumbers,
            ...(input.trackingUrl ? { urls: [input.trackingUrl] } : {}),
          },
        },
      },
    );
    check('fulfillmentCreate', data.fulfillmentCreate);
    const fulfillmentGid = data.fulfillmentCreate.fulfillment!.id;
    await this.recordKey(orderGid, FULFILLMENT_KEYS_NAMESPACE, key, fulfillmentGid);
    return { fulfillmentId: fromGid(fulfillmentGid), created: true };
  }

  /**
   * Sets quantities 250 per inventorySetQuantities call, compare-and-set. SKUs resolve to inventory
   * items through an in-memory cache filled 250 SKUs per query. A SKU or location the store does not
   * have comes back in `unknown` (nothing is retried for it); quantities that moved in the store since
   * the compare value come back in `stale`.
   */
  async setInventory(levels: InventoryQuantity[]): Promise<{
    updated: number;
    stale: InventoryQuantity[];
    unknown: InventoryQuantity[];
    refused: { quantity: InventoryQuantity; reason: string }[];
  }> {
    const items = await this.inventoryItems([...new Set(levels.map((l) => l.sku))]);
    const locations = await this.locationIds();
    const stale: InventoryQuantity[] = [];
    const unknown: InventoryQuantity[] = [];
    const refused: { quantity: InventoryQuantity; reason: string }[] = [];
    let updated = 0;
    const known = levels.filter((l) => {
      const ok = items.ids.has(l.sku) && this.locationGid(l.location, locations) !== undefined;
      if (!ok) unknown.push(l);
      return ok;
    });
    const batches: InventoryQuantity[][] = [];
    for (let i = 0; i < known.length; i += INVENTORY_BATCH) batches.push(known.slice(i, i + INVENTORY_BATCH));
    await inParallel(batches, this.concurrency, async (first) => {
      let batch = first;
      while (batch.length) {
        const data = await this.client.request<{
          inventorySetQuantities: { userErrors: ShopifyUserErrorDetail[] };
        }>(
          `mutation SetQuantities($input: InventorySetQuantitiesInput!) {
            inventorySetQuantities(input: $input) @idempotent(key: "${randomUUID()}") {
              inventoryAdjustmentGroup { id } userErrors { field message code }
            }
          }`,
          {
            input: {
              name: 'available',
              reason: 'correction',
              referenceDocumentUri: 'quayside://inventory-sync',
              quantities: batch.map((l) => ({
                inventoryItemId: items.ids.get(l.sku)!,
                locationId: this.locationGid(l.location, locations)!,
                quantity: l.quantity,
                changeFromQuantity: l.compareQuantity,
              })),
            },
          },
        );
        const errors = data.inventorySetQuantities.userErrors;
        if (!errors.length) {
          updated += batch.length;
          break;
        }
        const at = (e: ShopifyUserErrorDetail) => Number(e.field?.[2]);
        const other = errors.filter(
          (e) => e.code !== 'CHANGE_FROM_QUANTITY_STALE' && !(e.code && ITEM_GONE.has(e.code)),
        );
        // A refusal of one quantity (it names its index) leaves that one out and the rest is set; a
        // refusal of the whole call fails it.
        const ofOne = (e: ShopifyUserErrorDetail) =>
          Number.isInteger(at(e)) && at(e) >= 0 && at(e) < batch.length;
        if (other.some((e) => !ofOne(e))) throw new ShopifyUserError('inventorySetQuantities', other);
        const refusedIdx = new Map(other.map((e) => [at(e), e.message]));
        for (const [idx, reason] of refusedIdx) refused.push({ quantity: batch[idx]!, reason });
        const staleIdx = new Set(errors.filter((e) => e.code === 'CHANGE_FROM_QUANTITY_STALE').map(at));
        const goneIdx = new Set(errors.filter((e) => e.code && ITEM_GONE.has(e.code)).map(at));
        stale.push(...batch.filter((_, idx) => staleIdx.has(idx) && !refusedIdx.has(idx)));
        const gone = batch.filter((_, idx) => goneIdx.has(idx) && !refusedIdx.has(idx));
        batch = batch.filter((_, idx) => !staleIdx.has(idx) && !goneIdx.has(idx) && !refusedIdx.has(idx));
        if (gone.length) {
          // An id remembered from an earlier call may belong to a variant since deleted: look those
          // SKUs up again once; what the store still does not have is unknown.
          const retry = [...new Set(gone.filter((l) => !items.fresh.has(l.sku)).map((l) => l.sku))];
          for (const sku of retry) this.itemIds.delete(sku);
          const again = retry.length
            ? await this.inventoryItems(retry)
            : { ids: new Map<string, string>(), fresh: new Set<string>() };
          for (const l of gone) {
            const id = again.ids.get(l.sku);
            if (id && id !== items.ids.get(l.sku)) {
              items.ids.set(l.sku, id);
              items.fresh.add(l.sku);
              batch.push(l);
            } else unknown.push(l);
          }
        }
      }
    });
    if (unknown.length) {
      this.log?.warn(
        {
          count: unknown.length,
          examples: unknown.slice(0, 5).map((l) => ({ sku: l.sku, location: l.location })),
        },
        'inventory for SKUs or locations the store does not have was not set',
      );
    }
    return { updated, stale, unknown, refused };
  }

  async ordersUpdatedSince(
    since: string,
    first: number,
  ): Promise<{ orderId: string; name: string; updatedAt: string }[]> {
    const data = await this.client.request<{
      orders: { nodes: { id: string; name: string; updatedAt: string }[] };
    }>(
      `query OrdersUpdatedSince($first: Int!, $query: String!) { orders(first: $first, query: $query, sortKey: UPDATED_AT, reverse: false) { nodes { id name updatedAt } } }`,
      { first: Math.min(250, first), query: `updated_at:>'${since}'` },
    );
    return data.orders.nodes.map((o) => ({ orderId: fromGid(o.id), name: o.name, updatedAt: o.updatedAt }));
  }

  async orderRepresentation(orderId: string): Promise<string | null> {
    const text = await this.client.restGet(`orders/${fromGid(orderId)}.json`);
    if (text === null) return null;
    // `{"order": {…}}` → the order object's own text; lossless numbers keep every digit of the ids.
    const order = (parseLossless(text) as { order?: unknown } | null)?.order;
    return order ? (stringifyLossless(order) ?? null) : null;
  }

  /**
   * Every variant's available quantity at every location, read with one bulk operation query: outside
   * the cost bucket, however large the catalog. The inventory item ids it brings fill the SKU cache, so
   * the quantities then written need no lookups.
   */
  async allLevels(opts: { onProgress?: (objects: number) => void } = {}): Promise<StoreLevel[]> {
    type Line =
      | { id: string; sku: string | null; inventoryItem: { id: string }; __parentId?: undefined }
      | { location: { id: string; name: string }; quantities: { quantity: number }[]; __parentId: string };
    const lines = await runBulkQuery<Line>(
      this.client,
      `{ productVariants { edges { node { id sku inventoryItem { id inventoryLevels { edges { node {
          location { id name } quantities(names: ["available"]) { quantity } } } } } } } } }`,
      opts.onProgress ? { onProgress: opts.onProgress } : {},
    );
    const skuOf = new Map<string, string>();
    const out: StoreLevel[] = [];
    for (const line of lines) {
      if (line.__parentId === undefined) {
        if (!line.sku) continue;
        skuOf.set(line.id, line.sku);
        this.itemIds.set(line.sku, line.inventoryItem.id);
        continue;
      }
      const sku = skuOf.get(line.__parentId);
      if (!sku) continue;
      out.push({
        sku,
        locationId: line.location.id,
        locationName: line.location.name,
        available: line.quantities[0]?.quantity ?? 0,
      });
    }
    return out;
  }

  async levelsOf(skus: string[]): Promise<StoreLevel[]> {
    const out: StoreLevel[] = [];
    const chunks: string[][] = [];
    for (let i = 0; i < skus.length; i += LEVELS_BATCH) chunks.push(skus.slice(i, i + LEVELS_BATCH));
    await inParallel(chunks, this.concurrency, async (chunk) => {
      const data = await this.client.request<{
        productVariants: {
          nodes: {
            sku: string | null;
            inventoryItem: {
              inventoryLevels: {
                nodes: { location: { id: string; name: string }; quantities: { quantity: number }[] }[];
              };
            };
          }[];
        };
      }>(
        `query StoreLevels($first: Int!, $query: String!) { productVariants(first: $first, query: $query) { nodes { sku
          inventoryItem { inventoryLevels(first: 10) { nodes { location { id name } quantities(names: ["available"]) { quantity } } } } } } }`,
        { first: chunk.length, query: chunk.map((s) => `sku:${JSON.stringify(s)}`).join(' OR ') },
      );
      const wanted = new Set(chunk);
      for (const v of data.productVariants.nodes) {
        if (!v.sku || !wanted.has(v.sku)) continue;
        for (const l of v.inventoryItem.inventoryLevels.nodes)
          out.push({
            sku: v.sku,
            locationId: l.location.id,
            locationName: l.location.name,
            available: l.quantities[0]?.quantity ?? 0,
          });
      }
    });
    return out;
  }

  async setPublished(sku: string, published: boolean): Promise<void> {
    const data = await this.client.request<{
      productVariants: { nodes: { sku: string; product: { id: string } }[] };
    }>(
      `query VariantProduct($query: String!) { productVariants(first: 1, query: $query) { nodes { sku product { id } } } }`,
      { query: `sku:${JSON.stringify(sku)}` },
    );
    const product = data.productVariants.nodes.find((n) => n.sku === sku)?.product;
    if (!product)
      throw new ShopifyUserError(published ? 'publishablePublish' : 'publishableUnpublish', [
        { field: ['sku'], message: `No product has SKU ${sku}.` },
      ]);
    const publications = await this.publicationIds();
    const field = published ? 'publishablePublish' : 'publishableUnpublish';
    const res = await this.client.request<Record<string, { userErrors: ShopifyUserErrorDetail[] }>>(
      `mutation Publish($id: ID!, $input: [PublicationInput!]!) { ${field}(id: $id, input: $input) { userErrors { field message } } }`,
      { id: product.id, input: publications.map((publicationId) => ({ publicationId })) },
    );
    check(field, res[field]);
  }

  async setVariantMetafields(
    entries: {
      sku: string;
      set: { namespace: string; key: string; type: string; value: string }[];
      remove: { namespace: string; key: string }[];
    }[],
  ): Promise<{ unknown: string[] }> {
    const skus = [...new Set(entries.map((e) => e.sku))];
    const ids = new Map<string, string>();
    for (let i = 0; i < skus.length; i += SKU_LOOKUP_BATCH) {
      const chunk = skus.slice(i, i + SKU_LOOKUP_BATCH);
      const data = await this.client.request<{
        productVariants: { nodes: { id: string; sku: string | null }[] };
      }>(
        `query VariantIds($first: Int!, $query: String!) { productVariants(first: $first, query: $query) { nodes { id sku } } }`,
        { first: chunk.length, query: chunk.map((s) => `sku:${JSON.stringify(s)}`).join(' OR ') },
      );
      const wanted = new Set(chunk);
      for (const v of data.productVariants.nodes) if (v.sku && wanted.has(v.sku)) ids.set(v.sku, v.id);
    }
    const set = entries.flatMap((e) =>
      ids.has(e.sku) ? e.set.map((m) => ({ ownerId: ids.get(e.sku)!, ...m })) : [],
    );
    const remove = entries.flatMap((e) =>
      ids.has(e.sku) ? e.remove.map((m) => ({ ownerId: ids.get(e.sku)!, ...m })) : [],
    );
    // metafieldsSet takes 25 at a time; each call is all or nothing.
    await this.setMetafields(set);
    for (let i = 0; i < remove.length; i += SKU_LOOKUP_BATCH) {
      const data = await this.client.request<{ metafieldsDelete: { userErrors: ShopifyUserErrorDetail[] } }>(
        `mutation DeleteMetafields($metafields: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $metafields) { deletedMetafields { key } userErrors { field message } } }`,
        { metafields: remove.slice(i, i + SKU_LOOKUP_BATCH) },
      );
      check('metafieldsDelete', data.metafieldsDelete);
    }
    return { unknown: skus.filter((s) => !ids.has(s)) };
  }

  async updateOrder(input: {
    orderId: string;
    addTags?: string[];
    metafields?: { namespace: string; key: string; type: string; value: string }[];
    note?: string;
  }): Promise<void> {
    const id = toGid('Order', input.orderId);
    if (input.addTags?.length) {
      const data = await this.client.request<{ tagsAdd: { userErrors: ShopifyUserErrorDetail[] } }>(
        `mutation AddTags($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { field message } } }`,
        { id, tags: input.addTags },
      );
      check('tagsAdd', data.tagsAdd);
    }
    if (input.note !== undefined) {
      const data = await this.client.request<{ orderUpdate: { userErrors: ShopifyUserErrorDetail[] } }>(
        `mutation UpdateOrder($input: OrderInput!) { orderUpdate(input: $input) { order { id } userErrors { field message } } }`,
        { input: { id, note: input.note } },
      );
      check('orderUpdate', data.orderUpdate);
    }
    if (input.metafields?.length)
      await this.setMetafields(input.metafields.map((m) => ({ ownerId: id, ...m })));
  }

  async cancelOrder(input: {
    orderId: string;
    reason: string;
    notifyCustomer: boolean;
    refund: boolean;
    staffNote?: string;
  }): Promise<void> {
    const id = toGid('Order', input.orderId);
    const current = await this.client.request<{ order: { cancelledAt: string | null } | null }>(
      `query OrderCancelled($id: ID!) { order(id: $id) { cancelledAt } }`,
      { id },
    );
    if (!current.order)
      throw new ShopifyUserError('orderCancel', [
        { field: ['orderId'], message: `Order ${input.orderId} does not exist.` },
      ]);
    if (current.order.cancelledAt) return;
    const reasons = ['CUSTOMER', 'DECLINED', 'FRAUD', 'INVENTORY', 'STAFF', 'OTHER'];
    const reason = reasons.includes(input.reason.toUpperCase()) ? input.reason.toUpperCase() : 'OTHER';
    const data = await this.client.request<{
      orderCancel: {
        job: { id: string; done: boolean } | null;
        userErrors: ShopifyUserErrorDetail[];
        orderCancelUserErrors: ShopifyUserErrorDetail[];
      };
    }>(
      `mutation CancelOrder($orderId: ID!, $reason: OrderCancelReason!, $notifyCustomer: Boolean, $refund: Boolean, $staffNote: String) {
        orderCancel(orderId: $orderId, reason: $reason, notifyCustomer: $notifyCustomer, refund: $refund, restock: true, staffNote: $staffNote) {
          job { id done } orderCancelUserErrors { field message code } userErrors { field message }
        }
      }`,
      {
        orderId: id,
        reason,
        notifyCustomer: input.notifyCustomer,
        refund: input.refund,
        staffNote: input.staffNote,
      },
    );
    check('orderCancel', data.orderCancel);
    await this.awaitCancellation(id, data.orderCancel.job);
  }

  /**
   * Shopify cancels an order asynchronously: orderCancel answers with a job. Polls `job(id) { done }`
   * (backing off to 2 s) until it is done, then reads the order to confirm it is cancelled. A job still
   * running at the deadline is a retryable failure: the next attempt finds the order cancelled, or the
   * same job still running.
   */
  private async awaitCancellation(
    orderGid: string,
    job: { id: string; done: boolean } | null,
  ): Promise<void> {
    const deadline = Date.now() + this.jobTimeoutMs;
    let done = job?.done ?? true;
    for (let wait = 100; !done; wait = Math.min(wait * 2, 2000)) {
      if (Date.now() > deadline)
        throw new ShopifyUnavailableError(`Shopify's cancellation job ${job!.id} is still running`);
      await sleep(wait);
      const polled = await this.client.request<{ job: { done: boolean } | null }>(
        `query CancelJob($id: ID!) { job(id: $id) { done } }`,
        { id: job!.id },
      );
      done = polled.job?.done ?? true;
    }
    const after = await this.client.request<{ order: { cancelledAt: string | null } | null }>(
      `query OrderCancelled($id: ID!) { order(id: $id) { cancelledAt } }`,
      { id: orderGid },
    );
    if (!after.order?.cancelledAt)
      throw new ShopifyUserError('orderCancel', [
        {
          field: ['orderId'],
          message: `Shopify finished the cancellation job but order ${fromGid(orderGid)} is not cancelled.`,
        },
      ]);
  }

  /**
   * `refundCreate` as Shopify needs it: money moves only through REFUND transactions that name the
   * sale or capture they refund (read from the order, oldest first, each up to what it can still give
   * back, on its own gateway), with the `@idempotent(key:)` directive 2026-04 requires, derived from
   * `refundKey`. An order with no payment (B2B payment terms) gets a refund of the line items only: the
   * money side is the ERP's credit memo. Asking more than the payments can give back is refused by
   * Shopify (a ShopifyUserError naming the amount).
   */
  async createRefund(input: StorefrontRefundInput): Promise<{ refundId: string; created: boolean }> {
    const orderGid = toGid('Order', input.orderId);
    const key = metafieldKey(input.refundKey);
    const seen = await this.client.request<{
      order: {
        metafield: { value: string } | null;
        transactions: {
          id: string;
          kind: string;
          status: string;
          gateway: string | null;
          maximumRefundableV2: { amount: string; currencyCode: string } | null;
        }[];
      } | null;
    }>(
      `query RefundKey($id: ID!, $key: String!) { order(id: $id) {
        metafield(namespace: "${REFUND_KEYS_NAMESPACE}", key: $key) { value }
        transactions(first: 250) { id kind status gateway maximumRefundableV2 { amount currencyCode } }
      } }`,
      { id: orderGid, key },
    );
    if (!seen.order)
      throw new ShopifyUserError('refundCreate', [
        { field: ['orderId'], message: `Order ${input.orderId} does not exist.` },
      ]);
    if (seen.order.metafield?.value) return { refundId: fromGid(seen.order.metafield.value), created: false };
    const transactions = refundTransactions(orderGid, input, seen.order.transactions);
    if (transactions.length === 0 && Money.of(input.amount, input.currency).isPositive())
      this.log?.info(
        { orderId: input.orderId, amount: input.amount },
        'the order has no payment to refund on the storefront; the refund records the returned items only',
      );
    const data = await this.client.request<{
      refundCreate: { refund: { id: string } | null; userErrors: ShopifyUserErrorDetail[] };
    }>(
      `mutation CreateRefund($input: RefundInput!) {
        refundCreate(input: $input) @idempotent(key: ${JSON.stringify(input.refundKey)}) { refund { id } userErrors { field message } }
      }`,
      {
        input: {
          orderId: orderGid,
          note: input.note,
          notify: input.notifyCustomer,
          refundLineItems: input.lines.map((l) => ({
            lineItemId: toGid('LineItem', l.lineId),
            quantity: l.quantity,
            restockType: l.restock ? 'RETURN' : 'NO_RESTOCK',
          })),
          transactions,
        },
      },
    );
    check('refundCreate', data.refundCreate);
    const refundGid = data.refundCreate.refund!.id;
    await this.recordKey(orderGid, REFUND_KEYS_NAMESPACE, key, refundGid);
    return { refundId: fromGid(refundGid), created: true };
  }

  async updateReturn(input: {
    returnId: string;
    status: 'approved' | 'declined' | 'closed';
    reason?: string;
  }): Promise<void> {
    const id = toGid('Return', input.returnId);
    const target = { approved: 'OPEN', declined: 'DECLINED', closed: 'CLOSED' }[input.status];
    const current = await this.client.request<{ return: { status: string } | null }>(
      `query ReturnStatus($id: ID!) { return(id: $id) { status } }`,
      { id },
    );
    if (!current.return)
      throw new ShopifyUserError('returnUpdate', [
        { field: ['returnId'], message: `Return ${input.returnId} does not exist.` },
      ]);
    if (
      current.return.status === target ||
      (input.status === 'approved' && current.return.status === 'CLOSED')
    )
      return;
    const [field, query, variables] =
      input.status === 'approved'
        ? [
            'returnApproveRequest',
            `mutation Approve($input: ReturnApproveRequestInput!) { returnApproveRequest(input: $input) { return { id status } userErrors { field message code } } }`,
            { input: { id } },
          ]
        : input.status === 'declined'
          ? [
              'returnDeclineRequest',
              `mutation Decline($input: ReturnDeclineRequestInput!) { returnDeclineRequest(input: $input) { return { id status } userErrors { field message code } } }`,
              { input: { id, declineReason: 'OTHER', declineNote: input.reason } },
            ]
          : [
              'returnClose',
              `mutation Close($id: ID!) { returnClose(id: $id) { return { id status } userErrors { field message code } } }`,
              { id },
            ];
    const data = await this.client.request<Record<string, { userErrors: ShopifyUserErrorDetail[] }>>(
      query,
      variables,
    );
    check(field, data[field]);
  }

  async getReturnLines(returnId: string): Promise<StorefrontReturnLine[]> {
    type Line = {
      quantity: number;
      returnReason: string | null;
      customerNote: string | null;
      fulfillmentLineItem: { lineItem: { id: string; sku: string | null } } | null;
    };
    const lines: Line[] = [];
    let after: string | null = null;
    for (;;) {
      const data: {
        return: {
          returnLineItems: { nodes: Line[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
        } | null;
      } = await this.client.request(
        `query ReturnLines($id: ID!, $after: String) { return(id: $id) { returnLineItems(first: 250, after: $after) { nodes { ... on ReturnLineItem { quantity returnReason customerNote fulfillmentLineItem { lineItem { id sku } } } } pageInfo { hasNextPage endCursor } } } }`,
        { id: toGid('Return', returnId), after },
      );
      if (!data.return) return [];
      lines.push(...data.return.returnLineItems.nodes);
      if (!data.return.returnLineItems.pageInfo.hasNextPage) break;
      after = data.return.returnLineItems.pageInfo.endCursor;
    }
    return lines
      .filter((l) => l.fulfillmentLineItem)
      .map((l) => ({
        lineId: fromGid(l.fulfillmentLineItem!.lineItem.id),
        ...(l.fulfillmentLineItem!.lineItem.sku ? { sku: l.fulfillmentLineItem!.lineItem.sku } : {}),
        quantity: l.quantity,
        ...(l.returnReason ? { reason: l.returnReason } : {}),
        ...(l.customerNote ? { customerNote: l.customerNote } : {}),
      }));
  }

  async upsertCustomer(input: StorefrontCustomerInput): Promise<{ customerId: string; companyId?: string }> {
    const customerFields = {
      email: input.email,
      firstName: input.firstName,
      lastName: input.lastName,
      taxExempt: input.taxExempt,
    };
    let customerGid = input.customerId ? toGid('Customer', input.customerId) : undefined;
    if (!customerGid) {
      const found = await this.client.request<{ customers: { nodes: { id: string; email: string }[] } }>(
        `query CustomerByEmail($query: String!) { customers(first: 1, query: $query) { nodes { id email } } }`,
        { query: `email:${JSON.stringify(input.email)}` },
      );
      customerGid = found.customers.nodes[0]?.id;
    }
    if (customerGid) {
      const data = await this.client.request<{
        customerUpdate: { customer: { id: string } | null; userErrors: ShopifyUserErrorDetail[] };
      }>(
        `mutation UpdateCustomer($input: CustomerInput!) { customerUpdate(input: $input) { customer { id } userErrors { field message code } } }`,
        { input: { id: customerGid, ...customerFields } },
      );
      check('customerUpdate', data.customerUpdate);
    } else {
      const data = await this.client.request<{
        customerCreate: { customer: { id: string } | null; userErrors: ShopifyUserErrorDetail[] };
      }>(
        `mutation CreateCustomer($input: CustomerInput!) { customerCreate(input: $input) { customer { id } userErrors { field message code } } }`,
        { input: customerFields },
      );
      check('customerCreate', data.customerCreate);
      customerGid = data.customerCreate.customer!.id;
    }

    let ownerGid = customerGid;
    let companyGid: string | undefined;
    if (input.companyName) {
      companyGid = await this.upsertCompany(input, customerGid);
      ownerGid = companyGid;
    }
    const metafields = [
      ...(input.erpCustomerId
        ? [
            {
              ownerId: ownerGid,
              namespace: QUAYSIDE_NAMESPACE,
              key: 'erp_customer_id',
              type: 'single_line_text_field',
              value: input.erpCustomerId,
            },
          ]
        : []),
      ...(input.creditHeadroom !== undefined
        ? [
            {
              ownerId: ownerGid,
              namespace: QUAYSIDE_NAMESPACE,
              key: 'credit_headroom',
              type: 'number_decimal',
              value: input.creditHeadroom,
            },
          ]
        : []),
    ];
    if (metafields.length) await this.setMetafields(metafields);
    return { customerId: fromGid(customerGid), ...(companyGid ? { companyId: fromGid(companyGid) } : {}) };
  }

  private async upsertCompany(input: StorefrontCustomerInput, customerGid: string): Promise<string> {
    type Company = {
      id: string;
      contacts: { nodes: { customer: { id: string } }[] };
      locations: { nodes: { id: string }[] };
    };
    const companyFields = `id contacts(first: 50) { nodes { customer { id } } } locations(first: 1) { nodes { id } }`;
    const query = input.erpCustomerId
      ? `external_id:${JSON.stringify(input.erpCustomerId)}`
      : `name:${JSON.stringify(input.companyName)}`;
    const found = await this.client.request<{ companies: { nodes: Company[] } }>(
      `query FindCompany($query: String!) { companies(first: 1, query: $query) { nodes { ${companyFields} } } }`,
      { query },
    );
    let company = found.companies.nodes[0];
    if (company) {
      const data = await this.client.request<{ companyUpdate: { userErrors: ShopifyUserErrorDetail[] } }>(
        `mutation UpdateCompany($companyId: ID!, $input: CompanyInput!) { companyUpdate(companyId: $companyId, input: $input) { company { id } userErrors { field message code } } }`,
        { companyId: company.id, input: { name: input.companyName } },
      );
      check('companyUpdate', data.companyUpdate);
    } else {
      const data = await this.client.request<{
        companyCreate: { company: Company | null; userErrors: ShopifyUserErrorDetail[] };
      }>(
        `mutation CreateCompany($input: CompanyCreateInput!) { companyCreate(input: $input) { company { ${companyFields} } userErrors { field message code } } }`,
        {
          input: {
            company: { name: input.companyName, externalId: input.erpCustomerId },
            companyLocation: { name: input.companyName },
          },
        },
      );
      check('companyCreate', data.companyCreate);
      company = data.companyCreate.company!;
    }
    if (!company.contacts.nodes.some((c) => c.customer.id === customerGid)) {
      const data = await this.client.request<{
        companyAssignCustomerAsContact: { userErrors: ShopifyUserErrorDetail[] };
      }>(
        `mutation AssignContact($companyId: ID!, $customerId: ID!) { companyAssignCustomerAsContact(companyId: $companyId, customerId: $customerId) { companyContact { id } userErrors { field message code } } }`,
        { companyId: company.id, customerId: customerGid },
      );
      check('companyAssignCustomerAsContact', data.companyAssignCustomerAsContact);
    }
    const locationId = company.locations.nodes[0]?.id;
    if (locationId && input.paymentTermsName) {
      const templates = await this.client.request<{ paymentTermsTemplates: { id: string; name: string }[] }>(
        `query Terms { paymentTermsTemplates { id name } }`,
      );
      const wanted = input.paymentTermsName.toLowerCase().replace(/\s+/g, ' ').trim();
      const template = templates.paymentTermsTemplates.find((t) => t.name.toLowerCase() === wanted);
      if (!template)
        throw new ShopifyUserError('companyLocationUpdate', [
          {
            field: ['paymentTermsName'],
            message: `No payment terms template named ${input.paymentTermsName}.`,
          },
        ]);
      const data = await this.client.request<{
        companyLocationUpdate: { userErrors: ShopifyUserErrorDetail[] };
      }>(
        `mutation Terms($id: ID!, $input: CompanyLocationUpdateInput!) { companyLocationUpdate(companyLocationId: $id, input: $input) { companyLocation { id } userErrors { field message code } } }`,
        { id: locationId, input: { buyerExperienceConfiguration: { paymentTermsTemplateId: template.id } } },
      );
      check('companyLocationUpdate', data.companyLocationUpdate);
    }
    if (locationId && input.priceList) {
      const catalogs = await this.client.request<{ catalogs: { nodes: { id: string; title: string }[] } }>(
        `query Catalog($query: String!) { catalogs(first: 1, query: $query) { nodes { id title } } }`,
        { query: `title:${JSON.stringify(input.priceList)}` },
      );
      const catalog = catalogs.catalogs.nodes.find((c) => c.title === input.priceList);
      if (!catalog)
        throw new ShopifyUserError('catalogContextUpdate', [
          { field: ['priceList'], message: `No catalog or price list named ${input.priceList}.` },
        ]);
      const data = await this.client.request<{
        catalogContextUpdate: { userErrors: ShopifyUserErrorDetail[] };
      }>(
        `mutation AssignCatalog($catalogId: ID!, $add: CatalogContextInput) { catalogContextUpdate(catalogId: $catalogId, contextsToAdd: $add) { catalog { id } userErrors { field message code } } }`,
        { catalogId: catalog.id, add: { companyLocationIds: [locationId] } },
      );
      check('catalogContextUpdate', data.catalogContextUpdate);
    }
    return company.id;
  }

  private async setMetafields(
    metafields: { ownerId: string; namespace: string; key: string; type: string; value: string }[],
  ): Promise<void> {
    for (let i = 0; i < metafields.length; i += 25) {
      const data = await this.client.request<{ metafieldsSet: { userErrors: ShopifyUserErrorDetail[] } }>(
        `mutation SetMetafields($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { metafields { key } userErrors { field message code } } }`,
        { metafields: metafields.slice(i, i + 25) },
      );
      check('metafieldsSet', data.metafieldsSet);
    }
  }

  private recordKey(ownerId: string, namespace: string, key: string, value: string): Promise<void> {
    return this.setMetafields([{ ownerId, namespace, key, type: 'single_line_text_field', value }]);
  }

  /** Inventory item ids by SKU: cached ones first, the rest looked up 250 per query (`fresh`). */
  private async inventoryItems(skus: string[]): Promise<{ ids: Map<string, string>; fresh: Set<string> }> {
    const ids = new Map<string, string>();
    const fresh = new Set<string>();
    const missing: string[] = [];
    for (const sku of skus) {
      const id = this.itemIds.get(sku);
      if (id) ids.set(sku, id);
      else missing.push(sku);
    }
    const chunks: string[][] = [];
    for (let i = 0; i < missing.length; i += SKU_LOOKUP_BATCH)
      chunks.push(missing.slice(i, i + SKU_LOOKUP_BATCH));
    await inParallel(chunks, this.concurrency, async (chunk) => {
      const data = await this.client.request<{
        productVariants: { nodes: { sku: string | null; inventoryItem: { id: string } }[] };
      }>(
        `query InventoryItems($first: Int!, $query: String!) { productVariants(first: $first, query: $query) { nodes { sku inventoryItem { id } } } }`,
        { first: chunk.length, query: chunk.map((s) => `sku:${JSON.stringify(s)}`).join(' OR ') },
      );
      const wanted = new Set(chunk);
      for (const n of data.productVariants.nodes) {
        if (!n.sku || !wanted.has(n.sku)) continue;
        ids.set(n.sku, n.inventoryItem.id);
        fresh.add(n.sku);
        this.itemIds.set(n.sku, n.inventoryItem.id);
      }
    });
    return { ids, fresh };
  }

  private async locationIds(): Promise<Map<string, string>> {
    if (!this.locations) {
      const data = await this.client.request<{ locations: { nodes: { id: string; name: string }[] } }>(
        `query Locations { locations(first: 250) { nodes { id name } } }`,
      );
      this.locations = new Map(data.locations.nodes.map((l) => [l.name, l.id]));
    }
    return this.locations;
  }

  private locationGid(location: string, byName: Map<string, string>): string | undefined {
    if (location.startsWith('gid://')) return location;
    if (/^\d+$/.test(location)) return toGid('Location', location);
    return byName.get(location);
  }

  private async publicationIds(): Promise<string[]> {
    if (!this.publications) {
      const data = await this.client.request<{ publications: { nodes: { id: string; name: string }[] } }>(
        `query Publications { publications(first: 20) { nodes { id name } } }`,
      );
      this.publications = data.publications.nodes.map((p) => p.id);
    }
    return this.publications;
  }
}
