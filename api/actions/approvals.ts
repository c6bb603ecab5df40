import type { Client } from '@temporalio/client';
import { approvalRepository, type ApprovalRecord } from '../../db/approvals';
import type { Db } from '../../db/pool';
import type { Principal } from '../../db/principals';
import type { Decision, DecisionInput, DecisionResult } from '../../domain/approvals';
import { decideUpdate } from '../../domain/contracts';
import { decidedBy, decisionRefusal, maySeeApproval } from '../auth';
import { ApiError, onProcess } from '../errors';

function view(a: ApprovalRecord, p: Principal) {
  const refusal = a.status === 'pending' ? decisionRefusal(p, a, { outcome: 'approve' }) : null;
  return {
    approvalId: a.approvalId,
    kind: a.kind,
    workflowId: a.workflowId,
    store: a.store,
    amount: a.amount,
    currency: a.currency,
    summary: a.summary,
    status: a.status,
    escalated: a.escalated,
    requestedAt: a.requestedAt,
    closedAt: a.closedAt,
    mayApprove: a.status === 'pending' && refusal === null,
    ...(refusal ? { mayNotApproveBecause: refusal.message } : {}),
  };
}

/**
 * Decisions, for the approver API (api/routes/approvals.ts) and the dashboard alike: what a principal
 * may see, and the decision itself, checked against the principal's role and limit as the server
 * records them (never a figure from the request), sent to the waiting workflow as its `decide`
 * update and recorded — refused attempts too. Approvals outside the principal's scope answer
 * exactly like approvals that do not exist.
 */
export function approvalActions({ temporal, db }: { temporal: Client; db: Db }) {
  const approvals = approvalRepository(db);
  const notFound = (id: string) => new ApiError(404, 'APPROVAL.NOT_FOUND', `No approval ${id}.`);

  async function visible(id: string, p: Principal): Promise<ApprovalRecord> {
    const a = await approvals.get(id);
    if (!a || !maySeeApproval(p, a)) throw notFound(id);
    return a;
  }

  return {
    visible,
    async pending(p: Principal, limit: number) {
      const rows = await approvals.listPending({ kinds: p.approvalKinds, stores: p.stores, limit });
      return rows.map((a) => view(a, p));
    },
    async detail(p: Principal, id: string) {
      const a = await visible(id, p);
      return { ...view(a, p), context: a.context, decisions: await approvals.decisions(id) };
    },
    async decide(p: Principal, id: string, decision: Decision) {
      const a = await visible(id, p);
      const input: DecisionInput = {
        ...decision,
        approvalId: id,
        decidedBy: decidedBy(p),
        decidedAt: new Date().toISOString(),
      };
      const refuse = async (status: number, code: string, message: string): Promise<never> => {
        await approvals.recordDecision({
          approvalId: id,
          workflowId: a.workflowId,
          decision: input,
          accepted: false,
          refusal: { code, message },
        });
        throw new ApiError(status, code, message);
      };

      if (a.status !== 'pending')
        await refuse(409, 'APPROVAL.NOT_PENDING', `Approval ${id} is no longer pending (${a.status}).`);
      const refusal = decisionRefusal(p, a, input);
      if (refusal) await refuse(403, refusal.code, refusal.message);

      let result: DecisionResult;
      try {
        result = await onProcess(
          temporal.workflow.getHandle(a.workflowId),
          (h) => h.executeUpdate(decideUpdate, { args: [input] }),
          {
            notFound: new ApiError(
              409,
              'APPROVAL.NOT_PENDING',
              `Approval ${id} is no longer pending: its process has ended.`,
            ),
          },
        );
      } catch (err) {
        if (err instanceof ApiError) return refuse(err.status, err.code, err.message);
        throw err;
      }
      await approvals.recordDecision({
        approvalId: id,
        workflowId: a.workflowId,
        decision: input,
        accepted: true,
      });
      await approvals.close(id, input.outcome);
      return {
        ...result,
        workflowId: a.workflowId,
        decidedBy: { id: p.id, name: p.name },
        decidedAt: input.decidedAt,
      };
    },
  };
}

export type ApprovalActions = ReturnType<typeof approvalActions>;
