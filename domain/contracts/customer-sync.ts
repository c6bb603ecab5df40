/**
 * The customer sync's contract: one small process per storefront customer event (customers/create,
 * customers/update), which updates a customer the ERP knows or hands an unknown one to the
 * new-customer approval (customer.ts). It is signalled the approval's customer event.
 */
import type { StorefrontCustomerEvent } from '../customer';
import { customerEventSignal } from './customer';
import { processOf, workflowIdOf, type EventDelivery, type ProcessInput } from './ids';

export const CUSTOMER_SYNC_PROCESS = processOf('customerSync', 'customers');
export const { queue: CUSTOMER_SYNC_TASK_QUEUE, workflowType: CUSTOMER_SYNC_WORKFLOW } =
  CUSTOMER_SYNC_PROCESS;

export type CustomerSyncInput = ProcessInput<'customerId'>;

export type CustomerSyncOutcome =
  /** The ERP knows the customer: its contact details were updated, no approval. */
  | { outcome: 'erpUpdated'; erpCustomerId: string; knownBy: string }
  /** The ERP knows the customer, and a newer change was already applied. */
  | { outcome: 'staleSkipped'; erpCustomerId: string; knownBy: string }
  /** The ERP knows the customer but refused the change (its words); a customer.erpRefused alert says so. */
  | { outcome: 'erpRefused'; erpCustomerId: string; knownBy: string; reason: string }
  /** A customer the ERP does not know: the new-customer approval has the event. */
  | { outcome: 'approval'; approvalWorkflowId: string }
  /** A customer whose approval already closed (rejected, expired): nothing left to apply it to. */
  | { outcome: 'approvalClosed'; approvalWorkflowId: string }
  | { outcome: 'noEvent' };

export type CustomerSyncWorkflow = (input: CustomerSyncInput) => Promise<CustomerSyncOutcome>;

const CUSTOMER_SYNC_ID = workflowIdOf('customer-sync', ['store', 'customerId', 'eventId']);

/** One process per storefront customer event: a redelivery reaches the same one. */
export const customerSyncWorkflowId = (store: string, customerId: string, eventId: string) =>
  CUSTOMER_SYNC_ID.build({ store, customerId, eventId });
export const parseCustomerSyncWorkflowId = CUSTOMER_SYNC_ID.parse;

/** A customers/create or customers/update event for its own sync process (signalled the approval's customer event). */
export const customerSyncDelivery = (
  store: string,
  customerId: string,
  eventId: string,
): EventDelivery<StorefrontCustomerEvent> => ({
  ...CUSTOMER_SYNC_PROCESS,
  workflowId: customerSyncWorkflowId(store, customerId, eventId),
  args: [{ store, customerId }],
  signal: customerEventSignal,
});
