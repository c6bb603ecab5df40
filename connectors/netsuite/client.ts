import { Money } from '../../domain/money';
import { PRICE_BOOK_CURRENCY } from '../../domain/pricing';
import type {
  ErpCreditMemo,
  ErpChangeFeed,
  ErpCustomer,
  ErpFulfillment,
  ErpInvoice,
  ErpCatalogFeed,
  ErpItem,
  ErpItemMaster,
  ErpOpenPurchaseLine,
  ErpPort,
  ErpPurchasingFeed,
  ErpPrice,
  ErpReconcileFeed,
  ErpReturnAuthorization,
  ErpSalesOrder,
  ErpSalesOrderInput,
  InventoryLevel,
  ItemKind,
  LengthUnit,
  Page,
  WeightUnit,
} from '../../domain/erp';
import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { instantAfter, isAmbiguous, unambiguousBefore, wallTime } from './account-time';
import { sharedBudget, type ErpBudget, type Priority } from './budget';
import { NetSuiteError, depositField, salesOrderField, salesOrderRejected } from './errors';
import { authorizationHeader, type TbaCredentials } from './oauth';

export interface NetSuiteConfig extends TbaCredentials {
  /** Origin of the REST services, e.g. https://1234567.suitetalk.api.netsuite.com (no /services/rest). */
  baseUrl: string;
  /**
   * The account's time zone preference (IANA name): SuiteQL renders dates in it and reads date
   * literals in it. Default America/Los_Angeles.
   */
  timeZone?: string;
  /** Requests in flight at most, shared by every client of this account in the process. */
  concurrency: number;
  maxRetries?: number;
  timeoutMs?: number;
  /** Backoff base; a retry waits about base × 2^attempt (with jitter), at most maxBackoffMs. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  /** A budget of its own instead of the process-wide one for this account. */
  budget?: ErpBudget;
  /** The custom item fields holding matrix option values, in display order (see NETSUITE_MATRIX_OPTIONS). */
  matrixOptions?: { name: string; field: string }[];
  log?: Logger;
  /** Told of every HTTP attempt: `ok` false for a 5xx, 429, timeout or network failure (the dashboard's error rate). */
  onCall?: (outcome: { ok: boolean }) => void;
  /** Told how long each request waited for a slot of the concurrency budget (the worker's metrics). */
  onBudgetWait?: (waitedMs: number, priority: Priority) => void;
  /** Told of every request the connector retries (after a 429, 5xx, timeout or network failure). */
  onRetry?: (failure: { status: number; code: string }) => void;
}

/** The sandbox account's matrix option fields, the default of NETSUITE_MATRIX_OPTIONS. */
export const DEFAULT_MATRIX_OPTIONS = [
  { name: 'Color', field: 'custitem_quayside_color' },
  { name: 'Size', field: 'custitem_quayside_size' },
  { name: 'Finish', field: 'custitem_quayside_finish' },
];
const WEIGHT_UNIT_IDS: Record<string, WeightUnit> = { '1': 'lb', '2': 'oz', '3': 'kg', '4': 'g' };
const LENGTH_UNITS = new Set<LengthUnit>(['in', 'ft', 'mm', 'cm', 'm']);

export function netSuiteConfigFrom(config: Config, log?: Logger): NetSuiteConfig {
  return {
    baseUrl: config.NETSUITE_BASE_URL,
    timeZone: config.NETSUITE_TIME_ZONE,
    accountId: config.NETSUITE_ACCOUNT_ID,
    consumerKey: config.NETSUITE_CONSUMER_KEY,
    consumerSecret: config.NETSUITE_CONSUMER_SECRET,
    tokenId: config.NETSUITE_TOKEN_ID,
    tokenSecret: config.NETSUITE_TOKEN_SECRET,
    concurrency: config.NETSUITE_CONCURRENCY,
    maxRetries: config.NETSUITE_MAX_RETRIES,
    timeoutMs: config.NETSUITE_TIMEOUT_MS,
    matrixOptions: config.NETSUITE_MATRIX_OPTIONS,
    log,
  };
}

export interface SuiteQlPage {
  items: Record<string, string>[];
  hasMore: boolean;
  count: number;
  offset: number;
  totalResults: number;
}

export interface NetSuiteClient
  extends ErpPort, ErpChangeFeed, ErpCatalogFeed, ErpReconcileFeed, ErpPurchasingFeed {
  /** The same client with another priority on the shared budget (`bulk` for syncs). */
  withPriority(priority: Priority): NetSuiteClient;
  readonly budget: ErpBudget;
  /** A change cursor meaning "everything modified after this instant" (to start an incremental sync from now). */
  cursorAt(at: Date): string;
  /** One page of a SuiteQL query. */
  suiteql(query: string, opts?: { limit?: number; offset?: number }): Promise<SuiteQlPage>;
}

type Json = Record<string, unknown>;
interface Ref {
  id?: string;
  refName?: string;
}

const TS_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF3';
const tsCol = (col: string, alias: string) => `TO_CHAR(${col}, '${TS_FORMAT}') AS ${alias}`;
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** The Discount item Quayside's order discounts are booked on (create it once with this external id). */
export const DISCOUNT_ITEM_EXTERNAL_ID = 'quayside-discount';

/** An amount as NetSuite sends it (a JSON number, or text from SuiteQL) as exact decimal text. */
const money = (v: unknown, currency: string = PRICE_BOOK_CURRENCY) =>
  Money.ofWire(typeof v === 'number' || typeof v === 'string' ? v : null, currency).toString();
/** A reference the account does not have, refused as NetSuite refuses one (400 INVALID_KEY_OR_REF). */
const invalidRef = (detail: string, path?: string) =>
  new NetSuiteError({
    status: 400,
    details: [{ detail, code: 'INVALID_KEY_OR_REF', ...(path === undefined ? {} : { path }) }],
  });
const intId = (v: string) => {
  if (!/^\d+$/.test(v)) throw invalidRef(`Invalid internal id ${v}.`);
  return v;
};

/**
 * A change cursor: the real instant (UTC) of the last change delivered and its record id, written
 * `2026-03-08T10:00:00.000Z|42`. Cursors saved before the connector knew the account's time zone
 * (`2026-03-08 10:00:00.000|42`) were UTC wall times and still read as such.
 */
interface ChangeCursor {
  at: number;
  id: number;
}
function parseCursor(cursor: string): ChangeCursor {
  const [ts = '', id = ''] = cursor.split('|');
  const at = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(ts)
    ? Date.parse(ts)
    : /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/.test(ts)
      ? Date.parse(`${ts.replace(' ', 'T')}Z`)
      : NaN;
  if (!Number.isFinite(at) || !/^\d+$/.test(id))
    throw new NetSuiteError({
      status: 400,
      details: [{ detail: `Invalid cursor ${cursor}.`, code: 'INVALID_PARAMETER' }],
    });
  return { at, id: Number(id) };
}
const formatCursor = (c: ChangeCursor) => `${new Date(c.at).toISOString()}|${c.id}`;
const idWhere = (cursor: string | null) => {
  if (cursor && !/^\d+$/.test(cursor))
    throw new NetSuiteError({
      status: 400,
      details: [{ detail: `Invalid cursor ${cursor}.`, code: 'INVALID_PARAMETER' }],
    });
  return cursor ? `id > ${cursor}` : '';
};
const where = (...conds: string[]) => {
  const parts = conds.filter(Boolean);
  return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
};

