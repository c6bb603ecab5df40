import type pg from 'pg';
import { RestError } from './errors';

/**
 * Record collections of the REST record API (`GET record/v1/<type>?limit=&offset=&q=`) and the
 * list records (items, locations, price levels, terms) readable by id.
 *
 * `q` follows NetSuite's record collection filtering: `<field> <OPERATOR> <value>` conditions joined
 * by AND / OR (AND binds tighter), with parentheses. Values are numbers, `"quoted strings"`, single
 * words, `true`/`false`, dates (`"1/31/2026"` in the account's date format, or `2026-01-31`) and
 * bracketed lists (`[1, 2]`) for ANY_OF and BETWEEN. Dates are days of the account's time zone:
 * every statement runs with the session time zone set to it.
 */

type Q = pg.PoolClient;
type Json = Record<string, unknown>;
type FieldType = 'string' | 'number' | 'boolean' | 'date';

interface FieldDef {
  sql: string;
  type: FieldType;
}

export interface CollectionDef {
  /** The record type's name in URLs. */
  name: string;
  table: string;
  /** A condition that picks this type's rows out of a shared table. */
  scope?: string;
  fields: Record<string, FieldDef>;
}

const f = (sql: string, type: FieldType): FieldDef => ({ sql, type });
const common = {
  id: f('id', 'number'),
  externalId: f('external_id', 'string'),
  lastModifiedDate: f('last_modified', 'date'),
};
const itemFields = {
  ...common,
  itemId: f('item_id', 'string'),
  displayName: f('display_name', 'string'),
  isInactive: f('inactive', 'boolean'),
  isSerialItem: f('serialized', 'boolean'),
  basePrice: f('base_price', 'number'),
  matrixType: f('matrix_type', 'string'),
  isDropShipItem: f('drop_ship', 'boolean'),
  isSpecialOrderItem: f('special_order', 'boolean'),
  custitem_quayside_category: f('category', 'string'),
};
const txnFields = {
  ...common,
  tranId: f('tran_id', 'string'),
  entity: f('entity_id', 'number'),
  createdFrom: f('created_from', 'number'),
  otherRefNum: f('other_ref_num', 'string'),
  memo: f('memo', 'string'),
  status: f('status', 'string'),
  tranDate: f('tran_date', 'date'),
};
const item = (name: string, itemType: string): CollectionDef => ({
  name,
  table: 'item',
  scope: `item_type = '${itemType}'`,
  fields: itemFields,
});
const txn = (name: string, type: string): CollectionDef => ({
  name,
  table: 'txn',
  scope: `type = '${type}'`,
  fields: txnFields,
});

/** Keyed by the lower-cased type name, as NetSuite matches them. */
export const COLLECTIONS: Record<string, CollectionDef> = Object.fromEntries(
  [
    {
      name: 'customer',
      table: 'customer',
      fields: {
        ...common,
        entityId: f('entity_id', 'string'),
        companyName: f('company_name', 'string'),
        email: f('email', 'string'),
        creditLimit: f('credit_limit', 'number'),
        balance: f('balance', 'number'),
        parent: f('parent_id', 'number'),
        resaleNumber: f('tax_id', 'string'),
        taxable: f('NOT tax_exempt', 'boolean'),
      },
    },
    item('inventoryItem', 'InvtPart'),
    item('nonInventorySaleItem', 'NonInvtPart'),
    item('kitItem', 'Kit'),
    item('assemblyItem', 'Assembly'),
    item('itemGroup', 'Group'),
    {
      name: 'location',
      table: 'location',
      fields: { ...common, name: f('name', 'string'), custrecord_quayside_3pl: f('third_party', 'boolean') },
    },
    {
      name: 'priceLevel',
      table: 'price_level',
      fields: {
        id: f('id', 'number'),
        name: f('name', 'string'),
        discountpct: f('discount_pct', 'number'),
        lastModifiedDate: f('last_modified', 'date'),
      },
    },
    {
      name: 'term',
      table: 'term',
      fields: {
        id: f('id', 'number'),
        name: f('name', 'string'),
        daysUntilNetDue: f('days_until_due', 'number'),
        lastModifiedDate: f('last_modified', 'date'),
      },
    },
    txn('salesOrder', 'SalesOrd'),
    txn('itemFulfillment', 'ItemShip'),
    txn('invoice', 'CustInvc'),
    txn('returnAuthorization', 'RtnAuth'),
    txn('creditMemo', 'CustCred'),
    txn('customerRefund', 'CustRfnd'),
    txn('customerDeposit', 'CustDep'),
    txn('depositApplication', 'DepAppl'),
  ].map((d) => [d.name.toLowerCase(), d]),
);

