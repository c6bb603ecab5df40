import { z } from 'zod';
import { Money } from './order';

/**
 * Human decisions are Temporal Updates named `decide` on every workflow that waits for one, with a
 * `pendingApproval` query describing what is awaited. The approver API finds the workflow by
 * approval id, checks role and limit, and sends the update.
 */
export const DECIDE_UPDATE = 'decide';
export const PENDING_APPROVAL_QUERY = 'pendingApproval';

export const ApprovalKind = z.enum(['order.creditHold', 'order.firstOrder', 'order.priceMismatch', 'return', 'customer']);
export type ApprovalKind = z.infer<typeof ApprovalKind>;

export const Decision = z.object({
  outcome: z.enum(['approve', 'reject', 'adjust', 'requestInfo']),
  reason: z.string().max(2000).optional(),
  /** For `adjust` or an approval that sets terms: new credit limit, terms, price level, amount. */
  creditLimit: Money.optional(),
  terms: z.string().optional(),
  priceLevel: z.string().optional(),
  amount: Money.optional(),
});
export type Decision = z.infer<typeof Decision>;

export interface DecisionInput extends Decision {
  /** Which pending approval this decides; a stale id is rejected by the update validator. */
  approvalId: string;
  decidedBy: { userId: string; name: string; role: 'approver' | 'operator' | 'admin'; approvalLimit: string | null };
  decidedAt: string;
}

export interface PendingApproval {
  approvalId: string;
  kind: ApprovalKind;
  workflowId: string;
  /** The money at stake, compared with the approver's limit. */
  amount: string | null;
  currency: string | null;
  summary: string;
  context: Record<string, unknown>;
  requestedAt: string;
  escalated: boolean;
}

export interface DecisionResult {
  approvalId: string;
  outcome: Decision['outcome'];
  accepted: true;
}

/** Activities every workflow that waits for a human uses (implemented in activities/approvals.ts). */
export interface ApprovalActivities {
  /** Records the pending approval (idempotent by approvalId) and notifies the approvers who may decide it. */
  openApproval(input: PendingApproval): Promise<void>;
  /** Sends a reminder, or marks the approval escalated and notifies the next level. */
  remindApproval(input: { approvalId: string; escalate: boolean }): Promise<void>;
  /** Records the outcome with who decided, when and why (idempotent). */
  closeApproval(input: { approvalId: string; outcome: Decision['outcome'] | 'cancelled' | 'expired'; decision?: DecisionInput }): Promise<void>;
}
