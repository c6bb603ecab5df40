/**
 * The approval wait's contract, the same on every process that waits for a human (the order, a
 * return, a new customer): the `decide` update with its failure types, and the `pendingApproval`
 * query. workflows/approvalGate.ts implements it; the approver API sends it.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import {
  DECIDE_UPDATE,
  PENDING_APPROVAL_QUERY,
  type DecisionInput,
  type DecisionResult,
  type PendingApproval,
} from '../approvals';

export { APPROVAL_FAILURE } from '../approvals';

export const decideUpdate = defineUpdate<DecisionResult, [DecisionInput]>(DECIDE_UPDATE);
export const pendingApprovalQuery = defineQuery<PendingApproval | null>(PENDING_APPROVAL_QUERY);
