import type pg from 'pg';
import { Money } from '../../domain/money';
import { RestError } from './errors';

/**
 * The sandbox ERP's record logic: customers, sales orders and the transactions created from them
 * (item fulfillments, invoices, return authorizations, credit memos, customer refunds), with the
 * inventory commitments a real ERP keeps. Every function runs inside the caller's transaction.
 */

type Q = pg.PoolClient;
type Json = Record<string, unknown>;

export const RECORD_TYPES = {
  customer: 'customer',
  salesorder: 'SalesOrd',
  itemfulfillment: 'ItemShip',
  invoice: 'CustInvc',
  returnauthorization: 'RtnAuth',
  creditmemo: 'CustCred',
  customerrefund: 'CustRfnd',
  customerdeposit: 'CustDep',
  depositapplication: 'DepAppl',
  purchaseorder: 'PurchOrd',
} as const;
export type RecordType = keyof typeof RECORD_TYPES;

const TYPE_NAMES: Record<string, string> = {
  SalesOrd: 'salesOrder',
  ItemShip: 'itemFulfillment',
  CustInvc: 'invoice',
  RtnAuth: 'returnAuthorization',
  CustCred: 'creditMemo',
  CustRfnd: 'customerRefund',
  CustDep: 'customerDeposit',
  DepAppl: 'depositApplication',
  PurchOrd: 'purchaseOrder',
};
const TRAN_PREFIX: Record<string, string> = {
  SalesOrd: 'SO',
  ItemShip: 'IF',
  CustInvc: 'INV',
  RtnAuth: 'RMA',
  CustCred: 'CM',
  CustRfnd: 'CR',
  CustDep: 'DEP',
  DepAppl: 'DEPAPPL',
  PurchOrd: 'PO',
};

const STATUS_NAMES: Record<string, Record<string, string>> = {
  SalesOrd: {
    A: 'Pending Approval',
    B: 'Pending Fulfillment',
    C: 'Cancelled',
    D: 'Partially Fulfilled',
    E: 'Pending Billing/Partially Fulfilled',
    F: 'Pending Billing',
    G: 'Billed',
    H: 'Closed',
  },
  ItemShip: { A: 'Picked', B: 'Packed', C: 'Shipped' },
  CustInvc: { A: 'Open', B: 'Paid In Full' },
  RtnAuth: {
    A: 'Pending Approval',
    B: 'Pending Receipt',
    C: 'Cancelled',
    D: 'Partially Received',
    E: 'Pending Refund/Partially Received',
    F: 'Pending Refund',
    G: 'Refunded',
    H: 'Closed',
  },
  CustCred: { A: 'Open', B: 'Fully Applied' },
  CustRfnd: { A: 'Paid' },
  CustDep: { A: 'Not Deposited', B: 'Deposited', C: 'Fully Applied' },
  PurchOrd: {
    B: 'Pending Receipt',
    D: 'Partially Received',
    F: 'Pending Bill',
    H: 'Closed',
  },
};

const money = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const userError = (detail: string, path?: string) => RestError.of(400, 'USER_ERROR', detail, path);
const badRef = (field: string, value: unknown) =>
  RestError.of(400, 'INVALID_KEY_OR_REF', `Invalid ${field} reference key ${String(value)}.`, field);
const notFound = (type: string, ref: string) =>
  RestError.of(
    404,
    'NONEXISTENT_ID',
    `The record instance does not exist. Provide a valid record instance ID. (${type} ${ref})`,
  );

function asObject(v: unknown, path: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw RestError.of(
      400,
      'INVALID_CONTENT',
      `Invalid content in the request body: ${path} must be an object.`,
      path,
    );
  return v as Json;
}
function optString(body: Json, key: string): string | null | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string' && typeof v !== 'number')
    throw RestError.of(400, 'INVALID_CONTENT', `Invalid value for the field ${key}.`, key);
  return String(v);
}
function optNumber(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw RestError.of(400, 'INVALID_CONTENT', `Invalid number for the field ${key}.`, key);
  return n;
}
function sublistItems(body: Json, key = 'item'): Json[] | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  const items = asObject(v, key).items;
  if (!Array.isArray(items))
    throw RestError.of(400, 'INVALID_CONTENT', `Invalid content: ${key}.items must be a list.`, key);
  return items.map((it, i) => asObject(it, `${key}.items[${i}]`));
}
/** A reference `{ "id": "12" }`, `{ "id": "eid:X" }` or `{ "externalId": "X" }`; returns the key. */
function refKey(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  const o = asObject(v, field);
  if (o.id !== undefined && o.id !== null) return String(o.id);
  if (typeof o.externalId === 'string') return `eid:${o.externalId}`;
  if (typeof o.refName === 'string') return `name:${o.refName}`;
  throw badRef(field, JSON.stringify(v));
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';
const duplicateExternalId = (externalId: string) =>
  RestError.of(
    400,
    'DUP_RCRD',
    `Error while accessing a resource. A record with the external ID '${externalId}' already exists.`,
    'externalId',
  );

/** The largest internal id (the id columns are integers): a longer number names no record. */
const MAX_ID = 2_147_483_647;
/** A key of digits as an internal id, or null. */
function intKey(key: string): number | null {
  if (!/^\d+$/.test(key)) return null;
  const n = Number(key);
  return n <= MAX_ID ? n : null;
}

/** How a reference key names a record: by internal id, by external id (`eid:`), or by name (`name:`) where the table has one. */
interface KeyParts {
  id: number | null;
  eid: string | null;
  name: string | null;
}
function keyParts(key: string | undefined, opts: { byName?: boolean; byEid?: boolean } = {}): KeyParts {
  const parts: KeyParts = { id: null, eid: null, name: null };
  if (key === undefined) return parts;
  if (opts.byName && key.startsWith('name:')) parts.name = key.slice(5);
  else if (key.startsWith('eid:')) parts.eid = opts.byEid === false ? null : key.slice(4);
  else parts.id = intKey(key);
  return parts;
}

/** The condition (on `alias`, with `$1`) and parameter that find a record by an `eid:` or internal-id key; null when the key names none. */
function keyCondition(alias: string, key: string): { where: string; param: string | number } | null {
  if (key.startsWith('eid:')) return { where: `${alias}.external_id = $1`, param: key.slice(4) };
  const id = intKey(key);
  return id === null ? null : { where: `${alias}.id = $1`, param: id };
}

async function resolveIdIn(
  q: Q,
  table: string,
  key: string,
  extra = '',
  extraParams: unknown[] = [],
): Promise<number | null> {
  const cond = keyCondition(table, key);
  if (!cond) return null;
  const r = await q.query<{ id: number }>(`SELECT id FROM ${table} WHERE ${cond.where}${extra}`, [
    cond.param,
    ...extraParams,
  ]);
  return r.rows[0]?.id ?? null;
}

export async function resolveRecord(q: Q, type: RecordType, key: string): Promise<number | null> {
  if (type === 'customer') return resolveIdIn(q, 'customer', key);
  return resolveIdIn(q, 'txn', key, ' AND type = $2', [RECORD_TYPES[type]]);
}

interface ItemRef {
  id: number;
  itemType: string;
  basePrice: number;
}

async function resolveItem(q: Q, key: string, field: string): Promise<ItemRef> {
  const k = keyParts(key, { byName: true });
  const [col, param] =
    k.name !== null ? ['item_id', k.name] : k.eid !== null ? ['external_id', k.eid] : ['id', k.id];
  const row =
    param === null
      ? undefined
      : (
          await q.query<{ id: number; item_type: string; base_price: string }>(
            `SELECT id, item_type, base_price FROM item WHERE ${col} = $1`,
            [param],
          )
        ).rows[0];
  if (!row) throw badRef(field, key);
  return { id: row.id, itemType: row.item_type, basePrice: Number(row.base_price) };
}

/**
 * A sales order line's item, quantity (a positive whole number, 1 when absent) and rate (the item's
 * base price when absent), refused as NetSuite refuses them; `item` finds the line's item by its key.
 */
async function lineItemOf(
  it: Json,
  path: string,
  item: (key: string, field: string) => ItemRef | Promise<ItemRef>,
) {
  const itemKey = refKey(it.item, `${path}.item`);
  if (!itemKey) throw userError('Please enter value(s) for: Item', `${path}.item`);
  const found = await item(itemKey, `${path}.item`);
  const quantity = optNumber(it.quantity, `${path}.quantity`) ?? 1;
  if (!Number.isInteger(quantity) || quantity <= 0)
    throw userError(
      `Invalid quantity ${quantity}: the quantity must be a positive whole number.`,
      `${path}.quantity`,
    );
  const rate = optNumber(it.rate, `${path}.rate`) ?? found.basePrice;
  if (rate < 0) throw userError('The rate cannot be negative.', `${path}.rate`);
  return { item: found, quantity, rate };
}

async function resolveLocation(q: Q, key: string | undefined, field: string): Promise<number | null> {
  if (key === undefined) return null;
  const id = key.startsWith('name:')
    ? ((await q.query<{ id: number }>('SELECT id FROM location WHERE name = $1', [key.slice(5)])).rows[0]
        ?.id ?? null)
    : await resolveIdIn(q, 'location', key);
  if (id === null) throw badRef(field, key);
  return id;
}

async function resolveNamed(
  q: Q,
  table: 'term' | 'price_level',
  key: string | undefined,
  field: string,
): Promise<string | null | undefined> {
  if (key === undefined) return undefined;
  const id = intKey(key);
  const r = key.startsWith('name:')
    ? await q.query<{ name: string }>(`SELECT name FROM ${table} WHERE name = $1`, [key.slice(5)])
    : id !== null
      ? await q.query<{ name: string }>(`SELECT name FROM ${table} WHERE id = $1`, [id])
      : { rows: [] };
  if (!r.rows[0]) throw badRef(field, key);
  return r.rows[0].name;
}

// ---------------------------------------------------------------- customers

/**
 * A customer record as GET answers it, found by its key (`eid:…` or an internal id) in one
 * statement; null when there is none.
 */
export async function customerJson(q: Q, key: string, base: string, expand = false): Promise<Json | null> {
  const cond = keyCondition('c', key);
  if (!cond) return null;
  const r = await q.query(
    `SELECT c.*, t.id AS term_id, p.id AS price_level_id, par.company_name AS parent_name
       FROM customer c LEFT JOIN term t ON t.name = c.terms LEFT JOIN price_level p ON p.name = c.price_level
       LEFT JOIN customer par ON par.id = c.parent_id WHERE ${cond.where}`,
    [cond.param],
  );
  const c = r.rows[0];
  if (!c) return null;
  return {
    links: [{ rel: 'self', href: `${base}/customer/${c.id}` }],
    id: String(c.id),
    entityId: c.entity_id,
    externalId: c.external_id ?? undefined,
    companyName: c.company_name,
    email: c.email ?? undefined,
    creditLimit: money(c.credit_limit) ?? undefined,
    balance: money(c.balance),
    terms: c.terms ? { id: String(c.term_id), refName: c.terms } : undefined,
    priceLevel: c.price_level ? { id: String(c.price_level_id), refName: c.price_level } : undefined,
    taxable: !c.tax_exempt,
    resaleNumber: c.tax_id ?? undefined,
    parent: c.parent_id ? { id: String(c.parent_id), refName: c.parent_name } : undefined,
    phone: c.phone ?? undefined,
    // A sublist comes back as a link unless expanded, as NetSuite answers it.
    addressBook: expand
      ? {
          links: [],
          items: c.default_address
            ? [{ defaultBilling: true, defaultShipping: true, addressBookAddress: c.default_address }]
            : [],
        }
      : { links: [{ rel: 'self', href: `${base}/customer/${c.id}/addressBook` }] },
    lastModifiedDate: iso(c.last_modified),
  };
}

/** The default address from an `addressBook` sublist body (its first line; `country` as a reference or code). */
function defaultAddressOf(body: Json): Json | undefined {
  const book = body.addressBook as { items?: { addressBookAddress?: Json }[] } | undefined;
  if (book === undefined) return undefined;
  const a = book.items?.[0]?.addressBookAddress;
  if (!a) return undefined;
  const country = a.country as { id?: string } | string | undefined;
  return { ...a, country: typeof country === 'object' ? country?.id : country };
}

/** NetSuite's length limits on customer fields it checks on every write. */
const CUSTOMER_FIELD_LIMITS: Record<string, number> = { companyName: 83, phone: 32, email: 254 };

async function customerFields(q: Q, body: Json) {
  for (const [field, max] of Object.entries(CUSTOMER_FIELD_LIMITS)) {
    const v = body[field];
    if (typeof v === 'string' && v.length > max)
      throw userError(
        `The field ${field} contained more than the maximum number ( ${max} ) of characters allowed.`,
        field,
      );
  }
  const creditLimit = optNumber(body.creditLimit, 'creditLimit');
  const parentKey = refKey(body.parent, 'parent');
  const parentId = parentKey === undefined ? undefined : await resolveIdIn(q, 'customer', parentKey);
  if (parentKey !== undefined && parentId === null) throw badRef('parent', parentKey);
  return {
    company_name: optString(body, 'companyName'),
    email: optString(body, 'email'),
    credit_limit: creditLimit,
    terms: await resolveNamed(q, 'term', refKey(body.terms, 'terms'), 'terms'),
    price_level: await resolveNamed(q, 'price_level', refKey(body.priceLevel, 'priceLevel'), 'priceLevel'),
    tax_exempt: body.taxable === undefined ? undefined : body.taxable === false || body.taxable === 'F',
    tax_id: optString(body, 'resaleNumber'),
    parent_id: parentId,
    phone: optString(body, 'phone'),
    default_address: defaultAddressOf(body),
  };
}

export async function createCustomer(q: Q, body: Json, externalIdOverride?: string): Promise<number> {
  const f = await customerFields(q, body);
  if (!f.company_name) throw userError('Please enter value(s) for: Company Name', 'companyName');
  const externalId = externalIdOverride ?? optString(body, 'externalId') ?? null;
  try {
    // The id drawn and the entity id made from it in the insert itself.
    const r = await q.query<{ id: number }>(
      `WITH s AS (SELECT nextval(pg_get_serial_sequence('customer', 'id')) AS id)
       INSERT INTO customer (id, entity_id, external_id, company_name, email, credit_limit, terms, price_level, tax_exempt, tax_id, parent_id, phone, default_address)
       VALUES ((SELECT id FROM s), 'CUST' || (SELECT id FROM s), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       RETURNING id`,
      [
        externalId,
        f.company_name,
        f.email ?? null,
        f.credit_limit ?? null,
        f.terms ?? null,
        f.price_level ?? null,
        f.tax_exempt ?? false,
        f.tax_id ?? null,
        f.parent_id ?? null,
        f.phone ?? null,
        f.default_address ?? null,
      ],
    );
    return r.rows[0]!.id;
  } catch (err) {
    if (isUniqueViolation(err) && externalId) throw duplicateExternalId(externalId);
    throw err;
  }
}

export async function updateCustomer(q: Q, id: number, body: Json): Promise<void> {
  const f = await customerFields(q, body);
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [col, v] of Object.entries(f)) {
    if (v === undefined) continue;
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  }
  params.push(id);
  await q.query(
    `UPDATE customer SET ${sets.length ? sets.join(', ') : 'id = id'} WHERE id = $${params.length}`,
    params,
  );
}

