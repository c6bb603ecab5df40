import { continueAsNew, patched, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { FlowActivities } from '../activities/flows';
import type { SyncActivities } from '../activities/sync';
import {
  catalogSyncStatusQuery,
  type CatalogSyncInput,
  type CatalogSyncStatus,
} from '../domain/contracts/catalog-sync';
import { flowRuns } from '../domain/flow-switches';
import { PROFILES } from './activity-profiles';

const { snapshotFlows } = proxyActivities<FlowActivities>(PROFILES.localRecord);

const { syncCatalogPage, syncPricesPage, refreshCustomerCache, resetSyncCursor } =
  proxyActivities<SyncActivities>(PROFILES.syncPage);

/**
 * Refreshes Quayside's caches of the ERP's item master, prices (levels, quantity breaks, contract
 * prices) and customer credit, from which checkout quotes are answered without calling the ERP.
 */
export async function catalogSync(input: CatalogSyncInput): Promise<CatalogSyncStatus> {
  const status: CatalogSyncStatus = {
    phase: 'items',
    items: 0,
    prices: 0,
    customers: 0,
    missingCustomers: 0,
  };
  setHandler(catalogSyncStatusQuery, () => status);

  // Each refresh snapshots the store's flow switches: with the catalog off it refreshes nothing.
  const flows = patched('flow-switches') ? await snapshotFlows({ store: input.store }) : undefined;
  if (!flows || flowRuns(flows.switches, 'catalog', 'erpToStore')) {
    const items = `catalog:${input.store}`;
    const prices = `prices:${input.store}`;
    await resetSyncCursor({ sync: items });
    for (let more = true; more;) {
      const page = await syncCatalogPage({ sync: items, pageSize: input.pageSize });
      status.items += page.changed;
      more = page.hasMore;
    }

    status.phase = 'prices';
    await resetSyncCursor({ sync: prices });
    for (let more = true; more;) {
      const page = await syncPricesPage({ sync: prices, pageSize: input.pageSize });
      status.prices += page.changed;
      more = page.hasMore;
    }

    status.phase = 'customers';
    for (let after: string | null = null; ;) {
      const batch: { refreshed: number; missing: number; last: string | null } = await refreshCustomerCache({
        store: input.store,
        afterStoreCustomerId: after,
        batchSize: input.customerBatchSize,
      });
      status.customers += batch.refreshed;
      status.missingCustomers += batch.missing;
      if (batch.last === null) break;
      after = batch.last;
    }
  }

  if (input.once) {
    status.phase = 'done';
    return status;
  }
  status.phase = 'waiting';
  await sleep(`${input.refreshIntervalMinutes} minutes`);
  return continueAsNew<typeof catalogSync>(input);
}
