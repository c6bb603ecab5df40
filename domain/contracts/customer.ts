/**
 * The new-customer approval's contract: what it is started with and reports, its messages, its
 * workflow id and its task queue. customerSync (customer-sync.ts) hands it storefront customer
 * events; the approval it waits for speaks the approval contract (approvals.ts).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { CUSTOMER_EVENT_SIGNAL, type CustomerApplication, type StorefrontCustomerEvent } from '../customer';
import type { ApprovedAccount, CustomerApprovalPolicy } from '../customer-rules';
import { processOf, workflowIdOf, type EventDelivery, type ProcessInput } from './ids';

export { CUSTOMER_EVENT_SIGNAL } from '../customer';

export type CustomerStep =
  | 'awaitingApplication'
  | 'awaitingDecision'
  | 'awaitingApplicant'
  | 'provisioning'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'abandoned';

/** The applicant's answer to a request for more information, with any corrected application fields. */
export interface ApplicantInfo {
  message: string;
  changes?: Partial<
    Pick<
      CustomerApplication,
      | 'companyName'
      | 'taxId'
      | 'taxExempt'
      | 'requestedTerms'
      | 'requestedCreditLimit'
      | 'address'
      | 'firstName'
      | 'lastName'
    >
  >;
}

export interface CustomerApprovalStatus {
  store: string;
  customerId: string;
  step: CustomerStep;
  application: CustomerApplication | null;
  round: number;
  escalated: boolean;
  infoRequests: { question: string; askedBy: string; answer: string | null }[];
  decision: { outcome: string; decidedBy: string; decidedAt: string; reason: string | null } | null;
  account: ApprovedAccount | null;
  erpCustomerId: string | null;
  storefrontCustomerId: string | null;
  companyId: string | null;
  /**
   * Why the approval waits for a person, when it does: the store refused the approved customer's
   * account (`storeRefused`, with the store's words); a retry (`retryStorefrontAccount`) tries again.
   */
  attention?: { kind: 'storeRefused'; reason: string; field: string | null; since: string } | null;
}

/** The workflow's signature, for clients that start it by its type name. */
export type CustomerApprovalWorkflow = (input: CustomerWorkflowInput) => Promise<CustomerApprovalStatus>;

export const customerStatusQuery = defineQuery<CustomerApprovalStatus>('customerStatus');
/** A storefront customer event or a registration (signal-with-start); customerSync sends it on too. */
export const customerEventSignal = defineSignal<[StorefrontCustomerEvent]>(CUSTOMER_EVENT_SIGNAL);
/** An operator fixed what the store refused (e.g. made the price list's catalog): open the store account again. */
export const retryStorefrontAccountSignal = defineSignal('retryStorefrontAccount');
/** The dedupe key of the alert an approval parked on a store refusal raises. */
export const customerAttentionKey = (workflowId: string) => `customer-attention:${workflowId}`;
/** The applicant answers a request for more information. */
export const applicantInfoSignal = defineSignal<[ApplicantInfo]>('applicantInfo');

/** The store, the customer, and a snapshot of the customer-approval policy to use instead of the store's current one. */
export type CustomerWorkflowInput = ProcessInput<'customerId', 'policy', CustomerApprovalPolicy>;
export const CUSTOMER_PROCESS = processOf('customerApproval', 'customers');
export const { queue: CUSTOMER_TASK_QUEUE, workflowType: CUSTOMER_APPROVAL_WORKFLOW } = CUSTOMER_PROCESS;

const CUSTOMER_ID = workflowIdOf('customer', ['store', 'customerId']);

/** One approval process per storefront customer. */
export const customerWorkflowId = (store: string, customerId: string) =>
  CUSTOMER_ID.build({ store, customerId });
export const parseCustomerWorkflowId = CUSTOMER_ID.parse;

/** A registration (or a customer event) for the customer's approval process. */
export const customerApprovalDelivery = (
  store: string,
  customerId: string,
): EventDelivery<StorefrontCustomerEvent> => ({
  ...CUSTOMER_PROCESS,
  workflowId: customerWorkflowId(store, customerId),
  args: [{ store, customerId }],
  signal: customerEventSignal,
});
