import type { Notifier } from '../connectors/notifier';
import { alertRepository } from '../db/alerts';
import { approvalRepository, type ApprovalRecord } from '../db/approvals';
import type { Db } from '../db/pool';
import { principalRepository, type Principal } from '../db/principals';
import type { ApprovalActivities, PendingApproval } from '../domain/approvals';
import { storeOfWorkflowId } from '../domain/contracts';
import type { Logger } from '../platform/logger';
import { deliverNotification } from './notify';

export interface ApprovalActivityDeps {
  db: Db;
  notifier?: Notifier;
  log?: Logger;
  /** Base URL of the approver API, for links in notifications. */
  apiPublicUrl?: string;
}

/**
 * The one approval mechanism every human wait uses (orders, returns, new customers): a row in
 * `approvals` per pending decision, notifications to the approvers who may decide it, reminders
 * and escalation, and the audit record of the outcome.
 */
export function createApprovalActivities(deps: ApprovalActivityDeps): ApprovalActivities {
  const approvals = approvalRepository(deps.db);
  const principals = principalRepository(deps.db);
  const alerts = alertRepository(deps.db);
  const link = (approvalId: string) =>
    deps.apiPublicUrl
      ? `${deps.apiPublicUrl.replace(/\/$/, '')}/approvals/${encodeURIComponent(approvalId)}`
      : undefined;

  async function notifyApprovers(
    a: ApprovalRecord | PendingApproval,
    who: Principal[],
    stage: 'requested' | 'reminder' | 'escalation',
  ) {
    const amount = a.amount ? ` (${a.amount}${a.currency ? ` ${a.currency}` : ''})` : '';
    const verb =
      stage === 'requested'
        ? 'Decision needed'
        : stage === 'reminder'
          ? 'Reminder: decision still needed'
          : 'Escalated: decision overdue';
    for (const p of who) {
      await deliverNotification(deps, {
        id: `${a.approvalId}:${stage}:${p.id}`,
        kind: `approval.${stage}`,
        recipient: { role: 'approver', id: p.id, name: p.name, email: p.email },
        subject: `${verb}: ${a.summary}${amount}`,
        text: `${a.summary}${amount}. Approval ${a.approvalId} waits for your decision.`,
        data: {
          summary: a.summary,
          approvalId: a.approvalId,
          kind: a.kind,
          workflowId: a.workflowId,
          amount: a.amount,
          currency: a.currency,
          link: link(a.approvalId),
        },
        workflowId: a.workflowId,
      });
    }
  }

  const storeOf = (a: ApprovalRecord | PendingApproval) =>
    'store' in a ? a.store : storeOfWorkflowId(a.workflowId);

  return {
    async openApproval(input: PendingApproval): Promise<void> {
      await approvals.open(input);
      const who = await principals.approversFor({
        kind: input.kind,
        store: storeOf(input),
        amount: input.amount,
      });
      if (who.length === 0) {
        await alerts.raise({
          severity: 'warning',
          kind: 'approval.noApprover',
          subject: input.summary,
          message: `No active approver may decide ${input.approvalId}${input.amount ? ` for ${input.amount}` : ''}; give someone a role and limit for "${input.kind}".`,
          workflowId: input.workflowId,
          dedupeKey: `approval:${input.approvalId}:noApprover`,
        });
        return;
      }
      await notifyApprovers(input, who, 'requested');
    },

    async remindApproval({ approvalId, escalate }: { approvalId: string; escalate: boolean }): Promise<void> {
      const record = await approvals.remind(approvalId, escalate);
      if (!record) return;
      const all = await principals.approversFor({
        kind: record.kind,
        store: record.store,
        amount: record.amount,
      });
      if (!escalate) {
        await notifyApprovers(record, all, 'reminder');
        return;
      }
      await alerts.raise({
        severity: 'warning',
        kind: 'approval.escalated',
        subject: record.summary,
        message: `Approval ${approvalId} has waited since ${record.requestedAt} without a decision.`,
        workflowId: record.workflowId,
        dedupeKey: `approval:${approvalId}:escalated`,
      });
      const admins = all.filter((p) => p.role === 'admin');
      await notifyApprovers(record, admins.length > 0 ? admins : all, 'escalation');
    },

    async closeApproval({ approvalId, outcome, decision }): Promise<void> {
      const record = await approvals.get(approvalId);
      if (!record) return;
      await approvals.close(approvalId, outcome);
      if (decision)
        await approvals.recordDecision({
          approvalId,
          workflowId: record.workflowId,
          decision,
          accepted: true,
        });
      await alerts.resolve(`approval:${approvalId}:escalated`);
      await alerts.resolve(`approval:${approvalId}:noApprover`);
    },
  };
}
