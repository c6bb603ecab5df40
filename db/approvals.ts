import type { ApprovalKind, DecisionInput, PendingApproval } from '../domain/approvals';
import { storeOfWorkflowId } from '../domain/contracts';
import type { Db } from './pool';

export type ApprovalStatus =
  'pending' | 'approve' | 'reject' | 'adjust' | 'requestInfo' | 'cancelled' | 'expired';

export interface ApprovalRecord {
  approvalId: string;
  kind: ApprovalKind;
  workflowId: string;
  store: string | null;
  amount: string | null;
  currency: string | null;
  summary: string;
  context: Record<string, unknown>;
  status: ApprovalStatus;
  escalated: boolean;
  reminders: number;
  requestedAt: string;
  closedAt: string | null;
}

export interface DecisionRecord {
  approvalId: string;
  principalId: string;
  principalName: string;
  principalRole: string;
  outcome: string;
  reason: string | null;
  accepted: boolean;
  refusalCode: string | null;
  refusalMessage: string | null;
  decidedAt: string;
}

interface ApprovalRow {
  approval_id: string;
  kind: ApprovalKind;
  workflow_id: string;
  store: string | null;
  amount: string | null;
  currency: string | null;
  summary: string;
  context: Record<string, unknown>;
  status: ApprovalStatus;
  escalated: boolean;
  reminders: number;
  requested_at: Date;
  closed_at: Date | null;
}

const COLUMNS = `approval_id, kind, workflow_id, store, amount::text AS amount, currency, summary, context, status, escalated, reminders, requested_at, closed_at`;

const toRecord = (r: ApprovalRow): ApprovalRecord => ({
  approvalId: r.approval_id,
  kind: r.kind,
  workflowId: r.workflow_id,
  store: r.store,
  amount: r.amount,
  currency: r.currency,
  summary: r.summary,
  context: r.context,
  status: r.status,
  escalated: r.escalated,
  reminders: r.reminders,
  requestedAt: r.requested_at.toISOString(),
  closedAt: r.closed_at?.toISOString() ?? null,
});

/** The store a workflow belongs to, read from its deterministic id by its process's contract. */
export const storeOfWorkflow = storeOfWorkflowId;

/** Pending and past approvals, and the audit trail of decisions on them. */
export function approvalRepository(db: Db) {
  return {
    /** Records a pending approval; a repeat with the same id changes nothing. Returns whether it was new. */
    async open(p: PendingApproval): Promise<boolean> {
      const res = await db.query(
        `INSERT INTO approvals (approval_id, kind, workflow_id, store, amount, currency, summary, context, requested_at, escalated)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (approval_id) DO NOTHING`,
        [
          p.approvalId,
          p.kind,
          p.workflowId,
          storeOfWorkflow(p.workflowId),
          p.amount,
          p.currency,
          p.summary,
          p.context,
          p.requestedAt,
          p.escalated,
        ],
      );
      return (res.rowCount ?? 0) > 0;
    },

    async get(approvalId: string): Promise<ApprovalRecord | null> {
      const res = await db.query<ApprovalRow>(`SELECT ${COLUMNS} FROM approvals WHERE approval_id = $1`, [
        approvalId,
      ]);
      return res.rows[0] ? toRecord(res.rows[0]) : null;
    },

    async listPending(filter: {
      kinds: string[] | null;
      stores: string[] | null;
      limit: number;
    }): Promise<ApprovalRecord[]> {
      const res = await db.query<ApprovalRow>(
        `SELECT ${COLUMNS} FROM approvals
          WHERE status = 'pending'
            AND ($1::text[] IS NULL OR kind = ANY ($1))
            AND ($2::text[] IS NULL OR store = ANY ($2))
          ORDER BY escalated DESC, requested_at
          LIMIT $3`,
        [filter.kinds, filter.stores, filter.limit],
      );
      return res.rows.map(toRecord);
    },

    /** Counts a reminder; `escalate` also marks the approval escalated. Returns whether it was still pending. */
    async remind(approvalId: string, escalate: boolean): Promise<ApprovalRecord | null> {
      const res = await db.query<ApprovalRow>(
        `UPDATE approvals SET reminders = reminders + 1, escalated = escalated OR $2
          WHERE approval_id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
        [approvalId, escalate],
      );
      return res.rows[0] ? toRecord(res.rows[0]) : null;
    },

    /** Closes a pending approval with its outcome; closing again changes nothing. */
    async close(approvalId: string, status: Exclude<ApprovalStatus, 'pending'>): Promise<boolean> {
      const res = await db.query(
        `UPDATE approvals SET status = $2, closed_at = now() WHERE approval_id = $1 AND status = 'pending'`,
        [approvalId, status],
      );
      return (res.rowCount ?? 0) > 0;
    },

    /**
     * Appends a decision to the audit trail. An accepted decision is recorded once per approval
     * (the API and the workflow both record it); refused attempts are all kept.
     */
    async recordDecision(input: {
      approvalId: string;
      workflowId: string;
      decision: DecisionInput;
      accepted: boolean;
      refusal?: { code: string; message: string };
    }): Promise<void> {
      const d = input.decision;
      await db.query(
        `INSERT INTO approval_decisions (approval_id, workflow_id, principal_id, principal_name, principal_role, approval_limit,
                                         outcome, reason, decision, accepted, refusal_code, refusal_message, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (approval_id) WHERE accepted DO NOTHING`,
        [
          input.approvalId,
          input.workflowId,
          d.decidedBy.userId,
          d.decidedBy.name,
          d.decidedBy.role,
          d.decidedBy.approvalLimit,
          d.outcome,
          d.reason ?? null,
          d,
          input.accepted,
          input.refusal?.code ?? null,
          input.refusal?.message ?? null,
          d.decidedAt,
        ],
      );
    },

    async decisions(approvalId: string): Promise<DecisionRecord[]> {
      const res = await db.query<{
        approval_id: string;
        principal_id: string;
        principal_name: string;
        principal_role: string;
        outcome: string;
        reason: string | null;
        accepted: boolean;
        refusal_code: string | null;
        refusal_message: string | null;
        decided_at: Date;
      }>(
        `SELECT approval_id, principal_id, principal_name, principal_role, outcome, reason, accepted, refusal_code, refusal_message, decided_at
           FROM approval_decisions WHERE approval_id = $1 ORDER BY id`,
        [approvalId],
      );
      return res.rows.map((r) => ({
        approvalId: r.approval_id,
        principalId: r.principal_id,
        principalName: r.principal_name,
        principalRole: r.principal_role,
        outcome: r.outcome,
        reason: r.reason,
        accepted: r.accepted,
        refusalCode: r.refusal_code,
        refusalMessage: r.refusal_message,
        decidedAt: r.decided_at.toISOString(),
      }));
    },
  };
}

export type ApprovalRepository = ReturnType<typeof approvalRepository>;
