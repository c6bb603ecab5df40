/**
 * The SLA checker's contract: a Temporal Schedule per store starts one `slaCheck` workflow per
 * interval on the sync queue; each pass reads the read models and raises or resolves alerts.
 */
import type { TaskQueueName } from './ids';

export const SLA_TASK_QUEUE: TaskQueueName = 'sync';
export const SLA_CHECK_WORKFLOW = 'slaCheck';

export interface SlaCheckInput {
  store: string;
}

/** The store's SLA schedule (a schedule id, not a workflow id: its runs get ids of their own). */
export const slaScheduleId = (store: string) => `sla-check:${store}`;
