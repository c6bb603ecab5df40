import { condition } from '@temporalio/workflow';
import type { ApprovalKind, DecisionInput, PendingApproval } from '../../domain/approvals';
import { durationMs } from '../../domain/duration';
import { approvals } from './proxies';
import { clearAttention, park } from './record';
import { Cancelled, rulesOf, type OrderRun } from './state';

/**
 * Holds the order for an approver: parks it, opens the approval, reminds and escalates on the
 * rules' timers, and returns the decision (an approver asking for information keeps it open).
 * A cancellation meanwhile closes the approval and unwinds the order.
 */
export async function awaitApproval(
  o: OrderRun,
  kind: ApprovalKind,
  summary: string,
  context: Record<string, unknown>,
): Promise<DecisionInput> {
  const { status } = o;
  const approvalId = `${o.workflowId}:${kind}:${status.approvals.length + 1}`;
  const pending: PendingApproval = {
    approvalId,
    kind,
    workflowId: o.workflowId,
    amount: status.total,
    currency: status.currency,
    summary,
    context,
    requestedAt: new Date().toISOString(),
    escalated: false,
  };
  status.pendingApproval = pending;
  status.step = 'awaitingApproval';
  await park(o, { kind: 'approval', reason: summary });
  await approvals.openApproval.executeWithOptions({ summary: `Ask an approver: ${summary}` }, [pending]);
  const started = Date.now();
  const remindMs = durationMs(rulesOf(o).approval.remindAfter);
  const escalateMs = Math.max(remindMs, durationMs(rulesOf(o).approval.escalateAfter));
  let reminded = false;
  const decided = () => o.decision !== undefined || o.cancel !== undefined;
  for (;;) {
    const elapsed = Date.now() - started;
    const next = !reminded ? remindMs : !pending.escalated ? escalateMs : undefined;
    if (next === undefined) await condition(decided);
    else if (!(await condition(decided, Math.max(1, next - elapsed)))) {
      if (!reminded) reminded = true;
      else pending.escalated = true;
      await approvals.remindApproval.executeWithOptions(
        { summary: pending.escalated ? `Escalate approval ${kind}` : `Remind approvers of ${kind}` },
        [{ approvalId, escalate: pending.escalated }],
      );
      continue;
    }
    if (o.cancel !== undefined) {
      status.pendingApproval = null;
      await approvals.closeApproval({ approvalId, outcome: 'cancelled' });
      throw new Cancelled();
    }
    const d = o.decision as DecisionInput;
    o.decision = undefined;
    status.approvals.push({
      approvalId,
      kind,
      outcome: d.outcome,
      decidedBy: d.decidedBy.name,
      reason: d.reason,
    });
    if (d.outcome === 'requestInfo') continue;
    status.pendingApproval = null;
    await approvals.closeApproval.executeWithOptions({ summary: `${d.outcome} by ${d.decidedBy.name}` }, [
      { approvalId, outcome: d.outcome, decision: d },
    ]);
    await clearAttention(o);
    return d;
  }
}

/** An approver's rejection cancels the order, with who rejected it and why. */
export function rejectedBy(o: OrderRun, what: string, d: DecisionInput): never {
  o.cancel ??= {
    reason: `${what} rejected by ${d.decidedBy.name}${d.reason ? `: ${d.reason}` : ''}`,
    by: 'approver',
    cancelledOnStorefront: false,
  };
  throw new Cancelled();
}