// ---------------------------------------------------------------- transactions

interface LineRow {
  id: number;
  line: number;
  line_key: string | null;
  item_id: number;
  item_name: string;
  item_type: string;
  quantity: number;
  rate: string;
  amount: string;
  location_id: number | null;
  location_name: string | null;
  quantity_fulfilled: number;
  quantity_billed: number;
  quantity_backordered: number;
  quantity_received: number;
  closed: boolean;
  order_line: number | null;
  /** A purchase order line's expected receipt date, YYYY-MM-DD. */
  expected_day: string | null;
}

async function lines(q: Q, txnId: number, lock = false): Promise<LineRow[]> {
  const r = await q.query<LineRow>(
    `SELECT l.*, i.item_id AS item_name, i.item_type, loc.name AS location_name,
            to_char(l.expected_receipt_date, 'YYYY-MM-DD') AS expected_day
       FROM txn_line l JOIN item i ON i.id = l.item_id LEFT JOIN location loc ON loc.id = l.location_id
      WHERE l.txn_id = $1 ORDER BY l.line${lock ? ' FOR UPDATE OF l' : ''}`,
    [txnId],
  );
  return r.rows;
}

/** A transaction line as the record read carries it (json_build_object: numbers as JSON numbers). */
type LineJson = Omit<LineRow, 'id' | 'item_type' | 'rate' | 'amount'> & { rate: number; amount: number };

/** The lines of transaction `t`, in order, as one JSON array (null when it has none). */
const LINES_JSON = `(SELECT json_agg(json_build_object(
      'line', l.line, 'line_key', l.line_key, 'item_id', l.item_id, 'item_name', i.item_id,
      'quantity', l.quantity, 'rate', l.rate, 'amount', l.amount,
      'location_id', l.location_id, 'location_name', lloc.name,
      'quantity_fulfilled', l.quantity_fulfilled, 'quantity_billed', l.quantity_billed,
      'quantity_backordered', l.quantity_backordered, 'quantity_received', l.quantity_received,
      'closed', l.closed, 'order_line', l.order_line,
      'expected_day', to_char(l.expected_receipt_date, 'YYYY-MM-DD')) ORDER BY l.line)
     FROM txn_line l JOIN item i ON i.id = l.item_id LEFT JOIN location lloc ON lloc.id = l.location_id
    WHERE l.txn_id = t.id)`;

/** Which transaction to read: one by internal id, or one of a record type by its URL key (`eid:…`, `tranid:…` or an internal id). */
export type TxnWhere = { id: number } | { type: RecordType; key: string };

/** The transaction's record as GET answers it, or throws NONEXISTENT_ID. */
export async function transactionJson(
  q: Q,
  id: number,
  base: string,
  expand: boolean,
  timeZone: string,
): Promise<Json> {
  const json = await readTransaction(q, { id }, base, expand, timeZone);
  if (!json) throw notFound('transaction', String(id));
  return json;
}

/**
 * A transaction record as GET answers it, its lines with it when `expand`, in one statement (no
 * existence check first); null when there is none. Days are the account's (`timeZone`).
 */
