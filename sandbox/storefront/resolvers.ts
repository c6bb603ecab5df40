import type { GraphQLResolveInfo } from 'graphql';
import { valueFromASTUntyped } from 'graphql';
import type pg from 'pg';
import { connection, searchedConnection, type SearchField } from './connections';
import { gid, idOf, type Row, type Args, type Q, type UserError, rows, one, type StoreDb } from './db';
import { companyLocationExtras, createCompaniesRoot, locationExternalIdTaken } from './companies';
import { createPricingRoot } from './pricing';
import {
  createProductsRoot,
  inventoryItemExtras,
  productExtras,
  validMetafieldValue,
  variantExtras,
} from './products';
import { setQuantities } from './inventory';
import { setMetafieldsOfOwners, upsertMetafields } from './metafields';
import { returnLineItemNodes } from './returns';
import { customerJson, orderJson, refundJson, returnJson } from './rest';
import type { JobRunner } from './jobs';
import { checkRefundTransactions, refundableByParent } from './refunds';
import type { WebhookDispatcher } from './webhooks';
import { withTransaction } from '../../db/pool';
import { Money } from '../../domain/money';

export interface ResolverContext {
  db: StoreDb;
  webhooks: WebhookDispatcher;
  shopDomain: string;
  apiVersion: string;
  jobs: JobRunner;
}

