import type { Notification } from '../../domain/notifications';

export type { Notification, Recipient } from '../../domain/notifications';

export interface DeliveryReceipt {
  channel: string;
  attempts: number;
  status: number;
}

/** Sends notifications to buyers and approvers; implementations retry transient failures themselves. */
export interface Notifier {
  readonly channel: string;
  send(notification: Notification): Promise<DeliveryReceipt>;
}

/** The receiver refused the notification (a 4xx other than 408/429): retrying would not help. */
export class NotificationRejectedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'NotificationRejectedError';
  }
}
