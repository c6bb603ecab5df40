import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { STORE_FAILURES, storeRefusals, storeRefusalWords, type StoreRefusal } from '../domain/failures';

/**
 * Processes park on a store refusal from this release on, where they retried it for ever (or failed):
 * the typed `StoreRefused` failure an activity raises for Shopify `userErrors`.
 */
export const STORE_REFUSALS_PATCH = 'store-refusals-park';

/** What the store refused, when an activity failed because the store refused its write; else null. */
export function storeRefusalOf(err: unknown): { refusals: StoreRefusal[]; words: string } | null {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== STORE_FAILURES.refused) return null;
  const refusals = storeRefusals(cause.details);
  return { refusals, words: storeRefusalWords(refusals, cause.message) };
}
