import type { ShopifyAdminClient } from './client';
import {
  ShopifyGraphQLError,
  ShopifyUnavailableError,
  ShopifyUserError,
  type ShopifyUserErrorDetail,
} from './errors';

/**
 * Shopify's bulk operation queries, as documented (shopify.dev/docs/api/usage/bulk-operations/queries):
 * `bulkOperationRunQuery` starts the query, which Shopify runs in the background outside the cost
 * bucket; `node(id:)` is polled (1 point a poll) until the operation ends; the JSONL file at its `url`
 * is then downloaded without the access token. Each line is one object; a node of a nested connection
 * carries `__parentId`. A completed operation that found nothing has no `url`: no lines.
 */

export interface BulkOperationStatus {
  id: string;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED' | 'EXPIRED';
  errorCode: string | null;
  objectCount: string;
  url: string | null;
}

export interface BulkQueryOptions {
  /** Told of the running object count at every poll (an activity heartbeats with it). */
  onProgress?: (objectCount: number) => void;
  /** First and longest wait between polls (default 250 ms, growing to 5 s). */
  pollMs?: number;
  maxPollMs?: number;
  /** How long the operation may take before the call gives up (default 1 hour). */
  timeoutMs?: number;
}

const FIELDS = 'id status errorCode objectCount url';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a bulk query and answers the lines of its result, parsed. */
export async function runBulkQuery<T = Record<string, unknown>>(
  client: ShopifyAdminClient,
  query: string,
  opts: BulkQueryOptions = {},
): Promise<T[]> {
  const started = await client.request<{
    bulkOperationRunQuery: {
      bulkOperation: BulkOperationStatus | null;
      userErrors: (ShopifyUserErrorDetail & { code?: string | null })[];
    };
  }>(
    `mutation BulkQuery($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { ${FIELDS} } userErrors { field message code } } }`,
    { query },
  );
  const { bulkOperation, userErrors } = started.bulkOperationRunQuery;
  if (userErrors.length || !bulkOperation) {
    // Another operation of this app holds the shop's bulk slots: worth trying again later.
    if (userErrors.some((e) => e.code === 'OPERATION_IN_PROGRESS' || e.code === 'LIMIT_REACHED'))
      throw new ShopifyUnavailableError(
        `bulkOperationRunQuery: ${userErrors.map((e) => e.message).join('; ')}`,
      );
    throw new ShopifyUserError('bulkOperationRunQuery', userErrors);
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 3_600_000);
  let op = bulkOperation;
  let wait = opts.pollMs ?? 250;
  while (['CREATED', 'RUNNING', 'CANCELING'].includes(op.status)) {
    if (Date.now() > deadline)
      throw new ShopifyUnavailableError(
        `Bulk operation ${op.id} still ${op.status.toLowerCase()} after the time allowed`,
      );
    await sleep(wait);
    wait = Math.min(wait * 2, opts.maxPollMs ?? 5_000);
    const polled = await client.request<{ node: BulkOperationStatus | null }>(
      `query BulkOperationStatus($id: ID!) { node(id: $id) { ... on BulkOperation { ${FIELDS} } } }`,
      { id: op.id },
    );
    if (!polled.node) throw new ShopifyUnavailableError(`Bulk operation ${op.id} is gone`);
    op = polled.node;
    opts.onProgress?.(Number(op.objectCount));
  }
  if (op.status !== 'COMPLETED') {
    const message = `Bulk operation ${op.id} ended ${op.status.toLowerCase()}${op.errorCode ? ` (${op.errorCode})` : ''}`;
    // Access denied fails again; a timeout or an internal error may not.
    throw new ShopifyGraphQLError(
      [{ message, extensions: { code: op.errorCode ?? op.status } }],
      op.errorCode === 'ACCESS_DENIED',
    );
  }
  if (!op.url) return [];
  const text = await client.download(op.url);
  const out: T[] = [];
  for (const line of text.split('\n')) if (line.trim()) out.push(JSON.parse(line) as T);
  return out;
}