const SO_STATUS: Record<string, ErpSalesOrder['status']> = {
  A: 'pendingApproval',
  B: 'pendingFulfillment',
  C: 'cancelled',
  D: 'partiallyFulfilled',
  E: 'partiallyFulfilled',
  F: 'pendingBilling',
  G: 'billed',
  H: 'closed',
};
const RA_STATUS: Record<string, ErpReturnAuthorization['status']> = {
  A: 'pendingReceipt',
  B: 'pendingReceipt',
  C: 'closed',
  D: 'partiallyReceived',
  E: 'partiallyReceived',
  F: 'received',
  G: 'credited',
  H: 'closed',
};
const ITEM_KIND: Record<string, ItemKind> = {
  InvtPart: 'inventory',
  Kit: 'kit',
  Assembly: 'assembly',
  NonInvtPart: 'nonInventory',
  Group: 'group',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ITEM_COLUMNS =
  'id, itemid, displayname, itemtype, parent, isserialitem, custitem_quayside_hazmat, baseprice, isinactive, ' +
  'salesdescription, storedetaileddescription, weight, weightunit, searchkeywords, hazmatid, hazmathazardclass, ' +
  'matrixtype, isdropshipitem, isspecialorderitem, leadtime, custitem_quayside_category, custitem_quayside_length, ' +
  'custitem_quayside_width, custitem_quayside_height, custitem_quayside_dimension_unit, custitem_quayside_discontinued';

const num = (v: string | undefined) => (v === undefined || v === null || v === '' ? null : Number(v));

/** The item master fields of a SuiteQL item row (see ITEM_COLUMNS and the matrix option fields). */
function masterOf(
  r: Record<string, string>,
  options: { name: string; field: string }[],
  members?: { sku: string; quantity: number }[],
): ErpItemMaster {
  const weight = num(r.weight);
  const unit = WEIGHT_UNIT_IDS[r.weightunit ?? ''];
  const [length, width, height] = [
    num(r.custitem_quayside_length),
    num(r.custitem_quayside_width),
    num(r.custitem_quayside_height),
  ];
  const dimUnit = r.custitem_quayside_dimension_unit as LengthUnit | undefined;
  const matrixOptions: Record<string, string> = {};
  for (const o of options) {
    const v = r[o.field]?.trim();
    if (v) matrixOptions[o.name] = v;
  }
  return {
    descriptionHtml: r.storedetaileddescription || null,
    salesDescription: r.salesdescription || null,
    weight: weight !== null && unit ? { value: weight, unit } : null,
    dimensions:
      length !== null && width !== null && height !== null && dimUnit && LENGTH_UNITS.has(dimUnit)
        ? { length, width, height, unit: dimUnit }
        : null,
    category: r.custitem_quayside_category || null,
    keywords: (r.searchkeywords ?? '')
      .split(/[,;]/)
      .map((k) => k.trim())
      .filter(Boolean),
    hazmatId: r.hazmatid || null,
    hazmatClass: r.hazmathazardclass || null,
    matrix:
      r.matrixtype === 'PARENT'
        ? { role: 'parent' }
        : r.matrixtype === 'CHILD'
          ? { role: 'child', options: matrixOptions }
          : null,
    discontinued: r.custitem_quayside_discontinued === 'T',
    dropShip: r.isdropshipitem === 'T',
    specialOrder: r.isspecialorderitem === 'T',
    leadTimeDays: num(r.leadtime),
    ...(members ? { members } : r.itemtype === 'Kit' || r.itemtype === 'Group' ? { members: [] } : {}),
  };
}

/** A NetSuite SuiteTalk REST client (record API and SuiteQL) implementing Quayside's ErpPort. */
export function createNetSuiteClient(config: NetSuiteConfig): NetSuiteClient {
  const origin = config.baseUrl.replace(/\/+$/, '');
  const budget = config.budget ?? sharedBudget(`${origin}|${config.accountId}`, config.concurrency);
  const maxRetries = config.maxRetries ?? 6;
  const timeoutMs = config.timeoutMs ?? 60_000;
  const backoffBase = config.backoffBaseMs ?? 200;
  const maxBackoff = config.maxBackoffMs ?? 8_000;
  const log = config.log;
  const recordUrl = (path: string) => `${origin}/services/rest/record/v1/${path}`;
  const zone = config.timeZone ?? 'America/Los_Angeles';
  const matrixOptions = config.matrixOptions ?? DEFAULT_MATRIX_OPTIONS;
  const itemColumns = [ITEM_COLUMNS, ...matrixOptions.map((o) => o.field)].join(', ');
  const itemMaster = (r: Record<string, string>, members?: { sku: string; quantity: number }[]) =>
    masterOf(r, matrixOptions, members);
  const timestamp = (ms: number) => `TO_TIMESTAMP('${wallTime(ms, zone)}', '${TS_FORMAT}')`;
  /** A rendered account-zone wall time as an ISO instant (the earlier one in a fall-back overlap). */
  const toIso = (wall: string | undefined) =>
    new Date(wall ? instantAfter(wall, zone, -Infinity) : 0).toISOString();

  // Lookups that rarely change, cached per process.
  const skuById = new Map<string, string>();
  const idBySku = new Map<string, string>();
  const named: Partial<Record<'term' | 'pricelevel', Promise<Map<string, string>>>> = {};

  async function send(
    priority: Priority,
    method: string,
    url: string,
    opts: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; headers: Headers; json: Json | null }> {
    for (let attempt = 0; ; attempt++) {
      const asked = performance.now();
      const release = await budget.acquire(priority);
      config.onBudgetWait?.(performance.now() - asked, priority);
      let failure: NetSuiteError;
      try {
        const u = new URL(url);
        const res = await fetch(u, {
          method,
          headers: {
            Authorization: authorizationHeader(config, method, u),
            Accept: 'application/json',
            ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
            ...opts.headers,
          },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        config.onCall?.({ ok: res.status !== 429 && res.status < 500 });
        if (res.ok) {
          const text = await res.text();
          return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Json) : null };
        }
        failure = await NetSuiteError.fromResponse(res);
      } catch (err) {
        if (err instanceof NetSuiteError) throw err;
        config.onCall?.({ ok: false });
        const timeout = (err as { name?: string }).name === 'TimeoutError';
        failure = new NetSuiteError({
          status: 0,
          details: [
            {
              detail: `${method} ${url} failed: ${(err as Error).message}`,
              code: timeout ? 'TIMEOUT' : 'NETWORK_ERROR',
            },
          ],
          cause: err,
        });
      } finally {
        release();
      }
      if (!failure.retryable || attempt >= maxRetries) throw failure;
      config.onRetry?.({ status: failure.status, code: failure.code });
      const ceiling = Math.min(maxBackoff, backoffBase * 2 ** attempt);
      const delay = Math.max(failure.retryAfterMs ?? 0, ceiling / 2 + Math.random() * (ceiling / 2));
      log?.debug(
        { code: failure.code, status: failure.status, attempt: attempt + 1, delayMs: Math.round(delay) },
        'NetSuite call will be retried',
      );
      await sleep(delay);
    }
  }

  function build(priority: Priority): NetSuiteClient {
    const call = (method: string, url: string, opts?: { body?: unknown; headers?: Record<string, string> }) =>
      send(priority, method, url, opts);

    async function suiteql(
      query: string,
      opts: { limit?: number; offset?: number } = {},
    ): Promise<SuiteQlPage> {
      const url = `${origin}/services/rest/query/v1/suiteql?limit=${opts.limit ?? 1000}&offset=${opts.offset ?? 0}`;
      const res = await call('POST', url, { body: { q: query }, headers: { Prefer: 'transient' } });
      const page = res.json as unknown as SuiteQlPage;
      return {
        items: page.items ?? [],
        hasMore: !!page.hasMore,
        count: page.count ?? 0,
        offset: page.offset ?? 0,
        totalResults: page.totalResults ?? 0,
      };
    }

    /** Every row of a (small) query, page by page. */
    async function suiteqlAll(query: string): Promise<Record<string, string>[]> {
      const rows: Record<string, string>[] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = await suiteql(query, { limit: 1000, offset });
        rows.push(...page.items);
        if (!page.hasMore) return rows;
      }
    }

    const inList = (ids: string[]) => ids.map((id) => (/^\d+$/.test(id) ? id : quote(id))).join(', ');

    async function skusFor(itemIds: string[]): Promise<Map<string, string>> {
      const missing = [...new Set(itemIds.filter((id) => id && !skuById.has(id)))];
      for (let i = 0; i < missing.length; i += 500) {
        const rows = await suiteqlAll(
          `SELECT id, itemid FROM item WHERE id IN (${inList(missing.slice(i, i + 500))})`,
        );
        for (const r of rows) {
          skuById.set(r.id!, r.itemid!);
          idBySku.set(r.itemid!, r.id!);
        }
      }
      return skuById;
    }

    async function itemIdsFor(skus: string[]): Promise<Map<string, string>> {
      const missing = [...new Set(skus.filter((s) => !idBySku.has(s)))];
      for (let i = 0; i < missing.length; i += 500) {
        const rows = await suiteqlAll(
          `SELECT id, itemid FROM item WHERE itemid IN (${missing
            .slice(i, i + 500)
            .map(quote)
            .join(', ')})`,
        );
        for (const r of rows) {
          skuById.set(r.id!, r.itemid!);
          idBySku.set(r.itemid!, r.id!);
        }
      }
      const unknown = skus.filter((s) => !idBySku.has(s));
      if (unknown.length) {
        throw new NetSuiteError({
          status: 400,
          details: unknown.map((s) => ({
            detail: `No item named ${s} exists in the ERP.`,
            code: 'INVALID_KEY_OR_REF',
            path: 'item',
          })),
        });
      }
      return idBySku;
    }

    /** The internal ids of the items the ERP has among these names (unknown names are left out). */
    async function itemIdsKnown(skus: string[]): Promise<Map<string, string>> {
      try {
        await itemIdsFor(skus);
      } catch (err) {
        if (!(err instanceof NetSuiteError) || err.code !== 'INVALID_KEY_OR_REF') throw err;
      }
      return new Map(skus.filter((s) => idBySku.has(s)).map((s) => [s, idBySku.get(s)!]));
    }

    /** Items from SuiteQL rows of `itemColumns`, with their parents' names and kits' members. */
    async function toItems(rows: Record<string, string>[]): Promise<ErpItem[]> {
      for (const r of rows) {
        skuById.set(r.id!, r.itemid!);
        idBySku.set(r.itemid!, r.id!);
      }
      await skusFor(rows.map((r) => r.parent ?? ''));
      const kits = rows.filter((r) => r.itemtype === 'Kit' || r.itemtype === 'Group').map((r) => r.id!);
      const members = new Map<string, { sku: string; quantity: number }[]>();
      for (let i = 0; i < kits.length; i += 500) {
        const list = await suiteqlAll(
          `SELECT parentitem, item, quantity FROM itemmember WHERE parentitem IN (${kits.slice(i, i + 500).join(', ')}) ORDER BY parentitem, item`,
        );
        await skusFor(list.map((m) => m.item!));
        for (const m of list) {
          const l = members.get(m.parentitem!) ?? [];
          l.push({ sku: skuById.get(m.item!) ?? '', quantity: Number(m.quantity ?? 1) });
          members.set(m.parentitem!, l);
        }
      }
      return rows.map((r) => ({
        erpId: r.id!,
        sku: r.itemid!,
        name: r.displayname ?? r.itemid!,
        kind: r.isserialitem === 'T' ? 'serialized' : (ITEM_KIND[r.itemtype ?? ''] ?? 'inventory'),
        parentSku: r.parent ? (skuById.get(r.parent) ?? null) : null,
        hazmat: r.custitem_quayside_hazmat === 'T',
        serialized: r.isserialitem === 'T',
        basePrice: money(r.baseprice),
        inactive: r.isinactive === 'T',
        lastModified: toIso(r.lastmodified),
        master: itemMaster(r, members.get(r.id!)),
      }));
    }

    async function namedIds(table: 'term' | 'pricelevel'): Promise<Map<string, string>> {
      named[table] ??= suiteqlAll(`SELECT id, name FROM ${table}`).then(
        (rows) => new Map(rows.map((r) => [r.name!, r.id!])),
      );
      try {
        return await named[table];
      } catch (err) {
        delete named[table];
        throw err;
      }
    }
    async function nameRef(
      table: 'term' | 'pricelevel',
      name: string | undefined,
      field: string,
    ): Promise<{ id: string } | undefined> {
      if (name === undefined) return undefined;
      const id = (await namedIds(table)).get(name);
      if (!id) throw invalidRef(`Invalid ${field} reference: no ${field} named ${name}.`, field);
      return { id };
    }

    const refPath = (type: string, ref: { erpId: string } | { externalId: string }) =>
      'erpId' in ref ? `${type}/${intId(ref.erpId)}` : `${type}/eid:${encodeURIComponent(ref.externalId)}`;

    async function getRecord(path: string): Promise<Json | null> {
      try {
        return (await call('GET', `${recordUrl(path)}?expandSubResources=true`)).json;
      } catch (err) {
        if (err instanceof NetSuiteError && err.status === 404) return null;
        throw err;
      }
    }
    async function mustGet(path: string): Promise<Json> {
      const rec = await getRecord(path);
      if (!rec)
        throw new NetSuiteError({
          status: 404,
          details: [{ detail: `The record ${path} does not exist.`, code: 'NONEXISTENT_ID' }],
        });
      return rec;
    }
    const idFromLocation = (res: { headers: Headers }) => {
      const loc = res.headers.get('location') ?? '';
      const id = loc.split('/').pop() ?? '';
      if (!/^\d+$/.test(id))
        throw new NetSuiteError({
          status: 502,
          details: [
            { detail: `Create answered without a record location (${loc}).`, code: 'UNEXPECTED_ERROR' },
          ],
        });
      return id;
    };
    /** POST a create; a duplicate external id means it exists already: return that one's path. */
    async function createIdempotent(
      type: string,
      url: string,
      body: Json,
      externalId: string,
    ): Promise<string> {
      try {
        return `${type}/${idFromLocation(await call('POST', url, { body }))}`;
      } catch (err) {
        if (err instanceof NetSuiteError && err.isDuplicateExternalId)
          return `${type}/eid:${encodeURIComponent(externalId)}`;
        throw err;
      }
    }

    /** Creates the sales order (idempotent by external id) and reads it back. */
    /**
     * The sales order's money fields: one order discount through the discount item (lines keep their
     * list rates), shipping method and cost, and Shopify's tax lines as tax amounts (tax details
     * override; exempt customers get none). On a change (`update`) a discount down to nothing is
     * written as rate 0 and tax lines down to none as no tax details.
     */
    function moneyFields(
      body: Json,
      m: Pick<ErpSalesOrderInput, 'discount' | 'shipping' | 'tax' | 'taxExempt'>,
      currency: string,
      update: boolean,
    ): void {
      if (m.discount && (update || Money.of(m.discount.amount, currency, 'halfUp').isPositive())) {
        body.discountItem = { externalId: DISCOUNT_ITEM_EXTERNAL_ID };
        body.discountRate = -Number(m.discount.amount);
        if (m.discount.codes.length) body.custbody_quayside_discount_codes = m.discount.codes.join(', ');
      }
      if (m.shipping) {
        if (m.shipping.method !== null) body.shipMethod = { id: m.shipping.method };
        body.shippingCost = Number(m.shipping.cost);
        body.custbody_quayside_store_ship_method = m.shipping.storeMethod;
      }
      if (m.taxExempt) body.isTaxable = false;
      else if (m.tax && (update || m.tax.lines.length)) {
        body.taxDetailsOverride = true;
        body.taxDetails = {
          items: m.tax.lines.map((t) => ({
            taxType: { refName: t.title },
            taxRate: Number(t.rate) * 100,
            taxAmount: Number(t.amount),
          })),
        };
      }
    }

    async function postSalesOrder(input: ErpSalesOrderInput): Promise<Json> {
      const ids = await itemIdsFor(input.lines.map((l) => l.sku));
      const body: Json = {
        externalId: input.externalId,
        entity: { id: intId(input.customerErpId) },
        currency: { refName: input.currency },
        item: {
          items: input.lines.map((l) => ({
            item: { id: ids.get(l.sku) },
            quantity: l.quantity,
            rate: Number(l.rate),
            location: { id: l.location },
            custcol_quayside_line_key: l.lineKey,
          })),
        },
      };
      if (input.poNumber !== undefined) body.otherRefNum = input.poNumber;
      if (input.projectCode !== undefined) body.custbody_quayside_project = input.projectCode;
      if (input.memo !== undefined) body.memo = input.memo;
      if (input.terms !== undefined) body.terms = await nameRef('term', input.terms, 'terms');
      if (input.shipTo) body.shipAddress = input.shipTo;
      moneyFields(body, input, input.currency, false);
      const path = await createIdempotent('salesOrder', recordUrl('salesOrder'), body, input.externalId);
      return mustGet(path);
    }

    /** Runs an order write whose permanent refusal becomes the typed `ErpRejectedOrder`; retryable errors pass. */
    async function refusedAs<T>(
      fieldOf: (path: string | undefined) => string | null,
      write: () => Promise<T>,
    ): Promise<T> {
      try {
        return await write();
      } catch (err) {
        if (err instanceof NetSuiteError && !err.retryable) throw salesOrderRejected(err, fieldOf);
        throw err;
      }
    }

    const lineItems = (rec: Json) => ((rec.item as { items?: Json[] } | undefined)?.items ?? []) as Json[];
    const refOf = (v: unknown) => (v as Ref | undefined) ?? undefined;

    function toCustomer(rec: Json): ErpCustomer {
      return {
        erpId: String(rec.id),
        externalId: (rec.externalId as string | undefined) ?? null,
        companyName: String(rec.companyName ?? rec.entityId ?? ''),
        email: (rec.email as string | undefined) ?? null,
        creditLimit:
          rec.creditLimit === undefined || rec.creditLimit === null ? null : money(rec.creditLimit),
        balance: money(rec.balance),
        terms: refOf(rec.terms)?.refName ?? null,
        priceLevel: refOf(rec.priceLevel)?.refName ?? null,
        taxExempt: rec.taxable === false,
        taxId: (rec.resaleNumber as string | undefined) ?? null,
        parentErpId: refOf(rec.parent)?.id ?? null,
        lastModified: String(rec.lastModifiedDate),
      };
    }

    function toSalesOrder(rec: Json): ErpSalesOrder {
      const status = refOf(rec.orderStatus ?? rec.status)?.id ?? 'B';
      return {
        erpId: String(rec.id),
        tranId: String(rec.tranId ?? ''),
        externalId: String(rec.externalId ?? ''),
        status: SO_STATUS[status] ?? 'pendingFulfillment',
        poNumber: (rec.otherRefNum as string | undefined) ?? null,
        lines: lineItems(rec).map((l) => ({
          lineKey: String(l.custcol_quayside_line_key ?? l.line),
          sku: refOf(l.item)?.refName ?? '',
          quantity: Number(l.quantity ?? 0),
          quantityFulfilled: Number(l.quantityFulfilled ?? 0),
          quantityBilled: Number(l.quantityBilled ?? 0),
          quantityBackOrdered: Number(l.quantityBackOrdered ?? 0),
          location: refOf(l.location)?.id ?? '',
          closed: l.isClosed === true,
        })),
        lastModified: String(rec.lastModifiedDate),
        ...(rec.total !== undefined
          ? {
              totals: {
                currency: refOf(rec.currency)?.refName ?? PRICE_BOOK_CURRENCY,
                subtotal: money(rec.subtotal, refOf(rec.currency)?.refName),
                discountTotal: money(rec.discountTotal, refOf(rec.currency)?.refName),
                shippingCost: money(rec.shippingCost, refOf(rec.currency)?.refName),
                taxTotal: money(rec.taxTotal, refOf(rec.currency)?.refName),
                total: money(rec.total, refOf(rec.currency)?.refName),
              },
            }
          : {}),
      };
    }

    function toReturn(rec: Json): ErpReturnAuthorization {
      const status = refOf(rec.orderStatus ?? rec.status)?.id ?? 'B';
      return {
        erpId: String(rec.id),
        externalId: String(rec.externalId ?? ''),
        status: RA_STATUS[status] ?? 'pendingReceipt',
        lines: lineItems(rec).map((l) => ({
          lineKey: String(l.custcol_quayside_line_key ?? l.line),
          sku: refOf(l.item)?.refName ?? '',
          quantity: Number(l.quantity ?? 0),
          quantityReceived: Number(l.quantityReceived ?? 0),
          location: refOf(l.location)?.id ?? null,
        })),
        lastModified: String(rec.lastModifiedDate),
      };
    }

    /** A transaction's line by Quayside's line key; a key it has no line for is refused as a bad reference. */
    const lineByKey = (rec: Json, transaction: string) => {
      const byKey = new Map(lineItems(rec).map((l) => [String(l.custcol_quayside_line_key ?? l.line), l]));
      return (lineKey: string) => {
        const line = byKey.get(lineKey);
        if (!line) throw invalidRef(`No line ${lineKey} on ${transaction}.`);
        return line;
      };
    };

    /**
     * One page of the rows changed after the cursor, in the order they changed, each with the real
     * instant of its change. The account renders lastmodifieddate as a wall time of its zone; rows
     * come sorted by the real instant, so each wall time is read as the first instant it can mean
     * that is not before the previous row's. A cursor whose wall time is ambiguous (the hour a
     * fall-back repeats) is never sent as a literal: the query starts at the last unambiguous
     * minute before it and skips, here, what the cursor already delivered.
     */
    /** Rows of the pricing table as prices: the item's SKU, the level's name, the customer, the quantity break. */
    async function pricesOf(
      rows: Record<string, string>[],
      lastModifiedOf: (row: Record<string, string>) => string,
    ): Promise<ErpPrice[]> {
      const skus = await skusFor(rows.map((r) => r.item!));
      const levels = new Map([...(await namedIds('pricelevel'))].map(([name, id]) => [id, name]));
      return rows.map((r) => ({
        sku: skus.get(r.item!) ?? '',
        priceLevel: r.pricelevel ? (levels.get(r.pricelevel) ?? null) : null,
        customerErpId: r.customer ?? null,
        minQuantity: Number(r.quantity ?? 1),
        unitPrice: money(r.unitprice),
        lastModified: lastModifiedOf(r),
      }));
    }

    async function changedSince(
      select: string,
      from: string,
      conds: string[],
      cursor: string | null,
      pageSize: number,
    ): Promise<{ items: Record<string, string>[]; hasMore: boolean; nextCursor: string | null }> {
      const after = cursor ? parseCursor(cursor) : null;
      let anchor = -Infinity;
      let bound = '';
      if (after && !isAmbiguous(after.at, zone)) {
        anchor = after.at;
        const t = timestamp(after.at);
        bound = `(lastmodifieddate > ${t} OR (lastmodifieddate = ${t} AND id > ${after.id}))`;
      } else if (after) {
        anchor = unambiguousBefore(after.at, zone);
        bound = `lastmodifieddate > ${timestamp(anchor)}`;
      }
      const query = `SELECT ${select}, ${tsCol('lastmodifieddate', 'lastmodified')} FROM ${from}${where(...conds, bound)} ORDER BY lastmodifieddate, id`;
      // Each row gains `modified`: the ISO instant of its change.
      const items: Record<string, string>[] = [];
      let lastAt = 0;
      let prev = anchor;
      let hasMore = false;
      for (let offset = 0; ;) {
        const page = await suiteql(query, { limit: pageSize, offset });
        hasMore = page.hasMore;
        for (const row of page.items) {
          const at = instantAfter(row.lastmodified!, zone, prev);
          prev = at;
          const id = Number(row.id);
          if (!after || at > after.at || (at === after.at && id > after.id)) {
            items.push({ ...row, modified: new Date(at).toISOString() });
            lastAt = at;
          }
        }
        if (items.length > 0 || !page.hasMore || page.items.length === 0) break;
        offset += page.items.length;
      }
      const last = items[items.length - 1];
      return {
        items,
        hasMore,
        nextCursor: last ? formatCursor({ at: lastAt, id: Number(last.id) }) : cursor,
      };
    }

    /** Transactions of one type changed since the cursor, with their lines and source orders. */
    async function transactionsSince(type: 'ItemShip' | 'CustInvc', cursor: string | null, pageSize: number) {
      const extra =
        type === 'ItemShip'
          ? 'location, shipcarrier, trackingnumberlist'
          : `foreigntotal, TO_CHAR(duedate, 'YYYY-MM-DD') AS duedate`;
      const page = await changedSince(
        `id, tranid, createdfrom, ${extra}, ${tsCol('trandate', 'trandate')}`,
        'transaction',
        [`type = '${type}'`],
        cursor,
        pageSize,
      );
      const ids = page.items.map((r) => r.id!);
      const lines = new Map<string, Record<string, string>[]>();
      const sources = new Map<string, string>();
      if (ids.length) {
        const rows = await suiteqlAll(
          `SELECT transaction, linesequencenumber, item, quantity, netamount, custcol_quayside_line_key FROM transactionline WHERE transaction IN (${ids.join(', ')}) ORDER BY transaction, linesequencenumber`,
        );
        await skusFor(rows.map((r) => r.item!));
        for (const r of rows) lines.set(r.transaction!, [...(lines.get(r.transaction!) ?? []), r]);
        const from = [...new Set(page.items.map((r) => r.createdfrom).filter((v): v is string => !!v))];
        if (from.length)
          for (const r of await suiteqlAll(
            `SELECT id, externalid FROM transaction WHERE id IN (${from.join(', ')})`,
          ))
            sources.set(r.id!, r.externalid ?? '');
      }
      return { page, lines, sources, nextCursor: page.nextCursor };
    }

    const client: NetSuiteClient = {
      budget,
      suiteql,
      cursorAt: (at) => formatCursor({ at: at.getTime(), id: 0 }),
      withPriority: (p) => (p === priority ? client : build(p)),

      async getCustomer(erpId) {
        const rec = await getRecord(`customer/${intId(erpId)}`);
        return rec ? toCustomer(rec) : null;
      },

      async hasOtherSalesOrder(customerErpId, exceptExternalId) {
        const page = await suiteql(
          `SELECT id FROM transaction WHERE type = 'SalesOrd' AND entity = ${intId(customerErpId)} AND status <> 'C'` +
            ` AND (externalid IS NULL OR externalid <> ${quote(exceptExternalId)}) ORDER BY id`,
          { limit: 1 },
        );
        return page.items.length > 0;
      },

      async findCustomer(ref) {
        if ('externalId' in ref) {
          const rec = await getRecord(`customer/eid:${encodeURIComponent(ref.externalId)}`);
          return rec ? toCustomer(rec) : null;
        }
        const page = await suiteql(`SELECT id FROM customer WHERE email = ${quote(ref.email)} ORDER BY id`, {
          limit: 2,
        });
        if (page.items.length !== 1) return null;
        const rec = await getRecord(`customer/${intId(page.items[0]!.id!)}`);
        return rec ? toCustomer(rec) : null;
      },

      async updateCustomerContact(erpId, changes) {
        const a = changes.address;
        const body: Json = {
          ...(changes.email !== undefined ? { email: changes.email } : {}),
          ...(changes.phone !== undefined ? { phone: changes.phone } : {}),
          ...(changes.companyName !== undefined ? { companyName: changes.companyName } : {}),
          ...(a
            ? {
                addressBook: {
                  items: [
                    {
                      defaultBilling: true,
                      defaultShipping: true,
                      addressBookAddress: {
                        ...(a.addressee !== undefined ? { addressee: a.addressee } : {}),
                        ...(a.addr1 !== undefined ? { addr1: a.addr1 } : {}),
                        ...(a.addr2 !== undefined ? { addr2: a.addr2 } : {}),
                        ...(a.city !== undefined ? { city: a.city } : {}),
                        ...(a.state !== undefined ? { state: a.state } : {}),
                        ...(a.zip !== undefined ? { zip: a.zip } : {}),
                        ...(a.country !== undefined ? { country: { id: a.country } } : {}),
                      },
                    },
                  ],
                },
              }
            : {}),
        };
        const path = `customer/${intId(erpId)}`;
        // `replace=addressBook`: the store's default address replaces the ERP's list rather than adding to it.
        await call('PATCH', `${recordUrl(path)}${a ? '?replace=addressBook' : ''}`, { body });
        return toCustomer(await mustGet(path));
      },

      async upsertCustomer(input) {
        const body: Json = {
          externalId: input.externalId,
          companyName: input.companyName,
          ...(input.email !== undefined ? { email: input.email } : {}),
          ...(input.creditLimit !== undefined ? { creditLimit: Number(input.creditLimit) } : {}),
          ...(input.taxExempt !== undefined ? { taxable: !input.taxExempt } : {}),
          ...(input.taxId !== undefined ? { resaleNumber: input.taxId } : {}),
          ...(input.parentErpId !== undefined ? { parent: { id: intId(input.parentErpId) } } : {}),
        };
        const terms = await nameRef('term', input.terms, 'terms');
        const priceLevel = await nameRef('pricelevel', input.priceLevel, 'priceLevel');
        if (terms) body.terms = terms;
        if (priceLevel) body.priceLevel = priceLevel;
        const path = `customer/eid:${encodeURIComponent(input.externalId)}`;
        await call('PUT', recordUrl(path), { body });
        return toCustomer(await mustGet(path));
      },

      async listItems(cursor, pageSize = 1000) {
        const { total: _total, ...page } = await client.itemsAfter(cursor, pageSize);
        return page;
      },

      async itemsAfter(cursor, pageSize = 1000) {
        const page = await suiteql(
          `SELECT ${itemColumns}, ${tsCol('lastmodifieddate', 'lastmodified')} FROM item${where(idWhere(cursor))} ORDER BY id`,
          { limit: pageSize },
        );
        const items = await toItems(page.items);
        return {
          items,
          hasMore: page.hasMore,
          nextCursor: items.length ? items[items.length - 1]!.erpId : cursor,
          total: page.totalResults,
        };
      },

      async itemsChangedSince(cursor, pageSize = 1000) {
        const page = await changedSince(itemColumns, 'item', [], cursor, pageSize);
        const items = await toItems(page.items.map((r) => ({ ...r, lastmodified: '' })));
        page.items.forEach((r, i) => (items[i]!.lastModified = r.modified!));
        return { items, hasMore: page.hasMore, nextCursor: page.nextCursor };
      },

      async itemFamilies(skus) {
        if (skus.length === 0) return [];
        const out: Record<string, string>[] = [];
        for (let i = 0; i < skus.length; i += 500) {
          const names = skus
            .slice(i, i + 500)
            .map(quote)
            .join(', ');
          out.push(
            ...(await suiteqlAll(
              `SELECT ${itemColumns}, ${tsCol('lastmodifieddate', 'lastmodified')} FROM item WHERE itemid IN (${names}) ORDER BY id`,
            )),
          );
        }
        const parents = out.filter((r) => r.matrixtype === 'PARENT').map((r) => r.id!);
        for (let i = 0; i < parents.length; i += 500)
          out.push(
            ...(await suiteqlAll(
              `SELECT ${itemColumns}, ${tsCol('lastmodifieddate', 'lastmodified')} FROM item WHERE parent IN (${parents.slice(i, i + 500).join(', ')}) AND matrixtype = 'CHILD' ORDER BY id`,
            )),
          );
        const seen = new Set<string>();
        return toItems(out.filter((r) => !seen.has(r.id!) && seen.add(r.id!)));
      },

      async kitsContaining(skus) {
        if (skus.length === 0) return [];
        const ids = [...(await itemIdsKnown(skus)).values()];
        const kitIds = new Set<string>();
        for (let i = 0; i < ids.length; i += 500)
          for (const r of await suiteqlAll(
            `SELECT parentitem FROM itemmember WHERE item IN (${ids.slice(i, i + 500).join(', ')}) ORDER BY parentitem`,
          ))
            kitIds.add(r.parentitem!);
        const list = [...kitIds];
        const rows: Record<string, string>[] = [];
        for (let i = 0; i < list.length; i += 500)
          rows.push(
            ...(await suiteqlAll(
              `SELECT ${itemColumns}, ${tsCol('lastmodifieddate', 'lastmodified')} FROM item WHERE id IN (${list.slice(i, i + 500).join(', ')}) ORDER BY id`,
            )),
          );
        return toItems(rows);
      },

      async salesOrdersWithExternalIds(externalIds) {
        const found = new Set<string>();
        for (let i = 0; i < externalIds.length; i += 500) {
          const list = externalIds
            .slice(i, i + 500)
            .map(quote)
            .join(', ');
          for (const r of await suiteqlAll(
            `SELECT id, externalid FROM transaction WHERE type = 'SalesOrd' AND externalid IN (${list}) ORDER BY id`,
          ))
            if (r.externalid) found.add(r.externalid);
        }
        return found;
      },

      async inventoryOf(skus) {
        const ids = [...(await itemIdsKnown(skus)).values()];
        const levels: InventoryLevel[] = [];
        for (let i = 0; i < ids.length; i += 500) {
          const rows = await suiteqlAll(
            `SELECT id, item, location, quantityonhand, quantityavailable, ${tsCol('lastmodifieddate', 'lastmodified')} FROM inventoryitemlocations WHERE item IN (${ids.slice(i, i + 500).join(', ')}) ORDER BY id`,
          );
          for (const r of rows)
            levels.push({
              sku: skuById.get(r.item!) ?? '',
              location: r.location!,
              onHand: Number(r.quantityonhand ?? 0),
              available: Number(r.quantityavailable ?? 0),
              lastModified: toIso(r.lastmodified),
            });
        }
        return levels;
      },

      async listPrices(cursor, pageSize = 1000) {
        const page = await suiteql(
          `SELECT id, item, pricelevel, customer, quantity, unitprice, ${tsCol('lastmodifieddate', 'lastmodified')} FROM pricing${where(idWhere(cursor))} ORDER BY id`,
          { limit: pageSize },
        );
        const items = await pricesOf(page.items, (r) => toIso(r.lastmodified));
        const last = page.items[page.items.length - 1];
        return { items, hasMore: page.hasMore, nextCursor: last ? last.id! : cursor };
      },

      async inventoryChangedSince(cursor, pageSize = 1000) {
        const page = await changedSince(
          'id, item, location, quantityonhand, quantityavailable',
          'inventoryitemlocations',
          [],
          cursor,
          pageSize,
        );
        const skus = await skusFor(page.items.map((r) => r.item!));
        const items: InventoryLevel[] = page.items.map((r) => ({
          sku: skus.get(r.item!) ?? '',
          location: r.location!,
          onHand: Number(r.quantityonhand ?? 0),
          available: Number(r.quantityavailable ?? 0),
          lastModified: r.modified!,
        }));
        return { items, hasMore: page.hasMore, nextCursor: page.nextCursor };
      },

      async pricesChangedSince(cursor, pageSize = 1000) {
        const page = await changedSince(
          'id, item, pricelevel, customer, quantity, unitprice',
          'pricing',
          [],
          cursor,
          pageSize,
        );
        const items = await pricesOf(page.items, (r) => r.modified!);
        return { items, hasMore: page.hasMore, nextCursor: page.nextCursor };
      },

      async priceLevels() {
        const rows = await suiteqlAll('SELECT id, name, discountpct FROM pricelevel ORDER BY id');
        return rows.map((r) => ({ name: r.name!, discountPct: r.discountpct ?? '0' }));
      },

      async customersChangedSince(cursor, pageSize = 1000) {
        const page = await changedSince(
          'id, externalid, companyname, email, creditlimit, balance, terms, pricelevel, taxable, resalenumber, parent',
          'customer',
          [],
          cursor,
          pageSize,
        );
        const byId = async (table: 'term' | 'pricelevel') =>
          new Map([...(await namedIds(table))].map(([name, id]) => [id, name]));
        const [terms, levels] = await Promise.all([byId('term'), byId('pricelevel')]);
        const items: ErpCustomer[] = page.items.map((r) => ({
          erpId: r.id!,
          externalId: r.externalid ?? null,
          companyName: r.companyname ?? '',
          email: r.email ?? null,
          creditLimit: r.creditlimit === undefined || r.creditlimit === null ? null : money(r.creditlimit),
          balance: money(r.balance ?? '0'),
          terms: r.terms ? (terms.get(r.terms) ?? null) : null,
          priceLevel: r.pricelevel ? (levels.get(r.pricelevel) ?? null) : null,
          taxExempt: r.taxable === 'F',
          taxId: r.resalenumber ?? null,
          parentErpId: r.parent ?? null,
          lastModified: r.modified!,
        }));
        return { items, hasMore: page.hasMore, nextCursor: page.nextCursor };
      },

      async createSalesOrder(input) {
        // A permanent refusal is the typed rejection the order process decides on (code, path, field).
        const so = await refusedAs(salesOrderField, () => postSalesOrder(input));
        if (input.payment) {
          const deposit: Json = {
            externalId: input.payment.externalId,
            customer: { id: intId(input.customerErpId) },
            salesOrder: { id: String(so.id) },
            payment: Number(input.payment.amount),
            currency: { refName: input.currency },
            memo: `Paid in the store${input.payment.gateway ? ` through ${input.payment.gateway}` : ''}`,
          };
          const externalId = input.payment.externalId;
          await refusedAs(depositField, () =>
            createIdempotent('customerDeposit', recordUrl('customerDeposit'), deposit, externalId),
          );
        }
        return toSalesOrder(so);
      },

      async getSalesOrder(ref) {
        const rec = await getRecord(refPath('salesOrder', ref));
        return rec ? toSalesOrder(rec) : null;
      },

      async updateSalesOrder(externalId, changes) {
        const path = refPath('salesOrder', { externalId });
        const body: Json = {};
        if (changes.poNumber !== undefined) body.otherRefNum = changes.poNumber;
        if (changes.memo !== undefined) body.memo = changes.memo;
        if (changes.shipTo !== undefined) body.shipAddress = changes.shipTo;
        if (changes.lines?.length || changes.add?.length) {
          const rec = await mustGet(path);
          const lineOf = lineByKey(rec, `sales order ${externalId}`);
          // Lines without a line number are added (NetSuite's keyed sublist update); a line whose
          // key is already there was added by an earlier try of this change.
          const present = new Set(lineItems(rec).map((l) => String(l.custcol_quayside_line_key ?? l.line)));
          const adds = (changes.add ?? []).filter((a) => !present.has(a.lineKey));
          const ids = adds.length ? await itemIdsFor(adds.map((a) => a.sku)) : new Map<string, string>();
          body.item = {
            items: [
              ...(changes.lines ?? []).map((l) => ({
                line: lineOf(l.lineKey).line,
                quantity: l.quantity,
                ...(l.rate !== undefined ? { rate: Number(l.rate) } : {}),
              })),
              ...adds.map((a) => ({
                item: { id: ids.get(a.sku) },
                quantity: a.quantity,
                rate: Number(a.rate),
                location: { id: a.location },
                custcol_quayside_line_key: a.lineKey,
              })),
            ],
          };
        }
        moneyFields(body, changes, changes.currency ?? 'USD', true);
        if (Object.keys(body).length) await call('PATCH', recordUrl(path), { body });
        return toSalesOrder(await mustGet(path));
      },

      async cancelSalesOrder(externalId, lineKeys) {
        const path = refPath('salesOrder', { externalId });
        const rec = await mustGet(path);
        const wanted = lineKeys ? new Set(lineKeys) : null;
        const closing = lineItems(rec).filter(
          (l) =>
            l.isClosed !== true && (!wanted || wanted.has(String(l.custcol_quayside_line_key ?? l.line))),
        );
        if (closing.length === 0) return toSalesOrder(rec);
        await call('PATCH', recordUrl(path), {
          body: { item: { items: closing.map((l) => ({ line: l.line, isClosed: true })) } },
        });
        return toSalesOrder(await mustGet(path));
      },

      async purchaseOrdersChangedSince(cursor, pageSize = 200) {
        const page = await changedSince('id', 'transaction', [`type = 'PurchOrd'`], cursor, pageSize);
        const ids = page.items.map((r) => r.id!);
        const skus = new Map<string, Set<string>>();
        if (ids.length) {
          const rows = await suiteqlAll(
            `SELECT transaction, item FROM transactionline WHERE transaction IN (${ids.join(', ')}) ORDER BY transaction, linesequencenumber`,
          );
          const names = await skusFor(rows.map((r) => r.item!));
          for (const r of rows) {
            const set = skus.get(r.transaction!) ?? new Set<string>();
            const sku = names.get(r.item!);
            if (sku) set.add(sku);
            skus.set(r.transaction!, set);
          }
        }
        return {
          items: page.items.map((r) => ({
            erpId: r.id!,
            skus: [...(skus.get(r.id!) ?? [])],
            lastModified: r.modified!,
          })),
          hasMore: page.hasMore,
          nextCursor: page.nextCursor,
        };
      },

      async openPurchaseLines(skus) {
        const ids = [...(await itemIdsKnown(skus)).values()];
        const out: ErpOpenPurchaseLine[] = [];
        for (let i = 0; i < ids.length; i += 500) {
          // Lines with something still to receive; then only those of open purchase orders.
          const rows = await suiteqlAll(
            `SELECT transaction, item, location, quantity, quantityshiprecv, TO_CHAR(expectedreceiptdate, 'YYYY-MM-DD') AS expected FROM transactionline WHERE item IN (${ids.slice(i, i + 500).join(', ')}) AND isclosed = 'F' ORDER BY id`,
          );
          const candidates = rows.filter((r) => Number(r.quantity ?? 0) > Number(r.quantityshiprecv ?? 0));
          const txns = [...new Set(candidates.map((r) => r.transaction!))];
          const open = new Set<string>();
          for (let j = 0; j < txns.length; j += 500)
            for (const r of await suiteqlAll(
              `SELECT id FROM transaction WHERE type = 'PurchOrd' AND status IN ('B', 'D', 'E') AND id IN (${txns.slice(j, j + 500).join(', ')})`,
            ))
              open.add(r.id!);
          const names = await skusFor(candidates.map((r) => r.item!));
          for (const r of candidates)
            if (open.has(r.transaction!))
              out.push({
                purchaseOrderErpId: r.transaction!,
                sku: names.get(r.item!) ?? '',
                location: r.location ?? '',
                remaining: Number(r.quantity ?? 0) - Number(r.quantityshiprecv ?? 0),
                expectedReceiptDate: r.expected || null,
              });
        }
        return out;
      },

      async fulfillmentsSince(cursor, pageSize = 200): Promise<Page<ErpFulfillment>> {
        const { page, lines, sources, nextCursor } = await transactionsSince('ItemShip', cursor, pageSize);
        // Serial numbers: the fulfillments' inventory assignments, then the numbers they name.
        const serials = new Map<string, string[]>();
        const ids = page.items.map((r) => r.id!);
        if (ids.length) {
          const assigned = await suiteqlAll(
            `SELECT id, transaction, transactionline, inventorynumber FROM inventoryassignment WHERE transaction IN (${ids.join(', ')}) ORDER BY id`,
          );
          const numbers = new Map<string, string>();
          const wanted = [...new Set(assigned.map((a) => a.inventorynumber!))];
          for (let i = 0; i < wanted.length; i += 500)
            for (const n of await suiteqlAll(
              `SELECT id, inventorynumber FROM inventorynumber WHERE id IN (${wanted.slice(i, i + 500).join(', ')})`,
            ))
              numbers.set(n.id!, n.inventorynumber!);
          for (const a of assigned) {
            const key = `${a.transaction}:${a.transactionline}`;
            serials.set(key, [...(serials.get(key) ?? []), numbers.get(a.inventorynumber!) ?? '']);
          }
        }
        const items = page.items.map((r) => ({
          erpId: r.id!,
          salesOrderErpId: r.createdfrom ?? '',
          salesOrderExternalId: sources.get(r.createdfrom ?? '') ?? '',
          location: r.location ?? '',
          carrier: r.shipcarrier ?? null,
          trackingNumbers: (r.trackingnumberlist ?? '').split(/[\s,]+/).filter(Boolean),
          lines: (lines.get(r.id!) ?? []).map((l) => ({
            lineKey: l.custcol_quayside_line_key ?? l.linesequencenumber!,
            sku: skuById.get(l.item!) ?? '',
            quantity: Math.abs(Number(l.quantity ?? 0)),
            ...(serials.has(`${r.id}:${l.linesequencenumber}`)
              ? { serialNumbers: serials.get(`${r.id}:${l.linesequencenumber}`)! }
              : {}),
          })),
          shippedAt: toIso(r.trandate),
          lastModified: r.modified!,
        }));
        return { items, hasMore: page.hasMore, nextCursor };
      },

      async fulfillmentLinesOf(salesOrderErpId) {
        const shipments = await suiteqlAll(
          `SELECT id, shipcarrier, trackingnumberlist FROM transaction WHERE type = 'ItemShip' AND createdfrom = ${intId(salesOrderErpId)} ORDER BY id`,
        );
        if (!shipments.length) return [];
        const rows = await suiteqlAll(
          `SELECT transaction, linesequencenumber, quantity, custcol_quayside_line_key FROM transactionline WHERE transaction IN (${shipments.map((r) => r.id!).join(', ')}) ORDER BY transaction, linesequencenumber`,
        );
        return shipments.map((r) => ({
          erpId: r.id!,
          carrier: r.shipcarrier ?? null,
          trackingNumbers: (r.trackingnumberlist ?? '').split(/[\s,]+/).filter(Boolean),
          lines: rows
            .filter((l) => l.transaction === r.id)
            .map((l) => ({
              lineKey: l.custcol_quayside_line_key ?? l.linesequencenumber!,
              quantity: Math.abs(Number(l.quantity ?? 0)),
            })),
        }));
      },

      async invoicesSince(cursor, pageSize = 200): Promise<Page<ErpInvoice>> {
        const { page, lines, sources, nextCursor } = await transactionsSince('CustInvc', cursor, pageSize);
        const items = page.items.map((r) => ({
          erpId: r.id!,
          tranId: r.tranid ?? '',
          salesOrderErpId: r.createdfrom ?? '',
          salesOrderExternalId: sources.get(r.createdfrom ?? '') ?? '',
          total: money(r.foreigntotal),
          dueDate: r.duedate ?? null,
          lines: (lines.get(r.id!) ?? []).map((l) => ({
            lineKey: l.custcol_quayside_line_key ?? l.linesequencenumber!,
            sku: skuById.get(l.item!) ?? '',
            quantity: Math.abs(Number(l.quantity ?? 0)),
            amount: money(l.netamount),
          })),
          lastModified: r.modified!,
        }));
        return { items, hasMore: page.hasMore, nextCursor };
      },

      async createReturnAuthorization(input) {
        const existing = await getRecord(refPath('returnAuthorization', { externalId: input.externalId }));
        if (existing) return toReturn(existing);
        const so = await mustGet(refPath('salesOrder', { externalId: input.salesOrderExternalId }));
        const lineOf = lineByKey(so, `sales order ${input.salesOrderExternalId}`);
        const body: Json = {
          externalId: input.externalId,
          entity: { id: refOf(so.entity)?.id },
          createdFrom: { id: String(so.id) },
          item: {
            items: input.lines.map((l) => {
              const line = lineOf(l.lineKey);
              return {
                item: { id: refOf(line.item)?.id },
                quantity: l.quantity,
                rate: line.rate,
                custcol_quayside_line_key: l.lineKey,
              };
            }),
          },
        };
        if (input.memo !== undefined) body.memo = input.memo;
        const path = await createIdempotent(
          'returnAuthorization',
          recordUrl('returnAuthorization'),
          body,
          input.externalId,
        );
        return toReturn(await mustGet(path));
      },

      async getReturnAuthorization(ref) {
        const rec = await getRecord(refPath('returnAuthorization', ref));
        return rec ? toReturn(rec) : null;
      },

      async closeReturnAuthorization(externalId) {
        const path = refPath('returnAuthorization', { externalId });
        const rec = await mustGet(path);
        const open = lineItems(rec).filter((l) => l.isClosed !== true);
        if (open.length)
          await call('PATCH', recordUrl(path), {
            body: { item: { items: open.map((l) => ({ line: l.line, isClosed: true })) } },
          });
        return toReturn(await mustGet(path));
      },

      async createCreditMemo(input): Promise<ErpCreditMemo> {
        const toMemo = (rec: Json): ErpCreditMemo => ({
          erpId: String(rec.id),
          externalId: String(rec.externalId ?? input.externalId),
          total: money(rec.total),
        });
        const existing = await getRecord(refPath('creditMemo', { externalId: input.externalId }));
        if (existing) return toMemo(existing);
        const ra = await mustGet(`returnAuthorization/${intId(input.returnAuthorizationErpId)}`);
        const lineOf = lineByKey(ra, `return authorization ${input.returnAuthorizationErpId}`);
        const body: Json = {
          externalId: input.externalId,
          item: {
            items: input.lines.map((l) => {
              const line = lineOf(l.lineKey);
              return { orderLine: line.line, quantity: l.quantity, amount: Number(l.amount) };
            }),
          },
        };
        if (input.restockingFee !== undefined)
          body.custbody_quayside_restocking_fee = Number(input.restockingFee);
        const path = await createIdempotent(
          'creditMemo',
          recordUrl(`returnAuthorization/${intId(input.returnAuthorizationErpId)}/!transform/creditMemo`),
          body,
          input.externalId,
        );
        return toMemo(await mustGet(path));
      },

      async createRefund(input) {
        const toRefund = (rec: Json) => ({
          erpId: String(rec.id),
          externalId: String(rec.externalId ?? input.externalId),
          amount: money(rec.total),
        });
        const existing = await getRecord(refPath('customerRefund', { externalId: input.externalId }));
        if (existing) return toRefund(existing);
        const memo = await mustGet(`creditMemo/${intId(input.creditMemoErpId)}`);
        const body: Json = {
          externalId: input.externalId,
          customer: { id: refOf(memo.entity)?.id },
          apply: { items: [{ doc: { id: String(memo.id) }, apply: true, amount: Number(input.amount) }] },
        };
        const path = await createIdempotent(
          'customerRefund',
          recordUrl('customerRefund'),
          body,
          input.externalId,
        );
        return toRefund(await mustGet(path));
      },
    };
    return client;
  }

  return build('interactive');
}