/** The list records this module serves by id (the others live in records.ts). */
export const LIST_TYPES = new Set([
  'inventoryitem',
  'noninventorysaleitem',
  'kititem',
  'assemblyitem',
  'itemgroup',
  'location',
  'pricelevel',
  'term',
]);

const invalidQuery = (detail: string) =>
  RestError.of(400, 'INVALID_PARAMETER', `Invalid query parameter q: ${detail}`, 'q');

// ------------------------------------------------------------------ q= filter

type Tok = { t: 'word' | 'str' | 'num' | 'punct'; v: string };

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '"' || c === "'") {
      const end = q.indexOf(c, i + 1);
      if (end < 0) throw invalidQuery('a quoted value is not closed.');
      out.push({ t: 'str', v: q.slice(i + 1, end) });
      i = end + 1;
    } else if ('()[],'.includes(c)) {
      out.push({ t: 'punct', v: c });
      i++;
    } else {
      let j = i;
      while (j < q.length && !/[\s()[\],"']/.test(q[j]!)) j++;
      const v = q.slice(i, j);
      out.push({ t: /^-?\d+(\.\d+)?$/.test(v) ? 'num' : 'word', v });
      i = j;
    }
  }
  return out;
}

const OPERATORS: Record<FieldType, string[]> = {
  string: ['CONTAIN', 'IS', 'START_WITH', 'END_WITH', 'ENDWITH', 'EMPTY'],
  number: ['ANY_OF', 'BETWEEN', 'EQUAL', 'GREATER', 'GREATER_OR_EQUAL', 'LESS', 'LESS_OR_EQUAL', 'EMPTY'],
  boolean: ['IS'],
  date: ['AFTER', 'BEFORE', 'ON', 'ON_OR_AFTER', 'ON_OR_BEFORE', 'EMPTY'],
};

/** A day of the account's calendar: `M/D/YYYY` (the default date format) or `YYYY-MM-DD`. */
function day(v: string): string {
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const ymd = us ? [us[3]!, us[1]!, us[2]!] : iso ? [iso[1]!, iso[2]!, iso[3]!] : null;
  if (!ymd) throw invalidQuery(`'${v}' is not a date; use the account's date format, such as 1/31/2026.`);
  const [y, mo, d] = ymd.map(Number) as [number, number, number];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) throw invalidQuery(`'${v}' is not a date.`);
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Compiles `q` for one collection into a SQL condition with bind parameters. */
export function compileFilter(def: CollectionDef, q: string, params: unknown[]): string {
  const toks = tokenize(q);
  let pos = 0;
  const peek = () => toks[pos];
  const next = () => {
    const t = toks[pos++];
    if (!t) throw invalidQuery('the condition ends too early.');
    return t;
  };
  const punct = (v: string) => {
    const t = next();
    if (t.t !== 'punct' || t.v !== v) throw invalidQuery(`expected '${v}' near '${t.v}'.`);
  };
  const param = (v: unknown) => `$${params.push(v)}`;
  const isWord = (w: string) => peek()?.t === 'word' && peek()!.v.toUpperCase() === w;

  const scalar = (): Tok => {
    const t = next();
    if (t.t === 'punct') throw invalidQuery(`expected a value near '${t.v}'.`);
    return t;
  };
  const list = (): Tok[] => {
    if (!(peek()?.t === 'punct' && peek()!.v === '[')) return [scalar()];
    next();
    const vs = [scalar()];
    while (peek()?.t === 'punct' && peek()!.v === ',') {
      next();
      vs.push(scalar());
    }
    punct(']');
    return vs;
  };
  const num = (t: Tok) => {
    if (t.t !== 'num' && !(t.t === 'str' && /^-?\d+(\.\d+)?$/.test(t.v)))
      throw invalidQuery(`'${t.v}' is not a number.`);
    return Number(t.v);
  };

  const condition = (): string => {
    if (peek()?.t === 'punct' && peek()!.v === '(') {
      next();
      const inner = orExpr();
      punct(')');
      return `(${inner})`;
    }
    const fieldTok = next();
    const entry = Object.entries(def.fields).find(([k]) => k.toLowerCase() === fieldTok.v.toLowerCase());
    if (fieldTok.t !== 'word' || !entry)
      throw invalidQuery(`the field '${fieldTok.v}' does not exist on ${def.name} or cannot be filtered.`);
    const [, field] = entry;
    const opTok = next();
    const raw = opTok.v.toUpperCase();
    const negated = raw.endsWith('_NOT');
    const op = negated ? raw.slice(0, -4) : raw;
    if (opTok.t !== 'word' || !OPERATORS[field.type].includes(op))
      throw invalidQuery(
        `the operator '${opTok.v}' is not allowed for ${entry[0]}; use one of ${OPERATORS[field.type].join(', ')} (or their _NOT forms).`,
      );
    const col = field.sql;
    let sql: string;
    if (op === 'EMPTY') sql = `${col} IS NULL`;
    else if (field.type === 'string') {
      const v = scalar().v;
      const esc = v.replace(/[\\%_]/g, (c) => `\\${c}`);
      sql =
        op === 'IS'
          ? `lower(${col}) = lower(${param(v)})`
          : `${col} ILIKE ${param(op === 'CONTAIN' ? `%${esc}%` : op === 'START_WITH' ? `${esc}%` : `%${esc}`)}`;
    } else if (field.type === 'boolean') {
      const v = scalar().v.toLowerCase();
      if (!['true', 'false', 't', 'f'].includes(v)) throw invalidQuery(`'${v}' is not true or false.`);
      sql = `(${col}) = ${v.startsWith('t') ? 'true' : 'false'}`;
    } else if (field.type === 'number') {
      const vs = list().map(num);
      if (op === 'ANY_OF') sql = `${col} = ANY(${param(vs)}::numeric[])`;
      else if (op === 'BETWEEN') {
        if (vs.length !== 2) throw invalidQuery('BETWEEN takes two values, as in [1, 42].');
        sql = `${col} BETWEEN ${param(vs[0])} AND ${param(vs[1])}`;
      } else {
        if (vs.length !== 1) throw invalidQuery(`${op} takes one value.`);
        const cmp = { EQUAL: '=', GREATER: '>', GREATER_OR_EQUAL: '>=', LESS: '<', LESS_OR_EQUAL: '<=' }[op]!;
        sql = `${col} ${cmp} ${param(vs[0])}`;
      }
    } else {
      const d = param(day(scalar().v));
      const start = `(${d}::date)::timestamptz`;
      const end = `(${d}::date + 1)::timestamptz`;
      sql = {
        AFTER: `${col} >= ${end}`,
        ON_OR_AFTER: `${col} >= ${start}`,
        BEFORE: `${col} < ${start}`,
        ON_OR_BEFORE: `${col} < ${end}`,
        ON: `(${col} >= ${start} AND ${col} < ${end})`,
      }[op]!;
    }
    return negated ? `NOT COALESCE(${sql}, false)` : sql;
  };
  const andExpr = (): string => {
    const parts = [condition()];
    while (isWord('AND')) {
      next();
      parts.push(condition());
    }
    return parts.join(' AND ');
  };
  const orExpr = (): string => {
    const parts = [andExpr()];
    while (isWord('OR')) {
      next();
      parts.push(andExpr());
    }
    return parts.length > 1 ? `(${parts.join(' OR ')})` : parts[0]!;
  };
  if (toks.length === 0) throw invalidQuery('the condition is empty.');
  const sql = orExpr();
  if (pos < toks.length) throw invalidQuery(`unexpected '${toks[pos]!.v}'.`);
  return sql;
}

