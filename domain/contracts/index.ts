/** Every process's contract, and the one reader of any Quayside workflow id. */
import { parseCustomerSyncWorkflowId, parseCustomerWorkflowId } from './customer';
import { parseBackorderWorkflowId, parseOrderWorkflowId, parseShipmentWorkflowId } from './order';
import { parseReturnWorkflowId } from './returns';
import {
  parseCatalogSyncWorkflowId,
  parseErpEventsWorkflowId,
  parseInventorySyncWorkflowId,
  parseReconcileWorkflowId,
  parseStorePricingResyncWorkflowId,
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
  parseReconcileWorkflowId,
];

/** The store a Quayside workflow belongs to, read from its id; null for an id no contract defines. */
export function storeOfWorkflowId(workflowId: string): string | null {
  for (const parse of PARSERS) {
    const fields = parse(workflowId);
    if (fields) return fields.store;
  }
  return null;
}
