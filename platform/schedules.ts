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
 * Makes the store's SLA schedule exist with this interval: created when missing, its interval
 * changed when it differs, left alone otherwise. Idempotent, so every worker start (and every save
 * of the SLA rules) may call it. A pass that is still running when the next is due is skipped.
 */
export async function ensureSlaSchedule(
  client: Client,
  opts: { store: string; taskQueuePrefix: string; every: string },
): Promise<'created' | 'updated' | 'unchanged'> {
  const scheduleId = slaScheduleId(opts.store);
  const everyMs = durationMs(opts.every);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: SLA_CHECK_WORKFLOW,
    workflowId: scheduleId,
    taskQueue: taskQueue(SLA_TASK_QUEUE, opts.taskQueuePrefix),
    args: [{ store: opts.store } satisfies SlaCheckInput],
    workflowExecutionTimeout: '10 minutes',
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: everyMs }] },
      action,
      policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
      memo: { purpose: `SLA checker for ${opts.store}` },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const current = await handle.describe();
  const intervals = current.spec.intervals ?? [];
  const same =
    intervals.length === 1 &&
    Number(intervals[0]!.every) === everyMs &&
    current.action.type === 'startWorkflow' &&
    current.action.taskQueue === action.taskQueue;
  if (same) return 'unchanged';
  await handle.update((prev) => ({ ...prev, spec: { intervals: [{ every: everyMs }] }, action }));
  return 'updated';
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