export async function readTransaction(
  q: Q,
  where: TxnWhere,
  base: string,
  expand: boolean,
  timeZone: string,
): Promise<Json | null> {
  let cond: { where: string; param: string | number } | null;
  const params: unknown[] = [];
  if ('id' in where) cond = { where: 't.id = $1', param: where.id };
  else if (where.key.startsWith('tranid:')) {
    // A sales order's document number (`tranid:SO12`), whatever the record type in the URL.
    cond = { where: 't.tran_id = $1 AND t.type = $3', param: where.key.slice(7) };
    params.push('SalesOrd');
  } else {
    const byKey = keyCondition('t', where.key);
    cond = byKey && { where: `${byKey.where} AND t.type = $3`, param: byKey.param };
    params.push(RECORD_TYPES[where.type]);
  }
  if (!cond) return null;
  const r = await q.query(
    `SELECT t.*, c.company_name, src.tran_id AS created_from_name, loc.name AS location_name,
            to_char(t.tran_date AT TIME ZONE $2, 'YYYY-MM-DD') AS tran_day, to_char(t.due_date, 'YYYY-MM-DD') AS due_day,
            applied.tran_id AS applied_to_name, COALESCE(t.amount_remaining, t.total) AS amount_due,
            t.total - COALESCE(t.amount_remaining, t.total) AS amount_paid${expand ? `,\n            ${LINES_JSON} AS lines` : ''}
       FROM txn t LEFT JOIN customer c ON c.id = t.entity_id LEFT JOIN txn src ON src.id = t.created_from
       LEFT JOIN location loc ON loc.id = t.location_id LEFT JOIN txn applied ON applied.id = t.applied_to
      WHERE ${cond.where}`,
    [cond.param, timeZone, ...params],
  );
  const t = r.rows[0];
  if (!t) return null;
  const typeName = TYPE_NAMES[t.type as string]!;
  const self = `${base}/${typeName}/${t.id}`;
  const status = { id: t.status, refName: STATUS_NAMES[t.type as string]?.[t.status as string] ?? t.status };
  const out: Json = {
    links: [{ rel: 'self', href: self }],
    id: String(t.id),
    tranId: t.tran_id,
    externalId: t.external_id ?? undefined,
    entity: t.entity_id ? { id: String(t.entity_id), refName: t.company_name } : undefined,
    createdFrom: t.created_from ? { id: String(t.created_from), refName: t.created_from_name } : undefined,
    status,
    ...(t.type === 'SalesOrd' || t.type === 'RtnAuth' ? { orderStatus: status } : {}),
    otherRefNum: t.other_ref_num ?? undefined,
    custbody_quayside_project: t.project_code ?? undefined,
    memo: t.memo ?? undefined,
    terms: t.terms ? { refName: t.terms } : undefined,
    currency: { refName: t.currency },
    shipAddress: t.ship_to ?? undefined,
    shipCarrier: t.ship_carrier ?? undefined,
    linkedTrackingNumbers: t.tracking_numbers.length ? t.tracking_numbers.join(' ') : undefined,
    inventoryLocation: t.location_id ? { id: String(t.location_id), refName: t.location_name } : undefined,
    total: money(t.total),
    ...(t.type === 'SalesOrd' || t.type === 'CustInvc'
      ? {
          subtotal: money(t.subtotal ?? t.total),
          discountItem: t.discount_item ? { id: t.discount_item } : undefined,
          discountRate: t.discount_rate ?? undefined,
          discountTotal: money(t.discount_total),
          shipMethod: t.ship_method ? { id: t.ship_method } : undefined,
          shippingCost: money(t.shipping_cost),
          taxTotal: money(t.tax_total),
          taxDetails: t.tax_details ? { items: t.tax_details } : undefined,
        }
      : {}),
    // What of an invoice is still due after the payments applied to it (its order's deposits).
    ...(t.type === 'CustInvc'
      ? {
          amountRemaining: money(t.amount_due),
          amountPaid: money(t.amount_paid),
        }
      : {}),
    ...(t.type === 'CustDep' ? { payment: money(t.total) } : {}),
    // A deposit application: the deposit it applies and the invoice it pays.
    ...(t.type === 'DepAppl'
      ? {
          deposit: { id: String(t.created_from), refName: t.created_from_name },
          apply: {
            items: [
              {
                doc: { id: String(t.applied_to), refName: t.applied_to_name },
                apply: true,
                amount: money(t.total),
              },
            ],
          },
        }
      : {}),
    // Days of the account's time zone, as NetSuite shows them.
    dueDate: t.due_day ?? undefined,
    tranDate: t.tran_day,
    lastModifiedDate: iso(t.last_modified),
  };
  if (t.type === 'CustRfnd' || t.type === 'CustDep' || t.type === 'DepAppl') return out;
  if (!expand) {
    out.item = { links: [{ rel: 'self', href: `${self}/item` }] };
    return out;
  }
  const items = ((t.lines ?? []) as LineJson[]).map((l) => ({
    links: [],
    line: l.line,
    item: { id: String(l.item_id), refName: l.item_name },
    quantity: l.quantity,
    rate: money(l.rate),
    amount: money(l.amount),
    location: l.location_id ? { id: String(l.location_id), refName: l.location_name } : undefined,
    ...(t.type === 'SalesOrd'
      ? {
          quantityFulfilled: l.quantity_fulfilled,
          quantityBilled: l.quantity_billed,
          quantityBackOrdered: l.quantity_backordered,
          isClosed: l.closed,
        }
      : {}),
    ...(t.type === 'RtnAuth' ? { quantityReceived: l.quantity_received, isClosed: l.closed } : {}),
    ...(t.type === 'PurchOrd'
      ? {
          quantityReceived: l.quantity_received,
          isClosed: l.closed,
          expectedReceiptDate: l.expected_day ?? undefined,
        }
      : {}),
    orderLine: l.order_line ?? undefined,
    custcol_quayside_line_key: l.line_key ?? undefined,
  }));
  out.item = {
    links: [{ rel: 'self', href: `${self}/item` }],
    items,
    count: items.length,
    hasMore: false,
    offset: 0,
    totalResults: items.length,
  };
  return out;
}

/** A new transaction's fields; the money ones (a sales order's, an invoice's) as the columns' defaults where left out. */
interface TxnFields {
  externalId: string | null;
  entityId: number | null;
  status: string;
  createdFrom?: number | null;
  locationId?: number | null;
  otherRefNum?: string | null;
  projectCode?: string | null;
  memo?: string | null;
  terms?: string | null;
  currency?: string;
  shipTo?: unknown;
  shipCarrier?: string | null;
  tracking?: string[];
  total?: number | string;
  dueDate?: Date | null;
  /** An invoice's amount still due, a deposit's amount not yet applied. */
  amountRemaining?: string | null;
  /** A deposit application's invoice. */
  appliedTo?: number | null;
  subtotal?: string | null;
  discountItem?: string | null;
  discountRate?: string | null;
  discountTotal?: string;
  shipMethod?: string | null;
  shippingCost?: string;
  taxTotal?: string;
  taxDetails?: unknown;
}

/**
 * The INSERT of a new transaction (parameters $1…$27, RETURNING id), to follow
 * `WITH new_id AS (SELECT nextval(…))`: the id is drawn and the document number made from it in
 * the same statement, and the money is written with the rest, not updated after.
 */
function txnInsert(type: string, fields: TxnFields): { sql: string; params: unknown[] } {
  const params = [
    TRAN_PREFIX[type],
    type,
    fields.externalId,
    fields.entityId,
    fields.status,
    fields.createdFrom ?? null,
    fields.locationId ?? null,
    fields.otherRefNum ?? null,
    fields.projectCode ?? null,
    fields.memo ?? null,
    fields.terms ?? null,
    fields.currency ?? 'USD',
    fields.shipTo === undefined ? null : JSON.stringify(fields.shipTo),
    fields.shipCarrier ?? null,
    fields.tracking ?? [],
    fields.total ?? 0,
    fields.dueDate ?? null,
    fields.amountRemaining ?? null,
    fields.appliedTo ?? null,
    fields.subtotal ?? null,
    fields.discountItem ?? null,
    fields.discountRate ?? null,
    fields.discountTotal ?? 0,
    fields.shipMethod ?? null,
    fields.shippingCost ?? 0,
    fields.taxTotal ?? 0,
    fields.taxDetails === undefined || fields.taxDetails === null ? null : JSON.stringify(fields.taxDetails),
  ];
  return {
    sql: `INSERT INTO txn (id, tran_id, type, external_id, entity_id, status, created_from, location_id, other_ref_num, project_code, memo, terms,
                      currency, ship_to, ship_carrier, tracking_numbers, total, due_date, amount_remaining, applied_to,
                      subtotal, discount_item, discount_rate, discount_total, ship_method, shipping_cost, tax_total, tax_details)
     VALUES ((SELECT id FROM new_id), $1 || (SELECT id FROM new_id), ${params
       .slice(1)
       .map((_, i) => `$${i + 2}`)
       .join(', ')})
     RETURNING id`,
    params,
  };
}
const NEW_TXN_ID = "new_id AS (SELECT nextval(pg_get_serial_sequence('txn', 'id')) AS id)";

/** Inserts a transaction in one statement; a second one with its type's external id is DUP_RCRD. */
async function newTxn(q: Q, type: string, fields: TxnFields): Promise<number> {
  const insert = txnInsert(type, fields);
  try {
    return (await q.query<{ id: number }>(`WITH ${NEW_TXN_ID} ${insert.sql}`, insert.params)).rows[0]!.id;
  } catch (err) {
    if (isUniqueViolation(err) && fields.externalId) throw duplicateExternalId(fields.externalId);
    throw err;
  }
}

async function lockInventory(
  q: Q,
  itemId: number,
  locationId: number,
): Promise<{ on_hand: number; committed: number }> {
  const r = await q.query<{ on_hand: number; committed: number }>(
    `INSERT INTO inventory (item_id, location_id) VALUES ($1, $2)
     ON CONFLICT (item_id, location_id) DO UPDATE SET item_id = inventory.item_id
     RETURNING on_hand, committed`,
    [itemId, locationId],
  );
  return r.rows[0]!;
}

const stocked = (itemType: string) => itemType === 'InvtPart' || itemType === 'Assembly';

/** Recomputes a sales order's status from its lines and touches its lastModifiedDate. */
async function refreshSalesOrder(q: Q, soId: number): Promise<void> {
  const ls = await lines(q, soId);
  const open = ls.filter((l) => !l.closed);
  const anyFulfilled = ls.some((l) => l.quantity_fulfilled > 0);
  let status: string;
  if (open.length === 0) status = anyFulfilled ? 'H' : 'C';
  else if (open.every((l) => l.quantity_fulfilled >= l.quantity))
    status = ls.every((l) => l.quantity_billed >= l.quantity_fulfilled) ? 'G' : 'F';
  else if (anyFulfilled) status = ls.some((l) => l.quantity_billed < l.quantity_fulfilled) ? 'E' : 'D';
  else status = 'B';
  if (
    status === 'H' &&
    ls.every((l) => l.quantity_billed >= l.quantity_fulfilled) &&
    ls.some((l) => l.quantity_billed > 0)
  )
    status = 'G';
  await q.query('UPDATE txn SET status = $2 WHERE id = $1', [soId, status]);
}

const stockKey = (itemId: number, locationId: number) => `${itemId}:${locationId}`;
/** `f()`, or undefined where it refuses its input. */
function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** What a new sales order's body refers to, as one statement finds it. */
interface SalesOrderRefs {
  customer: { id: number; terms: string | null; taxExempt: boolean } | null;
  /** The header location. */
  location: number | null;
  /** The name of the terms named. */
  term: string | null;
  /** Each line's item, and its location (its own, else the header's). */
  lines: { item: ItemRef | null; locationId: number | null }[];
  /** On hand and committed of each (item, location) a stocked line takes from, locked. */
  stock: Map<string, { onHand: number; committed: number }>;
}

/**
 * Finds the customer, header location, terms, and every line's item and location of a sales order
 * body in one statement, and locks (creating where missing) the inventory of each (item, location)
 * a stocked line commits from — in a stable order, so concurrent orders never deadlock. A reference
 * it cannot read finds nothing here; createSalesOrder refuses it in its turn, as it checks the body.
 */
