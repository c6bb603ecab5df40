import type { Logger } from '../../platform/logger';
import {
  ShopifyAuthError,
  ShopifyGraphQLError,
  ShopifyThrottledError,
  ShopifyUnavailableError,
} from './errors';

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

export interface ShopifyClientOptions {
  /** `https://<shop>.myshopify.com`, or the sandbox's `http://127.0.0.1:4002`. */
  adminUrl: string;
  accessToken: string;
  apiVersion: string;
  log?: Logger;
  fetch?: typeof fetch;
  /** How many THROTTLED answers one call waits out before giving up. */
  maxThrottleWaits?: number;
  /** Retries of HTTP failures (5xx, 429, network) inside one call. */
  maxHttpRetries?: number;
  timeoutMs?: number;
  /** Told of every HTTP attempt: `ok` false for a 5xx, 429, timeout or network failure (the dashboard's error rate). */
  onCall?: (outcome: { ok: boolean }) => void;
}

export interface ShopifyClientStats {
  requests: number;
  throttled: number;
  waitedMs: number;
  /** Calls held back before sending because the bucket (as last reported) could not pay for them yet. */
  paced: number;
  pacedMs: number;
  lastCost?: QueryCost;
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: { cost?: QueryCost };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Admin GraphQL client: access-token auth, a pinned API version, and Shopify's cost-based rate limit
 * handled. A THROTTLED answer arrives with HTTP 200; the client reads `extensions.cost`, waits until the
 * bucket holds the requested points again, and retries.
 */
export class ShopifyAdminClient {
  readonly stats: ShopifyClientStats = { requests: 0, throttled: 0, waitedMs: 0, paced: 0, pacedMs: 0 };
  private readonly endpoint: string;
  private readonly doFetch: typeof fetch;
  /** The bucket as the last answer reported it, less what calls sent since then are expected to take. */
  private bucket?: { available: number; maximum: number; restoreRate: number; at: number };
  /** Requested cost of each named operation the last time it ran. */
  private readonly costOf = new Map<string, number>();

  constructor(private readonly opts: ShopifyClientOptions) {
    this.endpoint = `${opts.adminUrl.replace(/\/+$/, '')}/admin/api/${opts.apiVersion}/graphql.json`;
    this.doFetch = opts.fetch ?? fetch;
  }

  get apiVersion(): string {
    return this.opts.apiVersion;
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const maxWaits = this.opts.maxThrottleWaits ?? 20;
    const maxHttp = this.opts.maxHttpRetries ?? 3;
    const operation = /^\s*(?:query|mutation)\s+(\w+)/.exec(query)?.[1];
    let waits = 0;
    let httpFailures = 0;
    for (;;) {
      await this.pace(operation);
      let res: Response;
      this.stats.requests += 1;
      try {
        res = await this.doFetch(this.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'x-shopify-access-token': this.opts.accessToken,
          },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
      } catch (err) {
        this.opts.onCall?.({ ok: false });
        if (++httpFailures > maxHttp)
          throw new ShopifyUnavailableError(`Shopify did not answer: ${(err as Error).message}`);
        await sleep(250 * 2 ** httpFailures);
        continue;
      }
      this.opts.onCall?.({ ok: res.status !== 429 && res.status < 500 });
      if (res.status === 401 || res.status === 403) {
        throw new ShopifyAuthError(
          `Shopify refused the access token (HTTP ${res.status}); check SHOPIFY_ACCESS_TOKEN and the app's scopes.`,
        );
      }
      if (res.status === 429 || res.status >= 500) {
        await res.arrayBuffer().catch(() => undefined);
        if (++httpFailures > maxHttp)
          throw new ShopifyUnavailableError(`Shopify answered HTTP ${res.status}`);
        const retryAfter = Number(res.headers.get('retry-after'));
        await sleep(
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 250 * 2 ** httpFailures,
        );
        continue;
      }
      if (!res.ok)
        throw new ShopifyGraphQLError(
          [{ message: `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}` }],
          true,
        );

      const body = (await res.json()) as GraphQLResponse<T>;
      const cost = body.extensions?.cost;
      if (cost) this.observe(operation, cost);
      if (body.errors?.some((e) => e.extensions?.code === 'THROTTLED')) {
        this.stats.throttled += 1;
        if (++waits > maxWaits) throw new ShopifyThrottledError(`Still throttled after ${maxWaits} waits`);
        const wait = throttleWaitMs(cost);
        this.stats.waitedMs += wait;
        this.opts.log?.debug({ wait, cost }, 'shopify throttled; waiting for the bucket to refill');
        await sleep(wait);
        continue;
      }
      if (body.errors?.length) {
        const internal = body.errors.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
        throw new ShopifyGraphQLError(body.errors, !internal);
      }
      return body.data as T;
    }
  }

