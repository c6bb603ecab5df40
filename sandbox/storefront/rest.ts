import { Money } from '../../domain/money';
import type { StoreDb } from './db';
import { gid } from './db';

/**
 * Shopify's REST representation of the store's objects, as webhook bodies carry them: snake_case, money
 * as strings with *_set objects, ids as JSON numbers (bigint here, so they serialize with every digit).
 */

const money = (amount: string, currency: string) => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
});
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const big = (id: string | null) => (id === null ? null : BigInt(id));

type Row = Record<string, unknown>;

export async function customerJson(db: StoreDb, customerId: string): Promise<Row | undefined> {
  const res = await db.query('SELECT * FROM customers WHERE id = $1', [customerId]);
  const c = res.rows[0];
  if (!c) return undefined;
  const address = (c.address ?? null) as Row | null;
  return {
    id: big(c.id),
    email: c.email,
    created_at: iso(c.created_at),
    updated_at: iso(c.updated_at),
    first_name: c.first_name,
    last_name: c.last_name,
    state: 'enabled',
    note: c.note,
    verified_email: true,
    tax_exempt: c.tax_exempt,
    tags: (c.tags as string[]).join(', '),
    phone: c.phone,
    currency: 'USD',
    tax_exemptions: [],
    admin_graphql_api_id: gid('Customer', c.id),
    default_address: address
      ? {
          customer_id: big(c.id),
          first_name: c.first_name,
          last_name: c.last_name,
          company: c.company,
          ...address,
          default: true,
        }
      : null,
  };
}

/** An order's line columns, each read as `line_<column>` beside the order's own in orderJson's one query. */
const LINE_COLUMNS = [
  'id',
  'order_id',
  'position',
  'variant_id',
  'product_id',
  'sku',
  'title',
  'quantity',
  'price',
  'fulfilled_quantity',
  'refunded_quantity',
  'discount',
  'tax',
];

