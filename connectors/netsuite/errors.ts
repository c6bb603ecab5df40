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
