/** Who a notification is for. The receiving channel resolves ids to addresses when no email is given. */
export interface Recipient {
  role: 'buyer' | 'applicant' | 'approver' | 'operator';
  email?: string | null;
  name?: string | null;
  /** A Quayside principal id (approvers) or a storefront customer id (buyers, applicants). */
  id?: string | null;
  store?: string | null;
}

/** A message to a buyer, applicant, approver or operator, in Quayside's words; channels render it. */
export interface Notification {
  /** Idempotency key: the same id is delivered once (receivers may dedupe on it, too). */
  id: string;
  /** Stable machine-readable kind, e.g. `return.refunded`, `approval.requested`, `customer.welcome`. */
  kind: string;
  recipient: Recipient;
  subject: string;
  text: string;
  /** Structured facts for templates: amounts, ids, links. */
  data?: Record<string, unknown>;
  workflowId?: string;
}
