import {
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  approvalLimitProblem,
  decisionAmount,
  legacyDecisionAmount,
  type ApprovalActivities,
  type Decision,
  type DecisionInput,
  type DecisionResult,
  type PendingApproval,
} from '../domain/approvals';
import { APPROVAL_FAILURE, decideUpdate, pendingApprovalQuery } from '../domain/contracts/approvals';
import { durationMs } from '../domain/duration';
import { PROFILES } from './activity-profiles';
import { refusal } from './refusal';

const { openApproval, remindApproval, closeApproval } = proxyActivities<ApprovalActivities>(
  PROFILES.approvalRecord,
);

/** Reminder, escalation and expiry, measured from when the approval was requested (durations like "2 days"). */
export interface ApprovalTimers {
  remindAfter?: string;
  escalateAfter?: string;
  expireAfter?: string;
}

export type ApprovalWait =
  | { decided: true; decision: DecisionInput }
  | { decided: false; expired: true }
  | { decided: false; interrupted: true };

export type ApprovalRequest = Pick<
  PendingApproval,
  'approvalId' | 'kind' | 'amount' | 'currency' | 'summary' | 'context'
>;

export interface ApprovalGateOptions {
  outcomes: Decision['outcome'][];
  roles?: DecisionInput['decidedBy']['role'][];
  /** A workflow's own rule for a decision (e.g. an amount is required); returns why it is refused, or null. */
  check?: (pending: PendingApproval, decision: DecisionInput) => string | null;
  /**
   * How the `decide` handler treats a decision today's rule refuses but the validator let through
   * (only a recorded history does that), by the patch the process's own histories were recorded
   * around: `limit-covers-pending` (the default) or the order's `decide-claims`.
   */
  replayedAs?: 'limit-covers-pending' | 'decide-claims';
  /** Hears of the open approval when it opens and when it closes (null), for a process's own status. */
  onOpen?: (open: PendingApproval | null) => void;
}

/** What one wait for a decision may do besides waiting, for a process with more to do meanwhile. */
export interface ApprovalWaitOptions {
  /** Runs once the approval is pending and before it is recorded as opened (the order parks itself). */
  beforeOpen?: () => Promise<void>;
  /** Ends the wait when it turns true (a cancellation): the approval is closed as cancelled. */
  interruptedBy?: () => boolean;
  /** Outcomes after which the approval stays open for another decision (the order's `requestInfo`). */
  keepOpenOn?: Decision['outcome'][];
  /** Hears of every decision taken, one that keeps the approval open included. */
  onDecision?: (decision: DecisionInput) => void;
}

/** Workflows from before this patch checked a limit against the decision's own figure (see `legacyDecisionAmount`). */
export const LIMIT_COVERS_PENDING_PATCH = 'approval-limit-covers-pending';

/** Workflows from before this patch let a second decision in the same instant overwrite the first. */
export const DECIDE_CLAIMS_PATCH = 'decide-claims-approval';

/**
 * Why a decision cannot be accepted right now, as the typed failure the `decide` validator throws.
 * `committed` picks how the amount under the limit is read; only replay of old histories uses `legacy`.
 */
export function decisionProblem(
  pending: PendingApproval | null,
  input: DecisionInput,
  opts: ApprovalGateOptions,
  committed: 'largest' | 'legacy' = 'largest',
): ApplicationFailure | null {
  const fail = refusal;
  if (!pending || pending.approvalId !== input.approvalId) {
    return fail(
      APPROVAL_FAILURE.notPending,
      `Approval ${input.approvalId} is not pending: it was decided already or superseded.`,
    );
  }
  const roles = opts.roles ?? ['approver', 'admin'];
  if (!roles.includes(input.decidedBy.role)) {
    return fail(
      APPROVAL_FAILURE.roleNotAllowed,
      `A${input.decidedBy.role === 'operator' ? 'n' : ''} ${input.decidedBy.role} may not decide ${pending.kind} approvals.`,
    );
  }
  if (!opts.outcomes.includes(input.outcome)) {
    return fail(
      APPROVAL_FAILURE.outcomeNotAllowed,
      `"${input.outcome}" is not a possible decision here; choose one of ${opts.outcomes.join(', ')}.`,
    );
  }
  const amount =
    committed === 'largest'
      ? decisionAmount(pending.amount, input)
      : legacyDecisionAmount(pending.amount, input);
  const limit = approvalLimitProblem(input.decidedBy, amount, pending.currency);
  if (limit) return fail(limit.failure, limit.message);
  const own = opts.check?.(pending, input);
  if (own) return fail(APPROVAL_FAILURE.invalid, own);
  return null;
}

/**
 * The problem the `decide` handler acts on. The validator has already applied today's rule to every
 * new update; only when an old history accepted a decision today's rule refuses does the patch
 * marker decide (it is absent there, so the decision stands as it did).
 */
