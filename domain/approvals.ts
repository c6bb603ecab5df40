import { z } from 'zod';
import { MoneyText } from './money';

/**
 * Human decisions are Temporal Updates named `decide` on every workflow that waits for one, with a
 * `pendingApproval` query describing what is awaited. The approver API finds the workflow by
 * approval id, checks role and limit, and sends the update.
 */
export const DECIDE_UPDATE = 'decide';
export const PENDING_APPROVAL_QUERY = 'pendingApproval';

export const ApprovalKind = z.enum([
  'order.creditHold',
  'order.firstOrder',
  'order.priceMismatch',
  'return',
  'customer',
]);
export type ApprovalKind = z.infer<typeof ApprovalKind>;

export const Decision = z.object({
  outcome: z.enum(['approve', 'reject', 'adjust', 'requestInfo']),
  reason: z.string().max(2000).optional(),
  /** For `adjust` or an approval that sets terms: new credit limit, terms, price level, amount. */
  creditLimit: MoneyText.optional(),
  terms: z.string().optional(),
  priceLevel: z.string().optional(),
  amount: MoneyText.optional(),
});
export type Decision = z.infer<typeof Decision>;

export interface DecisionInput extends Decision {
  /** Which pending approval this decides; a stale id is rejected by the update validator. */
  approvalId: string;
  decidedBy: {
    userId: string;
    name: string;
    role: 'approver' | 'operator' | 'admin';
    approvalLimit: string | null;
  };
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
  closeApproval(input: {
    approvalId: string;
    outcome: Decision['outcome'] | 'cancelled' | 'expired';
    decision?: DecisionInput;
  }): Promise<void>;
}

/** Failure types a `decide` update validator throws; the API maps them to HTTP statuses (409, 403, 422). */
export const APPROVAL_FAILURE = {
  notPending: 'ApprovalNotPending',
  limitExceeded: 'ApprovalLimitExceeded',
  outcomeNotAllowed: 'DecisionOutcomeNotAllowed',
  roleNotAllowed: 'ApprovalRoleNotAllowed',
  invalid: 'DecisionInvalid',
} as const;

function cents(amount: string): number {
  const [whole, frac = ''] = amount.replace(/^-/, '').split('.');
  const value =
    Number(whole) * 100 + Number((frac + '00').slice(0, 2)) + (Number(frac.charAt(2) || '0') >= 5 ? 1 : 0);
  return amount.startsWith('-') ? -value : value;
}

/**
 * The money a decision commits to: the amount or credit limit the decision sets (the larger when
 * both are set), else the pending amount. Rejecting or asking for information commits to nothing.
 */
export function decisionAmount(
  pendingAmount: string | null,
  decision: Pick<Decision, 'outcome' | 'amount' | 'creditLimit'>,
): string | null {
  if (decision.outcome === 'reject' || decision.outcome === 'requestInfo') return null;
  const set = [decision.amount, decision.creditLimit].filter((a): a is string => a !== undefined);
  if (set.length === 0) return pendingAmount;
  return set.reduce((max, a) => (cents(a) > cents(max) ? a : max));
}

/**
 * Why `decidedBy` may not commit to `amount`, or null when they may. A null limit means "no limit"
 * for admins only; an approver without a limit may decide only approvals that carry no money.
 */
export function approvalLimitProblem(
  decidedBy: Pick<DecisionInput['decidedBy'], 'role' | 'approvalLimit'>,
  amount: string | null,
  currency: string | null = null,
): string | null {
  if (amount === null) return null;
  const limit = decidedBy.approvalLimit;
  if (limit === null)
    return decidedBy.role === 'admin'
      ? null
      : `No approval limit is set for this ${decidedBy.role}; ${amount}${currency ? ` ${currency}` : ''} needs one.`;
  if (cents(amount) > cents(limit)) {
    return `The amount ${amount}${currency ? ` ${currency}` : ''} is above your approval limit of ${limit}.`;
  }
  return null;
}
