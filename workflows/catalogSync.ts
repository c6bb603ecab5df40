import { continueAsNew, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { SyncActivities } from '../activities/sync';
import {
  catalogSyncStatusQuery,
  type CatalogSyncInput,
  type CatalogSyncStatus,
} from '../domain/contracts/catalog-sync';
import { flowRuns } from '../domain/flow-switches';
import { PROFILES } from './activity-profiles';
import { eachBatch, eachPage, flowsOfRun } from './sync-loops';

const { syncCatalogPage, syncPricesPage, refreshCustomerCache, resetSyncCursor } =
  proxyActivities<SyncActivities>(PROFILES.syncPage);

/**
 * Refreshes Quayside's caches of the ERP's item master, prices (levels, quantity breaks, contract
 * prices) and customer credit, from which checkout quotes are answered without calling the ERP.
 * The item master and prices are the deployment's, read by one store's run (`itemMaster`); each
 * store's run refreshes its own customers.
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
  const flows = await flowsOfRun(input.store);
  if (!flows || flowRuns(flows.switches, 'catalog', 'erpToStore')) {
    /** One cache read again from the start: its cursor reset, then page by page. */
    const refresh = async (
      sync: string,
      read: typeof syncCatalogPage,
      counted: (changed: number) => void,
    ) => {
      await resetSyncCursor({ sync });
      await eachPage(
        () => read({ sync, pageSize: input.pageSize }),
        (page) => counted(page.changed),
      );
    };
    if (input.itemMaster !== false) {
      await refresh(`catalog:${input.store}`, syncCatalogPage, (n) => (status.items += n));
      status.phase = 'prices';
      await refresh(`prices:${input.store}`, syncPricesPage, (n) => (status.prices += n));
    }

    status.phase = 'customers';
    await eachBatch(
      (after) =>
        refreshCustomerCache({
          store: input.store,
          afterStoreCustomerId: after,
          batchSize: input.customerBatchSize,
        }),
      (batch) => {
        status.customers += batch.refreshed;
        status.missingCustomers += batch.missing;
      },
    );
  }

  if (input.once) {
    status.phase = 'done';
    return status;
  }
  status.phase = 'waiting';
  await sleep(`${input.refreshIntervalMinutes} minutes`);
  return continueAsNew<typeof catalogSync>(input);
}
