import { continueAsNew, patched, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { FlowActivities } from '../activities/flows';
import type { StoreCompanyActivities } from '../activities/store-companies';
import {
  storeCompanyStatusQuery,
  type StoreCompanySyncInput,
  type StoreCompanySyncStatus,
} from '../domain/contracts/store-companies';
import { PROFILES } from './activity-profiles';

const acts = proxyActivities<StoreCompanyActivities>(PROFILES.storeSyncRound);

const flowActs = proxyActivities<FlowActivities>(PROFILES.localRecord);

/** Rounds between continue-as-new. */
const ROUNDS_PER_RUN = 500;

/**
 * ERP customers into the store's B2B companies by the ERP's change cursor: parent accounts as
 * companies, child accounts as further locations of the parent's company, contacts, payment terms and
 * tax settings on each location. Credit headroom and catalogs stay with storePricingSync.
 */
export async function storeCompanySync(input: StoreCompanySyncInput): Promise<never> {
  const status: StoreCompanySyncStatus = {
    customersSeen: 0,
    companiesCreated: 0,
    locationsCreated: 0,
    contactsCreated: 0,
    locationsUpdated: 0,
    skipped: 0,
  };
  setHandler(storeCompanyStatusQuery, () => status);
  // Each run snapshots the store's flow switches; a change ends the run and the next one takes it.
  const flows = patched('flow-switches') ? await flowActs.snapshotFlows({ store: input.store }) : undefined;
  for (let round = 0; round < ROUNDS_PER_RUN; round++) {
    const page = await acts.syncCompanyChanges({
      store: input.store,
      pageSize: input.pageSize,
      ...(flows ? { flows } : {}),
    });
    if (page.flowGate === 'resnapshot') break;
    status.customersSeen += page.customers;
    status.companiesCreated += page.companiesCreated;
    status.locationsCreated += page.locationsCreated;
    status.contactsCreated += page.contactsCreated;
    status.locationsUpdated += page.locationsUpdated;
    status.skipped += page.skipped;
    if (!page.hasMore) await sleep(`${input.pollIntervalSeconds} seconds`);
  }
  return continueAsNew<typeof storeCompanySync>(input);
}
