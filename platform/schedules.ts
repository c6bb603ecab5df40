import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client } from '@temporalio/client';
import {
  SLA_CHECK_WORKFLOW,
  SLA_TASK_QUEUE,
  slaScheduleId,
  taskQueue,
  type SlaCheckInput,
} from '../domain/contracts';
import { durationMs } from '../domain/duration';

/**
 * Makes a schedule exist that starts `workflowType` with `args` every `everyMs`: created when missing,
 * changed when its interval, task queue or arguments differ, left alone otherwise. Idempotent, so every
 * worker start may call it. A pass still running when the next is due is skipped.
 */
export async function ensureIntervalSchedule(
  client: Client,
  opts: {
    scheduleId: string;
    workflowType: string;
    taskQueue: string;
    args: unknown[];
    everyMs: number;
    /** How long one started run may take at most. */
    runTimeout: string;
    purpose: string;
  },
): Promise<'created' | 'updated' | 'unchanged'> {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: opts.workflowType,
    workflowId: opts.scheduleId,
    taskQueue: opts.taskQueue,
    args: opts.args,
    workflowExecutionTimeout: opts.runTimeout,
  };
  try {
    await client.schedule.create({
      scheduleId: opts.scheduleId,
      spec: { intervals: [{ every: opts.everyMs }] },
      action,
      policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
      memo: { purpose: opts.purpose },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(opts.scheduleId);
  const current = await handle.describe();
  const intervals = current.spec.intervals ?? [];
  const same =
    intervals.length === 1 &&
    Number(intervals[0]!.every) === opts.everyMs &&
    current.action.type === 'startWorkflow' &&
    current.action.taskQueue === action.taskQueue &&
    JSON.stringify(current.action.args ?? []) === JSON.stringify(opts.args);
  if (same) return 'unchanged';
  await handle.update((prev) => ({ ...prev, spec: { intervals: [{ every: opts.everyMs }] }, action }));
  return 'updated';
}

/**
 * Makes the store's SLA schedule exist with this interval: created when missing, its interval
 * changed when it differs, left alone otherwise. Idempotent, so every worker start (and every save
 * of the SLA rules) may call it. A pass that is still running when the next is due is skipped.
 */
export function ensureSlaSchedule(
  client: Client,
  opts: { store: string; taskQueuePrefix: string; every: string },
): Promise<'created' | 'updated' | 'unchanged'> {
  return ensureIntervalSchedule(client, {
    scheduleId: slaScheduleId(opts.store),
    workflowType: SLA_CHECK_WORKFLOW,
    taskQueue: taskQueue(SLA_TASK_QUEUE, opts.taskQueuePrefix),
    args: [{ store: opts.store } satisfies SlaCheckInput],
    everyMs: durationMs(opts.every),
    runTimeout: '10 minutes',
    purpose: `SLA checker for ${opts.store}`,
  });
}

/** Changes the interval of the store's SLA schedule if it exists (the worker creates it). */
export async function retimeSlaSchedule(
  client: Client,
  opts: { store: string; taskQueuePrefix: string; every: string },
): Promise<boolean> {
  try {
    await client.schedule.getHandle(slaScheduleId(opts.store)).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
  await ensureSlaSchedule(client, opts);
  return true;
}
