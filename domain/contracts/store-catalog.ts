/**
 * The store catalog sync's contract: ERP items into the store's products and variants by the item
 * change cursor, one following process per store and an operator's full resync beside it, both on
 * the sync queue.
 */
import { defineQuery } from '@temporalio/workflow';
import type { CatalogPushResult } from '../catalog';
import { workflowIdOf, type TaskQueueName } from './ids';

export const STORE_CATALOG_TASK_QUEUE: TaskQueueName = 'sync';

/** Items per catalog page: each is one productSet, and Shopify's inputs hold at most 250 entries. */
export const CATALOG_PAGE_SIZE = 250;

export interface StoreCatalogSyncInput {
  store: string;
  pageSize: number;
  pollIntervalSeconds: number;
  /** Pass over the whole item master first (an operator's resync), then follow the change cursor. */
  fullResync?: boolean;
  /** Write every product of the pass, even those whose ERP data did not change since the last write. */
  force?: boolean;
  /** Stop after the full pass instead of following changes. */
  once?: boolean;
  /** Carried over continue-as-new. */
  totals?: StoreCatalogSyncStatus;
}

export interface StoreCatalogSyncStatus extends CatalogPushResult {
  /** `starting` until the change cursor is set (changes from then on are followed). */
  phase: 'starting' | 'resync' | 'following' | 'done';
  /** Items read (the full pass's, then the changes'). */
  items: number;
  /** The full pass: items done of the total. */
  resyncDone: number;
  resyncTotal: number;
  lastLagMs: number | null;
}

export const storeCatalogStatusQuery = defineQuery<StoreCatalogSyncStatus>('status');

const STORE_CATALOG_ID = workflowIdOf('sync:store-catalog', ['store']);
const STORE_CATALOG_RESYNC_ID = workflowIdOf('sync:store-catalog-resync', ['store']);

export const storeCatalogWorkflowId = (store: string) => STORE_CATALOG_ID.build({ store });
export const parseStoreCatalogWorkflowId = STORE_CATALOG_ID.parse;
/** An operator's full resync (`npm run catalog:resync`). */
export const storeCatalogResyncWorkflowId = (store: string) => STORE_CATALOG_RESYNC_ID.build({ store });
export const parseStoreCatalogResyncWorkflowId = STORE_CATALOG_RESYNC_ID.parse;
