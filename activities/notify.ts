import { ApplicationFailure } from '@temporalio/common';
import { NotificationRejectedError, type Notification, type Notifier } from '../connectors/notifier';
import { alertRepository } from '../db/alerts';
import { templateRepository } from '../db/notification-templates';
import { notificationRepository } from '../db/notifications';
import type { Db } from '../db/pool';
import { storeOfWorkflowId } from '../domain/contracts';
import { notificationValues, renderTemplate, templateKeyOf } from '../domain/notification-templates';
import { NOTIFY_FAILURES } from '../domain/failures';
import type { Logger } from '../platform/logger';

export interface NotifyDeps {
  db: Db;
  notifier?: Notifier;
  log?: Logger;
}

export type NotificationStatus = 'sent' | 'failed' | 'undeliverable';

/**
 * The message in the store's words: when the store has saved a template for this kind, its newest
 * version is filled with the notification's data, its recipient and its order's facts; otherwise
 * the process's own words go out. The template's key and version travel in the data.
 */
export async function renderNotification(db: Db, n: Notification): Promise<Notification> {
  const key = templateKeyOf(n.kind);
  const store = n.recipient.store ?? (n.workflowId ? storeOfWorkflowId(n.workflowId) : null);
  if (!key || !store) return n;
  const templates = templateRepository(db);
  const template = await templates.current(store, key);
  if (!template) return n;
  const orderId = n.data?.orderId;
  const order =
    typeof orderId === 'string'
      ? await templates.orderFacts({ store, orderId })
      : n.workflowId
        ? await templates.orderFacts({ workflowId: n.workflowId })
        : null;
  const { subject, body } = renderTemplate(template, notificationValues(n, store, order));
  return {
    ...n,
    subject,
    text: body,
    data: { ...n.data, template: { key, version: template.version } },
  };
}

/**
 * Sends a notification once, rendered from the store's template when it has one: the notifications log (keyed by the notification id) remembers what
 * was sent, so a retried activity or a replayed step never notifies twice. A receiver that refuses
 * the message raises an operator alert instead of failing the business process.
 */
export async function deliverNotification(
  deps: NotifyDeps,
  original: Notification,
): Promise<{ status: NotificationStatus; duplicate: boolean }> {
  const { db, notifier } = deps;
  const log = notificationRepository(db);
  const n = await renderNotification(db, original);
  const status = await log.claim(n, notifier?.channel ?? null);
  if (status === 'sent' || status === 'failed' || status === 'undeliverable')
    return { status, duplicate: true };

  if (!notifier) {
    await log.undeliverable(n.id, 'no notification channel is configured');
    deps.log?.warn(
      { notificationId: n.id, kind: n.kind },
      'notification not delivered: no channel configured',
    );
    return { status: 'undeliverable', duplicate: false };
  }
  try {
    const receipt = await notifier.send(n);
    await log.sent(n.id, receipt.attempts);
    return { status: 'sent', duplicate: false };
  } catch (err) {
    const message = (err as Error).message;
    if (err instanceof NotificationRejectedError) {
      await log.refused(n.id, message);
      await alertRepository(db).raise({
        severity: 'warning',
        kind: 'notification.rejected',
        subject: n.subject,
        message: `The ${notifier.channel} receiver refused notification ${n.id} (${n.kind}): ${message}`,
        workflowId: n.workflowId,
        dedupeKey: `notification:${n.id}`,
      });
      return { status: 'failed', duplicate: false };
    }
    await log.attemptFailed(n.id, message);
    throw err;
  }
}

export function createNotifyActivities(deps: NotifyDeps) {
  return {
    /** Notifies a buyer, applicant, approver or operator; idempotent by the notification id. */
    async notify(notification: Notification): Promise<{ status: NotificationStatus }> {
      try {
        const { status } = await deliverNotification(deps, notification);
        return { status };
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        throw ApplicationFailure.create({
          type: NOTIFY_FAILURES.deliveryFailed,
          message: (err as Error).message,
          nonRetryable: false,
        });
      }
    },
  };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;
