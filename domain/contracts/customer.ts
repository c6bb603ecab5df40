/**
 * The customer processes' contract: the approval of a new trade customer and the small sync process per
 * storefront customer event; their workflow ids, task queue and message names.
 * The signal/query definitions stay in workflows/customerApproval.ts (they need @temporalio/workflow).
 */
import { workflowIdOf, type TaskQueueName } from './ids';

export { CUSTOMER_EVENT_SIGNAL } from '../customer';

export const CUSTOMER_TASK_QUEUE: TaskQueueName = 'customers';

export const CUSTOMER_MESSAGES = {
  statusQuery: 'customerStatus',
  applicantInfoSignal: 'applicantInfo',
} as const;

const CUSTOMER_ID = workflowIdOf('customer', ['store', 'customerId']);
const CUSTOMER_SYNC_ID = workflowIdOf('customer-sync', ['store', 'customerId', 'eventId']);

/** One approval process per storefront customer. */
export const customerWorkflowId = (store: string, customerId: string) =>
  CUSTOMER_ID.build({ store, customerId });
export const parseCustomerWorkflowId = CUSTOMER_ID.parse;

/** One small process per storefront customer event (customers/create, customers/update): dedupes redeliveries. */
export const customerSyncWorkflowId = (store: string, customerId: string, eventId: string) =>
  CUSTOMER_SYNC_ID.build({ store, customerId, eventId });
export const parseCustomerSyncWorkflowId = CUSTOMER_SYNC_ID.parse;