async function salesOrderRefs(q: Q, body: Json, entityKey: string): Promise<SalesOrderRefs> {
  const items = attempt(() => sublistItems(body)) ?? [];
  const headerKey = attempt(() => refKey(body.location, 'location'));
  const lineKeys = items.map((it, i) => {
    const path = `item.items[${i}]`;
    return {
      item: keyParts(
        attempt(() => refKey(it.item, `${path}.item`)),
        { byName: true },
      ),
      location: keyParts(attempt(() => refKey(it.location, `${path}.location`)) ?? headerKey, {
        byName: true,
      }),
    };
  });
  const entity = keyParts(entityKey);
  const header = keyParts(headerKey, { byName: true });
  const term = keyParts(
    attempt(() => refKey(body.terms, 'terms')),
    { byName: true, byEid: false },
  );
  const r = await q.query<{
    kind: 'line' | 'stock' | 'customer' | 'location' | 'term';
    n: number | null;
    /** Null on a line whose item was not found. */
    id: number | null;
    location_id: number | null;
    on_hand: number | null;
    committed: number | null;
    item_type: string | null;
    base_price: string | null;
    name: string | null;
    tax_exempt: boolean | null;
  }>(
    `WITH wanted AS (
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[]) WITH ORDINALITY
           AS w(item_id, item_eid, item_name, location_id, location_eid, location_name, n)
     ), resolved AS (
       SELECT w.n, i.id AS item_id, i.item_type, i.base_price, loc.id AS location_id
         FROM wanted w
         LEFT JOIN item i ON i.id = w.item_id OR i.external_id = w.item_eid OR i.item_id = w.item_name
         LEFT JOIN location loc
           ON loc.id = w.location_id OR loc.external_id = w.location_eid OR loc.name = w.location_name
     ), stock AS (
       INSERT INTO inventory (item_id, location_id)
       SELECT DISTINCT item_id, location_id FROM resolved
        WHERE item_type IN ('InvtPart', 'Assembly') AND location_id IS NOT NULL
        ORDER BY item_id, location_id
       ON CONFLICT (item_id, location_id) DO UPDATE SET item_id = inventory.item_id
       RETURNING item_id, location_id, on_hand, committed
     )
     SELECT 'line' AS kind, n::int AS n, item_id AS id, location_id, NULL::int AS on_hand, NULL::int AS committed,
            item_type, base_price::text AS base_price, NULL::text AS name, NULL::boolean AS tax_exempt
       FROM resolved
     UNION ALL
     SELECT 'stock', NULL, item_id, location_id, on_hand, committed, NULL, NULL, NULL, NULL FROM stock
     UNION ALL
     SELECT 'customer', NULL, id, NULL, NULL, NULL, NULL, NULL, terms, tax_exempt
       FROM customer WHERE id = $7 OR external_id = $8
     UNION ALL
     SELECT 'location', NULL, id, NULL, NULL, NULL, NULL, NULL, NULL, NULL
       FROM location WHERE id = $9 OR external_id = $10 OR name = $11
     UNION ALL
     SELECT 'term', NULL, id, NULL, NULL, NULL, NULL, NULL, name, NULL FROM term WHERE id = $12 OR name = $13`,
    [
      lineKeys.map((k) => k.item.id),
      lineKeys.map((k) => k.item.eid),
      lineKeys.map((k) => k.item.name),
      lineKeys.map((k) => k.location.id),
      lineKeys.map((k) => k.location.eid),
      lineKeys.map((k) => k.location.name),
      entity.id,
      entity.eid,
      header.id,
      header.eid,
      header.name,
      term.id,
      term.name,
    ],
  );
  const refs: SalesOrderRefs = {
    customer: null,
    location: null,
    term: null,
    lines: items.map(() => ({ item: null, locationId: null })),
    stock: new Map(),
  };
  for (const row of r.rows) {
    if (row.kind === 'line')
      refs.lines[row.n! - 1] = {
        item:
          row.id === null
            ? null
            : { id: row.id, itemType: row.item_type!, basePrice: Number(row.base_price) },
        locationId: row.location_id,
      };
    else if (row.kind === 'stock')
      refs.stock.set(stockKey(row.id!, row.location_id!), {
        onHand: row.on_hand!,
        committed: row.committed!,
      });
    else if (row.kind === 'customer')
      refs.customer = { id: row.id!, terms: row.name, taxExempt: row.tax_exempt! };
    else if (row.kind === 'location') refs.location = row.id;
    else refs.term = row.name;
  }
  return refs;
}

/**
 * A new sales order in four statements whatever its lines: BEGIN, one that finds what it refers to
 * and locks the stock it takes from (salesOrderRefs), one that writes the order with its money, its
 * lines and the stock they commit, and COMMIT. The checks run in the order NetSuite reports them.
 */
export async function createSalesOrder(
  q: Q,
  body: Json,
  externalIdOverride?: string,
  /** The account preference "Make Locations Mandatory" (off unless turned on). */
  prefs: { locationsMandatory?: boolean } = {},
): Promise<number> {
  const externalId = externalIdOverride ?? optString(body, 'externalId') ?? null;
  const entityKey = refKey(body.entity, 'entity');
  if (!entityKey) throw userError('Please enter value(s) for: Customer', 'entity');
  const refs = await salesOrderRefs(q, body, entityKey);
  const customer = refs.customer;
  if (!customer) throw badRef('entity', entityKey);
  const items = sublistItems(body) ?? [];
  if (items.length === 0)
    throw userError('You must enter at least one line item for this transaction.', 'item');
  const headerKey = refKey(body.location, 'location');
  if (headerKey !== undefined && refs.location === null) throw badRef('location', headerKey);
  const headerLocation = headerKey === undefined ? null : refs.location;
  const prepared = [];
  for (const [i, it] of items.entries()) {
    const path = `item.items[${i}]`;
    const found = refs.lines[i]!;
    const { item, quantity, rate } = await lineItemOf(it, path, (key, field) => {
      if (!found.item) throw badRef(field, key);
      return found.item;
    });
    const locationKey = refKey(it.location, `${path}.location`);
    if (locationKey !== undefined && found.locationId === null) throw badRef(`${path}.location`, locationKey);
    const locationId = locationKey === undefined ? headerLocation : found.locationId;
    if (locationId === null && prefs.locationsMandatory && stocked(item.itemType))
      throw userError('Please enter value(s) for: Location', `${path}.location`);
    prepared.push({
      line: i + 1,
      lineKey: optString(it, 'custcol_quayside_line_key') ?? null,
      item,
      quantity,
      rate,
      locationId,
    });
  }
  const currency =
    typeof body.currency === 'object' && body.currency
      ? String((body.currency as Json).refName ?? 'USD')
      : 'USD';
  const totals = salesOrderTotals(body, prepared, currency, customer.taxExempt);
  const otherRefNum = optString(body, 'otherRefNum');
  const projectCode = optString(body, 'custbody_quayside_project');
  const memo = optString(body, 'memo');
  const termsKey = refKey(body.terms, 'terms');
  if (termsKey !== undefined && refs.term === null) throw badRef('terms', termsKey);
  // Commit stock line by line in the stable order, from what each locked (item, location) has free.
  const byStock = [...prepared].sort(
    (a, b) => a.item.id - b.item.id || (a.locationId ?? 0) - (b.locationId ?? 0),
  );
  const backordered = new Map<number, number>();
  const commits = new Map<string, { itemId: number; locationId: number; quantity: number }>();
  for (const l of byStock) {
    if (!stocked(l.item.itemType) || l.locationId === null) continue;
    const key = stockKey(l.item.id, l.locationId);
    const inv = refs.stock.get(key);
    if (!inv) throw new Error(`sales order stock for ${key} was not locked`);
    const commit = Math.min(l.quantity, Math.max(inv.onHand - inv.committed, 0));
    inv.committed += commit;
    if (commit > 0) {
      const c = commits.get(key) ?? { itemId: l.item.id, locationId: l.locationId, quantity: 0 };
      c.quantity += commit;
      commits.set(key, c);
    }
    backordered.set(l.line, l.quantity - commit);
  }
  const insert = txnInsert('SalesOrd', {
    externalId,
    entityId: customer.id,
    status: 'B',
    locationId: headerLocation,
    otherRefNum,
    projectCode,
    memo,
    terms: termsKey === undefined ? customer.terms : refs.term,
    currency,
    shipTo: body.shipAddress,
    total: totals.total,
    subtotal: totals.subtotal,
    discountItem: totals.discountItem,
    discountRate: totals.discountRate,
    discountTotal: totals.discountTotal,
    shipMethod: totals.shipMethod,
    shippingCost: totals.shippingCost,
    taxTotal: totals.taxTotal,
    taxDetails: totals.taxDetails,
  });
  const stock = [...commits.values()];
  const n = insert.params.length;
  try {
    const r = await q.query<{ id: number }>(
      `WITH ${NEW_TXN_ID}, t AS (${insert.sql}),
       commit_stock AS (
         UPDATE inventory v SET committed = v.committed + c.quantity
           FROM unnest($${n + 1}::int[], $${n + 2}::int[], $${n + 3}::int[]) AS c(item_id, location_id, quantity)
          WHERE v.item_id = c.item_id AND v.location_id = c.location_id
       ),
       add_lines AS (
         INSERT INTO txn_line (txn_id, line, line_key, item_id, quantity, rate, amount, location_id, quantity_backordered)
         SELECT t.id, l.line, l.line_key, l.item_id, l.quantity, l.rate, l.amount, l.location_id, l.backordered
           FROM t, unnest($${n + 4}::int[], $${n + 5}::text[], $${n + 6}::int[], $${n + 7}::int[],
                          $${n + 8}::numeric[], $${n + 9}::numeric[], $${n + 10}::int[], $${n + 11}::int[])
                AS l(line, line_key, item_id, quantity, rate, amount, location_id, backordered)
       )
       SELECT id FROM t`,
      [
        ...insert.params,
        stock.map((c) => c.itemId),
        stock.map((c) => c.locationId),
        stock.map((c) => c.quantity),
        prepared.map((l) => l.line),
        prepared.map((l) => l.lineKey),
        prepared.map((l) => l.item.id),
        prepared.map((l) => l.quantity),
        prepared.map((l) => l.rate),
        prepared.map((l) => Money.line(String(l.rate), l.quantity, currency).toString()),
        prepared.map((l) => l.locationId),
        prepared.map((l) => backordered.get(l.line) ?? 0),
      ],
    );
    return r.rows[0]!.id;
  } catch (err) {
    if (isUniqueViolation(err) && externalId) throw duplicateExternalId(externalId);
    throw err;
  }
}

/**
 * NetSuite's sales order money: subtotal = Σ line amounts (quantity × rate); the discount item's
 * rate is an amount ("-20.00") or a percentage of the subtotal ("-10%"), giving a negative
 * discountTotal; shippingCost as given; taxTotal = Σ tax detail amounts (none for a tax-exempt
 * customer or an order marked not taxable); total = subtotal + discountTotal + shippingCost + taxTotal.
 */
