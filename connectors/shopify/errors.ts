import { ApplicationFailure } from '@temporalio/common';
import { STORE_FAILURES, type StoreRefusal } from '../../domain/failures';

/** Typed failures of the Shopify connector; `nonRetryable` tells activities not to retry. */

export interface ShopifyUserErrorDetail {
  field: string[] | null;
  message: string;
  code?: string | null;
}

/** Shopify refused the mutation on business grounds (`userErrors`): retrying the same input fails again. */
export class ShopifyUserError extends Error {
  override name = 'ShopifyUserError';
  readonly nonRetryable = true;
  constructor(
    readonly operation: string,
    readonly userErrors: ShopifyUserErrorDetail[],
  ) {
    super(
      `${operation}: ${userErrors.map((e) => `${e.field?.join('.') ?? ''}${e.field ? ': ' : ''}${e.message}`).join('; ')}`,
    );
  }
}

/** Top-level GraphQL errors (a query the API does not accept, or an internal error). */
export class ShopifyGraphQLError extends Error {
  override name = 'ShopifyGraphQLError';
  constructor(
    readonly errors: { message: string; extensions?: { code?: string } }[],
    readonly nonRetryable: boolean,
  ) {
    super(errors.map((e) => e.message).join('; '));
  }
}

/** The access token was refused (401/403): a configuration problem, not worth retrying. */
export class ShopifyAuthError extends Error {
  override name = 'ShopifyAuthError';
  readonly nonRetryable = true;
}

/** Shopify answered with an HTTP error or not at all after the connector's own retries; worth retrying later. */
export class ShopifyUnavailableError extends Error {
  override name = 'ShopifyUnavailableError';
  readonly nonRetryable = false;
}

/** Still throttled after the connector waited as long as it is allowed to. */
export class ShopifyThrottledError extends Error {
  override name = 'ShopifyThrottledError';
  readonly nonRetryable = false;
}

/** Error type names, for ApplicationFailure types and non-retryable lists in activity options. */
export const SHOPIFY_ERROR_TYPES = {
  userError: 'ShopifyUserError',
  graphql: 'ShopifyGraphQLError',
  auth: 'ShopifyAuthError',
  unavailable: 'ShopifyUnavailableError',
  throttled: 'ShopifyThrottledError',
} as const;

/**
 * A store refusal (`ShopifyUserError`, or any port's error that carries `userErrors` and says it is not
 * worth retrying) as the typed failure a workflow parks on: type `StoreRefused`, not retried, its
 * details one `StoreRefusal` per user error. `what` says what the store was asked to do, for people.
 * Anything else is returned as it was (a transient fault keeps being retried).
 */
export function asStoreRefusal(err: unknown, what: string): unknown {
  const refusals = refusalsOf(err);
  if (!refusals) return err;
  return ApplicationFailure.create({
    type: STORE_FAILURES.refused,
    message: `The store refused to ${what}: ${refusals.map((r) => r.message).join('; ') || (err as Error).message}`,
    nonRetryable: true,
    details: refusals,
  });
}

/**
 * What the store refused, when `err` is a store refusal (`ShopifyUserError`, or any port's error that
 * carries `userErrors` and says it is not worth retrying); else null. For activities that record a
 * refused item and go on with the rest.
 */
export function refusalsOf(err: unknown): StoreRefusal[] | null {
  if (err instanceof ApplicationFailure || !(err instanceof Error)) return null;
  const e = err as Error & { nonRetryable?: boolean; userErrors?: unknown };
  if (e.nonRetryable !== true || !Array.isArray(e.userErrors)) return null;
  return (e.userErrors as ShopifyUserErrorDetail[]).map((u) => ({
    field: u.field && u.field.length > 0 ? u.field.join('.') : null,
    message: String(u.message),
    code: u.code ?? null,
  }));
}

/** Runs one store write; a refusal comes out as the typed `StoreRefused` (see `asStoreRefusal`). */
export async function storeWrite<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw asStoreRefusal(err, what);
  }
}
