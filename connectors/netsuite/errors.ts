import { ApplicationFailure } from '@temporalio/common';
import { ORDER_FAILURES, type ErpRejection } from '../../domain/failures';

/** One entry of NetSuite's `o:errorDetails`. */
export interface NetSuiteErrorDetail {
  detail: string;
  code: string;
  path?: string;
}

const RETRYABLE_CODES = new Set([
  'CONCURRENCY_LIMIT_EXCEEDED',
  'SSS_REQUEST_LIMIT_EXCEEDED',
  'UNEXPECTED_ERROR',
  'SERVICE_UNAVAILABLE',
  'NETWORK_ERROR',
  'TIMEOUT',
]);

/**
 * A failed NetSuite call, from the error document (`type`, `title`, `status`, `o:errorDetails`).
 * `retryable` is true for throttling (429, concurrency limits), server errors and network failures;
 * validation and permission errors are permanent.
 */
export class NetSuiteError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: NetSuiteErrorDetail[];
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(opts: {
    status: number;
    details: NetSuiteErrorDetail[];
    title?: string;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    const first = opts.details[0];
    super(
      first
        ? opts.details.map((d) => d.detail).join('; ')
        : (opts.title ?? `NetSuite answered HTTP ${opts.status}`),
      { cause: opts.cause },
    );
    this.name = 'NetSuiteError';
    this.status = opts.status;
    this.details = opts.details;
    this.code = first?.code ?? (opts.status === 429 ? 'CONCURRENCY_LIMIT_EXCEEDED' : `HTTP_${opts.status}`);
    this.retryAfterMs = opts.retryAfterMs;
    this.retryable =
      opts.status === 429 ||
      opts.status >= 500 ||
      opts.status === 0 ||
      this.details.some((d) => RETRYABLE_CODES.has(d.code));
  }

  /** The messages NetSuite gave, one per error detail. */
  get messages(): string[] {
    return this.details.map((d) => d.detail);
  }

  /** A second create with an external id that already exists. */
  get isDuplicateExternalId(): boolean {
    return this.details.some(
      (d) => d.code === 'DUP_RCRD' || (/external ?id/i.test(d.detail) && /already exists/i.test(d.detail)),
    );
  }

  static async fromResponse(res: Response): Promise<NetSuiteError> {
    const text = await res.text().catch(() => '');
    let details: NetSuiteErrorDetail[] = [];
    let title: string | undefined;
    try {
      const doc = JSON.parse(text) as {
        title?: string;
        'o:errorDetails'?: { detail?: string; 'o:errorCode'?: string; 'o:errorPath'?: string }[];
      };
      title = doc.title;
      details = (doc['o:errorDetails'] ?? []).map((d) => ({
        detail: d.detail ?? '',
        code: d['o:errorCode'] ?? 'UNKNOWN',
        ...(d['o:errorPath'] ? { path: d['o:errorPath'] } : {}),
      }));
    } catch {
      if (text) details = [{ detail: text.slice(0, 500), code: `HTTP_${res.status}` }];
    }
    const retryAfter = Number(res.headers.get('retry-after'));
    return new NetSuiteError({
      status: res.status,
      details,
      title,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    });
  }
}

/** NetSuite's sales order body fields, as the fields of Quayside's sales order input (`ErpSalesOrderInput`). */
const SALES_ORDER_FIELDS: Record<string, string> = {
  externalId: 'externalId',
  entity: 'customerErpId',
  currency: 'currency',
  otherRefNum: 'poNumber',
  custbody_quayside_project: 'projectCode',
  memo: 'memo',
  terms: 'terms',
  shipAddress: 'shipTo',
  discountItem: 'discount',
  discountRate: 'discount.amount',
  custbody_quayside_discount_codes: 'discount.codes',
  shipMethod: 'shipping.method',
  shippingCost: 'shipping.cost',
  custbody_quayside_store_ship_method: 'shipping.storeMethod',
  isTaxable: 'taxExempt',
  taxDetails: 'tax',
  taxDetailsOverride: 'tax',
  item: 'lines',
};
const SALES_ORDER_LINE_FIELDS: Record<string, string> = {
  item: 'sku',
  quantity: 'quantity',
  rate: 'rate',
  location: 'location',
  custcol_quayside_line_key: 'lineKey',
};
/** The customer deposit that records a paid order's payment. */
const DEPOSIT_FIELDS: Record<string, string> = {
  externalId: 'payment.externalId',
  customer: 'customerErpId',
  payment: 'payment.amount',
  currency: 'currency',
};

/** The sales order input field a NetSuite `o:errorPath` on a sales order names, or null. */
export function salesOrderField(path: string | undefined): string | null {
  if (!path) return null;
  const line = /^item\.items\[(\d+)\](?:\.(\w+))?/.exec(path);
  if (line) {
    const field = line[2] ? SALES_ORDER_LINE_FIELDS[line[2]] : undefined;
    return `lines[${line[1]}]${field ? `.${field}` : ''}`;
  }
  const [head = '', ...rest] = path.split('.');
  const field = SALES_ORDER_FIELDS[head];
  if (!field) return null;
  return head === 'shipAddress' && rest.length > 0 ? `shipTo.${rest.join('.')}` : field;
}

/** The sales order input field a NetSuite `o:errorPath` on a paid order's customer deposit names, or null. */
export const depositField = (path: string | undefined): string | null =>
  (path && DEPOSIT_FIELDS[path.split('.')[0] ?? '']) || null;

/**
 * NetSuite's refusal of a sales order as the typed failure the order process decides on: type
 * `ErpRejectedOrder`, not retried, its details one `ErpRejection` per `o:errorDetails` entry (the
 * code, the path and the sales order field the path names). The message is NetSuite's, for people.
 */
export function salesOrderRejected(
  err: NetSuiteError,
  fieldOf: (path: string | undefined) => string | null = salesOrderField,
): ApplicationFailure {
  const rejections: ErpRejection[] = err.details.map((d) => ({
    code: d.code,
    path: d.path ?? null,
    field: fieldOf(d.path),
  }));
  return ApplicationFailure.create({
    type: ORDER_FAILURES.erpRejected,
    message: err.message,
    nonRetryable: true,
    details: rejections.length > 0 ? rejections : [{ code: err.code, path: null, field: null }],
  });
}

/** One problem NetSuite named when it refused a record write on validation grounds. */
export interface ErpRefusalDetail {
  /** NetSuite's `o:errorCode` (`USER_ERROR`, `INVALID_FLD_VALUE` …). */
  code: string;
  /** NetSuite's `o:errorPath` (the record's field), or null. */
  path: string | null;
  /** NetSuite's own words. */
  message: string;
}

/**
 * What NetSuite refused, when `err` is a validation refusal (a 4xx error document that is not worth
 * retrying: not throttling, not sign-in or permissions); else null. The same write fails again until
 * a person changes the data.
 */
export function erpRefusalOf(err: unknown): ErpRefusalDetail[] | null {
  if (!(err instanceof NetSuiteError) || err.retryable) return null;
  if (err.status < 400 || err.status >= 500 || err.status === 401 || err.status === 403) return null;
  return err.details.length > 0
    ? err.details.map((d) => ({ code: d.code, path: d.path ?? null, message: d.detail }))
    : [{ code: err.code, path: null, message: err.message }];
}

/** NetSuite's refusal in a sentence: its own words, each with the field it named. */
export const erpRefusalWords = (refusals: readonly ErpRefusalDetail[]): string =>
  refusals.map((r) => `${r.message.replace(/[.\s]+$/, '')}${r.path ? ` (${r.path})` : ''}`).join('; ');
