import { continueAsNew, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CatalogRulesSnapshot, StoreCatalogActivities } from '../activities/store-catalog';
import { noCatalogChanges, type CatalogPushResult } from '../domain/catalog';
import {
  storeCatalogStatusQuery,
  type StoreCatalogSyncInput,
  type StoreCatalogSyncStatus,
} from '../domain/contracts/store-catalog';
import { flowRuns } from '../domain/flow-switches';
import { PROFILES } from './activity-profiles';
import { addCounts, followChanges } from './sync-loops';

const acts = proxyActivities<StoreCatalogActivities>(PROFILES.storeSyncRound);

const add = (status: StoreCatalogSyncStatus, r: CatalogPushResult & { items: number }) =>
  addCounts(status, r, ['items', 'created', 'updated', 'unchanged', 'retired', 'skipped', 'failed']);

/**
 * The ERP as product master: ERP items into the store's products and variants (titles, descriptions,
 * weights, dimensions, categories, tags, compliance metafields; matrix families as one product;
 * discontinued items archived, never deleted). On a full resync it passes over the whole item master
 * with progress; then, for as long as it runs, it follows the ERP's item change cursor.
 */
export async function storeCatalogSync(input: StoreCatalogSyncInput): Promise<StoreCatalogSyncStatus> {
  const status: StoreCatalogSyncStatus = input.totals ?? {
    phase: input.fullResync ? 'resync' : 'starting',
    items: 0,
    resyncDone: 0,
    resyncTotal: 0,
    ...noCatalogChanges(),
    lastLagMs: null,
  };
  setHandler(storeCatalogStatusQuery, () => status);
  const workflowId = workflowInfo().workflowId;
  // Each run snapshots the catalog rules it started with; a change applies from the next run.
  const rules: CatalogRulesSnapshot = patched('flow-switches')
    ? await acts.loadCatalogRules({ store: input.store })
    : await acts.loadCatalogRules();
  // With the catalog switched off (ERP → store) a full resync waits for a run that has it on.
  const resyncLater =
    !!input.fullResync && !!rules.flows && !flowRuns(rules.flows.switches, 'catalog', 'erpToStore');
  if (resyncLater && input.once) {
    status.phase = 'done';
    return status;
  }

  if (input.fullResync && !resyncLater) {
    // The cursor starts before the pass reads, so a change made meanwhile is followed up after it.
    if (!input.once) await acts.startCatalogCursor({ store: input.store, onlyIfUnset: false });
    status.phase = 'resync';
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<StoreCatalogActivities['resyncCatalogPage']>> =
        await acts.resyncCatalogPage({
          store: input.store,
          after,
          pageSize: input.pageSize,
          force: Boolean(input.force),
          workflowId,
          rules,
        });
      if (after === null) status.resyncTotal = page.remaining;
      add(status, page);
      status.resyncDone += page.items;
      after = page.next;
    } while (after !== null);
    if (input.once) {
      status.phase = 'done';
      return status;
    }
  } else {
    await acts.startCatalogCursor({ store: input.store, onlyIfUnset: true });
  }

  status.phase = 'following';
  await followChanges({
    pollIntervalSeconds: input.pollIntervalSeconds,
    next: () => acts.syncCatalogChanges({ store: input.store, pageSize: input.pageSize, workflowId, rules }),
    take: (page) => {
      add(status, page);
      if (page.lagMs !== null) status.lastLagMs = page.lagMs;
    },
    enough: () => workflowInfo().continueAsNewSuggested,
  });
  return continueAsNew<typeof storeCatalogSync>({
    ...input,
    fullResync: resyncLater,
    once: false,
    force: false,
    totals: status,
  });
}