function salesOrderTotals(
  body: Json,
  lines: { quantity: number; rate: number }[],
  currency: string,
  customerTaxExempt: boolean,
) {
  const amount = (v: unknown, path: string) => {
    if (v === undefined || v === null) return Money.zero(currency);
    if (typeof v !== 'number' && typeof v !== 'string') throw userError(`Invalid number ${String(v)}.`, path);
    try {
      return Money.ofWire(v, currency);
    } catch {
      throw userError(`Invalid number ${String(v)}.`, path);
    }
  };
  const subtotal = Money.sum(
    lines.map((l) => Money.line(String(l.rate), l.quantity, currency)),
    currency,
  );
  const discountItem = refKey(body.discountItem, 'discountItem');
  let discount = Money.zero(currency);
  let discountRate: string | null = null;
  if (body.discountRate !== undefined && body.discountRate !== null) {
    if (!discountItem) throw userError('Please enter value(s) for: Discount Item', 'discountItem');
    discountRate = String(body.discountRate);
    discount = discountRate.trim().endsWith('%')
      ? subtotal.percent(discountRate.trim().slice(0, -1))
      : amount(body.discountRate, 'discountRate');
    if (discount.isPositive()) discount = discount.negate();
  }
  const shippingCost = amount(body.shippingCost, 'shippingCost');
  if (shippingCost.isNegative()) throw userError('The shipping cost cannot be negative.', 'shippingCost');
  const taxable = body.isTaxable !== false && !customerTaxExempt;
  const details =
    body.taxDetailsOverride === true && typeof body.taxDetails === 'object' && body.taxDetails
      ? (((body.taxDetails as Json).items ?? []) as Json[])
      : [];
  const tax = taxable
    ? Money.sum(
        details.map((d, i) => amount(d.taxAmount, `taxDetails.items[${i}].taxAmount`)),
        currency,
      )
    : Money.zero(currency);
  const shipMethod = refKey(body.shipMethod, 'shipMethod');
  return {
    subtotal: subtotal.toString(),
    discountItem: discountItem ?? null,
    discountRate,
    discountTotal: discount.toString(),
    shipMethod: shipMethod ?? null,
    shippingCost: shippingCost.toString(),
    taxTotal: tax.toString(),
    taxDetails: taxable && details.length ? details : null,
    total: subtotal.plus(discount).plus(shippingCost).plus(tax).toString(),
  };
}

/** Customer deposit: a payment received against a sales order (idempotent by external id). */
export async function createCustomerDeposit(q: Q, body: Json, externalIdOverride?: string): Promise<number> {
  const externalId = externalIdOverride ?? optString(body, 'externalId') ?? null;
  const customerKey = refKey(body.customer, 'customer');
  if (!customerKey) throw userError('Please enter value(s) for: Customer', 'customer');
  const customerId = await resolveIdIn(q, 'customer', customerKey);
  if (customerId === null) throw badRef('customer', customerKey);
  const soKey = refKey(body.salesOrder, 'salesOrder');
  const so = soKey
    ? (
        await q.query<{ id: number; currency: string; entity_id: number }>(
          "SELECT id, currency, entity_id FROM txn WHERE type = 'SalesOrd' AND id = $1",
          [Number(soKey)],
        )
      ).rows[0]
    : undefined;
  if (soKey && !so) throw badRef('salesOrder', soKey);
  const currency = so?.currency ?? 'USD';
  const payment = optNumber(body.payment, 'payment');
  if (payment === undefined) throw userError('Please enter value(s) for: Payment Amount', 'payment');
  const amount = Money.ofWire(payment, currency);
  if (!amount.isPositive()) throw userError('The payment amount must be greater than zero.', 'payment');
  return newTxn(q, 'CustDep', {
    externalId,
    entityId: customerId,
    status: 'A',
    createdFrom: so?.id ?? null,
    memo: optString(body, 'memo'),
    currency,
    total: amount.toString(),
    amountRemaining: amount.toString(),
  });
}

/**
 * What NetSuite does when it creates an invoice from a sales order with customer deposits: it applies
 * the deposits' unapplied amounts to the invoice, oldest first, up to the invoice's total. The
 * deposits (locked) and the amount each pays of an invoice of `total`.
 */
async function depositsFor(
  q: Q,
  soId: number,
  total: Money,
): Promise<{ id: number; amount: Money; rest: Money }[]> {
  const deposits = await q.query<{ id: number; remaining: string }>(
    `SELECT id, COALESCE(amount_remaining, total)::text AS remaining FROM txn
      WHERE type = 'CustDep' AND created_from = $1 AND COALESCE(amount_remaining, total) > 0
      ORDER BY id FOR UPDATE`,
    [soId],
  );
  const plan: { id: number; amount: Money; rest: Money }[] = [];
  let left = total;
  for (const d of deposits.rows) {
    if (!left.isPositive()) break;
    const available = Money.of(d.remaining, total.currency);
    const amount = available.min(left);
    plan.push({ id: d.id, amount, rest: available.minus(amount) });
    left = left.minus(amount);
  }
  return plan;
}

/** One deposit application per deposit that pays the invoice; a deposit used up is Fully Applied. */
async function applyDeposits(
  q: Q,
  inv: { id: number; entityId: number; currency: string },
  plan: { id: number; amount: Money; rest: Money }[],
): Promise<void> {
  for (const d of plan) {
    await newTxn(q, 'DepAppl', {
      externalId: null,
      entityId: inv.entityId,
      status: 'A',
      createdFrom: d.id,
      appliedTo: inv.id,
      currency: inv.currency,
      total: d.amount.toString(),
    });
    await q.query(
      `UPDATE txn SET amount_remaining = $2, status = CASE WHEN $2::numeric > 0 THEN status ELSE 'C' END
        WHERE id = $1`,
      [d.id, d.rest.toString()],
    );
  }
}

/** Releases the committed (not backordered) remainder of an open line. */
async function releaseLine(q: Q, l: LineRow): Promise<void> {
  const committed = l.quantity - l.quantity_fulfilled - l.quantity_backordered;
  if (committed > 0 && l.location_id !== null && stocked(l.item_type)) {
    await q.query(
      'UPDATE inventory SET committed = GREATEST(committed - $3, 0) WHERE item_id = $1 AND location_id = $2',
      [l.item_id, l.location_id, committed],
    );
  }
}

export async function updateSalesOrder(q: Q, soId: number, body: Json): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (col: string, v: unknown) => {
    if (v === undefined) return;
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  };
  set('other_ref_num', optString(body, 'otherRefNum'));
  set('memo', optString(body, 'memo'));
  set('project_code', optString(body, 'custbody_quayside_project'));
  if (body.shipAddress !== undefined) set('ship_to', JSON.stringify(body.shipAddress));
  if (sets.length)
    await q.query(`UPDATE txn SET ${sets.join(', ')} WHERE id = $${params.push(soId)}`, params);
  const items = sublistItems(body);
  const currency = (await q.query<{ currency: string }>('SELECT currency FROM txn WHERE id = $1', [soId]))
    .rows[0]!.currency;
  if (items) {
    const current = await lines(q, soId, true);
    let nextLine = Math.max(0, ...current.map((c) => c.line)) + 1;
    for (const [i, it] of items.entries()) {
      const path = `item.items[${i}]`;
      // A keyed sublist: a line without its line number is a new line.
      if (it.line === undefined && it.item !== undefined) {
        await addSalesOrderLine(q, soId, it, path, nextLine++, currency);
        continue;
      }
      const lineNo = optNumber(it.line, `${path}.line`);
      const l = current.find((c) => c.line === lineNo);
      if (!l)
        throw RestError.of(
          400,
          'INVALID_KEY_OR_REF',
          `Invalid line reference ${String(it.line)}.`,
          `${path}.line`,
        );
      const rate = optNumber(it.rate, `${path}.rate`);
      if (rate !== undefined && String(rate) !== String(Number(l.rate))) {
        if (rate < 0) throw userError('The rate cannot be negative.', `${path}.rate`);
        const amount = Money.line(String(rate), l.quantity, currency).toString();
        await q.query('UPDATE txn_line SET rate = $2, amount = $3 WHERE id = $1', [l.id, rate, amount]);
        l.rate = String(rate);
      }
      if (it.isClosed === true && !l.closed) {
        await releaseLine(q, l);
        await q.query('UPDATE txn_line SET closed = true, quantity_backordered = 0 WHERE id = $1', [l.id]);
        continue;
      }
      const quantity = optNumber(it.quantity, `${path}.quantity`);
      if (quantity !== undefined && quantity !== l.quantity) {
        if (!Number.isInteger(quantity) || quantity < l.quantity_fulfilled || quantity <= 0) {
          throw userError(
            `You cannot set the quantity of line ${l.line} below the quantity already fulfilled (${l.quantity_fulfilled}).`,
            `${path}.quantity`,
          );
        }
        await releaseLine(q, l);
        let backordered = 0;
        const remaining = quantity - l.quantity_fulfilled;
        if (l.location_id !== null && stocked(l.item_type)) {
          const inv = await lockInventory(q, l.item_id, l.location_id);
          const commit = Math.min(remaining, Math.max(inv.on_hand - inv.committed, 0));
          await q.query(
            'UPDATE inventory SET committed = committed + $3 WHERE item_id = $1 AND location_id = $2',
            [l.item_id, l.location_id, commit],
          );
          backordered = remaining - commit;
        }
        await q.query(
          'UPDATE txn_line SET quantity = $2, amount = $3, quantity_backordered = $4 WHERE id = $1',
          [l.id, quantity, Money.line(l.rate, quantity, currency).toString(), backordered],
        );
      }
    }
  }
  const money = ['discountRate', 'shippingCost', 'shipMethod', 'taxDetails', 'isTaxable'].some(
    (k) => body[k] !== undefined,
  );
  if (items || money) await recomputeSalesOrderMoney(q, soId, body, currency);
  await refreshSalesOrder(q, soId);
}

