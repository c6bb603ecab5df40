/**
 * Failure types (`ApplicationFailure.type`) that cross a layer: thrown by activities or workflow
 * validators and told apart by workflows, the API and tests. Names are stable: they appear in
 * workflow histories.
 */
export { APPROVAL_FAILURE } from './approvals';

/** Order activities → the order workflow (non-retryable). */
export const ORDER_FAILURES = {
  erpRejected: 'ErpRejectedOrder',
  notFound: 'ErpOrderNotFound',
} as const;

/** Return activities and the return workflow's inspection validator. */
export const RETURN_FAILURES = {
  /** Quayside knows no order for the return: the workflow declines it. */
  orderUnknown: 'ReturnOrderUnknown',
  notAwaitingInspection: 'ReturnNotAwaitingInspection',
  alreadyInspected: 'ReturnAlreadyInspected',
  inspectionInvalid: 'InspectionInvalid',
  /** The refund saga gave up after compensating. */
  refundFailed: 'ReturnRefundFailed',
} as const;

/** The notifier refused a message for good. */
export const NOTIFY_FAILURES = {
  deliveryFailed: 'NotificationDeliveryFailed',
} as const;
