import { condition, log, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { NotifyActivities } from '../activities/notify';
import type { Notification, Recipient } from '../domain/notifications';
import { SA } from '../domain/search-attributes';
import { PROFILES } from './activity-profiles';

/**
 * What the event-driven processes (customer approval, return) share: the wait for the event they are
 * started for, their step as a search attribute, and their messages to the people they serve.
 */

const { notify } = proxyActivities<NotifyActivities>(PROFILES.personNotice);

/** How long a process started without its event waits for it (signal-with-start always brings it). */
const FIRST_EVENT_WAIT = '1 hour';

/** Waits for the event the process was started for; false when none arrived in time. */
export const firstEventArrived = (arrived: () => boolean): Promise<boolean> =>
  condition(arrived, FIRST_EVENT_WAIT);

/**
 * Tags a process with the search attributes operators find it by (its store first), and returns the
 * setter of its step, which also sets its status search attribute (`<process>:<step>`).
 */
export function trackSteps<S extends string>(
  status: { step: S },
  process: string,
  attributes: Parameters<typeof upsertSearchAttributes>[0],
): (step: S) => void {
  upsertSearchAttributes(attributes);
  return (step) => {
    status.step = step;
    upsertSearchAttributes([{ key: SA.status, value: `${process}:${step}` }]);
  };
}

/**
 * A process's messages to one person: each has the id `<workflowId>:<kind>` (so a retry sends it
 * once) and carries the process's own data beside its own.
 */
export function messagesTo(
  workflowId: string,
  recipient: () => Recipient,
  data: () => Record<string, unknown>,
): (kind: string, subject: string, text: string, extra?: Record<string, unknown>) => Notification {
  return (kind, subject, text, extra = {}) => ({
    id: `${workflowId}:${kind}`,
    kind,
    recipient: recipient(),
    subject,
    text,
    data: { ...data(), ...extra },
    workflowId,
  });
}

/** Sends a message; one that cannot be sent is logged and the process goes on without it. */
export async function tell(who: string, n: Notification): Promise<void> {
  try {
    await notify(n);
  } catch (err) {
    log.warn(`${who} notification failed`, { id: n.id, error: String(err) });
  }
}