/** A line added to an open sales order (a PATCH line without a line number): its stock committed as at creation. */
async function addSalesOrderLine(
  q: Q,
  soId: number,
  it: Json,
  path: string,
  line: number,
  currency: string,
): Promise<void> {
  const { item, quantity, rate } = await lineItemOf(it, path, (key, field) => resolveItem(q, key, field));
  const locationId = await resolveLocation(q, refKey(it.location, `${path}.location`), `${path}.location`);
  let backordered = 0;
  if (locationId !== null && stocked(item.itemType)) {
    const inv = await lockInventory(q, item.id, locationId);
    const commit = Math.min(quantity, Math.max(inv.on_hand - inv.committed, 0));
    await q.query('UPDATE inventory SET committed = committed + $3 WHERE item_id = $1 AND location_id = $2', [
      item.id,
      locationId,
      commit,
    ]);
    backordered = quantity - commit;
  }
  await q.query(
    `INSERT INTO txn_line (txn_id, line, line_key, item_id, quantity, rate, amount, location_id, quantity_backordered)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      soId,
      line,
      optString(it, 'custcol_quayside_line_key') ?? null,
      item.id,
      quantity,
      rate,
      Money.line(String(rate), quantity, currency).toString(),
      locationId,
      backordered,
    ],
  );
}

/**
 * A changed sales order's money, as NetSuite recomputes it: the subtotal from its lines, the discount
 * (a percentage one follows the subtotal), shipping and tax as changed or as they were, and the total.
 */
async function recomputeSalesOrderMoney(q: Q, soId: number, body: Json, currency: string): Promise<void> {
  const t = (
    await q.query<{
      entity_id: number;
      discount_item: string | null;
      discount_rate: string | null;
      ship_method: string | null;
      shipping_cost: string;
      tax_total: string;
      tax_details: Json[] | null;
    }>(
      'SELECT entity_id, discount_item, discount_rate, ship_method, shipping_cost, tax_total, tax_details FROM txn WHERE id = $1',
      [soId],
    )
  ).rows[0]!;
  const taxExempt = (
    await q.query<{ tax_exempt: boolean }>('SELECT tax_exempt FROM customer WHERE id = $1', [t.entity_id])
  ).rows[0]!.tax_exempt;
  const taxChanged = body.taxDetails !== undefined || body.isTaxable !== undefined;
  const merged: Json = {
    discountItem: body.discountItem ?? (t.discount_item === null ? undefined : { id: t.discount_item }),
    discountRate: body.discountRate ?? t.discount_rate ?? undefined,
    shipMethod: body.shipMethod ?? (t.ship_method === null ? undefined : { id: t.ship_method }),
    shippingCost: body.shippingCost ?? t.shipping_cost,
    ...(taxChanged
      ? {
          isTaxable: body.isTaxable,
          taxDetailsOverride: body.taxDetailsOverride,
          taxDetails: body.taxDetails,
        }
      : { taxDetailsOverride: true, taxDetails: { items: t.tax_details ?? [] } }),
  };
  const ls = await lines(q, soId);
  const totals = salesOrderTotals(
    merged,
    ls.map((l) => ({ quantity: l.quantity, rate: Number(l.rate) })),
    currency,
    taxExempt,
  );
  // Tax kept as it was when the change does not touch it (the stored total, whatever its details).
  const tax = taxChanged ? Money.of(totals.taxTotal, currency) : Money.of(t.tax_total, currency);
  const total = Money.of(totals.subtotal, currency)
    .plus(Money.of(totals.discountTotal, currency))
    .plus(Money.of(totals.shippingCost, currency))
    .plus(tax);
  await q.query(
    `UPDATE txn SET subtotal = $2, discount_item = $3, discount_rate = $4, discount_total = $5, ship_method = $6,
            shipping_cost = $7, tax_total = $8, tax_details = $9, total = $10 WHERE id = $1`,
    [
      soId,
      totals.subtotal,
      totals.discountItem,
      totals.discountRate,
      totals.discountTotal,
      totals.shipMethod,
      totals.shippingCost,
      tax.toString(),
      taxChanged
        ? totals.taxDetails === null
          ? null
          : JSON.stringify(totals.taxDetails)
        : t.tax_details === null
          ? null
          : JSON.stringify(t.tax_details),
      total.toString(),
    ],
  );
}

/** salesOrder → itemFulfillment: ships lines from one location, with carrier and tracking numbers. */
export async function fulfillSalesOrder(q: Q, soId: number, body: Json): Promise<number> {
  const so = (await q.query('SELECT * FROM txn WHERE id = $1 FOR UPDATE', [soId])).rows[0];
  const locationId = await resolveLocation(
    q,
    refKey(body.inventoryLocation, 'inventoryLocation'),
    'inventoryLocation',
  );
  if (locationId === null)
    throw userError('Please enter value(s) for: Inventory Location', 'inventoryLocation');
  const current = await lines(q, soId, true);
  const requested = sublistItems(body);
  const picks: { l: LineRow; quantity: number; serials?: string[] }[] = [];
  if (requested) {
    for (const [i, it] of requested.entries()) {
      if (it.itemReceive === false) continue;
      const path = `item.items[${i}]`;
      const lineNo = optNumber(it.orderLine ?? it.line, `${path}.orderLine`);
      const l = current.find((c) => c.line === lineNo);
      if (!l)
        throw RestError.of(
          400,
          'INVALID_KEY_OR_REF',
          `Invalid orderLine reference ${String(lineNo)}.`,
          `${path}.orderLine`,
        );
      const remaining = l.closed ? 0 : l.quantity - l.quantity_fulfilled;
      const quantity = optNumber(it.quantity, `${path}.quantity`) ?? remaining - l.quantity_backordered;
      if (!Number.isInteger(quantity) || quantity <= 0 || quantity > remaining) {
        throw userError(
          `You cannot fulfill ${quantity} of line ${l.line}: ${remaining} remain to be fulfilled.`,
          `${path}.quantity`,
        );
      }
      if (l.location_id !== null && l.location_id !== locationId)
        throw userError(`Line ${l.line} ships from another location.`, `${path}.orderLine`);
      // The line's inventory detail: the serial numbers shipped, one unit each.
      const detail = it.inventoryDetail as Json | undefined;
      const assigned = detail ? (sublistItems(detail, 'inventoryAssignment') ?? []) : [];
      const serials = assigned.map((a, j) => {
        const ref = (a.issueInventoryNumber ?? a.receiptInventoryNumber) as Json | string | undefined;
        const n = typeof ref === 'string' ? ref : ((ref?.refName ?? ref?.id) as string | undefined);
        if (!n)
          throw userError(
            'Please enter a serial number.',
            `${path}.inventoryDetail.inventoryAssignment.items[${j}]`,
          );
        return String(n);
      });
      if (serials.length && serials.length !== quantity)
        throw userError(
          `You must enter ${quantity} serial numbers for line ${l.line}; ${serials.length} given.`,
          `${path}.inventoryDetail`,
        );
      picks.push({ l, quantity, serials });
    }
  } else {
    for (const l of current) {
      const ready = l.closed ? 0 : l.quantity - l.quantity_fulfilled - l.quantity_backordered;
      if (ready > 0 && (l.location_id === null || l.location_id === locationId))
        picks.push({ l, quantity: ready });
    }
  }
  if (picks.length === 0)
    throw userError('You must have at least one valid line item for this transaction.', 'item');

  const tracking = [
    ...(sublistItems(body, 'package') ?? [])
      .map((p) => optString(p, 'packageTrackingNumber'))
      .filter((t): t is string => !!t),
    ...(typeof body.linkedTrackingNumbers === 'string'
      ? body.linkedTrackingNumbers.split(/\s+/).filter(Boolean)
      : []),
  ];
  const carrier =
    typeof body.shipCarrier === 'string'
      ? body.shipCarrier
      : body.shipCarrier
        ? String((body.shipCarrier as Json).refName ?? (body.shipCarrier as Json).id)
        : null;
  const ifId = await newTxn(q, 'ItemShip', {
    externalId: optString(body, 'externalId') ?? null,
    entityId: so.entity_id,
    status: 'C',
    createdFrom: soId,
    locationId,
    memo: optString(body, 'memo'),
    shipCarrier: carrier,
    tracking,
  });
  for (const [i, { l, quantity, serials }] of picks.entries()) {
    // A line that named no location committed no stock anywhere.
    const fromCommitted =
      l.location_id === null
        ? 0
        : Math.min(quantity, l.quantity - l.quantity_fulfilled - l.quantity_backordered);
    const fromBackorder = l.location_id === null ? 0 : quantity - fromCommitted;
    if (stocked(l.item_type)) {
      await lockInventory(q, l.item_id, locationId);
      await q.query(
        'UPDATE inventory SET on_hand = on_hand - $3, committed = GREATEST(committed - $4, 0) WHERE item_id = $1 AND location_id = $2',
        [l.item_id, locationId, quantity, fromCommitted],
      );
    }
    await q.query(
      'UPDATE txn_line SET quantity_fulfilled = quantity_fulfilled + $2, quantity_backordered = quantity_backordered - $3, location_id = COALESCE(location_id, $4) WHERE id = $1',
      [l.id, quantity, fromBackorder, locationId],
    );
    await q.query(
      `INSERT INTO txn_line (txn_id, line, line_key, item_id, quantity, rate, amount, location_id, order_line) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [ifId, i + 1, l.line_key, l.item_id, quantity, l.rate, quantity * Number(l.rate), locationId, l.line],
    );
    for (const serial of serials ?? []) {
      const num = (
        await q.query<{ id: number }>(
          `INSERT INTO inventory_number (item_id, inventory_number) VALUES ($1, $2)
           ON CONFLICT (item_id, inventory_number) DO UPDATE SET inventory_number = EXCLUDED.inventory_number RETURNING id`,
          [l.item_id, serial],
        )
      ).rows[0]!.id;
      await q.query(
        'INSERT INTO inventory_assignment (txn_id, line, inventory_number_id, quantity) VALUES ($1, $2, $3, 1)',
        [ifId, i + 1, num],
      );
    }
  }
  await refreshSalesOrder(q, soId);
  return ifId;
}

/**
 * salesOrder → invoice: bills what has shipped and is not billed yet, with the order's money as
 * NetSuite carries it over: the lines' amounts, the order discount and tax in proportion to the
 * goods billed, and the whole shipping cost on the first invoice. The invoice that bills the last
 * of the order takes what is left of the discount and tax, so a full invoice's figures, and the
 * invoices' sums, are the sales order's to the cent.
 */