export function handlerDecisionProblem(
  pending: PendingApproval | null,
  input: DecisionInput,
  opts: ApprovalGateOptions,
): ApplicationFailure | null {
  const strict = decisionProblem(pending, input, opts, 'largest');
  if (!strict) return null;
  const legacy = decisionProblem(pending, input, opts, 'legacy');
  if (legacy || patched(LIMIT_COVERS_PENDING_PATCH)) return strict;
  return null;
}

/**
 * The human wait shared by every workflow: exposes the `decide` update and `pendingApproval`
 * query (call this before the workflow's first await), records each approval through the approval
 * activities, and races the decision against reminder, escalation and expiry timers.
 */
export function approvalGate(opts: ApprovalGateOptions) {
  /** The approval asked for, until the wait ends. */
  let open: PendingApproval | null = null;
  /** A decision the handler took and the wait has not yet acted on. */
  let decision: DecisionInput | undefined;
  // A decision claims the approval synchronously: until the wait has acted on it, nothing is pending,
  // so a second decision in the same instant is refused.
  const pending = () => (decision === undefined ? open : null);
  const setOpen = (next: PendingApproval | null) => {
    open = next;
    opts.onOpen?.(next);
  };

  setHandler(pendingApprovalQuery, pending);
  setHandler(
    decideUpdate,
    (input: DecisionInput): DecisionResult => {
      if (opts.replayedAs === 'decide-claims') {
        // Histories from before this patch accepted whatever the validator had let through.
        const problem = decisionProblem(pending(), input, opts);
        if (problem && patched(DECIDE_CLAIMS_PATCH)) throw problem;
      } else {
        const problem = handlerDecisionProblem(pending(), input, opts);
        if (problem) throw problem;
      }
      decision = input;
      return { approvalId: input.approvalId, outcome: input.outcome, accepted: true };
    },
    {
      validator: (input: DecisionInput) => {
        const problem = decisionProblem(pending(), input, opts);
        if (problem) throw problem;
      },
    },
  );

  return {
    pending,

    async request(
      req: ApprovalRequest,
      timers: ApprovalTimers = {},
      wait: ApprovalWaitOptions = {},
    ): Promise<ApprovalWait> {
      const started = Date.now();
      decision = undefined;
      const approval: PendingApproval = {
        ...req,
        workflowId: workflowInfo().workflowId,
        requestedAt: new Date(started).toISOString(),
        escalated: false,
      };
      setOpen(approval);
      const { approvalId } = approval;
      await wait.beforeOpen?.();
      await openApproval.executeWithOptions({ summary: `Ask an approver: ${req.summary}` }, [approval]);

      const steps: { at: number; step: 'remind' | 'escalate' | 'expire' }[] = [];
      if (timers.remindAfter) steps.push({ at: durationMs(timers.remindAfter), step: 'remind' });
      if (timers.escalateAfter) steps.push({ at: durationMs(timers.escalateAfter), step: 'escalate' });
      if (timers.expireAfter) steps.push({ at: durationMs(timers.expireAfter), step: 'expire' });
      steps.sort((a, b) => a.at - b.at);

      const interrupted = wait.interruptedBy ?? (() => false);
      const ready = () => decision !== undefined || interrupted();
      for (let next = 0; ;) {
        const timer = steps[next];
        if (!timer) await condition(ready);
        else if (!(await condition(ready, Math.max(1, timer.at - (Date.now() - started))))) {
          next += 1;
          if (timer.step === 'remind') {
            await remindApproval.executeWithOptions({ summary: `Remind approvers of ${req.kind}` }, [
              { approvalId, escalate: false },
            ]);
          } else if (timer.step === 'escalate') {
            approval.escalated = true;
            log.warn('approval escalated', { approvalId });
            await remindApproval.executeWithOptions({ summary: `Escalate approval ${req.kind}` }, [
              { approvalId, escalate: true },
            ]);
          } else {
            setOpen(null);
            await closeApproval({ approvalId, outcome: 'expired' });
            return { decided: false, expired: true };
          }
          continue;
        }
        if (interrupted()) {
          setOpen(null);
          await closeApproval({ approvalId, outcome: 'cancelled' });
          return { decided: false, interrupted: true };
        }
        const decided = decision as unknown as DecisionInput;
        decision = undefined;
        wait.onDecision?.(decided);
        if (wait.keepOpenOn?.includes(decided.outcome)) continue;
        setOpen(null);
        await closeApproval.executeWithOptions(
          { summary: `${decided.outcome} by ${decided.decidedBy.name}` },
          [{ approvalId, outcome: decided.outcome, decision: decided }],
        );
        return { decided: true, decision: decided };
      }
    },
  };
}

export type ApprovalGate = ReturnType<typeof approvalGate>;