  /**
   * A GET on the REST Admin API (`/admin/api/<version>/<path>`): the body's text, or null for 404.
   * REST calls have a rate limit of their own (a request bucket, 429 with `Retry-After`), waited out here.
   */
  async restGet(path: string): Promise<string | null> {
    const url = `${this.opts.adminUrl.replace(/\/+$/, '')}/admin/api/${this.opts.apiVersion}/${path.replace(/^\/+/, '')}`;
    const maxHttp = this.opts.maxHttpRetries ?? 3;
    for (let failures = 0; ;) {
      let res: Response;
      try {
        res = await this.doFetch(url, {
          headers: { accept: 'application/json', 'x-shopify-access-token': this.opts.accessToken },
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
      } catch (err) {
        if (++failures > maxHttp)
          throw new ShopifyUnavailableError(`Shopify did not answer: ${(err as Error).message}`);
        await sleep(250 * 2 ** failures);
        continue;
      }
      if (res.status === 404) {
        await res.arrayBuffer().catch(() => undefined);
        return null;
      }
      if (res.status === 401 || res.status === 403)
        throw new ShopifyAuthError(
          `Shopify refused the access token for ${path} (HTTP ${res.status}); check SHOPIFY_ACCESS_TOKEN and the app's scopes.`,
        );
      if (res.status === 429 || res.status >= 500) {
        await res.arrayBuffer().catch(() => undefined);
        if (++failures > maxHttp) throw new ShopifyUnavailableError(`Shopify answered HTTP ${res.status}`);
        const retryAfter = Number(res.headers.get('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 250 * 2 ** failures);
        continue;
      }
      if (!res.ok)
        throw new ShopifyGraphQLError(
          [{ message: `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}` }],
          true,
        );
      return res.text();
    }
  }

  /**
   * The body of a file Shopify hands out at a signed URL (a bulk operation's result): fetched without the
   * access token, which the URL's signature replaces; HTTP failures are retried like the API's.
   */
  async download(url: string): Promise<string> {
    const maxHttp = this.opts.maxHttpRetries ?? 3;
    for (let failures = 0; ;) {
      let res: Response;
      try {
        res = await this.doFetch(url, {
          signal: AbortSignal.timeout(Math.max(this.opts.timeoutMs ?? 30_000, 300_000)),
        });
      } catch (err) {
        if (++failures > maxHttp)
          throw new ShopifyUnavailableError(`The file did not download: ${(err as Error).message}`);
        await sleep(250 * 2 ** failures);
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        await res.arrayBuffer().catch(() => undefined);
        if (++failures > maxHttp)
          throw new ShopifyUnavailableError(`The file's storage answered HTTP ${res.status}`);
        await sleep(250 * 2 ** failures);
        continue;
      }
      if (!res.ok)
        throw new ShopifyGraphQLError(
          [{ message: `Downloading the file: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}` }],
          false,
        );
      return res.text();
    }
  }

  /**
   * Respects the cost-based limit before sending: a named operation whose last requested cost the
   * bucket cannot pay yet (by the restore rate since the last answer) waits for the difference, so a
   * steady stream of calls runs at the bucket's pace instead of bouncing off THROTTLED answers.
   */
  private async pace(operation: string | undefined): Promise<void> {
    const expected = operation ? this.costOf.get(operation) : undefined;
    const bucket = this.bucket;
    if (!expected || !bucket) return;
    const now = Date.now();
    const available = Math.min(
      bucket.maximum,
      bucket.available + ((now - bucket.at) / 1000) * bucket.restoreRate,
    );
    const wait =
      available >= expected
        ? 0
        : Math.ceil(((expected - available) / Math.max(bucket.restoreRate, 1)) * 1000);
    bucket.available = available - expected;
    bucket.at = now;
    if (wait > 0) {
      this.stats.paced += 1;
      this.stats.pacedMs += wait;
      await sleep(wait);
    }
  }

  private observe(operation: string | undefined, cost: QueryCost): void {
    this.stats.lastCost = cost;
    if (operation && cost.requestedQueryCost > 0) this.costOf.set(operation, cost.requestedQueryCost);
    const t = cost.throttleStatus;
    if (t)
      this.bucket = {
        available: t.currentlyAvailable,
        maximum: t.maximumAvailable,
        restoreRate: t.restoreRate,
        at: Date.now(),
      };
  }
}

/** How long until the bucket holds the requested points again (with a small margin). */
export function throttleWaitMs(cost: QueryCost | undefined): number {
  if (!cost?.throttleStatus) return 1000;
  const { currentlyAvailable, restoreRate } = cost.throttleStatus;
  const missing = Math.max(0, cost.requestedQueryCost - currentlyAvailable);
  return Math.max(50, Math.ceil((missing / Math.max(restoreRate, 1)) * 1000) + 50);
}