export async function orderJson(db: StoreDb, orderId: string): Promise<Row | undefined> {
  // The order, its customer and its lines in one query: a row per line, the order's columns repeated.
  const res = await db.query(
    `SELECT o.*, c.email AS customer_email, c.first_name, c.last_name, c.updated_at AS customer_updated_at, c.tax_exempt AS customer_tax_exempt,
            ${LINE_COLUMNS.map((k) => `l.${k} AS line_${k}`).join(', ')}
       FROM orders o JOIN customers c ON c.id = o.customer_id
       LEFT JOIN order_lines l ON l.order_id = o.id
      WHERE o.id = $1
      ORDER BY l.position`,
    [orderId],
  );
  const o = res.rows[0];
  if (!o) return undefined;
  const lines = res.rows
    .filter((r) => r.line_id !== null)
    .map((r) => Object.fromEntries(LINE_COLUMNS.map((k) => [k, r[`line_${k}`]])));
  const currency = o.currency as string;
  const m = (v: unknown) => Money.of(String(v), currency);
  const goods = Money.sum(
    lines.map((l) => Money.line(String(l.price), l.quantity, currency)),
    currency,
  );
  const discounts = Money.sum(
    lines.map((l) => m(l.discount)),
    currency,
  );
  const shippingLines = o.shipping_lines as { code: string; title?: string; price: string }[];
  const shipping = Money.sum(
    shippingLines.map((sl) => m(sl.price)),
    currency,
  );
  const tax = Money.sum(
    lines.map((l) => m(l.tax)),
    currency,
  );
  // Shopify's subtotal_price is the goods after discounts, before shipping and tax.
  const subtotal = goods.minus(discounts).toString();
  const totalPrice = goods.minus(discounts).plus(shipping).plus(tax).toString();
  const rate = o.tax_rate === null ? null : Number(o.tax_rate);
  const taxLines = (amount: string) =>
    rate === null || o.tax_exempt
      ? []
      : [{ title: o.tax_title, price: amount, price_set: money(amount, currency), rate }];
  const codes = o.discount_codes as { code: string; type: string; value: string; amount: string }[];
  const fulfilled = lines.every((l) => l.fulfilled_quantity >= l.quantity)
    ? 'fulfilled'
    : lines.some((l) => l.fulfilled_quantity > 0)
      ? 'partial'
      : null;
  return {
    id: big(o.id),
    admin_graphql_api_id: gid('Order', o.id),
    app_id: null,
    buyer_accepts_marketing: false,
    cancel_reason: o.cancel_reason,
    cancelled_at: iso(o.cancelled_at),
    closed_at: null,
    confirmed: true,
    contact_email: o.email,
    created_at: iso(o.created_at),
    currency,
    current_subtotal_price: subtotal,
    current_subtotal_price_set: money(subtotal, currency),
    current_total_price: totalPrice,
    current_total_price_set: money(totalPrice, currency),
    current_total_tax: tax.toString(),
    discount_applications: codes.map((d) => ({
      type: 'discount_code',
      code: d.code,
      value: d.value,
      value_type: d.type,
      allocation_method: 'across',
      target_selection: 'all',
      target_type: 'line_item',
    })),
    discount_codes: codes.map((d) => ({ code: d.code, amount: d.amount, type: d.type })),
    email: o.email,
    financial_status: o.financial_status,
    fulfillment_status: fulfilled,
    name: `#${o.number}`,
    note: o.note,
    note_attributes: o.note_attributes,
    number: o.number - 1000,
    order_number: o.number,
    po_number: o.po_number,
    presentment_currency: currency,
    processed_at: iso(o.created_at),
    source_name: 'web',
    subtotal_price: subtotal,
    subtotal_price_set: money(subtotal, currency),
    tags: (o.tags as string[]).join(', '),
    tax_exempt: o.tax_exempt,
    tax_lines: taxLines(tax.toString()),
    taxes_included: false,
    test: true,
    total_discounts: discounts.toString(),
    total_discounts_set: money(discounts.toString(), currency),
    total_line_items_price: goods.toString(),
    total_line_items_price_set: money(goods.toString(), currency),
    total_price: totalPrice,
    total_price_set: money(totalPrice, currency),
    total_shipping_price_set: money(shipping.toString(), currency),
    total_tax: tax.toString(),
    total_tax_set: money(tax.toString(), currency),
    updated_at: iso(o.updated_at),
    customer: {
      id: big(o.customer_id),
      email: o.customer_email,
      first_name: o.first_name,
      last_name: o.last_name,
      tax_exempt: o.customer_tax_exempt,
      updated_at: iso(o.customer_updated_at),
      admin_graphql_api_id: gid('Customer', o.customer_id),
    },
    company: o.company_id ? { id: big(o.company_id), location_id: big(o.company_location_id) } : null,
    line_items: lines.map((l) => ({
      id: big(l.id),
      admin_graphql_api_id: gid('LineItem', l.id),
      current_quantity: l.quantity - l.refunded_quantity,
      fulfillable_quantity: Math.max(0, l.quantity - l.fulfilled_quantity - l.refunded_quantity),
      fulfillment_service: 'manual',
      fulfillment_status:
        l.fulfilled_quantity >= l.quantity ? 'fulfilled' : l.fulfilled_quantity > 0 ? 'partial' : null,
      gift_card: false,
      name: l.title,
      price: l.price,
      price_set: money(l.price, currency),
      product_exists: l.product_id !== null,
      product_id: big(l.product_id),
      properties: [],
      quantity: l.quantity,
      requires_shipping: true,
      sku: l.sku,
      taxable: true,
      title: l.title,
      total_discount: m(l.discount).toString(),
      total_discount_set: money(m(l.discount).toString(), currency),
      variant_id: big(l.variant_id),
      tax_lines: taxLines(m(l.tax).toString()),
      discount_allocations: m(l.discount).isZero()
        ? []
        : [
            {
              amount: m(l.discount).toString(),
              amount_set: money(m(l.discount).toString(), currency),
              discount_application_index: 0,
            },
          ],
    })),
    shipping_lines: shippingLines.map((sl, i) => ({
      id: big(String(BigInt(o.id) * 100n + BigInt(i))),
      code: sl.code,
      title: sl.title ?? sl.code,
      source: 'shopify',
      price: m(sl.price).toString(),
      price_set: money(m(sl.price).toString(), currency),
      discounted_price: m(sl.price).toString(),
      discounted_price_set: money(m(sl.price).toString(), currency),
      discount_allocations: [],
      tax_lines: [],
    })),
    shipping_address: o.shipping_address,
    billing_address: o.shipping_address,
  };
}