export async function invoiceSalesOrder(q: Q, soId: number, body: Json): Promise<number> {
  const so = (await q.query('SELECT * FROM txn WHERE id = $1 FOR UPDATE', [soId])).rows[0];
  const current = await lines(q, soId, true);
  const billable = current.filter((l) => l.quantity_fulfilled > l.quantity_billed);
  if (billable.length === 0)
    throw userError(
      'There are no billable lines on this sales order: nothing has shipped that is not billed yet.',
      'item',
    );
  const currency: string = so.currency ?? 'USD';
  const m = (v: unknown) =>
    v === null || v === undefined ? Money.zero(currency) : Money.of(String(v), currency, 'halfUp');
  const goodsOf = (rate: unknown, quantity: number) => Money.line(String(rate), quantity, currency);
  const soGoods = Money.sum(
    current.map((l) => goodsOf(l.rate, l.quantity)),
    currency,
  );
  const before = (
    await q.query<{ n: number; discount: string; shipping: string; tax: string }>(
      `SELECT count(*)::int AS n, COALESCE(sum(discount_total), 0)::text AS discount,
              COALESCE(sum(shipping_cost), 0)::text AS shipping, COALESCE(sum(tax_total), 0)::text AS tax
         FROM txn WHERE type = 'CustInvc' AND created_from = $1`,
      [soId],
    )
  ).rows[0]!;
  const subtotal = Money.sum(
    billable.map((l) => goodsOf(l.rate, l.quantity_fulfilled - l.quantity_billed)),
    currency,
  );
  // After this invoice, is anything of the order left to bill (open lines not yet fully shipped and billed)?
  const last = current.every((l) => (l.closed ? true : l.quantity_fulfilled >= l.quantity));
  const billedGoods = Money.sum(
    current.map((l) => goodsOf(l.rate, l.quantity_fulfilled)),
    currency,
  );
  const portion = (whole: Money, already: Money) =>
    !soGoods.isPositive()
      ? Money.zero(currency)
      : last
        ? whole.share(billedGoods.minor, soGoods.minor).minus(already)
        : whole.share(subtotal.minor, soGoods.minor);
  const discount = portion(m(so.discount_total), m(before.discount));
  const tax = portion(m(so.tax_total), m(before.tax));
  const shipping = before.n === 0 ? m(so.shipping_cost) : Money.zero(currency);
  const total = subtotal.plus(discount).plus(shipping).plus(tax);
  const days =
    (await q.query<{ days_until_due: number }>('SELECT days_until_due FROM term WHERE name = $1', [so.terms]))
      .rows[0]?.days_until_due ?? 0;
  // The order's customer deposits (a payment received with it) pay the invoice as far as they go;
  // only the rest is due, and only that reaches the customer's open balance.
  const deposits = await depositsFor(q, soId, total);
  const due = total.minus(
    Money.sum(
      deposits.map((d) => d.amount),
      currency,
    ),
  );
  const invId = await newTxn(q, 'CustInvc', {
    externalId: optString(body, 'externalId') ?? null,
    entityId: so.entity_id,
    status: due.isPositive() ? 'A' : 'B',
    amountRemaining: due.toString(),
    createdFrom: soId,
    otherRefNum: so.other_ref_num,
    memo: optString(body, 'memo'),
    terms: so.terms,
    currency,
    total: total.toString(),
    dueDate: new Date(Date.now() + days * 86_400_000),
    subtotal: subtotal.toString(),
    discountItem: so.discount_item,
    // A percentage carries over; a fixed amount is this invoice's own part of it.
    discountRate:
      so.discount_rate && String(so.discount_rate).trim().endsWith('%')
        ? so.discount_rate
        : so.discount_item
          ? discount.toString()
          : null,
    discountTotal: discount.toString(),
    shipMethod: so.ship_method,
    shippingCost: shipping.toString(),
    taxTotal: tax.toString(),
    taxDetails: so.tax_details,
  });
  for (const [i, l] of billable.entries()) {
    const qty = l.quantity_fulfilled - l.quantity_billed;
    await q.query('UPDATE txn_line SET quantity_billed = quantity_fulfilled WHERE id = $1', [l.id]);
    await q.query(
      `INSERT INTO txn_line (txn_id, line, line_key, item_id, quantity, rate, amount, location_id, order_line) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        invId,
        i + 1,
        l.line_key,
        l.item_id,
        qty,
        l.rate,
        goodsOf(l.rate, qty).toString(),
        l.location_id,
        l.line,
      ],
    );
  }
  await applyDeposits(q, { id: invId, entityId: so.entity_id, currency }, deposits);
  if (!due.isZero())
    await q.query('UPDATE customer SET balance = balance + $2 WHERE id = $1', [so.entity_id, due.toString()]);
  await refreshSalesOrder(q, soId);
  return invId;
}

export async function backorderLines(
  q: Q,
  soId: number,
  requested: { lineKey: string; quantity?: number }[],
): Promise<void> {
  const current = await lines(q, soId, true);
  for (const r of requested) {
    const l = current.find((c) => c.line_key === r.lineKey);
    if (!l) throw userError(`No line with key ${r.lineKey} on this order.`);
    if (l.closed) continue;
    const remaining = l.quantity - l.quantity_fulfilled;
    const target = Math.min(Math.max(r.quantity ?? remaining, 0), remaining);
    const delta = target - l.quantity_backordered;
    if (delta !== 0 && l.location_id !== null && stocked(l.item_type)) {
      await lockInventory(q, l.item_id, l.location_id);
      await q.query(
        'UPDATE inventory SET committed = GREATEST(committed - $3, 0) WHERE item_id = $1 AND location_id = $2',
        [l.item_id, l.location_id, delta],
      );
    }
    await q.query('UPDATE txn_line SET quantity_backordered = $2 WHERE id = $1', [l.id, target]);
  }
  await refreshSalesOrder(q, soId);
}

/** Receives stock at a location and commits it to backordered lines, oldest order first. */
export async function receiveStock(
  q: Q,
  itemKey: string,
  locationKey: string,
  quantity: number,
): Promise<{ onHand: number; available: number; allocated: number }> {
  const item = await resolveItem(q, itemKey, 'item');
  const locationId = (await resolveLocation(q, locationKey, 'location'))!;
  await lockInventory(q, item.id, locationId);
  const inv = (
    await q.query<{ on_hand: number; committed: number }>(
      'UPDATE inventory SET on_hand = on_hand + $3 WHERE item_id = $1 AND location_id = $2 RETURNING on_hand, committed',
      [item.id, locationId, quantity],
    )
  ).rows[0]!;
  let free = inv.on_hand - inv.committed;
  let allocated = 0;
  const waiting = await q.query<{ id: number; txn_id: number; quantity_backordered: number }>(
    `SELECT l.id, l.txn_id, l.quantity_backordered FROM txn_line l JOIN txn t ON t.id = l.txn_id
      WHERE t.type = 'SalesOrd' AND l.item_id = $1 AND l.location_id = $2 AND l.quantity_backordered > 0 AND NOT l.closed
      ORDER BY l.txn_id, l.line FOR UPDATE OF l`,
    [item.id, locationId],
  );
  const touched = new Set<number>();
  for (const w of waiting.rows) {
    if (free <= 0) break;
    const take = Math.min(free, w.quantity_backordered);
    await q.query('UPDATE txn_line SET quantity_backordered = quantity_backordered - $2 WHERE id = $1', [
      w.id,
      take,
    ]);
    free -= take;
    allocated += take;
    touched.add(w.txn_id);
  }
  if (allocated > 0)
    await q.query('UPDATE inventory SET committed = committed + $3 WHERE item_id = $1 AND location_id = $2', [
      item.id,
      locationId,
      allocated,
    ]);
  for (const soId of touched) await refreshSalesOrder(q, soId);
  return { onHand: inv.on_hand, available: free, allocated };
}

export async function createReturnAuthorization(
  q: Q,
  body: Json,
  externalIdOverride?: string,
): Promise<number> {
  const externalId = externalIdOverride ?? optString(body, 'externalId') ?? null;
  const fromKey = refKey(body.createdFrom, 'createdFrom');
  const soId = fromKey ? await resolveIdIn(q, 'txn', fromKey, " AND type = 'SalesOrd'") : null;
  if (fromKey && soId === null) throw badRef('createdFrom', fromKey);
  const so = soId ? (await q.query('SELECT * FROM txn WHERE id = $1', [soId])).rows[0] : null;
  const entityKey = refKey(body.entity, 'entity');
  const entityId = entityKey ? await resolveIdIn(q, 'customer', entityKey) : (so?.entity_id ?? null);
  if (entityId === null) throw userError('Please enter value(s) for: Customer', 'entity');
  const items = sublistItems(body) ?? [];
  if (items.length === 0)
    throw userError('You must enter at least one line item for this transaction.', 'item');
  const soLines = soId ? await lines(q, soId) : [];
  const prepared = [];
  for (const [i, it] of items.entries()) {
    const path = `item.items[${i}]`;
    const itemKey = refKey(it.item, `${path}.item`);
    if (!itemKey) throw userError('Please enter value(s) for: Item', `${path}.item`);
    const item = await resolveItem(q, itemKey, `${path}.item`);
    const quantity = optNumber(it.quantity, `${path}.quantity`) ?? 1;
    const lineKey = optString(it, 'custcol_quayside_line_key') ?? null;
    const soLine = soLines.find((l) => (lineKey ? l.line_key === lineKey : l.item_id === item.id));
    if (!Number.isInteger(quantity) || quantity <= 0)
      throw userError('The quantity must be a positive whole number.', `${path}.quantity`);
    if (soLine && quantity > soLine.quantity_fulfilled)
      throw userError(
        `You cannot return more than was shipped on line ${soLine.line} (${soLine.quantity_fulfilled}).`,
        `${path}.quantity`,
      );
    const rate = optNumber(it.rate, `${path}.rate`) ?? (soLine ? Number(soLine.rate) : item.basePrice);
    prepared.push({ line: i + 1, lineKey, item, quantity, rate, orderLine: soLine?.line ?? null });
  }
  const raId = await newTxn(q, 'RtnAuth', {
    externalId,
    entityId,
    status: 'B',
    createdFrom: soId,
    memo: optString(body, 'memo'),
    currency: so?.currency,
    total: prepared.reduce((s, l) => s + l.quantity * l.rate, 0),
  });
  for (const l of prepared) {
    await q.query(
      `INSERT INTO txn_line (txn_id, line, line_key, item_id, quantity, rate, amount, order_line) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [raId, l.line, l.lineKey, l.item.id, l.quantity, l.rate, l.quantity * l.rate, l.orderLine],
    );
  }
  return raId;
}

async function refreshReturn(q: Q, raId: number): Promise<void> {
  const t = (await q.query<{ status: string }>('SELECT status FROM txn WHERE id = $1', [raId])).rows[0]!;
  if (t.status === 'G' || t.status === 'H' || t.status === 'C') {
    await q.query('UPDATE txn SET status = status WHERE id = $1', [raId]);
    return;
  }
  const ls = (await lines(q, raId)).filter((l) => !l.closed);
  const received = ls.reduce((s, l) => s + l.quantity_received, 0);
  const expected = ls.reduce((s, l) => s + l.quantity, 0);
  const status = received === 0 ? 'B' : received >= expected ? 'F' : 'D';
  await q.query('UPDATE txn SET status = $2 WHERE id = $1', [raId, status]);
}