/** Search fields per resource: the documented subset of Shopify's search syntax (docs/sandboxes.md). */
/** A resource's tags, matched case-insensitively. */
const TAG_SEARCH: SearchField = {
  column: 'tags',
  type: 'exists',
  sql: 'lower($v) = ANY (SELECT lower(t) FROM unnest(tags) t)',
};
/** When a resource was created and last updated. */
const TIMESTAMP_SEARCH: Record<string, SearchField> = {
  created_at: { column: 'created_at', type: 'timestamp' },
  updated_at: { column: 'updated_at', type: 'timestamp' },
};
const ORDER_SEARCH: Record<string, SearchField> = {
  id: { column: 'id', type: 'id' },
  name: { column: 'number::text', type: 'text', normalize: (v) => v.replace(/^#/, '') },
  email: { column: 'email', type: 'text' },
  po_number: { column: 'po_number', type: 'text' },
  financial_status: { column: 'financial_status', type: 'text' },
  tag: TAG_SEARCH,
  ...TIMESTAMP_SEARCH,
};
const PRODUCT_SEARCH: Record<string, SearchField> = {
  id: { column: 'id', type: 'id' },
  title: { column: 'title', type: 'text' },
  sku: {
    column: 'sku',
    type: 'exists',
    sql: 'EXISTS (SELECT 1 FROM variants sv WHERE sv.product_id = products.id AND sv.sku = $v)',
  },
  handle: { column: 'handle', type: 'text' },
  status: { column: 'status', type: 'text', normalize: (v) => v.toUpperCase() },
  product_type: { column: 'product_type', type: 'text' },
  vendor: { column: 'vendor', type: 'text' },
  tag: TAG_SEARCH,
  ...TIMESTAMP_SEARCH,
};
const VARIANT_SEARCH: Record<string, SearchField> = {
  id: { column: 'id', type: 'id' },
  sku: { column: 'sku', type: 'text' },
  product_id: { column: 'product_id', type: 'id' },
  title: { column: 'title', type: 'text' },
};
const INVENTORY_ITEM_SEARCH: Record<string, SearchField> = {
  id: { column: 'v.inventory_item_id', type: 'id' },
  sku: { column: 'v.sku', type: 'text' },
  created_at: { column: 'p.created_at', type: 'timestamp' },
  updated_at: { column: 'p.updated_at', type: 'timestamp' },
};
const CUSTOMER_SEARCH: Record<string, SearchField> = {
  id: { column: 'id', type: 'id' },
  email: { column: 'email', type: 'text' },
  first_name: { column: 'first_name', type: 'text' },
  last_name: { column: 'last_name', type: 'text' },
  tag: TAG_SEARCH,
  ...TIMESTAMP_SEARCH,
};
const COMPANY_SEARCH: Record<string, SearchField> = {
  id: { column: 'id', type: 'id' },
  name: { column: 'name', type: 'text' },
  external_id: { column: 'external_id', type: 'text' },
  ...TIMESTAMP_SEARCH,
};
const SORT_COLUMNS: Record<string, { column: string; type: 'timestamptz' | 'text' | 'integer' }> = {
  UPDATED_AT: { column: 'updated_at', type: 'timestamptz' },
  CREATED_AT: { column: 'created_at', type: 'timestamptz' },
  TITLE: { column: 'title', type: 'text' },
  SKU: { column: 'sku', type: 'text' },
  ORDER_NUMBER: { column: 'number', type: 'integer' },
};
const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
const userError = (field: string[] | null, message: string, code?: string): UserError => ({
  field,
  message,
  code,
});
/** The sandbox shop's currency. */
const SHOP_CURRENCY = 'USD';
const moneyCurrency = (value: string): unknown => {
  try {
    return (JSON.parse(value) as { currency_code?: unknown }).currency_code;
  } catch {
    return undefined;
  }
};
const moneyBag = (amount: string, currencyCode: string) => ({
  shopMoney: { amount, currencyCode },
  presentmentMoney: { amount, currencyCode },
});

/** Terms of a Shopify search query: `sku:A OR sku:"B C"` → [{field:'sku',value:'A'}, …]. */
export function searchTerms(query: string | undefined): { field: string; value: string }[] {
  if (!query) return [];
  return query
    .split(/\s+OR\s+/i)
    .map((part) => /^\s*(\w+):\s*"?([^"]*)"?\s*$/.exec(part))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ field: m[1]!.toLowerCase(), value: m[2]! }));
}

const transaction = withTransaction;

/** The key of an `@idempotent(key:)` directive on the resolved mutation field. */
function idempotencyKey(info: GraphQLResolveInfo): string | undefined {
  const directive = info.fieldNodes[0]?.directives?.find((d) => d.name.value === 'idempotent');
  const arg = directive?.arguments?.find((a) => a.name.value === 'key');
  if (!arg) return undefined;
  const value = valueFromASTUntyped(arg.value, info.variableValues);
  return typeof value === 'string' && value ? value : undefined;
}

/**
 * Runs a mutation once per `@idempotent` key: a repeat returns the ids the first call produced. From API
 * 2026-04 the directive is mandatory on refundCreate and inventorySetQuantities.
 */
async function idempotent(
  ctx: ResolverContext,
  info: GraphQLResolveInfo,
  run: (c: pg.PoolClient) => Promise<{ result: Row; payload: () => Promise<Row> }>,
  replay: (result: Row) => Promise<Row>,
): Promise<Row> {
  const key = idempotencyKey(info);
  if (!key && ctx.apiVersion >= '2026-04') {
    throw new Error(
      `${info.fieldName} requires the @idempotent(key:) directive in API version ${ctx.apiVersion}`,
    );
  }
  let after: (() => Promise<Row>) | undefined;
  const replayed = await transaction(ctx.db, async (c) => {
    if (key) {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${info.fieldName}:${key}`]);
      const seen = await one(c, 'SELECT result FROM idempotency_keys WHERE mutation = $1 AND key = $2', [
        info.fieldName,
        key,
      ]);
      if (seen) return seen.result as Row;
    }
    const { result, payload } = await run(c);
    if (key && !result.userErrors?.length) {
      await c.query('INSERT INTO idempotency_keys (mutation, key, result) VALUES ($1, $2, $3)', [
        info.fieldName,
        key,
        result,
      ]);
    }
    after = payload;
    return undefined;
  });
  if (replayed) return replay(replayed);
  return after!();
}

export function createRootValue(ctx: ResolverContext) {
  const { db } = ctx;

  /** Emits `topic` to its subscribers; the payload is built only when there are any. */
  const emit = async (topic: string, build: () => Promise<Row | undefined>) => {
    await ctx.webhooks.emitBuilt(topic, build);
  };
  const emitOrder = (topic: string, orderId: string) => emit(topic, () => orderJson(db, orderId));

  // ---- object builders -------------------------------------------------------------------------
  const metafieldNode = (m: Row) => ({
    id: gid('Metafield', `${m.owner_id}${Math.abs(hash(`${m.namespace}.${m.key}`))}`),
    namespace: m.namespace,
    key: m.key,
    type: m.type,
    value: m.value,
  });
  const metafieldsOf = (ownerId: string) => ({
    metafield: async ({ namespace, key }: Args) => {
      const m = await one(
        db,
        'SELECT * FROM metafields WHERE owner_id = $1 AND namespace = $2 AND key = $3',
        [ownerId, namespace, key],
      );
      return m ? metafieldNode(m) : null;
    },
    metafields: async ({ first, namespace }: Args) =>
      connection(
        (
          await rows(
            db,
            'SELECT * FROM metafields WHERE owner_id = $1 AND ($2::text IS NULL OR namespace = $2) ORDER BY namespace, key',
            [ownerId, namespace ?? null],
          )
        ).map(metafieldNode),
        first,
      ),
  });

  const pricing = createPricingRoot(db, { variantNode: (v) => variantNode(v) });
  const companiesRoot = createCompaniesRoot(db, {
    companyLocationNode: (l) => companyLocationNode(l),
    customerNode: (c) => customerNode(c),
  });
  const locationNode = (l: Row) => ({ id: gid('Location', l.id), name: l.name });
  const customerNode = (c: Row) => ({
    id: gid('Customer', c.id),
    email: c.email,
    firstName: c.first_name,
    lastName: c.last_name,
    taxExempt: c.tax_exempt,
    tags: c.tags,
    ...metafieldsOf(c.id),
  });
  const customerById = async (id: string | undefined) => {
    const c = id ? await one(db, 'SELECT * FROM customers WHERE id = $1', [id]) : undefined;
    return c ? customerNode(c) : null;
  };
  const termsNode = (t: Row) => ({
    id: gid('PaymentTermsTemplate', t.id),
    name: t.name,
    paymentTermsType: t.terms_type,
    dueInDays: t.due_in_days,
  });
  const companyLocationNode = (l: Row): Row => ({
    id: gid('CompanyLocation', l.id),
    name: l.name,
    company: async () =>
      companyNode((await one(db, 'SELECT * FROM companies WHERE id = $1', [l.company_id]))!),
    buyerExperienceConfiguration: async () => {
      const t = l.payment_terms_template_id
        ? await one(db, 'SELECT * FROM payment_terms_templates WHERE id = $1', [l.payment_terms_template_id])
        : undefined;
      return { paymentTermsTemplate: t ? termsNode(t) : null };
    },
    catalogs: ({ first }: Args) => pricing.locationCatalogs(l.id, first),
    metafield: metafieldsOf(l.id).metafield,
    ...companyLocationExtras(l),
  });
  const companyNode = (c: Row): Row => ({
    id: gid('Company', c.id),
    name: c.name,
    externalId: c.external_id,
    locations: async ({ first }: Args) =>
      connection(
        (await rows(db, 'SELECT * FROM company_locations WHERE company_id = $1 ORDER BY id', [c.id])).map(
          companyLocationNode,
        ),
        first,
      ),
    contacts: async ({ first }: Args) =>
      connection(
        (
          await rows(
            db,
            'SELECT cc.id AS contact_id, cu.* FROM company_contacts cc JOIN customers cu ON cu.id = cc.customer_id WHERE cc.company_id = $1 ORDER BY cc.id',
            [c.id],
          )
        ).map((r) => ({
          id: gid('CompanyContact', r.contact_id),
          customer: customerNode(r),
        })),
        first,
      ),
    metafield: metafieldsOf(c.id).metafield,
  });

  const lineNode = (l: Row, currency: string) => ({
    id: gid('LineItem', l.id),
    sku: l.sku,
    title: l.title,
    quantity: l.quantity,
    currentQuantity: l.quantity - l.refunded_quantity,
    unfulfilledQuantity: Math.max(0, l.quantity - l.fulfilled_quantity - l.refunded_quantity),
    originalUnitPriceSet: moneyBag(l.price, currency),
  });
  const fulfillmentNode = (f: Row) => ({
    id: gid('Fulfillment', f.id),
    status: f.status,
    createdAt: iso(f.created_at),
    trackingInfo: () =>
      (f.tracking_numbers as string[]).map((number, i) => ({
        company: f.tracking_company,
        number,
        url: (f.tracking_urls as string[])[i] ?? f.tracking_urls[0] ?? null,
      })),
  });
  /** An order's transactions, each with what is still refundable of a sale or capture. */
  const transactionsOf = async (orderId: string, currency: string, refundId?: string): Promise<Row[]> => {
    const all = await rows(
      db,
      'SELECT *, amount::text AS amount FROM order_transactions WHERE order_id = $1 ORDER BY id',
      [orderId],
    );
    const refundable = await refundableByParent(db, orderId, currency);
    const node = (t: Row): Row => ({
      id: gid('OrderTransaction', t.id),
      kind: t.kind,
      status: t.status,
      gateway: t.gateway,
      amountSet: moneyBag(t.amount, currency),
      maximumRefundableV2: refundable.has(t.id)
        ? { amount: refundable.get(t.id)!.left.toString(), currencyCode: currency }
        : null,
      parentTransaction: () => {
        const parent = all.find((p) => p.id === t.parent_id);
        return parent ? node(parent) : null;
      },
      createdAt: iso(t.created_at),
      processedAt: iso(t.created_at),
    });
    return all.filter((t) => refundId === undefined || t.refund_id === refundId).map(node);
  };
  const refundNode = (r: Row) => ({
    id: gid('Refund', r.id),
    note: r.note,
    createdAt: iso(r.created_at),
    totalRefundedSet: moneyBag(r.amount, r.currency),
    transactions: async () => connection(await transactionsOf(r.order_id, r.currency, r.id)),
  });
  const orderNode = (o: Row): Row => {
    const lines = () => rows(db, 'SELECT * FROM order_lines WHERE order_id = $1 ORDER BY position', [o.id]);
    return {
      id: gid('Order', o.id),
      name: `#${o.number}`,
      email: o.email,
      poNumber: o.po_number,
      note: o.note,
      tags: o.tags,
      displayFinancialStatus: String(o.financial_status).toUpperCase(),
      cancelledAt: iso(o.cancelled_at),
      cancelReason: o.cancel_reason ? String(o.cancel_reason).toUpperCase() : null,
      createdAt: iso(o.created_at),
      updatedAt: iso(o.updated_at),
      customer: () => customerById(o.customer_id),
      lineItems: async ({ first }: Args) =>
        connection(
          (await lines()).map((l) => lineNode(l, o.currency)),
          first,
        ),
      fulfillmentOrders: async ({ first }: Args) => {
        const ls = await lines();
        const remaining = ls.reduce(
          (s, l) => s + Math.max(0, l.quantity - l.fulfilled_quantity - l.refunded_quantity),
          0,
        );
        const status = o.cancelled_at
          ? 'CLOSED'
          : remaining === 0
            ? 'CLOSED'
            : ls.some((l) => l.fulfilled_quantity > 0)
              ? 'IN_PROGRESS'
              : 'OPEN';
        return connection(
          [
            {
              id: gid('FulfillmentOrder', o.id),
              status,
              lineItems: ({ first: n }: Args) =>
                connection(
                  ls.map((l) => ({
                    id: gid('FulfillmentOrderLineItem', l.id),
                    totalQuantity: l.quantity,
                    remainingQuantity: Math.max(0, l.quantity - l.fulfilled_quantity - l.refunded_quantity),
                    lineItem: lineNode(l, o.currency),
                  })),
                  n,
                ),
            },
          ],
          first,
        );
      },
      fulfillments: async ({ first }: Args) =>
        (await rows(db, 'SELECT * FROM fulfillments WHERE order_id = $1 ORDER BY id', [o.id]))
          .slice(0, first ?? 250)
          .map(fulfillmentNode),
      refunds: async ({ first }: Args) =>
        (await rows(db, 'SELECT * FROM refunds WHERE order_id = $1 ORDER BY id', [o.id]))
          .slice(0, first ?? 250)
          .map(refundNode),
      transactions: async ({ first }: Args) =>
        (await transactionsOf(o.id, o.currency)).slice(0, first ?? 250),
      totalReceivedSet: async () => {
        const t = await rows(
          db,
          `SELECT amount::text AS amount FROM order_transactions WHERE order_id = $1 AND status = 'SUCCESS' AND kind IN ('SALE', 'CAPTURE')`,
          [o.id],
        );
        return moneyBag(
          Money.sum(
            t.map((x) => Money.of(x.amount, o.currency)),
            o.currency,
          ).toString(),
          o.currency,
        );
      },
      totalRefundedSet: async () => {
        const t = await rows(
          db,
          `SELECT amount::text AS amount FROM order_transactions WHERE order_id = $1 AND status = 'SUCCESS' AND kind = 'REFUND'`,
          [o.id],
        );
        return moneyBag(
          Money.sum(
            t.map((x) => Money.of(x.amount, o.currency)),
            o.currency,
          ).toString(),
          o.currency,
        );
      },
      ...metafieldsOf(o.id),
    };
  };
  const orderById = async (id: string | undefined) => {
    const o = id ? await one(db, 'SELECT * FROM orders WHERE id = $1', [id]) : undefined;
    return o ? orderNode(o) : null;
  };
  /** Metafields of a product or variant, whose `metafield` may leave the namespace out (the app's own). */
  const ownedMetafields = (ownerId: string) => {
    const m = metafieldsOf(ownerId);
    return {
      metafield: (a: Args) => m.metafield({ namespace: a.namespace ?? '$app', key: a.key }),
      metafields: (a: Args) => m.metafields({ first: a.first ?? 250, namespace: a.namespace }),
    };
  };
  const productsRoot = createProductsRoot(db, { productNode: (p) => productNode(p) });
  const productNode = (p: Row): Row => ({
    ...productExtras(db, p, ownedMetafields(p.id)),
    id: gid('Product', p.id),
    title: p.title,
    createdAt: iso(p.created_at),
    updatedAt: iso(p.updated_at),
    publishedOnPublication: async ({ publicationId }: Args) =>
      Boolean(
        await one(db, 'SELECT 1 FROM product_publications WHERE product_id = $1 AND publication_id = $2', [
          p.id,
          idOf(publicationId, 'Publication') ?? '0',
        ]),
      ),
    publishedOnCurrentPublication: async () =>
      Boolean(await one(db, 'SELECT 1 FROM product_publications WHERE product_id = $1', [p.id])),
    variants: async ({ first }: Args) =>
      connection(
        (await rows(db, 'SELECT * FROM variants WHERE product_id = $1 ORDER BY id', [p.id])).map(variantNode),
        first,
      ),
  });
  const variantNode = (v: Row): Row => ({
    ...variantExtras(db, v, ownedMetafields(v.id)),
    id: gid('ProductVariant', v.id),
    sku: v.sku,
    title: v.title,
    price: v.price,
    product: async () =>
      productNode((await one(db, 'SELECT * FROM products WHERE id = $1', [v.product_id]))!),
    inventoryItem: async () =>
      inventoryItemNode({
        ...v,
        ...(await one(db, 'SELECT created_at, updated_at FROM products WHERE id = $1', [v.product_id])),
      }),
  });
  /** An inventory item: the row of its variant, with its product's timestamps. */
  const inventoryItemNode = (v: Row): Row => ({
    ...inventoryItemExtras(v),
    id: gid('InventoryItem', v.inventory_item_id),
    sku: v.sku,
    createdAt: iso(v.created_at),
    updatedAt: iso(v.updated_at),
    variant: () => variantNode(v),
    inventoryLevels: async () =>
      connection(
        (
          await rows(
            db,
            'SELECT il.*, l.name FROM inventory_levels il JOIN locations l ON l.id = il.location_id WHERE il.inventory_item_id = $1 ORDER BY l.id',
            [v.inventory_item_id],
          )
        ).map((il) => ({
          id: gid('InventoryLevel', `${il.inventory_item_id}?inventory_item_id=${il.location_id}`),
          location: locationNode({ id: il.location_id, name: il.name }),
          updatedAt: iso(il.updated_at),
          quantities: ({ names }: Args) =>
            (names as string[]).map((name) => ({
              name,
              quantity: name === 'available' || name === 'on_hand' ? il.available : 0,
            })),
        })),
      ),
  });
  const returnNode = (r: Row) => ({
    id: gid('Return', r.id),
    status: r.status,
    declineReason: r.decline_reason,
    order: () => orderById(r.order_id),
    returnLineItems: () => connection(returnLineItemNodes(r.lines)),
  });
  const subscriptionNode = (s: Row) => ({
    id: gid('WebhookSubscription', s.id),
    topic: s.topic,
    uri: s.uri,
    callbackUrl: s.uri,
    endpoint: { __typename: 'WebhookHttpEndpoint', callbackUrl: s.uri },
    format: s.format,
    createdAt: iso(s.created_at),
  });

  const touchOrder = (c: Q, id: string) =>
    c.query('UPDATE orders SET updated_at = now() WHERE id = $1', [id]);
  return {
    // ---- queries -----------------------------------------------------------------------------------
    shop: () => ({
      id: gid('Shop', '1'),
      name: 'Quayside Sandbox Store',
      myshopifyDomain: ctx.shopDomain,
      currencyCode: 'USD',
    }),
    order: ({ id }: Args) => orderById(idOf(id, 'Order')),
    orders: searchedConnection(
      db,
      { fields: ORDER_SEARCH, defaultField: 'name', sortKeys: SORT_COLUMNS },
      { from: 'orders', map: orderNode },
    ),
    product: async ({ id }: Args) => {
      const p = await one(db, 'SELECT * FROM products WHERE id = $1', [idOf(id, 'Product') ?? '0']);
      return p ? productNode(p) : null;
    },
    products: searchedConnection(
      db,
      { fields: PRODUCT_SEARCH, defaultField: 'title', sortKeys: SORT_COLUMNS },
      { from: 'products', map: productNode },
    ),
    productVariant: async ({ id }: Args) => {
      const v = await one(db, 'SELECT * FROM variants WHERE id = $1', [idOf(id, 'ProductVariant') ?? '0']);
      return v ? variantNode(v) : null;
    },
    productVariants: searchedConnection(
      db,
      { fields: VARIANT_SEARCH, defaultField: 'sku', sortKeys: SORT_COLUMNS },
      { from: 'variants', map: variantNode },
    ),
    inventoryItem: async ({ id }: Args) => {
      const v = await one(
        db,
        'SELECT v.*, p.created_at, p.updated_at FROM variants v JOIN products p ON p.id = v.product_id WHERE v.inventory_item_id = $1',
        [idOf(id, 'InventoryItem') ?? '0'],
      );
      return v ? inventoryItemNode(v) : null;
    },
    inventoryItems: searchedConnection(
      db,
      { fields: INVENTORY_ITEM_SEARCH, defaultField: 'sku' },
      {
        from: 'variants v JOIN products p ON p.id = v.product_id',
        alias: 'v',
        select: 'v.*, p.created_at, p.updated_at',
        idColumn: 'inventory_item_id',
        map: inventoryItemNode,
      },
    ),
    locations: async ({ first }: Args) =>
      connection((await rows(db, 'SELECT * FROM locations ORDER BY id')).map(locationNode), first),
    publications: async ({ first }: Args) =>
      connection(
        (await rows(db, 'SELECT * FROM publications ORDER BY id')).map((p) => ({
          id: gid('Publication', p.id),
          name: p.name,
        })),
        first,
      ),
    customer: ({ id }: Args) => customerById(idOf(id, 'Customer')),
    customers: searchedConnection(
      db,
      { fields: CUSTOMER_SEARCH, defaultField: 'email', sortKeys: SORT_COLUMNS },
      { from: 'customers', map: customerNode },
    ),
    company: async ({ id }: Args) => {
      const c = await one(db, 'SELECT * FROM companies WHERE id = $1', [idOf(id, 'Company') ?? '0']);
      return c ? companyNode(c) : null;
    },
    companies: searchedConnection(
      db,
      { fields: COMPANY_SEARCH, defaultField: 'name' },
      { from: 'companies', map: companyNode },
    ),
    paymentTermsTemplates: async () =>
      (await rows(db, 'SELECT * FROM payment_terms_templates ORDER BY id')).map(termsNode),
    return: async ({ id }: Args) => {
      const r = await one(db, 'SELECT * FROM returns WHERE id = $1', [idOf(id, 'Return') ?? '0']);
      return r ? returnNode(r) : null;
    },
    webhookSubscriptions: async ({ first, topics, uri, callbackUrl }: Args) => {
      const list = await rows(
        db,
        'SELECT * FROM webhook_subscriptions WHERE ($1::text[] IS NULL OR topic = ANY($1)) AND ($2::text IS NULL OR uri = $2) ORDER BY id',
        [topics ?? null, uri ?? callbackUrl ?? null],
      );
      return connection(list.map(subscriptionNode), first);
    },

    ...productsRoot,

    // ---- mutations ---------------------------------------------------------------------------------
    fulfillmentCreate: async ({ fulfillment }: Args) => {
      const groups = fulfillment.lineItemsByFulfillmentOrder as Args[];
      const errors: UserError[] = [];
      const result = await transaction(db, async (c) => {
        let created: Row | undefined;
        for (const [gi, group] of groups.entries()) {
          const orderId = idOf(group.fulfillmentOrderId, 'FulfillmentOrder');
          const order = orderId
            ? await one(c, 'SELECT * FROM orders WHERE id = $1 FOR UPDATE', [orderId])
            : undefined;
          if (!order) {
            errors.push(
              userError(
                ['fulfillment', 'lineItemsByFulfillmentOrder', String(gi), 'fulfillmentOrderId'],
                'Fulfillment order does not exist.',
              ),
            );
            continue;
          }
          if (order.cancelled_at) {
            errors.push(userError(['fulfillment'], 'Fulfillment order is closed: the order was cancelled.'));
            continue;
          }
          const lines = await rows(c, 'SELECT * FROM order_lines WHERE order_id = $1 ORDER BY position', [
            order.id,
          ]);
          const wanted: { line: Row; quantity: number }[] = group.fulfillmentOrderLineItems?.length
            ? (group.fulfillmentOrderLineItems as Args[]).map((li) => ({
                line: lines.find((l) => l.id === idOf(li.id, 'FulfillmentOrderLineItem'))!,
                quantity: li.quantity as number,
              }))
            : lines
                .map((l) => ({ line: l, quantity: l.quantity - l.fulfilled_quantity - l.refunded_quantity }))
                .filter((w) => w.quantity > 0);
          for (const [i, w] of wanted.entries()) {
            if (!w.line)
              errors.push(
                userError(
                  [
                    'fulfillment',
                    'lineItemsByFulfillmentOrder',
                    String(gi),
                    'fulfillmentOrderLineItems',
                    String(i),
                    'id',
                  ],
                  'Fulfillment order line item does not exist.',
                ),
              );
            else if (
              w.quantity <= 0 ||
              w.quantity > w.line.quantity - w.line.fulfilled_quantity - w.line.refunded_quantity
            )
              errors.push(
                userError(
                  [
                    'fulfillment',
                    'lineItemsByFulfillmentOrder',
                    String(gi),
                    'fulfillmentOrderLineItems',
                    String(i),
                    'quantity',
                  ],
                  `Invalid fulfillment order line item quantity requested: ${w.quantity} of ${w.line.sku}.`,
                ),
              );
          }
          if (errors.length || wanted.length === 0) {
            if (!errors.length)
              errors.push(
                userError(['fulfillment'], 'Fulfillment order has no remaining line items to fulfill.'),
              );
            continue;
          }
          for (const w of wanted)
            await c.query(
              'UPDATE order_lines SET fulfilled_quantity = fulfilled_quantity + $2 WHERE id = $1',
              [w.line.id, w.quantity],
            );
          const t = (fulfillment.trackingInfo ?? {}) as Args;
          const numbers = (t.numbers as string[] | undefined) ?? (t.number ? [t.number as string] : []);
          const urls = (t.urls as string[] | undefined) ?? (t.url ? [t.url as string] : []);
          created = await one(
            c,
            `INSERT INTO fulfillments (order_id, tracking_company, tracking_numbers, tracking_urls, notify_customer, lines) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
            [
              order.id,
              t.company ?? null,
              numbers,
              urls,
              fulfillment.notifyCustomer ?? false,
              JSON.stringify(wanted.map((w) => ({ lineItemId: w.line.id, quantity: w.quantity }))),
            ],
          );
          await touchOrder(c, order.id);
        }
        if (errors.length) throw Object.assign(new Error('userErrors'), { userErrors: errors });
        return created;
      }).catch((err: { userErrors?: UserError[] }) => {
        if (err.userErrors) return undefined;
        throw err;
      });
      if (!result) return { fulfillment: null, userErrors: errors };
      await emitOrder('orders/updated', result.order_id);
      await emit('fulfillments/create', async () => ({
        id: BigInt(result.id),
        order_id: BigInt(result.order_id),
        status: 'success',
        tracking_company: result.tracking_company,
        tracking_numbers: result.tracking_numbers,
      }));
      return { fulfillment: fulfillmentNode(result), userErrors: [] };
    },

    inventorySetQuantities: ({ input }: Args, _c: unknown, info: GraphQLResolveInfo) =>
      idempotent(
        ctx,
        info,
        async (c) => {
          const { userErrors, group } = await setQuantities(c, input, ctx.apiVersion);
          if (userErrors.length)
            return {
              result: { userErrors },
              payload: async () => ({ inventoryAdjustmentGroup: null, userErrors }),
            };
          return {
            result: { group },
            payload: async () => ({ inventoryAdjustmentGroup: group, userErrors: [] }),
          };
        },
        async (result) => ({
          inventoryAdjustmentGroup: result.group ?? null,
          userErrors: result.userErrors ?? [],
        }),
      ),

    publishablePublish: ({ id, input }: Args) => setPublished(id, input, true),
    publishableUnpublish: ({ id, input }: Args) => setPublished(id, input, false),

    tagsAdd: async ({ id, tags }: Args) => {
      const orderId = idOf(id, 'Order');
      const o = orderId ? await one(db, 'SELECT id FROM orders WHERE id = $1', [orderId]) : undefined;
      if (!o) return { node: null, userErrors: [userError(['id'], 'Order does not exist.')] };
      await db.query(
        'UPDATE orders SET tags = ARRAY(SELECT DISTINCT unnest(tags || $2::text[]) ORDER BY 1), updated_at = now() WHERE id = $1',
        [o.id, tags],
      );
      await emitOrder('orders/updated', o.id);
      return { node: await orderById(o.id), userErrors: [] };
    },

    orderUpdate: async ({ input }: Args) => {
      const orderId = idOf(input.id, 'Order');
      const o = orderId ? await one(db, 'SELECT id FROM orders WHERE id = $1', [orderId]) : undefined;
      if (!o) return { order: null, userErrors: [userError(['id'], 'Order does not exist.')] };
      await transaction(db, async (c) => {
        await c.query(
          `UPDATE orders SET note = COALESCE($2, note), tags = COALESCE($3, tags), po_number = COALESCE($4, po_number), updated_at = now() WHERE id = $1`,
          [o.id, input.note ?? null, input.tags ?? null, input.poNumber ?? null],
        );
        await upsertMetafields(c, o.id, input.metafields);
      });
      await emitOrder('orders/updated', o.id);
      return { order: await orderById(o.id), userErrors: [] };
    },

    // As on Shopify: at most 25 per call, every value checked against its type, atomic (one error
    // and nothing is set), each metafield named by owner, namespace and key upserted; the owner's
    // other metafields are left as they are.
    metafieldsSet: async ({ metafields }: Args) => {
      const list = metafields as Args[];
      if (list.length > 25)
        return {
          metafields: null,
          userErrors: [
            userError(
              ['metafields'],
              'Exceeded the maximum metafields input limit of 25.',
              'LESS_THAN_OR_EQUAL_TO',
            ),
          ],
        };
      const errors: UserError[] = [];
      const seen = new Set<string>();
      for (const [i, m] of list.entries()) {
        const at = ['metafields', String(i)];
        const name = `${m.ownerId}|${m.namespace}.${m.key}`;
        if (seen.has(name)) errors.push(userError([...at, 'key'], 'Metafield is given twice.', 'TAKEN'));
        seen.add(name);
        if (m.type && !validMetafieldValue(String(m.type), String(m.value)))
          errors.push(
            userError([...at, 'value'], `Value is invalid for a ${m.type} metafield.`, 'INVALID_VALUE'),
          );
        // As on Shopify, a money value is in the shop's currency.
        else if (m.type === 'money' && moneyCurrency(String(m.value)) !== SHOP_CURRENCY)
          errors.push(
            userError(
              [...at, 'value'],
              `Currency code must be the shop's currency (${SHOP_CURRENCY}).`,
              'INVALID_VALUE',
            ),
          );
      }
      if (errors.length) return { metafields: null, userErrors: errors };
      // One statement: every owner checked, and all of them set or (an owner missing) none.
      const owners = list.map((m) => idOf(m.ownerId) ?? null);
      const missing = await setMetafieldsOfOwners(
        db,
        list.map((m, i) => ({
          ownerId: owners[i]!,
          namespace: m.namespace,
          key: m.key,
          type: m.type,
          value: m.value,
        })),
      );
      for (const i of missing)
        errors.push(userError(['metafields', String(i), 'ownerId'], 'Owner does not exist.', 'INVALID'));
      const out = errors.length ? null : list.map((m, i) => metafieldNode({ owner_id: owners[i], ...m }));
      return { metafields: out, userErrors: errors };
    },

    job: async ({ id }: Args) => {
      const job = await ctx.jobs.status(idOf(id, 'Job') ?? '0');
      return job ? { id: gid('Job', job.id), done: job.done } : null;
    },

    orderCancel: async ({ orderId, reason, refund, restock, staffNote }: Args) => {
      const id = idOf(orderId, 'Order');
      const o = id ? await one(db, 'SELECT * FROM orders WHERE id = $1', [id]) : undefined;
      const fail = (message: string, code: string) => ({
        job: null,
        orderCancelUserErrors: [userError(['orderId'], message, code)],
        userErrors: [userError(['orderId'], message)],
      });
      if (!o) return fail('Order does not exist.', 'INVALID');
      if (o.cancelled_at) return fail('Order has already been cancelled.', 'INVALID');
      const shipped = await one(
        db,
        'SELECT 1 FROM order_lines WHERE order_id = $1 AND fulfilled_quantity > 0',
        [o.id],
      );
      if (shipped) return fail('Cannot cancel an order that has fulfillments.', 'INVALID');
      // Shopify cancels asynchronously: the answer is a job, the order is cancelled when it is done.
      const jobId =
        (await ctx.jobs.pendingCancel(o.id)) ??
        (await ctx.jobs.enqueue('orderCancel', {
          orderId: o.id,
          reason: String(reason),
          refund: Boolean(refund),
          restock: Boolean(restock),
          staffNote: staffNote ?? null,
        }));
      return { job: { id: gid('Job', jobId), done: false }, orderCancelUserErrors: [], userErrors: [] };
    },

    refundCreate: ({ input }: Args, _c: unknown, info: GraphQLResolveInfo) =>
      idempotent(
        ctx,
        info,
        async (c) => {
          const orderId = idOf(input.orderId, 'Order');
          const order = orderId
            ? await one(c, 'SELECT * FROM orders WHERE id = $1 FOR UPDATE', [orderId])
            : undefined;
          const failed = (errors: UserError[]) => ({
            result: { userErrors: errors },
            payload: async () => ({ refund: null, order: null, userErrors: errors }),
          });
          if (!order) return failed([userError(['orderId'], 'Order does not exist.')]);
          const lines = await rows(c, 'SELECT * FROM order_lines WHERE order_id = $1', [order.id]);
          const errors: UserError[] = [];
          const refunded: Row[] = [];
          for (const [i, r] of ((input.refundLineItems ?? []) as Args[]).entries()) {
            const line = lines.find((l) => l.id === idOf(r.lineItemId, 'LineItem'));
            if (!line)
              errors.push(
                userError(['refundLineItems', String(i), 'lineItemId'], 'Line item does not exist.'),
              );
            else if (r.quantity <= 0 || r.quantity > line.quantity - line.refunded_quantity)
              errors.push(
                userError(
                  ['refundLineItems', String(i), 'quantity'],
                  `Quantity cannot refund more items than were purchased (${line.sku}).`,
                ),
              );
            else refunded.push({ line, quantity: r.quantity, restockType: r.restockType ?? 'NO_RESTOCK' });
          }
          const refundCurrency = String(order.currency);
          if (input.currency && input.currency !== order.currency)
            errors.push(userError(['currency'], `Currency must be ${order.currency}, the order's currency.`));
          const lineAmount = (r: (typeof refunded)[number]) =>
            Money.line(String(r.line.price), r.quantity, refundCurrency);
          // Money moves only through the transactions, each naming the sale or capture it refunds.
          const money = await checkRefundTransactions(
            c,
            order as { id: string; currency: string },
            (input.transactions ?? []) as Args[],
          );
          errors.push(...money.errors);
          const amount = money.amount;
          if (!amount.isPositive() && refunded.length === 0 && !errors.length)
            errors.push(userError(['transactions'], 'Refund must include line items or an amount.'));
          if (errors.length) return failed(errors);
          for (const r of refunded)
            await c.query('UPDATE order_lines SET refunded_quantity = refunded_quantity + $2 WHERE id = $1', [
              r.line.id,
              r.quantity,
            ]);
          const refund = await one(
            c,
            'INSERT INTO refunds (order_id, note, amount, currency, lines) VALUES ($1, $2, $3, $4, $5) RETURNING *',
            [
              order.id,
              input.note ?? null,
              amount.toString(),
              refundCurrency,
              JSON.stringify(
                refunded.map((r) => ({
                  lineItemId: r.line.id,
                  sku: r.line.sku,
                  quantity: r.quantity,
                  restockType: r.restockType,
                  subtotal: lineAmount(r).toString(),
                })),
              ),
            ],
          );
          for (const t of money.transactions)
            await c.query(
              `INSERT INTO order_transactions (order_id, parent_id, refund_id, kind, gateway, amount, currency)
               VALUES ($1, $2, $3, 'REFUND', $4, $5, $6)`,
              [order.id, t.parentId, refund!.id, t.gateway, t.amount.toString(), refundCurrency],
            );
          if (amount.isPositive()) {
            const left = [...(await refundableByParent(c, order.id, refundCurrency)).values()];
            const netLeft = Money.sum(
              left.map((p) => p.left),
              refundCurrency,
            );
            await c.query('UPDATE orders SET financial_status = $2 WHERE id = $1', [
              order.id,
              netLeft.isPositive() ? 'partially_refunded' : 'refunded',
            ]);
          }
          await touchOrder(c, order.id);
          return {
            result: { refundId: refund!.id },
            payload: async () => {
              await emit('refunds/create', () => refundJson(db, refund!.id));
              return { refund: refundNode(refund!), order: () => orderById(order.id), userErrors: [] };
            },
          };
        },
        async (result) => {
          if (!result.refundId) return { refund: null, order: null, userErrors: result.userErrors ?? [] };
          const r = await one(db, 'SELECT * FROM refunds WHERE id = $1', [result.refundId]);
          return { refund: refundNode(r!), order: () => orderById(r!.order_id), userErrors: [] };
        },
      ),

    returnApproveRequest: ({ input }: Args) => moveReturn(input.id, ['REQUESTED'], 'OPEN', 'returns/approve'),
    returnDeclineRequest: ({ input }: Args) =>
      moveReturn(
        input.id,
        ['REQUESTED'],
        'DECLINED',
        'returns/decline',
        input.declineReason,
        input.declineNote,
      ),
    returnClose: ({ id }: Args) => moveReturn(id, ['OPEN'], 'CLOSED', 'returns/close'),

    customerCreate: async ({ input }: Args) => {
      if (!input.email)
        return { customer: null, userErrors: [userError(['email'], 'Email can\u2019t be blank', 'BLANK')] };
      const taken = await one(db, 'SELECT 1 FROM customers WHERE lower(email) = lower($1)', [input.email]);
      if (taken)
        return {
          customer: null,
          userErrors: [userError(['email'], 'Email has already been taken', 'TAKEN')],
        };
      const c = await transaction(db, async (cl) => {
        const row = await one(
          cl,
          'INSERT INTO customers (email, first_name, last_name, phone, note, tax_exempt, tags) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *',
          [
            input.email,
            input.firstName ?? null,
            input.lastName ?? null,
            input.phone ?? null,
            input.note ?? null,
            input.taxExempt ?? false,
            input.tags ?? [],
          ],
        );
        await upsertMetafields(cl, row!.id, input.metafields);
        return row!;
      });
      await emit('customers/create', () => customerJson(db, c.id));
      return { customer: customerNode(c), userErrors: [] };
    },
    customerUpdate: async ({ input }: Args) => {
      const id = idOf(input.id, 'Customer');
      const existing = id ? await one(db, 'SELECT * FROM customers WHERE id = $1', [id]) : undefined;
      if (!existing)
        return { customer: null, userErrors: [userError(['id'], 'Customer does not exist', 'INVALID')] };
      const c = await transaction(db, async (cl) => {
        const row = await one(
          cl,
          `UPDATE customers SET email = COALESCE($2, email), first_name = COALESCE($3, first_name), last_name = COALESCE($4, last_name),
                  tax_exempt = COALESCE($5, tax_exempt), tags = COALESCE($6, tags), note = COALESCE($7, note), updated_at = now() WHERE id = $1 RETURNING *`,
          [
            existing.id,
            input.email ?? null,
            input.firstName ?? null,
            input.lastName ?? null,
            input.taxExempt ?? null,
            input.tags ?? null,
            input.note ?? null,
          ],
        );
        await upsertMetafields(cl, existing.id, input.metafields);
        return row!;
      });
      await emit('customers/update', () => customerJson(db, c.id));
      return { customer: customerNode(c), userErrors: [] };
    },

    companyCreate: async ({ input }: Args) => {
      const co = input.company as Args;
      if (!co.name)
        return {
          company: null,
          userErrors: [userError(['input', 'company', 'name'], 'Name can\u2019t be blank', 'BLANK')],
        };
      const contactEmail = (input.companyContact as Args | undefined)?.email;
      // As companyContactCreate (companies.ts): Shopify checks the contact's email address.
      if (contactEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(contactEmail).trim()))
        return {
          company: null,
          userErrors: [userError(['input', 'companyContact', 'email'], 'Email is invalid', 'INVALID')],
        };
      if (
        co.externalId &&
        (await one(db, 'SELECT 1 FROM companies WHERE external_id = $1', [co.externalId]))
      ) {
        return {
          company: null,
          userErrors: [userError(['input', 'company', 'externalId'], 'External Id must be unique', 'TAKEN')],
        };
      }
      if (await locationExternalIdTaken(db, (input.companyLocation as Args | undefined)?.externalId))
        return {
          company: null,
          userErrors: [
            userError(
              ['input', 'companyLocation', 'externalId'],
              'External Id has already been taken',
              'TAKEN',
            ),
          ],
        };
      const company = await transaction(db, async (c) => {
        const row = (await one(
          c,
          'INSERT INTO companies (name, external_id, note) VALUES ($1, $2, $3) RETURNING *',
          [co.name, co.externalId ?? null, co.note ?? null],
        ))!;
        const contact = input.companyContact as Args | undefined;
        if (contact?.email) {
          const customer =
            (await one(c, 'SELECT id FROM customers WHERE lower(email) = lower($1)', [contact.email])) ??
            (await one(
              c,
              'INSERT INTO customers (email, first_name, last_name, company) VALUES ($1, $2, $3, $4) RETURNING id',
              [contact.email, contact.firstName ?? null, contact.lastName ?? null, co.name],
            ));
          await c.query(
            'INSERT INTO company_contacts (company_id, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
            [row.id, customer!.id],
          );
        }
        const loc = (input.companyLocation ?? {}) as Args;
        const terms = idOf(loc.buyerExperienceConfiguration?.paymentTermsTemplateId, 'PaymentTermsTemplate');
        await c.query(
          'INSERT INTO company_locations (company_id, name, payment_terms_template_id, external_id, tax_exempt, tax_registration_id) VALUES ($1, $2, $3, $4, $5, $6)',
          [
            row.id,
            loc.name ?? co.name,
            terms ?? null,
            loc.externalId ?? null,
            loc.taxExempt ?? false,
            loc.taxRegistrationId ?? null,
          ],
        );
        return row;
      });
      return { company: companyNode(company), userErrors: [] };
    },
    companyUpdate: async ({ companyId, input }: Args) => {
      const id = idOf(companyId, 'Company');
      const row = id
        ? await one(
            db,
            'UPDATE companies SET name = COALESCE($2, name), external_id = COALESCE($3, external_id), note = COALESCE($4, note), updated_at = now() WHERE id = $1 RETURNING *',
            [id, input.name ?? null, input.externalId ?? null, input.note ?? null],
          )
        : undefined;
      if (!row)
        return {
          company: null,
          userErrors: [userError(['companyId'], 'Resource requested does not exist.', 'RESOURCE_NOT_FOUND')],
        };
      return { company: companyNode(row), userErrors: [] };
    },
    companyAssignCustomerAsContact: async ({ companyId, customerId }: Args) => {
      const company = idOf(companyId, 'Company');
      const customer = idOf(customerId, 'Customer');
      const ok =
        company &&
        customer &&
        (await one(db, 'SELECT 1 FROM companies WHERE id = $1', [company])) &&
        (await one(db, 'SELECT 1 FROM customers WHERE id = $1', [customer]));
      if (!ok)
        return {
          companyContact: null,
          userErrors: [userError(['customerId'], 'Resource requested does not exist.', 'RESOURCE_NOT_FOUND')],
        };
      await db.query(
        'INSERT INTO company_contacts (company_id, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [company, customer],
      );
      const row = await one(
        db,
        'SELECT cc.id AS contact_id, cu.* FROM company_contacts cc JOIN customers cu ON cu.id = cc.customer_id WHERE cc.company_id = $1 AND cc.customer_id = $2',
        [company, customer],
      );
      return {
        companyContact: { id: gid('CompanyContact', row!.contact_id), customer: customerNode(row!) },
        userErrors: [],
      };
    },
    companyLocationUpdate: async ({ companyLocationId, input }: Args) => {
      const id = idOf(companyLocationId, 'CompanyLocation');
      const termsGiven = input.buyerExperienceConfiguration?.paymentTermsTemplateId;
      const terms = termsGiven ? idOf(termsGiven, 'PaymentTermsTemplate') : undefined;
      if (
        termsGiven &&
        !(terms && (await one(db, 'SELECT 1 FROM payment_terms_templates WHERE id = $1', [terms])))
      ) {
        return {
          companyLocation: null,
          userErrors: [
            userError(
              ['input', 'buyerExperienceConfiguration', 'paymentTermsTemplateId'],
              'Payment terms template does not exist.',
              'RESOURCE_NOT_FOUND',
            ),
          ],
        };
      }
      if (id && (await locationExternalIdTaken(db, input.externalId, id)))
        return {
          companyLocation: null,
          userErrors: [userError(['input', 'externalId'], 'External Id has already been taken', 'TAKEN')],
        };
      const row = id
        ? await one(
            db,
            'UPDATE company_locations SET name = COALESCE($2, name), payment_terms_template_id = COALESCE($3, payment_terms_template_id), external_id = COALESCE($4, external_id) WHERE id = $1 RETURNING *',
            [id, input.name ?? null, terms ?? null, input.externalId ?? null],
          )
        : undefined;
      if (!row)
        return {
          companyLocation: null,
          userErrors: [
            userError(['companyLocationId'], 'Resource requested does not exist.', 'RESOURCE_NOT_FOUND'),
          ],
        };
      return { companyLocation: companyLocationNode(row), userErrors: [] };
    },
    webhookSubscriptionCreate: async ({ topic, webhookSubscription }: Args) => {
      const uri = (webhookSubscription.uri ?? webhookSubscription.callbackUrl) as string | undefined;
      if (!uri || !/^https?:\/\//.test(uri))
        return {
          webhookSubscription: null,
          userErrors: [userError(['webhookSubscription', 'callbackUrl'], 'Address is invalid')],
        };
      const row = await one(
        db,
        'INSERT INTO webhook_subscriptions (topic, uri, format) VALUES ($1, $2, $3) ON CONFLICT (topic, uri) DO NOTHING RETURNING *',
        [topic, uri, webhookSubscription.format ?? 'JSON'],
      );
      if (!row)
        return {
          webhookSubscription: null,
          userErrors: [
            userError(
              ['webhookSubscription', 'callbackUrl'],
              'Address for this topic has already been taken',
            ),
          ],
        };
      return { webhookSubscription: subscriptionNode(row), userErrors: [] };
    },
    webhookSubscriptionDelete: async ({ id }: Args) => {
      const sub = idOf(id, 'WebhookSubscription');
      const res = sub ? await db.query('DELETE FROM webhook_subscriptions WHERE id = $1', [sub]) : undefined;
      if (!res?.rowCount)
        return {
          deletedWebhookSubscriptionId: null,
          userErrors: [userError(['id'], 'Webhook subscription does not exist')],
        };
      return { deletedWebhookSubscriptionId: id, userErrors: [] };
    },
    ...pricing.root,
    ...companiesRoot,
  };

  async function setPublished(id: string, input: Args[], published: boolean) {
    const productId = idOf(id, 'Product');
    const product = productId
      ? await one(db, 'SELECT id FROM products WHERE id = $1', [productId])
      : undefined;
    if (!product) return { userErrors: [userError(['id'], 'Product does not exist')] };
    // As on Shopify, an unknown publication refuses the whole call: nothing is published or hidden.
    const publications: string[] = [];
    for (const [i, p] of input.entries()) {
      const publication = idOf(p.publicationId, 'Publication');
      if (!publication || !(await one(db, 'SELECT 1 FROM publications WHERE id = $1', [publication]))) {
        return {
          userErrors: [userError(['input', String(i), 'publicationId'], 'Publication does not exist')],
        };
      }
      publications.push(publication);
    }
    for (const publication of publications) {
      if (published)
        await db.query(
          'INSERT INTO product_publications (product_id, publication_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [product.id, publication],
        );
      else
        await db.query('DELETE FROM product_publications WHERE product_id = $1 AND publication_id = $2', [
          product.id,
          publication,
        ]);
    }
    await db.query('UPDATE products SET updated_at = now() WHERE id = $1', [product.id]);
    return { userErrors: [] };
  }

  async function moveReturn(
    id: string,
    from: string[],
    to: string,
    topic: string,
    declineReason?: string,
    declineNote?: string,
  ) {
    const returnId = idOf(id, 'Return');
    const r = returnId ? await one(db, 'SELECT * FROM returns WHERE id = $1', [returnId]) : undefined;
    if (!r) return { return: null, userErrors: [userError(['id'], 'Return does not exist.', 'NOT_FOUND')] };
    if (!from.includes(r.status))
      return {
        return: null,
        userErrors: [
          userError(
            ['id'],
            `Return is ${String(r.status).toLowerCase()}; it cannot become ${to.toLowerCase()}.`,
            'INVALID_STATE',
          ),
        ],
      };
    const row = await one(
      db,
      'UPDATE returns SET status = $2, decline_reason = COALESCE($3, decline_reason), decline_note = COALESCE($4, decline_note), updated_at = now() WHERE id = $1 RETURNING *',
      [r.id, to, declineReason ?? null, declineNote ?? null],
    );
    await emit(topic, () => returnJson(db, r.id));
    return { return: returnNode(row!), userErrors: [] };
  }
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i += 1) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}
