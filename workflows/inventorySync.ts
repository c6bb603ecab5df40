import {
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { InventoryRulesSnapshot, SyncActivities } from '../activities/sync';
import {
  inventorySyncStatusQuery,
  stockChangedSignal,
  type InventorySyncInput,
  type InventorySyncTotals,
} from '../domain/contracts/inventory-sync';
import { PROFILES } from './activity-profiles';

const { syncInventoryPage, resetSyncCursor, loadInventoryRules } = proxyActivities<SyncActivities>(
  PROFILES.syncPage,
);
const { fullInventoryResync } = proxyActivities<SyncActivities>(PROFILES.fullResync);

const PAGES_PER_RUN = 200;

/** Follows the ERP's inventory change cursor and pushes stock to the storefront, continuing as new to keep history short. */
export async function inventorySync(input: InventorySyncInput): Promise<InventorySyncTotals> {
  const totals: InventorySyncTotals = input.totals ?? {
    pages: 0,
    changed: 0,
    pushed: 0,
    unmapped: 0,
    unknownInStore: 0,
    stale: 0,
    lastLagMs: null,
    caughtUp: false,
  };
  let nudged = false;
  setHandler(inventorySyncStatusQuery, () => totals);
  setHandler(stockChangedSignal, () => {
    nudged = true;
  });

  const sync = `inventory:${input.store}`;
  // Each run snapshots the inventory rules it started with; a change applies from the next run.
  let rules: InventoryRulesSnapshot | undefined;
  if (patched('inventory-rules')) rules = await loadInventoryRules({ store: input.store });
  if (input.fullResync) {
    await resetSyncCursor({ sync });
    totals.caughtUp = false;
    // The store's quantities read in one go, and only what differs from the ERP written; the pages
    // below then follow the changes made meanwhile. A store without that read pages through everything.
    if (patched('bulk-full-resync')) {
      const r = await fullInventoryResync({
        store: input.store,
        sync,
        pageSize: input.pageSize,
        workflowId: workflowInfo().workflowId,
        ...(rules ? { rules } : {}),
      });
      if (r.bulkRead) {
        totals.pages += r.pages;
        totals.changed += r.compared;
        totals.pushed += r.written;
        totals.unmapped += r.unmapped;
        totals.stale += r.stale;
        totals.unknownInStore += r.unknown;
        if (r.hidden) totals.hidden = (totals.hidden ?? 0) + r.hidden;
        if (r.shown) totals.shown = (totals.shown ?? 0) + r.shown;
        if (r.lagMs !== null) totals.lastLagMs = r.lagMs;
        totals.lastResync = {
          storeLevels: r.storeLevels,
          compared: r.compared,
          written: r.written,
          inStep: r.inStep,
        };
      }
    }
  }

  for (let pagesThisRun = 0; pagesThisRun < PAGES_PER_RUN; pagesThisRun++) {
    nudged = false;
    const page = await syncInventoryPage({
      store: input.store,
      sync,
      pageSize: input.pageSize,
      workflowId: workflowInfo().workflowId,
      ...(rules ? { rules } : {}),
    });
    totals.pages += 1;
    totals.changed += page.changed;
    totals.pushed += page.pushed;
    totals.unmapped += page.unmapped;
    totals.stale += page.stale;
    totals.unknownInStore += page.unknown ?? 0;
    if (page.hidden) totals.hidden = (totals.hidden ?? 0) + page.hidden;
    if (page.shown) totals.shown = (totals.shown ?? 0) + page.shown;
    if (page.lagMs !== null) totals.lastLagMs = page.lagMs;
    // The store's flow switches changed since this run snapshotted them: the next run takes them.
    if (page.flowGate === 'resnapshot' && patched('flow-switches')) break;
    if (page.hasMore) continue;

    totals.caughtUp = true;
    if (input.stopWhenCaughtUp) return totals;
    await condition(() => nudged, `${input.pollIntervalSeconds} seconds`);
    if (workflowInfo().continueAsNewSuggested) break;
  }
  await continueAsNew<typeof inventorySync>({ ...input, fullResync: false, totals });
  return totals;
}