/** Goods received against a return authorization, restocked at a location. */
export async function receiveReturn(
  q: Q,
  raId: number,
  locationKey: string,
  requested?: { lineKey: string; quantity?: number }[],
): Promise<void> {
  const locationId = (await resolveLocation(q, locationKey, 'location'))!;
  const current = await lines(q, raId, true);
  const picks = requested
    ? requested.map((r) => {
        const l = current.find((c) => c.line_key === r.lineKey);
        if (!l) throw userError(`No line with key ${r.lineKey} on this return authorization.`);
        return { l, quantity: r.quantity ?? l.quantity - l.quantity_received };
      })
    : current.map((l) => ({ l, quantity: l.quantity - l.quantity_received }));
  for (const { l, quantity } of picks) {
    if (quantity <= 0 || l.closed) continue;
    if (quantity > l.quantity - l.quantity_received)
      throw userError(`You cannot receive more than ${l.quantity - l.quantity_received} on line ${l.line}.`);
    await q.query(
      'UPDATE txn_line SET quantity_received = quantity_received + $2, location_id = $3 WHERE id = $1',
      [l.id, quantity, locationId],
    );
    if (stocked(l.item_type)) {
      await lockInventory(q, l.item_id, locationId);
      await q.query('UPDATE inventory SET on_hand = on_hand + $3 WHERE item_id = $1 AND location_id = $2', [
        l.item_id,
        locationId,
        quantity,
      ]);
    }
  }
  await refreshReturn(q, raId);
}

export async function closeReturnAuthorization(q: Q, raId: number, body: Json): Promise<void> {
  const items = sublistItems(body) ?? [];
  const current = await lines(q, raId, true);
  for (const it of items) {
    const l = current.find((c) => c.line === optNumber(it.line, 'line'));
    if (l && it.isClosed === true) await q.query('UPDATE txn_line SET closed = true WHERE id = $1', [l.id]);
  }
  const after = await lines(q, raId);
  if (after.every((l) => l.closed)) await q.query("UPDATE txn SET status = 'H' WHERE id = $1", [raId]);
  else await refreshReturn(q, raId);
}

/** returnAuthorization → creditMemo: credits returned lines, less a restocking fee. */
export async function creditReturn(q: Q, raId: number, body: Json): Promise<number> {
  const ra = (await q.query('SELECT * FROM txn WHERE id = $1 FOR UPDATE', [raId])).rows[0];
  if (ra.status === 'H' || ra.status === 'C') throw userError('This return authorization is closed.');
  const current = await lines(q, raId, true);
  const requested = sublistItems(body);
  const picks = requested
    ? requested.map((it, i) => {
        const path = `item.items[${i}]`;
        const l = current.find((c) => c.line === optNumber(it.orderLine ?? it.line, `${path}.orderLine`));
        if (!l)
          throw RestError.of(
            400,
            'INVALID_KEY_OR_REF',
            `Invalid orderLine reference ${String(it.orderLine)}.`,
            `${path}.orderLine`,
          );
        const quantity = optNumber(it.quantity, `${path}.quantity`) ?? l.quantity;
        if (quantity <= 0 || quantity > l.quantity)
          throw userError(`You cannot credit ${quantity} of line ${l.line}.`, `${path}.quantity`);
        return { l, quantity, amount: optNumber(it.amount, `${path}.amount`) ?? quantity * Number(l.rate) };
      })
    : current.map((l) => ({ l, quantity: l.quantity, amount: l.quantity * Number(l.rate) }));
  const fee = optNumber(body.custbody_quayside_restocking_fee, 'custbody_quayside_restocking_fee') ?? 0;
  const total = Math.max(picks.reduce((s, p) => s + p.amount, 0) - fee, 0);
  const cmId = await newTxn(q, 'CustCred', {
    externalId: optString(body, 'externalId') ?? null,
    entityId: ra.entity_id,
    status: 'A',
    createdFrom: raId,
    memo: fee > 0 ? `Restocking fee ${fee.toFixed(2)}` : optString(body, 'memo'),
    currency: ra.currency,
    total,
  });
  for (const [i, p] of picks.entries()) {
    await q.query(
      `INSERT INTO txn_line (txn_id, line, line_key, item_id, quantity, rate, amount, order_line) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [cmId, i + 1, p.l.line_key, p.l.item_id, p.quantity, p.l.rate, p.amount, p.l.line],
    );
  }
  await q.query("UPDATE txn SET status = 'G' WHERE id = $1", [raId]);
  await q.query('UPDATE customer SET balance = balance - $2 WHERE id = $1', [ra.entity_id, total]);
  return cmId;
}

export async function createCustomerRefund(q: Q, body: Json, externalIdOverride?: string): Promise<number> {
  const externalId = externalIdOverride ?? optString(body, 'externalId') ?? null;
  const applies = sublistItems(body, 'apply') ?? [];
  let total = 0;
  let entityId: number | null = null;
  const credited: number[] = [];
  for (const [i, a] of applies.entries()) {
    if (a.apply === false) continue;
    const docKey = refKey(a.doc, `apply.items[${i}].doc`);
    const cmId = docKey ? await resolveIdIn(q, 'txn', docKey, " AND type = 'CustCred'") : null;
    if (cmId === null) throw badRef(`apply.items[${i}].doc`, docKey);
    const cm = (await q.query('SELECT entity_id, total, status FROM txn WHERE id = $1 FOR UPDATE', [cmId]))
      .rows[0];
    const amount = optNumber(a.amount, `apply.items[${i}].amount`) ?? Number(cm.total);
    if (amount <= 0 || amount > Number(cm.total))
      throw userError(
        `The amount applied (${amount}) exceeds the credit available (${Number(cm.total)}).`,
        `apply.items[${i}].amount`,
      );
    if (cm.status === 'B')
      throw userError('This credit memo is already fully applied.', `apply.items[${i}].doc`);
    total += amount;
    entityId = cm.entity_id;
    credited.push(cmId);
  }
  const customerKey = refKey(body.customer, 'customer');
  if (customerKey) entityId = await resolveIdIn(q, 'customer', customerKey);
  if (entityId === null) throw userError('Please enter value(s) for: Customer', 'customer');
  if (total <= 0) throw userError('You must apply the refund to at least one credit.', 'apply');
  const id = await newTxn(q, 'CustRfnd', {
    externalId,
    entityId,
    status: 'A',
    memo: optString(body, 'memo'),
    total,
  });
  for (const cmId of credited) await q.query("UPDATE txn SET status = 'B' WHERE id = $1", [cmId]);
  return id;
}

/**
 * A purchase order from the warehouse's buyer: one line per item with the quantity ordered, the
 * location it is received into and the vendor's expected receipt date.
 */
export async function createPurchaseOrder(
  q: Q,
  body: {
    externalId?: string;
    location: string;
    lines: { sku: string; quantity: number; expectedReceiptDate: string | null }[];
  },
): Promise<number> {
  const locationId = (await resolveLocation(q, body.location, 'location'))!;
  const poId = await newTxn(q, 'PurchOrd', {
    externalId: body.externalId ?? null,
    entityId: null,
    status: 'B',
    locationId,
  });
  for (const [i, l] of body.lines.entries()) {
    const item = await resolveItem(q, `name:${l.sku}`, `item.items[${i}].item`);
    await q.query(
      `INSERT INTO txn_line (txn_id, line, item_id, quantity, location_id, expected_receipt_date) VALUES ($1, $2, $3, $4, $5, $6)`,
      [poId, i + 1, item.id, l.quantity, locationId, l.expectedReceiptDate],
    );
  }
  return poId;
}

/** The vendor moves a line's expected receipt date (null: no date). */
export async function updatePurchaseOrderLine(
  q: Q,
  poId: number,
  sku: string,
  change: { expectedReceiptDate?: string | null; closed?: boolean },
): Promise<void> {
  const item = await resolveItem(q, `name:${sku}`, 'item');
  const r = await q.query(
    `UPDATE txn_line SET expected_receipt_date = CASE WHEN $3::boolean THEN $4::date ELSE expected_receipt_date END,
            closed = COALESCE($5, closed)
      WHERE txn_id = $1 AND item_id = $2`,
    [
      poId,
      item.id,
      change.expectedReceiptDate !== undefined,
      change.expectedReceiptDate ?? null,
      change.closed ?? null,
    ],
  );
  if (!r.rowCount) throw userError(`Purchase order ${poId} has no line for ${sku}.`, 'item');
  await refreshPurchaseOrder(q, poId);
}

/** Goods arrive against a purchase order: stock received at its location, the lines' receipts counted. */
export async function receivePurchaseOrder(
  q: Q,
  poId: number,
  lines?: { sku: string; quantity?: number }[],
): Promise<void> {
  const po = (await q.query("SELECT * FROM txn WHERE id = $1 AND type = 'PurchOrd' FOR UPDATE", [poId]))
    .rows[0];
  if (!po) throw notFound('purchaseOrder', String(poId));
  const open = (
    await q.query<{
      id: number;
      item_id: number;
      item_sku: string;
      quantity: number;
      quantity_received: number;
    }>(
      `SELECT l.id, l.item_id, i.item_id AS item_sku, l.quantity, l.quantity_received FROM txn_line l JOIN item i ON i.id = l.item_id
        WHERE l.txn_id = $1 AND NOT l.closed AND l.quantity > l.quantity_received ORDER BY l.line`,
      [poId],
    )
  ).rows;
  for (const l of open) {
    const wanted = lines ? lines.find((x) => x.sku === l.item_sku) : { quantity: undefined };
    if (!wanted) continue;
    const quantity = Math.min(
      wanted.quantity ?? l.quantity - l.quantity_received,
      l.quantity - l.quantity_received,
    );
    if (quantity <= 0) continue;
    await q.query('UPDATE txn_line SET quantity_received = quantity_received + $2 WHERE id = $1', [
      l.id,
      quantity,
    ]);
    await receiveStock(q, `name:${l.item_sku}`, String(po.location_id), quantity);
  }
  await refreshPurchaseOrder(q, poId);
}

async function refreshPurchaseOrder(q: Q, poId: number): Promise<void> {
  const r = (
    await q.query<{ open: number; received: number }>(
      `SELECT count(*) FILTER (WHERE NOT closed AND quantity > quantity_received)::int AS open,
              COALESCE(sum(quantity_received), 0)::int AS received FROM txn_line WHERE txn_id = $1`,
      [poId],
    )
  ).rows[0]!;
  const status = r.open === 0 ? (r.received > 0 ? 'F' : 'H') : r.received > 0 ? 'D' : 'B';
  // Any change to its lines is a change to the order (its last-modified moves on).
  await q.query('UPDATE txn SET status = $2 WHERE id = $1', [poId, status]);
}
