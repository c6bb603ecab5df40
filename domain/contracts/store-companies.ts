/**
 * The store company sync's contract: ERP customers into the store's B2B companies, locations and
 * contacts by the ERP's change cursor, one standing process per store on the sync queue.
 */
import { defineQuery } from '@temporalio/workflow';
import { workflowIdOf, type TaskQueueName } from './ids';

export const STORE_COMPANY_TASK_QUEUE: TaskQueueName = 'sync';

export interface StoreCompanySyncInput {
  store: string;
  pageSize: number;
  pollIntervalSeconds: number;
}

export interface StoreCompanySyncStatus {
  customersSeen: number;
  companiesCreated: number;
  locationsCreated: number;
  contactsCreated: number;
  locationsUpdated: number;
  skipped: number;
}

export const storeCompanyStatusQuery = defineQuery<StoreCompanySyncStatus>('status');

const STORE_COMPANY_ID = workflowIdOf('sync:store-companies', ['store']);

export const storeCompanyWorkflowId = (store: string) => STORE_COMPANY_ID.build({ store });
export const parseStoreCompanyWorkflowId = STORE_COMPANY_ID.parse;
