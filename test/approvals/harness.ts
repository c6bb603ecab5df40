import path from 'node:path';
import { inject } from 'vitest';
import { WorkflowHandle } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { ApprovalActivities, DecisionInput, PendingApproval } from '../../domain/approvals';
import type { Notification } from '../../domain/notifications';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
let runtimeInstalled = false;

/** The return and customer workflows, bundled once per test file. */
export function approvalWorkflowsBundle(): Promise<WorkflowBundleWithSourceMap> {
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // installed by another helper in this process
    }
  }
  bundle ??= bundleWorkflowCode({
    workflowsPath: path.join(__dirname, 'workflows.ts'),
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

/** A real worker on the test Temporal server running these workflows with the given activities. */
export async function runWorker<T>(
  opts: { taskQueue: string; activities: object },
  fn: () => Promise<T>,
): Promise<T> {
  const workflowBundle = await approvalWorkflowsBundle();
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  try {
    const worker = await Worker.create({
      connection,
      taskQueue: opts.taskQueue,
      workflowBundle,
      activities: opts.activities,
    });
    return await worker.runUntil(fn());
  } finally {
    await connection.close();
  }
}

import { eventually } from '../support/wait';

export { eventually };

/** Waits until a workflow's query answers with a step. */
export function stepOf<S extends { step: string }>(
  handle: WorkflowHandle,
  query: string,
  step: string,
  timeoutMs?: number,
): Promise<S> {
  return eventually(
    async () => {
      const s = await handle.query<S>(query);
      return s.step === step ? s : undefined;
    },
    `step ${step}`,
    timeoutMs,
  );
}

/** In-memory approval and notification activities, for workflow tests that don't need Postgres. */
export function memoryApprovals() {
  const opened: PendingApproval[] = [];
  const reminders: { approvalId: string; escalate: boolean }[] = [];
  const closed: { approvalId: string; outcome: string; decision?: DecisionInput }[] = [];
  const notifications: Notification[] = [];
  const activities: ApprovalActivities & { notify(n: Notification): Promise<{ status: 'sent' }> } = {
    async openApproval(p) {
      if (!opened.some((o) => o.approvalId === p.approvalId)) opened.push(p);
    },
    async remindApproval(r) {
      reminders.push(r);
    },
    async closeApproval(c) {
      closed.push(c);
    },
    async notify(n) {
      if (!notifications.some((x) => x.id === n.id)) notifications.push(n);
      return { status: 'sent' };
    },
  };
  return { opened, reminders, closed, notifications, activities };
}

let seq = 0;
export function approverInput(
  approvalId: string,
  decision: Omit<DecisionInput, 'approvalId' | 'decidedBy' | 'decidedAt'>,
  by: Partial<DecisionInput['decidedBy']> = {},
): DecisionInput {
  seq += 1;
  return {
    ...decision,
    approvalId,
    decidedBy: {
      userId: `u${seq}`,
      name: 'Ada Approver',
      role: 'approver',
      approvalLimit: '100000.00',
      ...by,
    },
    decidedAt: new Date().toISOString(),
  };
}
