import { Money } from './money';
import type { ApprovalKind, Decision } from './schemas/approvals';

/** An approval's kind and an approver's decision; their zod schemas are in schemas/approvals.ts. */
export type { ApprovalKind, Decision } from './schemas/approvals';

/**
 * Human decisions are Temporal Updates named `decide` on every workflow that waits for one, with a
 * `pendingApproval` query describing what is awaited. The approver API finds the workflow by
 * approval id, checks role and limit, and sends the update.
 */
export const DECIDE_UPDATE = 'decide';
export const PENDING_APPROVAL_QUERY = 'pendingApproval';

export interface DecisionInput extends Decision {
  /** Which pending approval this decides; a stale id is rejected by the update validator. */
  approvalId: string;
  decidedBy: {
    userId: string;
    name: string;
    role: 'approver' | 'operator' | 'admin';
    approvalLimit: string | null;
    /** The currency of `approvalLimit`; absent means the company's base currency. */
    approvalCurrency?: string;
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
  currencyMismatch: 'ApprovalCurrencyMismatch',
} as const;

/** The currency approval limits are set in unless a principal's limit names its own: the ERP's base currency. */
export const APPROVAL_LIMIT_CURRENCY = 'USD';

// Only the order of the figures matters here, so four decimals cover every currency's precision.
const size = (a: string) => Money.line(a, 10_000, 'XXX').minor;

/**
 * The money a decision commits to, checked against the approver's limit: the pending amount, or the
 * larger of that and any amount or credit limit the decision sets. A smaller figure in the decision
 * never lowers it. Rejecting or asking for information commits to nothing.
 */
export function decisionAmount(
  pendingAmount: string | null,
  decision: Pick<Decision, 'outcome' | 'amount' | 'creditLimit'>,
): string | null {
  if (decision.outcome === 'reject' || decision.outcome === 'requestInfo') return null;
  const figures = [pendingAmount, decision.amount, decision.creditLimit].filter(
    (a): a is string => a !== undefined && a !== null,
  );
  if (figures.length === 0) return null;
  return figures.reduce((max, a) => (size(a) > size(max) ? a : max));
}

/**
 * What workflows before the `approval-limit-covers-pending` patch checked: the figure the decision
 * set, else the pending amount. Kept only so their histories replay; never use it for a new check.
 */
export function legacyDecisionAmount(
  pendingAmount: string | null,
  decision: Pick<Decision, 'outcome' | 'amount' | 'creditLimit'>,
): string | null {
  if (decision.outcome === 'reject' || decision.outcome === 'requestInfo') return null;
  const set = [decision.amount, decision.creditLimit].filter((a): a is string => a !== undefined);
  if (set.length === 0) return pendingAmount;
  return set.reduce((max, a) => (size(a) > size(max) ? a : max));
}

export interface LimitRefusal {
  failure: typeof APPROVAL_FAILURE.limitExceeded | typeof APPROVAL_FAILURE.currencyMismatch;
  message: string;
}

/**
 * Why `decidedBy` may not commit to `amount`, or null when they may. A null limit means "no limit"
 * for admins only; an approver without a limit may decide only approvals that carry no money. A
 * limit is compared only with an amount in its own currency: a USD limit never covers a EUR order.
 */
export function approvalLimitProblem(
  decidedBy: Pick<DecisionInput['decidedBy'], 'role' | 'approvalLimit' | 'approvalCurrency'>,
  amount: string | null,
  currency: string | null = null,
): LimitRefusal | null {
  if (amount === null) return null;
  const limit = decidedBy.approvalLimit;
  const limitCurrency = (decidedBy.approvalCurrency ?? APPROVAL_LIMIT_CURRENCY).toUpperCase();
  const amountCurrency = (currency ?? limitCurrency).toUpperCase();
  if (limit === null)
    return decidedBy.role === 'admin'
      ? null
      : {
          failure: APPROVAL_FAILURE.limitExceeded,
          message: `No approval limit is set for this ${decidedBy.role}; ${amount}${currency ? ` ${currency}` : ''} needs one.`,
        };
  if (amountCurrency !== limitCurrency) {
    return {
      failure: APPROVAL_FAILURE.currencyMismatch,
      message: `The amount ${amount} ${amountCurrency} is in a different currency from your approval limit of ${limit} ${limitCurrency}; someone with a ${amountCurrency} limit, or an admin, must decide.`,
    };
  }
  if (Money.of(amount, amountCurrency, 'halfUp').greaterThan(Money.of(limit, limitCurrency, 'halfUp'))) {
    return {
      failure: APPROVAL_FAILURE.limitExceeded,
      message: `The amount ${amount}${currency ? ` ${currency}` : ''} is above your approval limit of ${limit}.`,
    };
  }
  return null;
}
