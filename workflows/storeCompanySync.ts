import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { StoreCompanyActivities } from '../activities/store-companies';
import {
  storeCompanyStatusQuery,
  type StoreCompanySyncInput,
  type StoreCompanySyncStatus,
} from '../domain/contracts/store-companies';
import { PROFILES } from './activity-profiles';
import { addCounts, flowsOfRun, followChanges, zeroCounts } from './sync-loops';

const acts = proxyActivities<StoreCompanyActivities>(PROFILES.storeSyncRound);

/** What each round adds to the totals, as the round reports it. */
const COUNTS = [
  'companiesCreated',
  'locationsCreated',
  'contactsCreated',
  'locationsUpdated',
  'skipped',
] as const;

/**
 * ERP customers into the store's B2B companies by the ERP's change cursor: parent accounts as
 * companies, child accounts as further locations of the parent's company, contacts, payment terms and
 * tax settings on each location. Credit headroom and catalogs stay with storePricingSync.
 */
export async function storeCompanySync(input: StoreCompanySyncInput): Promise<never> {
  const status: StoreCompanySyncStatus = { customersSeen: 0, ...zeroCounts(COUNTS) };
  setHandler(storeCompanyStatusQuery, () => status);
  const flows = await flowsOfRun(input.store);
  await followChanges({
    pollIntervalSeconds: input.pollIntervalSeconds,
    next: () =>
      acts.syncCompanyChanges({ store: input.store, pageSize: input.pageSize, ...(flows ? { flows } : {}) }),
    take: (page) => {
      status.customersSeen += page.customers;
      addCounts(status, page, COUNTS);
    },
  });
  return continueAsNew<typeof storeCompanySync>(input);
}
