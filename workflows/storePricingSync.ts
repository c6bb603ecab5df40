import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { StorePricingActivities } from '../activities/store-pricing';
import {
  storePricingStatusQuery,
  type StorePricingSyncInput,
  type StorePricingSyncStatus,
} from '../domain/contracts/store-pricing';
import { flowRuns } from '../domain/flow-switches';
import { PROFILES } from './activity-profiles';
import { eachBatch, flowsOfRun, followChanges } from './sync-loops';

const acts = proxyActivities<StorePricingActivities>(PROFILES.storeSyncRound);

/**
 * ERP pricing into the store's B2B catalogs: on a full resync every price level's catalog (percentage
 * adjustment, fixed prices, volume pricing) and every contract customer's own catalog, with company
 * location assignments and credit headroom; then, for as long as it runs, each change the ERP's change
 * cursor shows (prices, customers' price levels and credit, contract prices).
 */
export async function storePricingSync(input: StorePricingSyncInput): Promise<StorePricingSyncStatus> {
  const status: StorePricingSyncStatus = {
    phase: input.fullResync ? 'levels' : 'following',
    levels: 0,
    levelsTotal: 0,
    customers: 0,
    customersTotal: 0,
    pricesWritten: 0,
    changesSeen: 0,
    lastLagMs: null,
  };
  setHandler(storePricingStatusQuery, () => status);
  const flows = await flowsOfRun(input.store);
  // With prices switched off a full resync waits for a run that has them on.
  const resyncLater = !!input.fullResync && !!flows && !flowRuns(flows.switches, 'prices', 'erpToStore');

  if (resyncLater && input.once) {
    status.phase = 'done';
    return status;
  }
  if (input.fullResync && !resyncLater) {
    // The cursors start before the resync reads, so a change made meanwhile is followed up after it.
    if (!input.once) await acts.startPricingCursors({ store: input.store, onlyIfUnset: false });
    const levels = await acts.listPriceLevels();
    status.levelsTotal = levels.length;
    for (const level of levels) {
      const r = await acts.pushLevelList({ store: input.store, level });
      status.pricesWritten += r.written;
      status.levels += 1;
    }
    status.phase = 'customers';
    await eachBatch(
      (after) => acts.pushCustomerBatch({ store: input.store, after, batchSize: input.customerBatchSize }),
      (batch) => {
        status.customersTotal = batch.total;
        status.customers += batch.customers;
        status.pricesWritten += batch.written;
      },
    );
    if (input.once) {
      status.phase = 'done';
      return status;
    }
  } else if (!resyncLater) {
    await acts.startPricingCursors({ store: input.store, onlyIfUnset: true });
  }

  status.phase = 'following';
  await followChanges({
    pollIntervalSeconds: input.pollIntervalSeconds,
    next: () =>
      acts.syncPricingChanges({ store: input.store, pageSize: input.pageSize, ...(flows ? { flows } : {}) }),
    take: (page) => {
      status.changesSeen += page.prices + page.customers;
      status.pricesWritten += page.written;
      if (page.lagMs !== null) status.lastLagMs = page.lagMs;
    },
  });
  return continueAsNew<typeof storePricingSync>({ ...input, fullResync: resyncLater, once: false });
}