// ------------------------------------------------------------------ collection pages

export interface CollectionRequest {
  limit?: string;
  offset?: string;
  q?: string;
}

function pageNumber(
  raw: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    throw RestError.of(
      400,
      'INVALID_PARAMETER',
      `Invalid value for the parameter ${name}: it must be a whole number from ${min} to ${max}.`,
      name,
    );
  return n;
}

/** One page of a collection in NetSuite's shape, ids ascending. `url` is the collection's URL. */
export async function collectionPage(
  q: Q,
  def: CollectionDef,
  req: CollectionRequest,
  url: string,
): Promise<Json> {
  const limit = pageNumber(req.limit, 'limit', 1000, 1, 1000);
  const offset = pageNumber(req.offset, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const params: unknown[] = [];
  const conds = [def.scope, req.q !== undefined ? compileFilter(def, req.q, params) : undefined].filter(
    Boolean,
  );
  const where = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
  const [rows, total] = await Promise.all([
    q.query<{ id: number }>(
      `SELECT id FROM ${def.table}${where} ORDER BY id LIMIT ${limit} OFFSET ${offset}`,
      params,
    ),
    q.query<{ n: string }>(`SELECT count(*) AS n FROM ${def.table}${where}`, params),
  ]);
  const totalResults = Number(total.rows[0]!.n);
  const pageUrl = (at: number) => {
    const u = new URL(url);
    u.searchParams.set('limit', String(limit));
    u.searchParams.set('offset', String(at));
    if (req.q !== undefined) u.searchParams.set('q', req.q);
    return u.toString();
  };
  const lastOffset = totalResults === 0 ? 0 : Math.floor((totalResults - 1) / limit) * limit;
  const links = [];
  if (offset > 0) links.push({ rel: 'first', href: pageUrl(0) });
  if (offset > 0) links.push({ rel: 'prev', href: pageUrl(Math.max(offset - limit, 0)) });
  if (offset + limit < totalResults) links.push({ rel: 'next', href: pageUrl(offset + limit) });
  if (offset < lastOffset) links.push({ rel: 'last', href: pageUrl(lastOffset) });
  links.push({ rel: 'self', href: pageUrl(offset) });
  const base = new URL(url);
  base.search = '';
  return {
    links,
    count: rows.rows.length,
    hasMore: offset + rows.rows.length < totalResults,
    items: rows.rows.map((r) => ({ links: [{ rel: 'self', href: `${base}/${r.id}` }], id: String(r.id) })),
    offset,
    totalResults,
  };
}

// ------------------------------------------------------------------ list records by id

const money = (v: string | null) => (v === null ? undefined : Number(v));
/** NetSuite's weight unit list, by internal id 1–4. */
const WEIGHT_UNITS = ['lb', 'oz', 'kg', 'g'];

/** Resolves `<id>` or `eid:<externalId>` of a list record; null when there is none. */
export async function resolveListRecord(q: Q, type: string, key: string): Promise<number | null> {
  const def = COLLECTIONS[type]!;
  const scope = def.scope ? ` AND ${def.scope}` : '';
  if (key.startsWith('eid:')) {
    if (!('externalId' in def.fields)) return null;
    const r = await q.query<{ id: number }>(`SELECT id FROM ${def.table} WHERE external_id = $1${scope}`, [
      key.slice(4),
    ]);
    return r.rows[0]?.id ?? null;
  }
  if (!/^\d+$/.test(key)) return null;
  const r = await q.query<{ id: number }>(`SELECT id FROM ${def.table} WHERE id = $1${scope}`, [Number(key)]);
  return r.rows[0]?.id ?? null;
}

export async function listRecordJson(q: Q, type: string, id: number, base: string): Promise<Json> {
  const def = COLLECTIONS[type]!;
  const self = { links: [{ rel: 'self', href: `${base}/${def.name}/${id}` }], id: String(id) };
  const modified = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (def.table === 'item') {
    const r = (
      await q.query(
        `SELECT i.*, p.item_id AS parent_name FROM item i LEFT JOIN item p ON p.id = i.parent_id WHERE i.id = $1`,
        [id],
      )
    ).rows[0];
    const locations = (
      await q.query(
        `SELECT l.id, l.name, v.on_hand, v.committed FROM inventory v JOIN location l ON l.id = v.location_id
          WHERE v.item_id = $1 ORDER BY l.id`,
        [id],
      )
    ).rows;
    return {
      ...self,
      itemId: r.item_id,
      externalId: r.external_id ?? undefined,
      displayName: r.display_name,
      isInactive: r.inactive,
      isSerialItem: r.serialized,
      custitem_quayside_hazmat: r.hazmat,
      salesDescription: r.sales_description ?? undefined,
      storeDetailedDescription: r.store_description ?? undefined,
      weight: money(r.weight),
      weightUnit: r.weight_unit
        ? { id: String(WEIGHT_UNITS.indexOf(r.weight_unit) + 1), refName: r.weight_unit }
        : undefined,
      searchKeywords: r.search_keywords ?? undefined,
      matrixType: r.matrix_type ? { id: r.matrix_type, refName: r.matrix_type } : undefined,
      isDropShipItem: r.drop_ship,
      isSpecialOrderItem: r.special_order,
      leadTime: r.lead_time ?? undefined,
      custitem_quayside_category: r.category ?? undefined,
      custitem_quayside_discontinued: r.discontinued,
      parent: r.parent_id ? { id: String(r.parent_id), refName: r.parent_name } : undefined,
      basePrice: money(r.base_price),
      lastModifiedDate: modified(r.last_modified),
      ...(r.item_type === 'InvtPart' || r.item_type === 'Assembly'
        ? {
            locations: {
              links: [{ rel: 'self', href: `${base}/${def.name}/${id}/locations` }],
              items: locations.map((l) => ({
                location: { id: String(l.id), refName: l.name },
                quantityOnHand: l.on_hand,
                quantityCommitted: l.committed,
                quantityAvailable: Math.max(l.on_hand - l.committed, 0),
              })),
              count: locations.length,
              hasMore: false,
              offset: 0,
              totalResults: locations.length,
            },
          }
        : {}),
    };
  }
  const r = (await q.query(`SELECT * FROM ${def.table} WHERE id = $1`, [id])).rows[0];
  if (def.table === 'location')
    return {
      ...self,
      name: r.name,
      externalId: r.external_id ?? undefined,
      lastModifiedDate: modified(r.last_modified),
    };
  if (def.table === 'price_level')
    return { ...self, name: r.name, discountpct: Number(r.discount_pct), isInactive: false };
  return { ...self, name: r.name, daysUntilNetDue: r.days_until_due, isInactive: false };
}
