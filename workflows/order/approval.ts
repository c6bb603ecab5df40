import type { ApprovalKind, DecisionInput } from '../../domain/approvals';
import { durationMs } from '../../domain/duration';
import { clearAttention, park } from './record';
import { Cancelled, rulesOf, type OrderRun } from './state';

/**
 * Holds the order for an approver through the approval gate: parks it, opens the approval, reminds
 * and escalates on the rules' timers, and returns the decision (an approver asking for information
 * keeps it open). A cancellation meanwhile closes the approval and unwinds the order.
 */
export async function awaitApproval(
  o: OrderRun,
  kind: ApprovalKind,
  summary: string,
  context: Record<string, unknown>,
): Promise<DecisionInput> {
  const { status } = o;
  const gate = o.approvalGate;
  if (!gate) throw new Error('the order asks for an approval before its handlers are set');
  const approvalId = `${o.workflowId}:${kind}:${status.approvals.length + 1}`;
  const { remindAfter, escalateAfter } = rulesOf(o).approval;
  status.step = 'awaitingApproval';
  // An approver may take days: the balance the credit check cached is read again at placement.
  o.balanceCached = false;
  const wait = await gate.request(
    { approvalId, kind, amount: status.total, currency: status.currency, summary, context },
    // Escalation never comes before the reminder.
    {
      remindAfter,
      escalateAfter: durationMs(escalateAfter) < durationMs(remindAfter) ? remindAfter : escalateAfter,
    },
    {
      beforeOpen: () => park(o, { kind: 'approval', reason: summary }),
      interruptedBy: () => o.cancel !== undefined,
      keepOpenOn: ['requestInfo'],
      onDecision: (d) =>
        void status.approvals.push({
          approvalId,
          kind,
          outcome: d.outcome,
          decidedBy: d.decidedBy.name,
          reason: d.reason,
        }),
    },
  );
  // The order's approvals do not expire: only a cancellation ends the wait undecided.
  if (!wait.decided) throw new Cancelled();
  await clearAttention(o);
  return wait.decision;
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
