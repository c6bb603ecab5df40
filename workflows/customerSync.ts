import {
  ParentClosePolicy,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { CustomerSyncActivities } from '../activities/customers';
import type { StorefrontCustomerEvent } from '../domain/customer';
import {
  CUSTOMER_APPROVAL_WORKFLOW,
  customerEventSignal,
  customerWorkflowId,
} from '../domain/contracts/customer';
import type { CustomerSyncInput, CustomerSyncOutcome } from '../domain/contracts/customer-sync';
import { SA } from '../domain/search-attributes';
import { PROFILES } from './activity-profiles';

const acts = proxyActivities<CustomerSyncActivities>(PROFILES.customerCall);

/**
 * One storefront customer event (customers/create or customers/update). A customer the ERP already
 * knows (mapped, being created by an approval, or found in the ERP by external id or verified email)
 * has its contact details updated in the ERP; only a customer the ERP does not know goes to the
 * new-customer approval, which is started or, when it is already waiting, handed the event.
 */
export async function customerSync(input: CustomerSyncInput): Promise<CustomerSyncOutcome> {
  let event: StorefrontCustomerEvent | undefined;
  setHandler(customerEventSignal, (e) => {
    event ??= e;
  });
  upsertSearchAttributes([
    { key: SA.store, value: input.store },
    { key: SA.customer, value: input.customerId },
  ]);
  if (!(await condition(() => event !== undefined, '1 hour'))) return { outcome: 'noEvent' };
  const e = event as unknown as StorefrontCustomerEvent;

  const known = await acts.resolveStoreCustomer({
    store: input.store,
    customerId: input.customerId,
    email: e.application.email,
    verifiedEmail: e.verifiedEmail ?? false,
  });
  if (known.known) {
    const { applied, refused } = await acts.applyStoreCustomerChange({
      store: input.store,
      customerId: input.customerId,
      erpCustomerId: known.erpCustomerId,
      updatedAt: e.updatedAt ?? e.triggeredAt,
      application: e.application,
    });
    if (refused !== undefined)
      return {
        outcome: 'erpRefused',
        erpCustomerId: known.erpCustomerId,
        knownBy: known.by,
        reason: refused,
      };
    return {
      outcome: applied ? 'erpUpdated' : 'staleSkipped',
      erpCustomerId: known.erpCustomerId,
      knownBy: known.by,
    };
  }

  const approvalWorkflowId = customerWorkflowId(input.store, input.customerId);
  try {
    const child = await startChild(CUSTOMER_APPROVAL_WORKFLOW, {
      workflowId: approvalWorkflowId,
      args: [{ store: input.store, customerId: input.customerId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // A closed approval is never started a second time for the same customer.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    await child.signal(customerEventSignal, e);
    return { outcome: 'approval', approvalWorkflowId };
  } catch (err) {
    if ((err as { name?: string }).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
  }
  try {
    await getExternalWorkflowHandle(approvalWorkflowId).signal(customerEventSignal, e);
    return { outcome: 'approval', approvalWorkflowId };
  } catch {
    // Signalling fails only when the approval is no longer running.
    return { outcome: 'approvalClosed', approvalWorkflowId };
  }
}
