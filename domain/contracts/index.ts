/** Every process's contract, and the one reader of any Quayside workflow id. */
import { CUSTOMER_TASK_QUEUE, parseCustomerSyncWorkflowId, parseCustomerWorkflowId } from './customer';
import type { TaskQueueName } from './ids';
import {
  ORDER_TASK_QUEUE,
  parseBackorderWorkflowId,
  parseOrderWorkflowId,
  parseShipmentWorkflowId,
} from './order';
import { parseReturnWorkflowId, RETURN_TASK_QUEUE } from './returns';
import {
  parseCatalogSyncWorkflowId,
  parseErpEventsWorkflowId,
  parseInventorySyncWorkflowId,
  parseReconcileWorkflowId,
  parseStorePricingResyncWorkflowId,
  parseStoreCatalogResyncWorkflowId,
  parseStoreCatalogWorkflowId,
  parseStoreCompanyWorkflowId,
  parseStorePricingWorkflowId,
} from './sync';

export * from './ids';
export * from './order';
export * from './returns';
export * from './customer';
export * from './sync';

const PARSERS: ((workflowId: string) => { store: string } | undefined)[] = [
  parseOrderWorkflowId,
  parseShipmentWorkflowId,
  parseBackorderWorkflowId,
  parseReturnWorkflowId,
  parseCustomerWorkflowId,
  parseCustomerSyncWorkflowId,
  parseErpEventsWorkflowId,
  parseInventorySyncWorkflowId,
  parseCatalogSyncWorkflowId,
  parseStorePricingWorkflowId,
  parseStorePricingResyncWorkflowId,
  parseStoreCompanyWorkflowId,
  parseStoreCatalogWorkflowId,
  parseStoreCatalogResyncWorkflowId,
  parseReconcileWorkflowId,
];

/**
 * The task queue a process is started on, by workflow type: returns and customer processes have their
 * own queues; the order worker still polls `orders` for them, so runs started there before still finish.
 */
export function taskQueueOfWorkflowType(workflowType: string): TaskQueueName {
  if (workflowType === 'returnRefund') return RETURN_TASK_QUEUE;
  if (workflowType === 'customerApproval' || workflowType === 'customerSync') return CUSTOMER_TASK_QUEUE;
  return ORDER_TASK_QUEUE;
}

/** The store a Quayside workflow belongs to, read from its id; null for an id no contract defines. */
export function storeOfWorkflowId(workflowId: string): string | null {
  for (const parse of PARSERS) {
    const fields = parse(workflowId);
    if (fields) return fields.store;
  }
  return null;
}
