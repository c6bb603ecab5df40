/** Every process's contract, and the one reader of any Quayside workflow id. */
import { CUSTOMER_PROCESS, parseCustomerWorkflowId } from './customer';
import { CUSTOMER_SYNC_PROCESS, parseCustomerSyncWorkflowId } from './customer-sync';
import { parseCatalogSyncWorkflowId } from './catalog-sync';
import { parseErpEventsWorkflowId } from './erp-events';
import type { TaskQueueName } from './ids';
import { parseInventorySyncWorkflowId } from './inventory-sync';
import {
  ORDER_TASK_QUEUE,
  parseBackorderWorkflowId,
  parseOrderWorkflowId,
  parseShipmentWorkflowId,
} from './order';
import { parseReconcileWorkflowId } from './reconcile';
import { parseReturnWorkflowId, RETURN_PROCESS } from './returns';
import { parseStoreCatalogResyncWorkflowId, parseStoreCatalogWorkflowId } from './store-catalog';
import { parseStoreCompanyWorkflowId } from './store-companies';
import { parseStorePricingResyncWorkflowId, parseStorePricingWorkflowId } from './store-pricing';

export * from './ids';
export * from './approvals';
export * from './order';
export * from './shipment';
export * from './backorder';
export * from './returns';
export * from './customer';
export * from './customer-sync';
export * from './erp-events';
export * from './inventory-sync';
export * from './catalog-sync';
export * from './store-pricing';
export * from './store-companies';
export * from './store-catalog';
export * from './reconcile';
export * from './reconcile-pass';
export * from './sla-check';

/** The business area a process belongs to: the order (with its shipments and backorders), a return, a customer, a sync. */
export type ProcessArea = 'order' | 'return' | 'customer' | 'sync';

const PARSERS: [ProcessArea, (workflowId: string) => { store: string } | undefined][] = [
  ['order', parseOrderWorkflowId],
  ['order', parseShipmentWorkflowId],
  ['order', parseBackorderWorkflowId],
  ['return', parseReturnWorkflowId],
  ['customer', parseCustomerWorkflowId],
  ['customer', parseCustomerSyncWorkflowId],
  ['sync', parseErpEventsWorkflowId],
  ['sync', parseInventorySyncWorkflowId],
  ['sync', parseCatalogSyncWorkflowId],
  ['sync', parseStorePricingWorkflowId],
  ['sync', parseStorePricingResyncWorkflowId],
  ['sync', parseStoreCompanyWorkflowId],
  ['sync', parseStoreCatalogWorkflowId],
  ['sync', parseStoreCatalogResyncWorkflowId],
  ['sync', parseReconcileWorkflowId],
];

/** What a Quayside workflow id names, read by its contract's parser; null for an id no contract defines. */
function readWorkflowId(workflowId: string): { area: ProcessArea; store: string } | null {
  for (const [area, parse] of PARSERS) {
    const fields = parse(workflowId);
    if (fields) return { area, store: fields.store };
  }
  return null;
}

/** The business area of a Quayside workflow, read from its id; null for an id no contract defines. */
export const areaOfWorkflowId = (workflowId: string): ProcessArea | null =>
  readWorkflowId(workflowId)?.area ?? null;

/** Processes started on a queue of their own; every other one starts on `orders`. */
const QUEUE_OF_TYPE = new Map<string, TaskQueueName>(
  [RETURN_PROCESS, CUSTOMER_PROCESS, CUSTOMER_SYNC_PROCESS].map((p) => [p.workflowType, p.queue]),
);

/**
 * The task queue a process is started on, by workflow type: returns and customer processes have their
 * own queues; the order worker still polls `orders` for them, so runs started there before still finish.
 */
export function taskQueueOfWorkflowType(workflowType: string): TaskQueueName {
  return QUEUE_OF_TYPE.get(workflowType) ?? ORDER_TASK_QUEUE;
}

/** The store a Quayside workflow belongs to, read from its id; null for an id no contract defines. */
export const storeOfWorkflowId = (workflowId: string): string | null =>
  readWorkflowId(workflowId)?.store ?? null;