export async function refundJson(db: StoreDb, refundId: string): Promise<Row | undefined> {
  const r = (await db.query('SELECT * FROM refunds WHERE id = $1', [refundId])).rows[0];
  if (!r) return undefined;
  const txns = (
    await db.query(
      'SELECT id, parent_id, kind, gateway, status, amount::text AS amount, currency, created_at FROM order_transactions WHERE refund_id = $1 ORDER BY id',
      [refundId],
    )
  ).rows as {
    id: string;
    parent_id: string | null;
    kind: string;
    gateway: string;
    status: string;
    amount: string;
    currency: string;
    created_at: Date;
  }[];
  const lines = r.lines as {
    lineItemId: string;
    quantity: number;
    restockType: string;
    subtotal: string;
    sku: string;
  }[];
  return {
    id: big(r.id),
    admin_graphql_api_id: gid('Refund', r.id),
    order_id: big(r.order_id),
    created_at: iso(r.created_at),
    processed_at: iso(r.created_at),
    note: r.note,
    restock: lines.some((l) => l.restockType !== 'NO_RESTOCK'),
    refund_line_items: lines.map((l) => ({
      line_item_id: big(l.lineItemId),
      quantity: l.quantity,
      restock_type: l.restockType.toLowerCase(),
      subtotal: l.subtotal,
      subtotal_set: money(l.subtotal, r.currency),
      line_item: { id: big(l.lineItemId), sku: l.sku },
    })),
    transactions: txns.map((t) => ({
      id: big(t.id),
      admin_graphql_api_id: gid('OrderTransaction', t.id),
      order_id: big(r.order_id),
      parent_id: t.parent_id === null ? null : big(t.parent_id),
      kind: t.kind.toLowerCase(),
      gateway: t.gateway,
      status: t.status.toLowerCase(),
      amount: t.amount,
      currency: t.currency,
      created_at: iso(t.created_at),
      processed_at: iso(t.created_at),
    })),
  };
}

export async function returnJson(db: StoreDb, returnId: string): Promise<Row | undefined> {
  const r = (
    await db.query(
      'SELECT r.*, o.customer_id FROM returns r JOIN orders o ON o.id = r.order_id WHERE r.id = $1',
      [returnId],
    )
  ).rows[0];
  if (!r) return undefined;
  const lines = r.lines as {
    id: string;
    lineItemId: string;
    sku: string;
    quantity: number;
    reason: string;
    customerNote?: string;
  }[];
  return {
    id: big(r.id),
    admin_graphql_api_id: gid('Return', r.id),
    status: String(r.status).toLowerCase(),
    order: { id: big(r.order_id), admin_graphql_api_id: gid('Order', r.order_id) },
    customer: { id: big(r.customer_id) },
    created_at: iso(r.created_at),
    total_return_line_items: lines.length,
    name: null,
    // Shopify's returns webhooks do not list the lines (see its returns/request sample); the Admin
    // API's return(id) { returnLineItems } does.
    return_line_items: [],
    return_shipping_fees: [],
    exchange_line_items: [],
    total_exchange_line_items: 0,
  };
}
