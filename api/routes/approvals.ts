import { Router } from 'express';
import { z } from 'zod';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { approvalRepository, type ApprovalRecord } from '../../db/approvals';
import type { Db } from '../../db/pool';
import type { Principal } from '../../db/principals';
import {
  APPROVAL_FAILURE,
  DECIDE_UPDATE,
  Decision,
  type DecisionInput,
  type DecisionResult,
} from '../../domain/approvals';
import { authenticate, decidedBy, decisionRefusal, maySeeApproval, principalOf } from '../auth';
import { ApiError, validate } from '../errors';

const Params = z.object({ id: z.string().min(1).max(400) });
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
const DecisionBody = Decision.strict();

/** Statuses for the failure types a workflow's `decide` validator throws. */
const FAILURE_STATUS: Record<string, { status: number; code: string }> = {
  [APPROVAL_FAILURE.notPending]: { status: 409, code: 'APPROVAL.NOT_PENDING' },
  [APPROVAL_FAILURE.limitExceeded]: { status: 403, code: 'APPROVAL.LIMIT_EXCEEDED' },
  [APPROVAL_FAILURE.currencyMismatch]: { status: 403, code: 'APPROVAL.CURRENCY_MISMATCH' },
  [APPROVAL_FAILURE.roleNotAllowed]: { status: 403, code: 'APPROVAL.ROLE_NOT_ALLOWED' },
  [APPROVAL_FAILURE.outcomeNotAllowed]: { status: 422, code: 'APPROVAL.OUTCOME_NOT_ALLOWED' },
  [APPROVAL_FAILURE.invalid]: { status: 422, code: 'APPROVAL.DECISION_INVALID' },
};

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
 * The approver API: pending decisions the caller may see, the context to decide one, and the
 * decision itself, sent to the waiting workflow as its `decide` update. Approvals outside the
 * caller's scope answer exactly like approvals that do not exist.
 */
export function approvalsRouter({ temporal, db }: { temporal: Client; db: Db }) {
  const router = Router();
  const approvals = approvalRepository(db);
  const auth = authenticate(db);
  const notFound = (id: string) => new ApiError(404, 'APPROVAL.NOT_FOUND', `No approval ${id}.`);

  async function visible(id: string, p: Principal): Promise<ApprovalRecord> {
    const a = await approvals.get(id);
    if (!a || !maySeeApproval(p, a)) throw notFound(id);
    return a;
  }

  router.get('/approvals', auth, validate({ query: ListQuery }), async (req, res) => {
    const p = principalOf(req);
    const q = req.query as unknown as z.infer<typeof ListQuery>;
    const rows = await approvals.listPending({ kinds: p.approvalKinds, stores: p.stores, limit: q.limit });
    res.json({ approvals: rows.map((a) => view(a, p)) });
  });

  router.get('/approvals/:id', auth, validate({ params: Params }), async (req, res) => {
    const p = principalOf(req);
    const { id } = req.params as z.infer<typeof Params>;
    const a = await visible(id, p);
    res.json({ ...view(a, p), context: a.context, decisions: await approvals.decisions(id) });
  });

  router.post(
    '/approvals/:id/decision',
    auth,
    validate({ params: Params, body: DecisionBody }),
    async (req, res) => {
      const p = principalOf(req);
      const { id } = req.params as z.infer<typeof Params>;
      const a = await visible(id, p);
      const input: DecisionInput = {
        ...(req.body as Decision),
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
        result = await temporal.workflow
          .getHandle(a.workflowId)
          .executeUpdate<DecisionResult, [DecisionInput]>(DECIDE_UPDATE, { args: [input] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          const mapped = FAILURE_STATUS[err.cause.type ?? ''];
          if (mapped) return refuse(mapped.status, mapped.code, err.cause.message);
        }
        if (err instanceof WorkflowUpdateFailedError)
          return refuse(422, 'APPROVAL.DECISION_REFUSED', err.cause?.message ?? err.message);
        if (err instanceof WorkflowNotFoundError)
          return refuse(
            409,
            'APPROVAL.NOT_PENDING',
            `Approval ${id} is no longer pending: its process has ended.`,
          );
        throw err;
      }
      await approvals.recordDecision({
        approvalId: id,
        workflowId: a.workflowId,
        decision: input,
        accepted: true,
      });
      await approvals.close(id, input.outcome);
      req.log?.info(
        { approvalId: id, workflowId: a.workflowId, outcome: input.outcome, principal: p.id },
        'approval decided',
      );
      res.json({
        ...result,
        workflowId: a.workflowId,
        decidedBy: { id: p.id, name: p.name },
        decidedAt: input.decidedAt,
      });
    },
  );

  return router;
}
