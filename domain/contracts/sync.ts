/**
 * The standing processes' contract: the ERP change poller, the inventory, catalog, store-price,
 * store-company and store-catalog syncs and the storefront reconciliation; one of each per store, on the sync queue (the poller runs on orders,
 * beside the order workflows it signals).
 */
import { workflowIdOf, type TaskQueueName } from './ids';

export const SYNC_TASK_QUEUE: TaskQueueName = 'sync';
export const ERP_EVENTS_TASK_QUEUE: TaskQueueName = 'orders';

export const SYNC_MESSAGES = {
  statusQuery: 'status',
  stopErpEventsSignal: 'stop',
  stockChangedSignal: 'stockChanged',
} as const;

const erpEvents = workflowIdOf('erp-events', ['store']);
const inventorySync = workflowIdOf('sync:inventory', ['store']);
const catalogSync = workflowIdOf('sync:catalog', ['store']);
const storePricing = workflowIdOf('sync:store-pricing', ['store']);
const storePricingResync = workflowIdOf('sync:store-pricing-resync', ['store']);
const storeCompanies = workflowIdOf('sync:store-companies', ['store']);
const reconcile = workflowIdOf('reconcile', ['store']);
const storeCatalog = workflowIdOf('sync:store-catalog', ['store']);
const storeCatalogResync = workflowIdOf('sync:store-catalog-resync', ['store']);

export const erpEventsWorkflowId = (store: string) => erpEvents.build({ store });
export const parseErpEventsWorkflowId = erpEvents.parse;
export const inventorySyncWorkflowId = (store: string) => inventorySync.build({ store });
export const parseInventorySyncWorkflowId = inventorySync.parse;
export const catalogSyncWorkflowId = (store: string) => catalogSync.build({ store });
export const parseCatalogSyncWorkflowId = catalogSync.parse;
export const storePricingWorkflowId = (store: string) => storePricing.build({ store });
export const parseStorePricingWorkflowId = storePricing.parse;
export const storePricingResyncWorkflowId = (store: string) => storePricingResync.build({ store });
export const parseStorePricingResyncWorkflowId = storePricingResync.parse;
export const storeCompanyWorkflowId = (store: string) => storeCompanies.build({ store });
export const parseStoreCompanyWorkflowId = storeCompanies.parse;
export const reconcileWorkflowId = (store: string) => reconcile.build({ store });
export const parseReconcileWorkflowId = reconcile.parse;

/** The store's SLA checker: a Temporal Schedule starting one `slaCheck` workflow per interval. */
export const slaScheduleId = (store: string) => `sla-check:${store}`;
export const SLA_TASK_QUEUE: TaskQueueName = 'sync';
export const storeCatalogWorkflowId = (store: string) => storeCatalog.build({ store });
export const parseStoreCatalogWorkflowId = storeCatalog.parse;
export const storeCatalogResyncWorkflowId = (store: string) => storeCatalogResync.build({ store });
export const parseStoreCatalogResyncWorkflowId = storeCatalogResync.parse;
